/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPUID, computed from what the accelerator supports through
 * vmctl's policy: which leaves the guest gets, and for each feature bit
 * whether it follows the accelerator, is always hidden, or is vmctl's to
 * set. The tables are the user-visible policy, listed in docs/cpuid.md
 * (unit/vmctl_cpuid_test.c checks that the two agree). cpuid_build() is a
 * pure function of its inputs (no host CPUID, no ioctl), so that the unit
 * test can run it on made-up tables.
 */
#ifndef VMCTL_CPUID_POLICY_H
#define VMCTL_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/accel.h"

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };
#define CPUID_REG(r)	(1u << (r))
#define CPUID_ALL_REGS	0xfu

enum cpuid_rule {
	CPUID_PASS,	/* the guest has it if the accelerator supports it */
	CPUID_HIDE,	/* never */
	CPUID_VMCTL,	/* vmctl sets or clears it itself (cpuid_build()) */
};

/* A leaf the guest gets; leaves not listed read as zeros. */
#define CPUID_ANY_SUBLEAF	UINT32_MAX
struct cpuid_leaf {
	uint32_t leaf, subleaf;	/* subleaf: CPUID_ANY_SUBLEAF, or one */
	uint8_t copy;		/* CPUID_REG()s given as the accelerator reports */
	uint8_t features;	/* CPUID_REG()s filtered by cpuid_features[] */
};

/* One bit of a feature register (cpuid_leaf.features). */
struct cpuid_feature {
	uint32_t leaf, subleaf;
	uint8_t reg;		/* enum cpuid_reg */
	uint8_t bit;
	uint8_t rule;		/* enum cpuid_rule */
	const char *name;
};

/* An XSAVE state component the guest may enable in XCR0 (leaf 0xd). */
struct cpuid_xsave_component {
	uint8_t bit;
	uint8_t rule;		/* CPUID_PASS or CPUID_HIDE */
	const char *name;
};

extern const struct cpuid_leaf cpuid_leaves[];
extern const unsigned int cpuid_nr_leaves;
extern const struct cpuid_feature cpuid_features[];
extern const unsigned int cpuid_nr_features;
extern const struct cpuid_xsave_component cpuid_xsave_components[];
extern const unsigned int cpuid_nr_xsave_components;

/* What vmctl gives the vCPU besides the accelerator's features. */
struct cpuid_config {
	bool lapic;		/* in-kernel local APIC */
	bool x2apic;		/* ... with x2APIC mode */
	bool tsc_deadline;	/* ... with the TSC-deadline timer */
	uint32_t apic_id;	/* the vCPU's initial APIC ID */
	uint64_t tsc_khz;	/* the guest's TSC rate */
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
