// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the ABI's input rules (kmod/abi.c): every reserved and
 * padding field of what userspace passes must be zero, every flag known,
 * every value within its field (uapi/hvm.h).
 */
#include <linux/bits.h>
#include <asm/processor-flags.h>

#include "hvm_kunit.h"

/* The sregs of a vCPU in 64-bit mode: valid. */
static struct hvm_sregs long_mode_sregs(void)
{
	struct hvm_segment code = {
		.limit = 0xffffffff, .type = 11, .present = 1, .s = 1, .l = 1,
		.g = 1,
	};
	struct hvm_segment data = {
		.limit = 0xffffffff, .type = 3, .present = 1, .s = 1, .db = 1,
		.g = 1,
	};
	struct hvm_segment tss = { .limit = 0x67, .type = 11, .present = 1 };
	struct hvm_segment ldt = { .type = 2, .unusable = 1 };

	return (struct hvm_sregs){
		.cs = code, .ds = data, .es = data, .fs = data, .gs = data,
		.ss = data, .tr = tss, .ldt = ldt,
		.gdt = { .base = 0x1000, .limit = 0xff },
		.idt = { .base = 0x2000, .limit = 0xfff },
		.cr0 = 0x80050033, .cr3 = 0x100000, .cr4 = 0x6a0, .cr8 = 0,
		.efer = BIT(0) | BIT(8) | BIT(10) | BIT(11),
		.apic_base = 0xfee00900,
	};
}

static struct hvm_segment *segment(struct hvm_sregs *s, int i)
{
	struct hvm_segment *seg[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};

	return seg[i];
}

static const char * const segment_names[] = {
	"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt",
};

static void abi_sregs_valid_states(struct kunit *test)
{
	struct hvm_sregs s = long_mode_sregs();

	KUNIT_EXPECT_TRUE(test, hvm_sregs_valid(&s));
	/* All zeros: real mode with null segments is a legal input. */
	memset(&s, 0, sizeof(s));
	KUNIT_EXPECT_TRUE(test, hvm_sregs_valid(&s));
	/* Fields at their largest legal values. */
	s = long_mode_sregs();
	s.cs.type = 15;
	s.cs.dpl = 3;
	s.cs.avl = 1;
	s.cr8 = 15;
	s.cr0 = 0xffffffff;
	s.cr4 = 0xffffffff;
	s.efer = BIT(0) | BIT(8) | BIT(10) | BIT(11) | BIT(14);
	KUNIT_EXPECT_TRUE(test, hvm_sregs_valid(&s));
}

/* The one-byte fields of a segment and their first invalid value. */
static const struct {
	const char *name;
	size_t offset;
	u8 bad;
} segment_fields[] = {
#define F(field, bad) { #field, offsetof(struct hvm_segment, field), bad }
	F(type, 16), F(present, 2), F(dpl, 4), F(db, 2), F(s, 2), F(l, 2),
	F(g, 2), F(avl, 2), F(unusable, 2), F(padding, 1),
#undef F
};

/* Each field of each segment, one past its range, and the padding. */
static void abi_sregs_segment_fields(struct kunit *test)
{
	struct hvm_sregs s;
	int i, f;

	for (i = 0; i < ARRAY_SIZE(segment_names); i++) {
		for (f = 0; f < ARRAY_SIZE(segment_fields); f++) {
			s = long_mode_sregs();
			*((u8 *)segment(&s, i) + segment_fields[f].offset) =
				segment_fields[f].bad;
			KUNIT_EXPECT_FALSE_MSG(test, hvm_sregs_valid(&s), "%s.%s = %u",
					       segment_names[i], segment_fields[f].name,
					       segment_fields[f].bad);
			*((u8 *)segment(&s, i) + segment_fields[f].offset) = 0xff;
			KUNIT_EXPECT_FALSE_MSG(test, hvm_sregs_valid(&s), "%s.%s = 255",
					       segment_names[i], segment_fields[f].name);
		}
		/* base, limit and selector take any value. */
		s = long_mode_sregs();
		segment(&s, i)->base = ~0ULL;
		segment(&s, i)->limit = ~0U;
		segment(&s, i)->selector = 0xffff;
		KUNIT_EXPECT_TRUE_MSG(test, hvm_sregs_valid(&s), "%s",
				      segment_names[i]);
	}
}

static void abi_sregs_dtable_padding(struct kunit *test)
{
	struct hvm_sregs s;
	int i;

	for (i = 0; i < 3; i++) {
		s = long_mode_sregs();
		s.gdt.padding[i] = 1;
		KUNIT_EXPECT_FALSE_MSG(test, hvm_sregs_valid(&s), "gdt padding %d", i);
		s = long_mode_sregs();
		s.idt.padding[i] = 0x8000;
		KUNIT_EXPECT_FALSE_MSG(test, hvm_sregs_valid(&s), "idt padding %d", i);
	}
	s = long_mode_sregs();
	s.gdt.limit = 0xffff;
	s.idt.base = ~0ULL;
	KUNIT_EXPECT_TRUE(test, hvm_sregs_valid(&s));
}

static void abi_sregs_reserved(struct kunit *test)
{
	struct hvm_sregs s;
	int i;

	for (i = 0; i < ARRAY_SIZE(s.reserved); i++) {
		s = long_mode_sregs();
		s.reserved[i] = 1ULL << (i * 8);
		KUNIT_EXPECT_FALSE_MSG(test, hvm_sregs_valid(&s), "reserved[%d]", i);
	}
}

