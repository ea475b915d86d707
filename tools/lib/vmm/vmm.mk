# SPDX-License-Identifier: GPL-2.0
# The VMM library (tools/lib/vmm/), for the Makefiles of the tools that
# link it (tools/vmctl/Makefile, the top Makefile's hvmbench, unit/).
# Set ROOT (the repository's top) before including this file; the tools
# compile VMM_SRCS with their own flags plus VMM_CFLAGS.
VMM_DIR := $(ROOT)/tools/lib/vmm
VMM_SRCS := $(addprefix $(VMM_DIR)/,accel.c accel_hvm.c accel_kvm.c cpuid.c)
VMM_HDRS := $(wildcard $(VMM_DIR)/*.h) $(ROOT)/uapi/hvm.h
VMM_CFLAGS := -I$(ROOT)/tools/lib -I$(ROOT)/uapi
