// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID table, from the one the accelerator supports: its
 * leaves, less what this VM does not have, plus a hypervisor leaf with the
 * TSC frequency. No host access here (cpuid.c gathers the inputs).
 *
 * Taken out, because the guest would use hardware hvm does not give it
 * (yet), and Linux must not go looking for it:
 *  - the host's x2APIC: the guest has x2APIC when the accelerator's
 *    in-kernel APIC has that mode (hvm with HVM_CAP_X2APIC, kvm); the
 *    local APIC itself and the TSC-deadline timer go too when there is no
 *    in-kernel APIC (then interrupts come from the emulated 8259A PIC);
 *  - MONITOR/MWAIT (hvm makes them #UD), RDTSCP/RDPID (IA32_TSC_AUX is
 *    not virtualized);
 *  - of XSAVE, the state components the host kernel does not enable
 *    (XCR0), protection keys' PKRU, supervisor states (XSAVES, IA32_XSS:
 *    hvm does not virtualize it) and XFD. hvm reads the guest's XCR0
 *    back after every exit (QEMU's SVM, the lab, does not intercept
 *    XSETBV) and computes leaf 0xd's current size from it;
 *  - protection keys (PKU, OSPKE): hvm does not switch PKRU between the
 *    guest and the host, so the guest's PKRU would change under its feet
 *    (and leak into the host thread);
 *  - features that come with MSRs hvm does not implement, so that Linux
 *    does not read or write them and take a #GP: TSC_ADJUST, machine
 *    checks (MCE, MCA), the speculation controls (SPEC_CTRL, PRED_CMD,
 *    FLUSH_CMD, ARCH_CAPABILITIES, CORE_CAPABILITIES, VIRT_SPEC_CTRL), the
 *    performance counters and IBS, OSVW, the node ID MSR, SME/SEV;
 *  - more than one logical processor (one vCPU).
 * Added, with an in-kernel APIC: the TSC-deadline timer (hvm's and kvm's
 * APICs have it on any host), and ARAT in leaf 6 (the emulated APIC
 * timer never stops). With both, Linux neither calibrates its APIC timer
 * against the PIT nor keeps the PIT running.
 * Added: the hypervisor bit, leaf 0x40000000 (signature "hvmhvmhvmhvm",
 * highest leaf 0x40000010) and leaf 0x40000010 (TSC and bus frequency in
 * kHz, the "VMware timing leaf" that other hypervisors reuse; the bus is
 * the APIC timer's 1 GHz); on Intel hosts leaf 0x16 gives the nominal MHz
 * and leaf 0x15 is emptied (see below). Linux reads neither timing leaf,
 * so vmctl also puts tsc_early_khz= on the Linux command line
 * (boot_linux.c).
 */
#include <errno.h>
#include <string.h>

#include "cpuid_policy.h"

#define HV_LEAF_BASE	0x40000000u
#define HV_LEAF_TIMING	0x40000010u

/* Leaf 1 */
#define L1_ECX_MONITOR		(1u << 3)
#define L1_ECX_PDCM		(1u << 15)	/* IA32_PERF_CAPABILITIES */
#define L1_ECX_X2APIC		(1u << 21)
#define L1_ECX_TSC_DEADLINE	(1u << 24)
#define L1_ECX_OSXSAVE		(1u << 27)
#define L1_ECX_HYPERVISOR	(1u << 31)
#define L1_EDX_MCE_MCA		((1u << 7) | (1u << 14))
#define L1_EDX_APIC		(1u << 9)
#define L1_EDX_HTT		(1u << 28)
/* Leaf 6 */
#define L6_EAX_ARAT		(1u << 2)	/* always running APIC timer */
/* Leaf 7.0 */
#define L7_EBX_TSC_ADJUST	(1u << 1)
#define L7_ECX_PKU_OSPKE	((1u << 3) | (1u << 4))
#define L7_ECX_RDPID		(1u << 22)
/* Leaf 0xd */
#define LD1_EAX_XSAVES_XFD	((1u << 3) | (1u << 4))
#define L7_EDX_SPEC_MSRS	((1u << 26) | (1u << 27) | (1u << 28) | \
				 (1u << 29) | (1u << 30) | (1u << 31))
/* Leaf 0x80000001 */
/* OSVW, IBS, SKINIT, WDT, LWP, NODEID_MSR, the three PERFCTR_* */
#define LE1_ECX_MSR_FEATURES	((1u << 9) | (1u << 10) | (1u << 12) | \
				 (1u << 13) | (1u << 15) | (1u << 19) | \
				 (1u << 23) | (1u << 24) | (1u << 28))