/* CR0 and CR4 are 32-bit registers; CR8 holds a 4-bit priority. */
static void abi_sregs_control_registers(struct kunit *test)
{
	struct hvm_sregs s;
	int bit;

	for (bit = 32; bit < 64; bit++) {
		s = long_mode_sregs();
		s.cr0 |= BIT_ULL(bit);
		KUNIT_EXPECT_FALSE_MSG(test, hvm_sregs_valid(&s), "cr0 bit %d", bit);
		s = long_mode_sregs();
		s.cr4 |= BIT_ULL(bit);
		KUNIT_EXPECT_FALSE_MSG(test, hvm_sregs_valid(&s), "cr4 bit %d", bit);
	}
	/* CR0.NW without CR0.CD is no state a CPU can be in. */
	s = long_mode_sregs();
	s.cr0 |= X86_CR0_NW;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_valid(&s));
	s.cr0 |= X86_CR0_CD;
	KUNIT_EXPECT_TRUE(test, hvm_sregs_valid(&s));
	s.cr0 &= ~X86_CR0_NW;
	KUNIT_EXPECT_TRUE(test, hvm_sregs_valid(&s));
	s = long_mode_sregs();
	s.cr8 = 16;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_valid(&s));
	s.cr8 = ~0ULL;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_valid(&s));
	/* CR2, CR3 and the APIC base are not this layer's business. */
	s = long_mode_sregs();
	s.cr2 = ~0ULL;
	s.cr3 = ~0ULL;
	s.apic_base = ~0ULL;
	KUNIT_EXPECT_TRUE(test, hvm_sregs_valid(&s));
}

/* EFER: SCE, LME, LMA, NXE and FFXSR only; SVME is hvm's own. */
static void abi_sregs_efer(struct kunit *test)
{
	const u64 allowed = BIT(0) | BIT(8) | BIT(10) | BIT(11) | BIT(14);
	struct hvm_sregs s = long_mode_sregs();
	int bit;

	for (bit = 0; bit < 64; bit++) {
		s.efer = BIT_ULL(bit);
		KUNIT_EXPECT_EQ_MSG(test, hvm_sregs_valid(&s),
				    !!(allowed & BIT_ULL(bit)), "efer bit %d", bit);
	}
}

static void abi_cpuid_entry(struct kunit *test)
{
	struct hvm_cpuid_entry e = {
		.function = ~0U, .index = ~0U, .eax = ~0U, .ebx = ~0U,
		.ecx = ~0U, .edx = ~0U,
	};
	int bit;

	KUNIT_EXPECT_TRUE(test, hvm_cpuid_entry_valid(&e));
	e.flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX;
	KUNIT_EXPECT_TRUE(test, hvm_cpuid_entry_valid(&e));
	for (bit = 1; bit < 32; bit++) {
		e.flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX | BIT(bit);
		KUNIT_EXPECT_FALSE_MSG(test, hvm_cpuid_entry_valid(&e), "flag %d", bit);
	}
	e.flags = 0;
	e.reserved = 1;
	KUNIT_EXPECT_FALSE(test, hvm_cpuid_entry_valid(&e));
	e.reserved = 0x80000000;
	KUNIT_EXPECT_FALSE(test, hvm_cpuid_entry_valid(&e));
}

static void abi_msr_entry(struct kunit *test)
{
	struct hvm_msr_entry e = { .index = ~0U, .data = ~0ULL };

	KUNIT_EXPECT_TRUE(test, hvm_msr_entry_valid(&e));
	e.reserved = 1;
	KUNIT_EXPECT_FALSE(test, hvm_msr_entry_valid(&e));
	e.reserved = 0x80000000;
	KUNIT_EXPECT_FALSE(test, hvm_msr_entry_valid(&e));
}

static void abi_interrupt(struct kunit *test)
{
	struct hvm_interrupt irq = { 0 };
	int bit;

	for (irq.vector = 0; irq.vector < 256; irq.vector++)
		KUNIT_EXPECT_TRUE(test, hvm_interrupt_valid(&irq));
	irq.vector = 256;
	KUNIT_EXPECT_FALSE(test, hvm_interrupt_valid(&irq));
	irq.vector = ~0U;
	KUNIT_EXPECT_FALSE(test, hvm_interrupt_valid(&irq));
	irq.vector = 32;
	for (bit = 0; bit < 32; bit++) {
		irq.flags = BIT(bit);
		KUNIT_EXPECT_FALSE_MSG(test, hvm_interrupt_valid(&irq), "flag %d", bit);
	}
}

static struct kunit_case abi_cases[] = {
	KUNIT_CASE(abi_sregs_valid_states),
	KUNIT_CASE(abi_sregs_segment_fields),
	KUNIT_CASE(abi_sregs_dtable_padding),
	KUNIT_CASE(abi_sregs_reserved),
	KUNIT_CASE(abi_sregs_control_registers),
	KUNIT_CASE(abi_sregs_efer),
	KUNIT_CASE(abi_cpuid_entry),
	KUNIT_CASE(abi_msr_entry),
	KUNIT_CASE(abi_interrupt),
	{}
};

static struct kunit_suite abi_suite = {
	.name = "hvm_abi",
	.test_cases = abi_cases,
};

kunit_test_suites(&abi_suite);
