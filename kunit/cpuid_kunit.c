// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the CPUID filter (kmod/cpuid.c): the guest sees the table
 * userspace set, never VMX or SVM, and OSXSAVE only as its CR4 says.
 */
#include <linux/bits.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "hvm_kunit.h"

#define ECX1_VMX	BIT(5)
#define ECX1_XSAVE	BIT(26)
#define ECX1_OSXSAVE	BIT(27)
#define ECX81_SVM	BIT(2)

static struct hvm_vcpu *vcpu_with(struct kunit *test,
				  const struct hvm_cpuid_entry *e, int n)
{
	struct hvm_vcpu *vcpu = kunit_kzalloc(test, sizeof(*vcpu), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vcpu);
	vcpu->cpuid = kunit_kmalloc_array(test, n ? n : 1, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->cpuid);
	memcpy(vcpu->cpuid, e, n * sizeof(*e));
	vcpu->cpuid_nent = n;
	/* The bootstrap processor's IA32_APIC_BASE at RESET: enabled. */
	vcpu->apic_base = 0xfee00000 | MSR_IA32_APICBASE_ENABLE |
			  MSR_IA32_APICBASE_BSP;
	return vcpu;
}

static void guest_cpuid(struct hvm_vcpu *vcpu, u32 fn, u32 index, u64 cr4,
			u32 out[4])
{
	memset(out, 0xa5, 4 * sizeof(u32));
	hvm_cpuid(vcpu, fn, index, cr4, out);
}

static const struct hvm_cpuid_entry table[] = {
	{ .function = 0, .eax = 0xd, .ebx = 0x68747541, .ecx = 0x444d4163,
	  .edx = 0x69746e65 },
	{ .function = 1, .eax = 0x800f12, .ebx = 0x10800, .ecx = ~0U, .edx = ~0U },
	{ .function = 7, .index = 0, .flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 1, .ebx = 0x11, .ecx = 0x22, .edx = 0x33 },
	{ .function = 7, .index = 1, .flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .eax = 0x44 },
	{ .function = 0xd, .index = 5, .eax = 0x55 },	/* index not significant */
	{ .function = 0x80000000, .eax = 0x80000008 },
	{ .function = 0x80000001, .eax = 0x00a00f11, .ecx = ~0U, .edx = ~0U },
	/* Shadowed by the first entry for leaf 0. */
	{ .function = 0, .eax = 0xdead },
};

static void cpuid_absent_leaf_reads_zero(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_with(test, table, ARRAY_SIZE(table));
	u32 out[4];

	guest_cpuid(vcpu, 2, 0, 0, out);
	KUNIT_EXPECT_EQ(test, out[0] | out[1] | out[2] | out[3], 0);
	guest_cpuid(vcpu, 0x40000000, 0, 0, out);
	KUNIT_EXPECT_EQ(test, out[0] | out[1] | out[2] | out[3], 0);
	/* An empty table: every leaf is zero. */
	vcpu = vcpu_with(test, table, 0);
	guest_cpuid(vcpu, 0, 0, 0, out);
	KUNIT_EXPECT_EQ(test, out[0] | out[1] | out[2] | out[3], 0);
}

static void cpuid_passes_entries_through(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_with(test, table, ARRAY_SIZE(table));
	u32 out[4];

	guest_cpuid(vcpu, 0, 0, 0, out);
	KUNIT_EXPECT_EQ(test, out[0], 0xd);
	KUNIT_EXPECT_EQ(test, out[1], 0x68747541);
	KUNIT_EXPECT_EQ(test, out[2], 0x444d4163);
	KUNIT_EXPECT_EQ(test, out[3], 0x69746e65);
	guest_cpuid(vcpu, 0x80000000, 0, 0, out);
	KUNIT_EXPECT_EQ(test, out[0], 0x80000008);
	KUNIT_EXPECT_EQ(test, out[1] | out[2] | out[3], 0);
}

static void cpuid_first_entry_wins(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_with(test, table, ARRAY_SIZE(table));
	u32 out[4];

	guest_cpuid(vcpu, 0, 0, 0, out);
	KUNIT_EXPECT_EQ(test, out[0], 0xd);
}

