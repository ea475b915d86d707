/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPUID, computed from what the accelerator supports: a pure
 * function of its inputs (no host CPUID, no ioctl), so that the unit tests
 * (unit/vmctl_cpuid_test.c) can run it on made-up tables.
 */
#ifndef VMCTL_CPUID_POLICY_H
#define VMCTL_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "accel.h"

/* What vmctl gives the vCPU besides the accelerator's features. */
struct cpuid_config {
	bool lapic;		/* in-kernel local APIC */
	bool x2apic;		/* ... with x2APIC mode */
	bool tsc_deadline;	/* ... with the TSC-deadline timer */
	uint32_t apic_id;	/* the vCPU's initial APIC ID */
	uint64_t tsc_khz;	/* the guest's TSC rate */
	uint64_t xcr0;		/* the XSAVE components to offer */
};

/*
 * Fills out[] (room for max entries) with the guest's CPUID, from the
 * nsup entries the accelerator reports as supported. Returns the number
 * of entries, or -E2BIG.
 */
int cpuid_build(const struct x86_cpuid_entry *sup, unsigned int nsup,
		const struct cpuid_config *cfg, struct x86_cpuid_entry *out,
		unsigned int max);

#endif
