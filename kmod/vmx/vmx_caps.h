/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX control derivation from the capability MSRs: pure functions, so that
 * they can be tested without the hardware.
 */
#ifndef _HVM_VMX_CAPS_H
#define _HVM_VMX_CAPS_H

#include <linux/types.h>

/*
 * A VMX capability MSR (SDM Appendix A.3-A.5): bits 31:0 are the allowed
 * 0-settings (a 1 there means the control must be 1), bits 63:32 the
 * allowed 1-settings (a 0 there means the control must be 0).
 *
 * Returns the control value holding every required bit, the optional bits
 * the CPU allows, and the bits the CPU forces to 1; or -EOPNOTSUPP in
 * *missing's favour when a required bit cannot be set (*missing says which).
 */
int vmx_adjust_controls(u32 required, u32 optional, u64 cap, u32 *ctl,
			u32 *missing);

/* The capability MSR to use: the TRUE_ one when VMX_BASIC bit 55 says so. */
u32 vmx_ctls_msr(u64 vmx_basic, u32 msr, u32 true_msr);

/*
 * The VMX-preemption-timer value that expires after us microseconds: the
 * timer counts down at the TSC rate divided by 2^(IA32_VMX_MISC bits 4:0).
 * Saturates at the field's 32 bits; never 0 (an immediate exit) for us > 0.
 */
u32 vmx_preemption_timer_value(u32 tsc_khz, u32 us, u64 vmx_misc);

#endif /* _HVM_VMX_CAPS_H */
