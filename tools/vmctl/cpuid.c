// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID: what the accelerator supports (its supported_cpuid
 * op; hvm's is the host's own CPUID, cpuid_host_leaves() below), through
 * the policy of cpuid_policy.c, into the vCPU. Also the host's TSC rate.
 */
#include <cpuid.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "cpuid_policy.h"
#include "vmctl.h"

#define MAX_ENTRIES	256

#define HV_LEAF_BASE	0x40000000u
#define HV_LEAF_TIMING	0x40000010u
#define L1_ECX_HYPERVISOR	(1u << 31)

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

static bool host_is_intel(void)
{
	uint32_t a, b, c, d;

	__cpuid(0, a, b, c, d);
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
}

/*
 * The host's TSC rate: from CPUID when the host knows it (Intel's leaf
 * 0x15, or a hypervisor's 0x40000010), else measured against
 * CLOCK_MONOTONIC_RAW over 20 ms.
 */
uint64_t host_tsc_khz(void)
{
	static uint64_t khz;
	uint32_t a, b, c, d;
	struct timespec t0, t1, nap = { .tv_nsec = 20000000 };
	uint64_t c0, c1, ns;

	if (khz)
		return khz;
	__cpuid(0, a, b, c, d);
	if (host_is_intel() && a >= 0x15) {
		__cpuid(0x15, a, b, c, d);
		if (a && b && c)
			return khz = (uint64_t)c * b / a / 1000;
	}
	__cpuid(1, a, b, c, d);
	if (c & L1_ECX_HYPERVISOR) {
		__cpuid(HV_LEAF_BASE, a, b, c, d);
		if (a >= HV_LEAF_TIMING) {
			__cpuid(HV_LEAF_TIMING, a, b, c, d);
			if (a)
				return khz = a;
		}
	}
	clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
	c0 = __rdtsc();
	while (nanosleep(&nap, &nap) && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
	c1 = __rdtsc();
	ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull +
	     (uint64_t)(t1.tv_nsec - t0.tv_nsec);
	return khz = (c1 - c0) * 1000000ull / ns;
}

static uint32_t reg(const struct x86_cpuid_entry *e, unsigned int r)
{
	if (!e)
		return 0;
	return r == CPUID_EAX ? e->eax : r == CPUID_EBX ? e->ebx :
	       r == CPUID_ECX ? e->ecx : e->edx;
}

static const struct x86_cpuid_entry *lookup(const struct x86_cpuid_entry *e,
					    unsigned int n, uint32_t fn,
					    uint32_t idx)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].function == fn &&
		    (!e[i].index_significant || e[i].index == idx))
			return &e[i];
	return NULL;
}

/* --debug: each feature register, as supported and as the guest's. */
static void debug_features(struct vm *vm, const struct x86_cpuid_entry *sup,
			   unsigned int nsup, const struct x86_cpuid_entry *g,
			   unsigned int n)
{
	static const char names[] = "abcd";
	unsigned int i, r;

	for (i = 0; i < cpuid_nr_leaves; i++) {
		const struct cpuid_leaf *l = &cpuid_leaves[i];
		uint32_t sub = l->subleaf == CPUID_ANY_SUBLEAF ? 0 : l->subleaf;
		const struct x86_cpuid_entry *s = lookup(sup, nsup, l->leaf, sub);

		for (r = CPUID_EAX; r <= CPUID_EDX; r++)
			if (s && (l->features & CPUID_REG(r)))
				debug(vm, "cpuid %#x.%u e%cx: supported 0x%08x, guest 0x%08x",
				      l->leaf, sub, names[r], reg(s, r),
				      reg(lookup(g, n, l->leaf, sub), r));
	}
}

int cpuid_setup(struct vm *vm, struct accel_vcpu *vcpu, unsigned int id)
{
	static struct x86_cpuid_entry sup[MAX_ENTRIES], table[MAX_ENTRIES];
	static int nsup;
	struct cpuid_config cfg = {
		.lapic = vm->lapic,
		.x2apic = vm->accel.x2apic,
		.tsc_deadline = vm->accel.tsc_deadline,
		.apic_id = id,
		.tsc_khz = host_tsc_khz(),
	};
	unsigned int limit = vm->accel.max_cpuid_entries;
	int n;

	/* The same for every vCPU: asked once. */
	if (!nsup) {
		nsup = vm->accel.ops->supported_cpuid(&vm->accel, sup,
						      MAX_ENTRIES);
		if (nsup < 0)
			die("%s: cannot read the supported CPUID: %s",
			    vm->accel.ops->dev_path, strerror(-nsup));
	}
	n = cpuid_build(sup, (unsigned int)nsup, &cfg, table, MAX_ENTRIES);
	if (n < 0)
		die("CPUID: more than %d leaves", MAX_ENTRIES);
	if (!id)
		debug_features(vm, sup, (unsigned int)nsup, table, (unsigned int)n);
	if (limit && (unsigned int)n > limit)
		die("CPUID: %d leaves, the accelerator takes %u", n, limit);
	return vm->accel.ops->set_cpuid(vcpu, table, (unsigned int)n);
}
