// SPDX-License-Identifier: GPL-2.0
/*
 * The SVM MSR permission map (APM 15.11): two bits per MSR, read then
 * write, for three ranges of 8192 MSRs, one 2 KiB block each; a set bit
 * makes the access exit. MSRs outside the ranges always exit.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/msr-index.h>

#include "msrpm.h"

/* MSRs the VMCB holds and VMLOAD/VMSAVE switch: the guest owns them. */
static const u32 svm_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

void svm_msrpm_allow(u8 *msrpm, u32 msr)
{
	static const u32 base[] = { 0x00000000, 0xc0000000, 0xc0010000 };
	unsigned int i, bit;

	for (i = 0; i < ARRAY_SIZE(base); i++) {
		if (msr - base[i] < 0x2000) {
			bit = (msr - base[i]) * 2;
			msrpm[i * 0x800 + bit / 8] &= ~(3U << (bit % 8));
			return;
		}
	}
}

void svm_msrpm_init(u8 *msrpm)
{
	int i;

	memset(msrpm, 0xff, MSRPM_SIZE);
	for (i = 0; i < ARRAY_SIZE(svm_passthrough_msrs); i++)
		svm_msrpm_allow(msrpm, svm_passthrough_msrs[i]);
}
