// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the guest TSC (kmod/tsc.c): every vCPU of a VM starts on
 * the VM's clock; a write by another vCPU of a value within a second of
 * that clock joins it, any other write sets a new one.
 */
#include <linux/limits.h>

#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "hvm_kunit.h"

struct match_case {
	const char *name;
	u64 last_value, last_host, value, now, window;
	bool match;
};

static const struct match_case match_cases[] = {
	{ "the clock's own reading", 1000, 5000, 1500, 5500, 100, true },
	{ "the window's far edge", 1000, 5000, 1600, 5500, 100, true },
	{ "the window's near edge", 1000, 5000, 1400, 5500, 100, true },
	{ "past the window", 1000, 5000, 1601, 5500, 100, false },
	{ "before the window", 1000, 5000, 1399, 5500, 100, false },
	{ "0 against a clock at 2^64 - 10", U64_MAX - 9, 0, 0, 5, 100, true },
	{ "host TSC wrapped since the write", 7, U64_MAX - 2, 17, 7, 100, true },
	{ "2^63 away", 0, 0, 1ULL << 63, 0, 100, false },
	{ "no window: only the exact value", 1000, 5000, 1500, 5500, 0, true },
	{ "no window: one tick off", 1000, 5000, 1501, 5500, 0, false },
	{ "a window of 2^62", 0, 0, 1ULL << 62, 0, 1ULL << 62, true },
};

static void match_desc(const struct match_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(match, match_cases, match_desc);

static void tsc_write_matches(struct kunit *test)
{
	const struct match_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hvm_tsc_write_matches(c->last_value, c->last_host,
						    c->value, c->now, c->window),
			c->match);
}

static u64 offset_set;

static void kunit_set_tsc_offset(struct hvm_vcpu *vcpu, u64 offset)
{
	offset_set = offset;
}

/* vCPU 0 of the KUnit VM and a second vCPU, both on the VM's clock. */
static struct hvm_vcpu *tsc_vm(struct kunit *test, struct hvm_kunit_vm **tp)
{
	struct hvm_npt_format fmt;
	struct hvm_kunit_vm *t;
	struct hvm_vcpu *v1;

	hvm_kunit_npt_format(&hvm_kunit_npt_params[0], &fmt);
	t = hvm_kunit_vm_create(test, &fmt);

	t->ops.set_tsc_offset = kunit_set_tsc_offset;
	t->vcpu->tsc_offset = hvm_tsc_vm_offset(t->vm);
	v1 = kunit_kzalloc(test, sizeof(*v1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, v1);
	v1->vm = t->vm;
	v1->id = 1;
	v1->tsc_offset = hvm_tsc_vm_offset(t->vm);
	*tp = t;
	return v1;
}

static void tsc_vcpus_share_the_vm_clock(struct kunit *test)
{
	struct hvm_kunit_vm *t;
	struct hvm_vcpu *v1 = tsc_vm(test, &t);
	u64 before = rdtsc();

	KUNIT_EXPECT_EQ(test, v1->tsc_offset, t->vcpu->tsc_offset);
	/* The VM's clock read 0 when it was made, before this test began. */
	KUNIT_EXPECT_LE(test, hvm_tsc_read(t->vcpu), rdtsc() - t->vm->tsc_write_host);
	KUNIT_EXPECT_LE(test, before + t->vcpu->tsc_offset, hvm_tsc_read(v1));
	hvm_kunit_vm_destroy(t);
}

static void tsc_same_value_on_each_vcpu_joins(struct kunit *test)
{
	const u64 value = 1ULL << 40;
	struct hvm_kunit_vm *t;
	struct hvm_vcpu *v1 = tsc_vm(test, &t);

	if (!tsc_khz)
		kunit_skip(test, "no TSC rate: every window is empty");
	hvm_tsc_write(t->vcpu, value);
	KUNIT_EXPECT_EQ(test, offset_set, t->vcpu->tsc_offset);
	hvm_tsc_write(v1, value);
	KUNIT_EXPECT_EQ(test, v1->tsc_offset, t->vcpu->tsc_offset);
	KUNIT_EXPECT_EQ(test, offset_set, v1->tsc_offset);
	/* Writing 0 to each, as firmware might: still one clock. */
	hvm_tsc_write(t->vcpu, 0);
	hvm_tsc_write(v1, 0);
	KUNIT_EXPECT_EQ(test, v1->tsc_offset, t->vcpu->tsc_offset);
	hvm_kunit_vm_destroy(t);
}

static void tsc_other_writes_set_a_clock(struct kunit *test)
{
	const u64 value = 1ULL << 40;
	struct hvm_kunit_vm *t;
	struct hvm_vcpu *v1 = tsc_vm(test, &t);
	u64 first;

	hvm_tsc_write(t->vcpu, value);
	first = t->vcpu->tsc_offset;
	/* The same vCPU writing again means it: the TSC goes back. */
	hvm_tsc_write(t->vcpu, value);
	KUNIT_EXPECT_LT(test, (s64)(t->vcpu->tsc_offset - first), 0);
	/* Ten seconds ahead of the clock is a clock of its own. */
	hvm_tsc_write(v1, value + 10 * 1000 * (u64)tsc_khz + 1);
	KUNIT_EXPECT_NE(test, v1->tsc_offset, t->vcpu->tsc_offset);
	KUNIT_EXPECT_EQ(test, offset_set, v1->tsc_offset);
	KUNIT_EXPECT_EQ(test, t->vm->tsc_writer, 1);
	hvm_kunit_vm_destroy(t);
}

/* IA32_TSC through the core's MSR path, as WRMSR and HVM_SET_MSRS reach it. */
static void tsc_msr_reads_back(struct kunit *test)
{
	const u64 value = 0x123456789abULL;
	struct hvm_kunit_vm *t;
	struct hvm_vcpu *v1 = tsc_vm(test, &t);
	u64 read;

	KUNIT_ASSERT_EQ(test, hvm_set_msr(v1, MSR_IA32_TSC, value, false), 0);
	KUNIT_ASSERT_EQ(test, hvm_get_msr(v1, MSR_IA32_TSC, &read), 0);
	/* v1 set the clock: no more ticks than the host's since the write. */
	KUNIT_EXPECT_GE(test, read, value);
	KUNIT_EXPECT_LE(test, read - value, rdtsc() - t->vm->tsc_write_host);
	KUNIT_EXPECT_EQ(test, offset_set, v1->tsc_offset);
	hvm_kunit_vm_destroy(t);
}

static struct kunit_case tsc_cases[] = {
	KUNIT_CASE_PARAM(tsc_write_matches, match_gen_params),
	KUNIT_CASE(tsc_vcpus_share_the_vm_clock),
	KUNIT_CASE(tsc_same_value_on_each_vcpu_joins),
	KUNIT_CASE(tsc_other_writes_set_a_clock),
	KUNIT_CASE(tsc_msr_reads_back),
	{}
};

static struct kunit_suite tsc_suite = {
	.name = "hvm_tsc",
	.test_cases = tsc_cases,
};

kunit_test_suites(&tsc_suite);