/* Leaf 1: VMX is hidden; nothing else in ECX, EAX, EBX, EDX changes. */
static void cpuid_hides_vmx(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_with(test, table, ARRAY_SIZE(table));
	u32 out[4];

	guest_cpuid(vcpu, 1, 0, X86_CR4_OSXSAVE, out);
	KUNIT_EXPECT_EQ(test, out[2] & ECX1_VMX, 0);
	KUNIT_EXPECT_EQ(test, out[2], (u32)~ECX1_VMX);
	KUNIT_EXPECT_EQ(test, out[0], 0x800f12);
	KUNIT_EXPECT_EQ(test, out[1], 0x10800);
	KUNIT_EXPECT_EQ(test, out[3], ~0U);
}

/* Leaf 1 EDX.APIC goes with IA32_APIC_BASE.EN (SDM 11.4.3); nothing else. */
static void cpuid_apic_follows_apic_base(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_with(test, table, ARRAY_SIZE(table));
	u32 out[4];

	vcpu->apic_base &= ~MSR_IA32_APICBASE_ENABLE;
	guest_cpuid(vcpu, 1, 0, X86_CR4_OSXSAVE, out);
	KUNIT_EXPECT_EQ(test, out[3], ~0U & ~BIT(9));
	vcpu->apic_base |= MSR_IA32_APICBASE_ENABLE;
	guest_cpuid(vcpu, 1, 0, X86_CR4_OSXSAVE, out);
	KUNIT_EXPECT_EQ(test, out[3], ~0U);
}

/* Leaf 0x80000001: SVM is hidden, the rest stays. */
static void cpuid_hides_svm(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_with(test, table, ARRAY_SIZE(table));
	u32 out[4];

	guest_cpuid(vcpu, 0x80000001, 0, 0, out);
	KUNIT_EXPECT_EQ(test, out[2], (u32)~ECX81_SVM);
	KUNIT_EXPECT_EQ(test, out[3], ~0U);
	KUNIT_EXPECT_EQ(test, out[0], 0x00a00f11);
}

/* The filter is per leaf: the same bits elsewhere are left alone. */
static void cpuid_filters_only_its_leaves(struct kunit *test)
{
	static const struct hvm_cpuid_entry e[] = {
		{ .function = 0x80000002, .ecx = ~0U },
		{ .function = 6, .ecx = ~0U },
		{ .function = 0x40000001, .ecx = ~0U },
	};
	struct hvm_vcpu *vcpu = vcpu_with(test, e, ARRAY_SIZE(e));
	u32 out[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(e); i++) {
		guest_cpuid(vcpu, e[i].function, 0, X86_CR4_OSXSAVE, out);
		KUNIT_EXPECT_EQ_MSG(test, out[2], ~0U, "leaf %#x", e[i].function);
	}
}

/* OSXSAVE = XSAVE in the table and CR4.OSXSAVE, whatever the table says. */
static void cpuid_osxsave_follows_cr4(struct kunit *test)
{
	struct hvm_cpuid_entry e = { .function = 1 };
	struct hvm_vcpu *vcpu;
	u32 out[4];
	int xsave, os_in_table, cr4;

	for (xsave = 0; xsave < 2; xsave++) {
		for (os_in_table = 0; os_in_table < 2; os_in_table++) {
			for (cr4 = 0; cr4 < 2; cr4++) {
				e.ecx = (xsave ? ECX1_XSAVE : 0) |
					(os_in_table ? ECX1_OSXSAVE : 0);
				vcpu = vcpu_with(test, &e, 1);
				guest_cpuid(vcpu, 1, 0, cr4 ? X86_CR4_OSXSAVE : 0, out);
				KUNIT_EXPECT_EQ_MSG(test, !!(out[2] & ECX1_OSXSAVE),
						    xsave && cr4,
						    "xsave %d, osxsave in table %d, cr4 %d",
						    xsave, os_in_table, cr4);
				KUNIT_EXPECT_EQ(test, !!(out[2] & ECX1_XSAVE), xsave);
			}
		}
	}
	/* Other CR4 bits do not count. */
	e.ecx = ECX1_XSAVE;
	vcpu = vcpu_with(test, &e, 1);
	guest_cpuid(vcpu, 1, 0, ~(u64)X86_CR4_OSXSAVE, out);
	KUNIT_EXPECT_EQ(test, out[2] & ECX1_OSXSAVE, 0);
}

