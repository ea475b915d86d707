// SPDX-License-Identifier: GPL-2.0
/*
 * The host's own CPUID table: every leaf up to the host's maxima, every
 * subleaf of the leaves that have them that says something. hvm's
 * supported CPUID starts from it (accel_hvm.c); vmctl's policy and
 * hvmbench take the accelerator's supported table from there.
 */
#include <cpuid.h>
#include <errno.h>

#include "cpuid.h"

/* Leaves whose output depends on ECX. */
static bool has_subleaves(uint32_t fn)
{
	switch (fn) {
	case 0x4: case 0x7: case 0xb: case 0xd: case 0xf: case 0x10:
	case 0x12: case 0x14: case 0x17: case 0x18: case 0x1d: case 0x1e:
	case 0x1f: case 0x20: case 0x23: case 0x24:
	case 0x8000001d: case 0x80000020: case 0x80000026:
		return true;
	default:
		return false;
	}
}

static int host_range(struct x86_cpuid_entry *e, unsigned int n,
		      unsigned int max, uint32_t first, uint32_t last)
{
	uint32_t fn, idx, a, b, c, d;

	for (fn = first; fn <= last; fn++) {
		for (idx = 0; idx < (has_subleaves(fn) ? 64 : 1); idx++) {
			__cpuid_count(fn, idx, a, b, c, d);
			if (idx && !a && !b && !c && !d)
				continue;
			if (n == max)
				return -E2BIG;
			e[n++] = (struct x86_cpuid_entry){
				.function = fn, .index = idx,
				.index_significant = has_subleaves(fn),
				.eax = a, .ebx = b, .ecx = c, .edx = d,
			};
		}
	}
	return (int)n;
}

int cpuid_host_leaves(struct x86_cpuid_entry *e, unsigned int max)
{
	uint32_t max_basic, max_ext, b, c, d;
	int n;

	__cpuid(0, max_basic, b, c, d);
	__cpuid(0x80000000, max_ext, b, c, d);
	n = host_range(e, 0, max, 0, max_basic);
	if (n >= 0 && max_ext >= 0x80000000 && max_ext < 0x80000100)
		n = host_range(e, (unsigned int)n, max, 0x80000000, max_ext);
	return n;
}

bool cpuid_host_is_intel(void)
{
	uint32_t a, b, c, d;

	__cpuid(0, a, b, c, d);
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
}
