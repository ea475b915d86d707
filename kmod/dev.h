/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module around the core: loading and the hardware's on/off (main.c),
 * the ioctl layer (dev.c), the ABI's rules for what userspace passes in
 * (abi.c), and the exit counters of debugfs.
 */
#ifndef _HVM_DEV_H
#define _HVM_DEV_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include "hvm.h"		/* uapi */

/* main.c */
int hvm_hardware_get(void);
void hvm_hardware_put(void);
extern atomic_t hvm_live_vms, hvm_live_vcpus;
/* 2 MiB nested leaves installed since load, all VMs (debugfs). */
extern atomic_long_t hvm_npt_large_maps;

/* dev.c: the ioctl layer */
int hvm_dev_init(void);
void hvm_dev_exit(void);

/* abi.c: the ABI's rules for what userspace passes in */
bool hvm_sregs_valid(const struct hvm_sregs *s);
bool hvm_cpuid_entry_valid(const struct hvm_cpuid_entry *e);
bool hvm_msr_entry_valid(const struct hvm_msr_entry *e);
bool hvm_interrupt_valid(const struct hvm_interrupt *irq);
bool hvm_msi_valid(const struct hvm_msi *msi);
bool hvm_irqfd_valid(const struct hvm_irqfd *args);
bool hvm_ioeventfd_valid(const struct hvm_ioeventfd *args);
bool hvm_eoi_exits_valid(const struct hvm_eoi_exits *args);

#endif /* _HVM_DEV_H */
