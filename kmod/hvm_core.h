/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core's headers, for the core's own files and the KUnit suites: the
 * module (dev.h), VMs (vm.h), vCPUs (vcpu.h), the vendor contract
 * (vendor.h), x86 emulation (x86.h), the LAPIC (lapic.h), interrupt
 * messages, MSIs and irqfds (irq.h) and the instruction decoder
 * (insn_decode.h). A backend includes vendor.h alone.
 */
#ifndef _HVM_CORE_H
#define _HVM_CORE_H

#include "dev.h"
#include "insn_decode.h"
#include "irq.h"
#include "lapic.h"
#include "vcpu.h"
#include "vendor.h"
#include "vm.h"
#include "x86.h"

#endif /* _HVM_CORE_H */
