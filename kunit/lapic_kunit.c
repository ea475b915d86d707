// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the local APIC's timer arithmetic (kmod/lapic.c): a TSC
 * deadline the guest or userspace sets becomes a delay in nanoseconds
 * without overflow, on hosts whose TSC runs below 1 GHz too (there the
 * quotient of a plain multiply-divide exceeds 64 bits and DIV raises #DE).
 */
#include <linux/limits.h>

#include "hvm_kunit.h"

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

static struct kunit_case lapic_cases[] = {
	KUNIT_CASE_PARAM(lapic_tsc_to_ns, tsc_ns_gen_params),
	KUNIT_CASE(lapic_tsc_to_ns_edge),
	{}
};

static struct kunit_suite lapic_suite = {
	.name = "hvm_lapic",
	.test_cases = lapic_cases,
};

kunit_test_suites(&lapic_suite);