static void cpuid_significant_index(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_with(test, table, ARRAY_SIZE(table));
	u32 out[4];

	guest_cpuid(vcpu, 7, 0, 0, out);
	KUNIT_EXPECT_EQ(test, out[0], 1);
	KUNIT_EXPECT_EQ(test, out[1], 0x11);
	guest_cpuid(vcpu, 7, 1, 0, out);
	KUNIT_EXPECT_EQ(test, out[0], 0x44);
	KUNIT_EXPECT_EQ(test, out[1], 0);
	guest_cpuid(vcpu, 7, 2, 0, out);
	KUNIT_EXPECT_EQ(test, out[0] | out[1] | out[2] | out[3], 0);
}

/* Without the flag an entry answers for every index. */
static void cpuid_insignificant_index(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_with(test, table, ARRAY_SIZE(table));
	static const u32 idx[] = { 0, 5, 6, ~0U };
	u32 out[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		guest_cpuid(vcpu, 0xd, idx[i], 0, out);
		KUNIT_EXPECT_EQ_MSG(test, out[0], 0x55, "index %#x", idx[i]);
	}
}

/* CPUID.(0xd,0).EBX: the XSAVE area the guest's XCR0 needs, from the table. */
static void cpuid_xsave_size_follows_xcr0(struct kunit *test)
{
	static const struct hvm_cpuid_entry xsave[] = {
		{ .function = 0xd, .index = 0, .flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX,
		  .eax = 0xe7, .ebx = 0x1234, .ecx = 2688 },
		{ .function = 0xd, .index = 2, .flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX,
		  .eax = 256, .ebx = 576 },
		{ .function = 0xd, .index = 5, .flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX,
		  .eax = 64, .ebx = 1088 },
		{ .function = 0xd, .index = 6, .flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX,
		  .eax = 512, .ebx = 1152 },
		{ .function = 0xd, .index = 7, .flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX,
		  .eax = 1024, .ebx = 1664 },
		/* Without the flag it is no sub-leaf 9 of its own: ignored. */
		{ .function = 0xd, .index = 9, .eax = 8, .ebx = 8192 },
	};
	static const struct { u64 xcr0; u32 size; } cases[] = {
		{ 0x1, 576 }, { 0x3, 576 }, { 0x7, 832 }, { 0x27, 1152 },
		{ 0x47, 1664 }, { 0xe7, 2688 }, { 0x207, 832 },
	};
	struct hvm_vcpu *vcpu = vcpu_with(test, xsave, ARRAY_SIZE(xsave));
	u32 out[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		vcpu->xcr0 = cases[i].xcr0;
		guest_cpuid(vcpu, 0xd, 0, X86_CR4_OSXSAVE, out);
		KUNIT_EXPECT_EQ_MSG(test, out[1], cases[i].size, "xcr0 %#llx",
				    cases[i].xcr0);
		/* The rest of the leaf is the table's. */
		KUNIT_EXPECT_EQ(test, out[0], 0xe7);
		KUNIT_EXPECT_EQ(test, out[2], 2688);
	}
	/* Other sub-leaves are not touched. */
	guest_cpuid(vcpu, 0xd, 2, X86_CR4_OSXSAVE, out);
	KUNIT_EXPECT_EQ(test, out[1], 576);
}

static struct kunit_case cpuid_cases[] = {
	KUNIT_CASE(cpuid_absent_leaf_reads_zero),
	KUNIT_CASE(cpuid_passes_entries_through),
	KUNIT_CASE(cpuid_first_entry_wins),
	KUNIT_CASE(cpuid_hides_vmx),
	KUNIT_CASE(cpuid_apic_follows_apic_base),
	KUNIT_CASE(cpuid_hides_svm),
	KUNIT_CASE(cpuid_filters_only_its_leaves),
	KUNIT_CASE(cpuid_osxsave_follows_cr4),
	KUNIT_CASE(cpuid_significant_index),
	KUNIT_CASE(cpuid_insignificant_index),
	KUNIT_CASE(cpuid_xsave_size_follows_xcr0),
	{}
};

static struct kunit_suite cpuid_suite = {
	.name = "hvm_cpuid",
	.test_cases = cpuid_cases,
};

kunit_test_suites(&cpuid_suite);
