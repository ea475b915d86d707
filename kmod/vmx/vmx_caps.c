// SPDX-License-Identifier: GPL-2.0
/*
 * VMX control derivation from the capability MSRs (SDM Appendix A).
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/minmax.h>

#include "vmx_caps.h"

#define VMX_BASIC_TRUE_CTLS_BIT	BIT_ULL(55)

int vmx_adjust_controls(u32 required, u32 optional, u64 cap, u32 *ctl,
			u32 *missing)
{
	u32 must_be_one = (u32)cap;
	u32 may_be_one = cap >> 32;

	*missing = required & ~may_be_one;
	if (*missing)
		return -EOPNOTSUPP;
	*ctl = ((required | optional) & may_be_one) | must_be_one;
	return 0;
}

u32 vmx_ctls_msr(u64 vmx_basic, u32 msr, u32 true_msr)
{
	return vmx_basic & VMX_BASIC_TRUE_CTLS_BIT ? true_msr : msr;
}

u32 vmx_preemption_timer_value(u32 tsc_khz, u32 us, u64 vmx_misc)
{
	u64 ticks = div_u64((u64)tsc_khz * us, 1000);

	ticks >>= vmx_misc & 0x1f;
	if (!ticks && us)
		ticks = 1;
	return min_t(u64, ticks, U32_MAX);
}
