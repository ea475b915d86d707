// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the local APIC (kmod/lapic.c): a TSC deadline the guest
 * or userspace sets becomes a delay in nanoseconds without overflow, on
 * hosts whose TSC runs below 1 GHz too (there the quotient of a plain
 * multiply-divide exceeds 64 bits and DIV raises #DE); LINT1 is routed
 * by its LVT.
 */
#include <linux/limits.h>

#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "hvm_kunit.h"
#include "lapic.h"

struct tsc_ns_case {
	const char *name;
	u64 delta;
	u32 khz;
	u64 ns;
};

static const struct tsc_ns_case tsc_ns_cases[] = {
	{ "1 ms at 3.5 GHz", 3500000, 3500000, 1000000 },
	{ "1 s at 999 MHz", 999000000, 999000, 1000000000 },
	{ "the farthest deadline at 999 MHz saturates", U64_MAX, 999000,
	  HVM_LAPIC_MAX_DELAY_NS },
	{ "the farthest deadline at 1 MHz saturates", U64_MAX, 1000,
	  HVM_LAPIC_MAX_DELAY_NS },
	{ "the farthest deadline at 3.5 GHz saturates", U64_MAX, 3500000,
	  HVM_LAPIC_MAX_DELAY_NS },
	{ "2^63 ticks at 999 MHz saturate", 1ULL << 63, 999000,
	  HVM_LAPIC_MAX_DELAY_NS },
	{ "no TSC rate: no delay", 12345, 0, 0 },
	{ "no ticks: no delay", 0, 999000, 0 },
};

static void tsc_ns_desc(const struct tsc_ns_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tsc_ns, tsc_ns_cases, tsc_ns_desc);

static void lapic_tsc_to_ns(struct kunit *test)
{
	const struct tsc_ns_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hvm_lapic_tsc_to_ns(c->delta, c->khz), c->ns);
}

/* Just below saturation the exact value comes back, still below 2^64. */
static void lapic_tsc_to_ns_edge(struct kunit *test)
{
	/* Up to 4 GHz: threshold * khz stays within 64 bits. */
	static const u32 rates[] = { 1, 1000, 999000, 1000000, 3500000,
				     4000000 };
	int i;

	for (i = 0; i < ARRAY_SIZE(rates); i++) {
		u64 khz = rates[i];
		u64 below = HVM_LAPIC_MAX_DELAY_NS / NSEC_PER_MSEC * khz - 1;
		u64 ns = hvm_lapic_tsc_to_ns(below, rates[i]);

		KUNIT_EXPECT_LE_MSG(test, ns, HVM_LAPIC_MAX_DELAY_NS + NSEC_PER_MSEC,
				    "%u kHz", rates[i]);
		KUNIT_EXPECT_EQ_MSG(test, ns, mul_u64_u32_div(below, NSEC_PER_MSEC,
							      rates[i]),
				    "%u kHz", rates[i]);
		KUNIT_EXPECT_EQ(test, hvm_lapic_tsc_to_ns(below + 1, rates[i]),
				HVM_LAPIC_MAX_DELAY_NS);
	}
}

/* What an edge on LINT1 (HVM_NMI) becomes, by LVT LINT1 (SDM 11.5.1). */
struct lint1_case {
	const char *name;
	bool apic_enabled;	/* IA32_APIC_BASE.EN */
	bool sw_enabled;	/* SVR bit 8 */
	u32 lvt1;
	bool nmi;
	int vector;		/* the interrupt it raises, or -1 */
};

static const struct lint1_case lint1_cases[] = {
	{ "NMI mode: an NMI", true, true, 4 << 8, true, -1 },
	{ "NMI mode, masked: nothing", true, true, BIT(16) | 4 << 8, false, -1 },
	{ "fixed mode: its vector", true, true, 0x50, false, 0x50 },
	{ "ExtINT mode: nothing", true, true, 7 << 8, false, -1 },
	{ "SMI mode: nothing", true, true, 2 << 8, false, -1 },
	{ "software-disabled: masked, nothing", true, false, 4 << 8, false, -1 },
	{ "APIC disabled: LINT1 is the NMI pin", false, true, 0x50, true, -1 },
};

static void lint1_desc(const struct lint1_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(lint1, lint1_cases, lint1_desc);

static void lapic_write32(struct hvm_vcpu *vcpu, u32 off, u64 val)
{
	hvm_lapic_mmio(vcpu, APIC_DEFAULT_PHYS_BASE + off, 4, true, &val);
}

static void lapic_lint1_routing(struct kunit *test)
{
	const struct lint1_case *c = test->param_value;
	struct hvm_npt_format fmt;
	struct hvm_kunit_vm *t;
	struct hvm_vcpu *vcpu;

	hvm_kunit_npt_format(&hvm_kunit_npt_params[0], &fmt);
	t = hvm_kunit_vm_create(test, &fmt);
	vcpu = t->vcpu;

	KUNIT_ASSERT_EQ(test, hvm_lapic_create(vcpu), 0);
	lapic_write32(vcpu, APIC_SPIV, c->sw_enabled ? 0x1ff : 0xff);
	lapic_write32(vcpu, APIC_LVT1, c->lvt1);
	if (!c->apic_enabled)
		vcpu->apic_base &= ~MSR_IA32_APICBASE_ENABLE;

	hvm_lapic_lint1(vcpu);
	KUNIT_EXPECT_EQ(test, hvm_lapic_nmi_pending(vcpu), c->nmi);
	KUNIT_EXPECT_EQ(test, hvm_lapic_take_nmi(vcpu), c->nmi);
	KUNIT_EXPECT_FALSE(test, hvm_lapic_take_nmi(vcpu));	/* taken once */
	vcpu->apic_base |= MSR_IA32_APICBASE_ENABLE;
	KUNIT_EXPECT_EQ(test, hvm_lapic_pending(vcpu), c->vector);

	hvm_lapic_destroy(vcpu);
	hvm_kunit_vm_destroy(t);
}

static struct kunit_case lapic_cases[] = {
	KUNIT_CASE_PARAM(lapic_tsc_to_ns, tsc_ns_gen_params),
	KUNIT_CASE(lapic_tsc_to_ns_edge),
	KUNIT_CASE_PARAM(lapic_lint1_routing, lint1_gen_params),
	{}
};

static struct kunit_suite lapic_suite = {
	.name = "hvm_lapic",
	.test_cases = lapic_cases,
};

kunit_test_suites(&lapic_suite);
