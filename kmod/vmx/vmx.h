/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX backend's guest entry (vmx_vmrun.S), as C sees it.
 */
#ifndef _HVM_VMX_H
#define _HVM_VMX_H

#include <linux/types.h>

/*
 * Enter the guest once with the vCPU's VMCS current and IRQs off. Returns
 * 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed (VMfail).
 */
int hvm_vmx_vmrun(u64 *regs, bool launched);

/* Where a VM exit lands (HOST_RIP); not a function to call. */
void hvm_vmx_vmexit(void);

#endif /* _HVM_VMX_H */
