// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID: what the accelerator supports (the VMM library's
 * accel_supported_cpuid; hvm's is the host's own CPUID, less what hvm
 * never gives), through the policy of cpuid_policy.c, into the vCPU. Also
 * the host's TSC rate.
 */
#include <cpuid.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "cpuid_policy.h"
#include "guest_cpuid.h"
#include "vm.h"

#define MAX_ENTRIES	256

#define HV_LEAF_BASE	0x40000000u
#define HV_LEAF_TIMING	0x40000010u
#define L1_ECX_HYPERVISOR	(1u << 31)

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
	if (cpuid_host_is_intel() && a >= 0x15) {
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
		.x2apic = vm->accel_vm.x2apic,
		.tsc_deadline = vm->accel_vm.tsc_deadline,
		.apic_id = id,
		.tsc_khz = host_tsc_khz(),
	};
	unsigned int limit = vm->accel.max_cpuid_entries;
	int n;

	/* The same for every vCPU: asked once. */
	if (!nsup) {
		nsup = accel_supported_cpuid(&vm->accel, sup, MAX_ENTRIES);
		if (nsup < 0)
			die("%s: cannot read the supported CPUID: %s",
			    accel_dev_path(vm->accel.ops), strerror(-nsup));
	}
	n = cpuid_build(sup, (unsigned int)nsup, &cfg, table, MAX_ENTRIES);
	if (n < 0)
		die("CPUID: more than %d leaves", MAX_ENTRIES);
	if (!id)
		debug_features(vm, sup, (unsigned int)nsup, table, (unsigned int)n);
	if (limit && (unsigned int)n > limit)
		die("CPUID: %d leaves, the accelerator takes %u", n, limit);
	return accel_vcpu_set_cpuid(vcpu, table, (unsigned int)n);
}
