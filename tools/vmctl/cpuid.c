// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID table: the host's own leaves, less what this VM does
 * not have, plus a hypervisor leaf with the TSC frequency.
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
#include <cpuid.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "vmctl.h"

#define MAX_ENTRIES	256

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
#define XFEATURE_PKRU		(1u << 9)
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

static struct x86_cpuid_entry table[MAX_ENTRIES];
static unsigned int n_entries;

static void add(uint32_t fn, uint32_t idx, bool sig, uint32_t a, uint32_t b,
		uint32_t c, uint32_t d)
{
	if (n_entries == MAX_ENTRIES)
		die("CPUID: more than %d leaves", MAX_ENTRIES);
	table[n_entries++] = (struct x86_cpuid_entry){
		.function = fn, .index = idx, .index_significant = sig,
		.eax = a, .ebx = b, .ecx = c, .edx = d,
	};
}

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

static void add_host_range(uint32_t first, uint32_t last)
{
	uint32_t fn, idx, a, b, c, d;

	for (fn = first; fn <= last; fn++) {
		if (!has_subleaves(fn)) {
			__cpuid_count(fn, 0, a, b, c, d);
			add(fn, 0, false, a, b, c, d);
			continue;
		}
		for (idx = 0; idx < 64; idx++) {
			__cpuid_count(fn, idx, a, b, c, d);
			if (idx && !a && !b && !c && !d)
				continue;
			add(fn, idx, true, a, b, c, d);
		}
	}
}

static struct x86_cpuid_entry *find(uint32_t fn, uint32_t idx)
{
	unsigned int i;

	for (i = 0; i < n_entries; i++)
		if (table[i].function == fn &&
		    (!table[i].index_significant || table[i].index == idx))
			return &table[i];
	return NULL;
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

static uint64_t host_xcr0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/*
 * Leaf 0xd for the state components xcr0 (the host's, less PKRU) allows.
 * Sub-leaf 0's EBX, the size for the guest's current XCR0, is hvm's to
 * fill at each CPUID; ECX is the size for all of them.
 */
static void xsave_leaf(struct x86_cpuid_entry *e, uint64_t xcr0)
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
		if (!(xcr0 & (1ull << i)) || !(sub = find(0xd, i)) ||
		    !sub->index_significant || sub->index != i)
			continue;
		if (sub->ebx + sub->eax > size)
			size = sub->ebx + sub->eax;
	}
	e->ebx = 576;
	e->ecx = size;
}

int cpuid_setup(struct vm *vm, struct accel_vcpu *vcpu, unsigned int id)
{
	uint32_t max_basic, max_ext, a, b, c, d;
	uint64_t tsc_khz = host_tsc_khz(), xcr0 = 0;
	struct x86_cpuid_entry *e;
	unsigned int i, limit = vm->accel.max_cpuid_entries;

	n_entries = 0;
	__cpuid(1, a, b, c, d);
	if (c & L1_ECX_OSXSAVE)
		xcr0 = host_xcr0() & ~(uint64_t)XFEATURE_PKRU;
	__cpuid(0, max_basic, b, c, d);
	__cpuid(0x80000000, max_ext, b, c, d);
	if (host_is_intel() && max_basic < 0x16)
		max_basic = 0x16;	/* for the frequency leaves below */
	add_host_range(0, max_basic);
	find(0, 0)->eax = max_basic;
	if (max_ext >= 0x80000000 && max_ext < 0x80000100)
		add_host_range(0x80000000, max_ext);

	e = find(1, 0);
	e->ecx &= ~(L1_ECX_MONITOR | L1_ECX_PDCM | L1_ECX_X2APIC |
		    L1_ECX_OSXSAVE);
	e->ecx |= L1_ECX_HYPERVISOR;
	e->edx &= ~(L1_EDX_HTT | L1_EDX_MCE_MCA);
	if (!vm->lapic) {
		e->ecx &= ~L1_ECX_TSC_DEADLINE;
		e->edx &= ~L1_EDX_APIC;
	} else {
		/* The kernel's APIC modes, whatever the host's. */
		if (vm->accel.x2apic)
			e->ecx |= L1_ECX_X2APIC;
		if (vm->accel.tsc_deadline)
			e->ecx |= L1_ECX_TSC_DEADLINE;
	}
	/* Initial APIC ID: the vCPU's number; one logical processor each. */
	e->ebx = (e->ebx & 0xffff) | (1u << 16) | (id << 24);
	for (i = 0; i < n_entries; i++) {
		e = &table[i];
		switch (e->function) {
		case 0x4:	/* one core, one thread per cache */
			e->eax &= 0x3ff;
			break;
		case 0x6:	/* no thermal or power management */
			e->eax = e->ebx = e->ecx = e->edx = 0;
			/* An emulated APIC timer runs in every C-state. */
			if (vm->lapic)
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
			xsave_leaf(e, xcr0);
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
	if (host_is_intel()) {
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
		e = find(0x15, 0);
		*e = (struct x86_cpuid_entry){ .function = 0x15 };
		e = find(0x16, 0);
		e->eax = (uint32_t)(tsc_khz / 1000);
	}
	/* "hvmhvmhvmhvm", in EBX, ECX, EDX. */
	memcpy(&b, "hvmh", 4);
	memcpy(&c, "vmhv", 4);
	memcpy(&d, "mhvm", 4);
	add(HV_LEAF_BASE, 0, false, HV_LEAF_TIMING, b, c, d);
	add(HV_LEAF_TIMING, 0, false, (uint32_t)tsc_khz, 1000000, 0, 0);

	(void)a;
	if (limit && n_entries > limit)
		die("CPUID: %u leaves, the accelerator takes %u", n_entries, limit);
	return vm->accel.ops->set_cpuid(vcpu, table, n_entries);
}
