/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM MSR permission map (APM 15.11): which guest RDMSR/WRMSR exit.
 */
#ifndef _HVM_SVM_MSRPM_H
#define _HVM_SVM_MSRPM_H

#include <linux/types.h>
#include <asm/page.h>

#define MSRPM_SIZE	(2 * PAGE_SIZE)

/* Clear the read and write intercept bits of msr. */
void svm_msrpm_allow(u8 *msrpm, u32 msr);

/* Intercept every MSR but those the VMCB holds and the guest owns. */
void svm_msrpm_init(u8 *msrpm);

#endif /* _HVM_SVM_MSRPM_H */
