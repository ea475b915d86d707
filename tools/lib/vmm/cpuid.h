/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's own CPUID table (cpuid.c): the one builder that vmctl,
 * hvmbench (through accel.h) and the selftests' library start from.
 */
#ifndef VMM_CPUID_H
#define VMM_CPUID_H

#include <stdbool.h>
#include <stdint.h>

struct x86_cpuid_entry {
	uint32_t function, index;
	bool index_significant;
	uint32_t eax, ebx, ecx, edx;
};

/*
 * The host's leaves, every subleaf that says something, into e[0..max):
 * how many, or -E2BIG if they do not fit.
 */
int cpuid_host_leaves(struct x86_cpuid_entry *e, unsigned int max);
bool cpuid_host_is_intel(void);

#endif