#define LE1_EDX_MCE_MCA		((1u << 7) | (1u << 14))
#define LE1_EDX_RDTSCP		(1u << 27)
/* Leaf 0x80000008 EBX: IBPB, IBRS, STIBP, PPIN, SSBD, VIRT_SSBD, ... */
#define LE8_EBX_SPEC_MSRS	((1u << 12) | (1u << 14) | (1u << 15) | \
				 (1u << 23) | (1u << 24) | (1u << 25))

struct table {
	struct x86_cpuid_entry *e;
	unsigned int n, max;
	bool full;		/* an entry did not fit */
};

static struct x86_cpuid_entry *add(struct table *t, uint32_t fn, uint32_t idx,
				   bool sig)
{
	if (t->n == t->max) {
		t->full = true;
		return NULL;
	}
	t->e[t->n] = (struct x86_cpuid_entry){
		.function = fn, .index = idx, .index_significant = sig,
	};
	return &t->e[t->n++];
}

static struct x86_cpuid_entry *find(struct x86_cpuid_entry *e, unsigned int n,
				    uint32_t fn, uint32_t idx)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].function == fn &&
		    (!e[i].index_significant || e[i].index == idx))
			return &e[i];
	return NULL;
}

static const struct x86_cpuid_entry *
find_const(const struct x86_cpuid_entry *e, unsigned int n, uint32_t fn,
	   uint32_t idx)
{
	return find((struct x86_cpuid_entry *)e, n, fn, idx);
}

static bool is_intel(const struct x86_cpuid_entry *leaf0)
{
	return leaf0 && leaf0->ebx == 0x756e6547 && leaf0->edx == 0x49656e69 &&
	       leaf0->ecx == 0x6c65746e;
}

/*
 * Leaf 0xd for the state components xcr0 allows. Sub-leaf 0's EBX, the
 * size for the guest's current XCR0, is the accelerator's to fill at each
 * CPUID; ECX is the size for all of them.
 */
static void xsave_leaf(struct table *t, struct x86_cpuid_entry *e,
		       uint64_t xcr0)
{
	struct x86_cpuid_entry *sub;
	uint32_t i, size = 512 + 64;

	if (e->index >= 2 && e->index < 64) {
		if (!(xcr0 & (1ull << e->index)))
			e->eax = e->ebx = e->ecx = e->edx = 0;
		return;
	}
	if (e->index == 1) {
		e->eax &= ~LD1_EAX_XSAVES_XFD;
		e->ebx = e->ecx = e->edx = 0;	/* no IA32_XSS states */
		return;
	}
	if (e->index)
		return;
	e->eax &= (uint32_t)xcr0;
	e->edx &= (uint32_t)(xcr0 >> 32);
	for (i = 2; i < 64; i++) {
		if (!(xcr0 & (1ull << i)) || !(sub = find(t->e, t->n, 0xd, i)) ||
		    !sub->index_significant || sub->index != i)
			continue;
		if (sub->ebx + sub->eax > size)
			size = sub->ebx + sub->eax;
	}
	e->ebx = 576;
	e->ecx = size;
}

int cpuid_build(const struct x86_cpuid_entry *sup, unsigned int nsup,
		const struct cpuid_config *cfg, struct x86_cpuid_entry *out,
		unsigned int max)
{
	const struct x86_cpuid_entry *s0 = find_const(sup, nsup, 0, 0);
	const struct x86_cpuid_entry *se = find_const(sup, nsup, 0x80000000, 0);
	struct table t = { .e = out, .max = max };
	uint32_t max_basic = s0 ? s0->eax : 0, max_ext = se ? se->eax : 0;
	bool intel = is_intel(s0);
	struct x86_cpuid_entry *e;
	unsigned int i;
	uint32_t fn;

	if (intel && max_basic < 0x16)
		max_basic = 0x16;	/* for the frequency leaves below */
	if (max_ext < 0x80000000 || max_ext >= 0x80000100)
		max_ext = 0;
	for (i = 0; i < nsup; i++) {
		fn = sup[i].function;
		if (fn > max_basic && (fn < 0x80000000 || fn > max_ext))
			continue;
		if ((e = add(&t, 0, 0, false)))
			*e = sup[i];
	}
	if (intel) {
		for (fn = 0x15; fn <= 0x16; fn++)
			if (!find(t.e, t.n, fn, 0))
				add(&t, fn, 0, false);
	}
	if ((e = find(t.e, t.n, 0, 0)))
		e->eax = max_basic;

	e = find(t.e, t.n, 1, 0);
	if (e) {
		e->ecx &= ~(L1_ECX_MONITOR | L1_ECX_PDCM | L1_ECX_X2APIC |
			    L1_ECX_OSXSAVE);
		e->ecx |= L1_ECX_HYPERVISOR;
		e->edx &= ~(L1_EDX_HTT | L1_EDX_MCE_MCA);
		if (!cfg->lapic) {
			e->ecx &= ~L1_ECX_TSC_DEADLINE;
			e->edx &= ~L1_EDX_APIC;
		} else {
			/* The kernel's APIC modes, whatever the host's. */
			if (cfg->x2apic)
				e->ecx |= L1_ECX_X2APIC;
			if (cfg->tsc_deadline)
				e->ecx |= L1_ECX_TSC_DEADLINE;
		}
		/* Initial APIC ID: the vCPU's; one logical processor each. */
		e->ebx = (e->ebx & 0xffff) | (1u << 16) | (cfg->apic_id << 24);
	}
	for (i = 0; i < t.n; i++) {
		e = &t.e[i];
		switch (e->function) {
		case 0x4:	/* one core, one thread per cache */
			e->eax &= 0x3ff;
			break;
		case 0x6:	/* no thermal or power management */
			e->eax = e->ebx = e->ecx = e->edx = 0;
			/* An emulated APIC timer runs in every C-state. */
			if (cfg->lapic)
				e->eax = L6_EAX_ARAT;
			break;
		case 0xa:	/* no architectural performance counters */
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		case 0x7:
			if (e->index == 0) {
				e->ebx &= ~L7_EBX_TSC_ADJUST;
				e->ecx &= ~(L7_ECX_PKU_OSPKE | L7_ECX_RDPID);
				e->edx &= ~L7_EDX_SPEC_MSRS;
			}
			break;
		case 0xb:	/* x2APIC topology: an x2APIC feature */
		case 0x1f:
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		case 0xd:
			xsave_leaf(&t, e, cfg->xcr0);
			break;
		case 0x80000001:
			e->ecx &= ~LE1_ECX_MSR_FEATURES;
			e->edx &= ~(LE1_EDX_RDTSCP | LE1_EDX_MCE_MCA);
			break;
		case 0x80000007:	/* no RAS (MCA) capabilities */
			e->ebx = 0;
			break;
		case 0x80000008:
			e->ebx &= ~LE8_EBX_SPEC_MSRS;
			e->ecx &= ~0xf0ffu;	/* one core, APIC ID size 0 */
			break;
		case 0x8000001d:	/* one core per cache */
			e->eax &= 0x3ff;
			break;
		case 0x8000001e:	/* topology: core 0 of node 0 */
			e->eax = e->ebx = e->ecx = 0;
			break;
		case 0x8000000a:	/* no SVM for the guest */
		case 0x8000001f:	/* no SME or SEV */
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		}
	}
	if (intel) {
		/*
		 * Leaf 0x15 stays empty: Linux takes its crystal to be the
		 * APIC timer's input, which is 1 GHz in hvm and kvm alike, and
		 * computes crystal_khz * EBX in 32 bits, so at 1 GHz EBX/EAX
		 * could not give the TSC rate within 100 ppm. (The 1 kHz
		 * crystal given here before made Linux's APIC timer period 4
		 * ticks, 1000 times too short.) The guest gets the TSC rate
		 * from tsc_early_khz= and calibrates its APIC timer, as on AMD.
		 * Leaf 0x16: nominal MHz.
		 */
		if ((e = find(t.e, t.n, 0x15, 0)))
			*e = (struct x86_cpuid_entry){ .function = 0x15 };
		if ((e = find(t.e, t.n, 0x16, 0)))
			e->eax = (uint32_t)(cfg->tsc_khz / 1000);
	}
	/* "hvmhvmhvmhvm", in EBX, ECX, EDX. */
	if ((e = add(&t, HV_LEAF_BASE, 0, false))) {
		e->eax = HV_LEAF_TIMING;
		memcpy(&e->ebx, "hvmh", 4);
		memcpy(&e->ecx, "vmhv", 4);
		memcpy(&e->edx, "mhvm", 4);
	}
	if ((e = add(&t, HV_LEAF_TIMING, 0, false))) {
		e->eax = (uint32_t)cfg->tsc_khz;
		e->ebx = 1000000;
	}
	return t.full ? -E2BIG : (int)t.n;
}
