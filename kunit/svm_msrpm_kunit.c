// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the SVM MSR permission map (kmod/svm/msrpm.c), against the
 * layout of APM vol. 2, 15.11: MSRs 0-1FFF at byte 0, C0000000-C0001FFF at
 * byte 0x800, C0010000-C0011FFF at byte 0x1000, two bits per MSR (read,
 * then write), the last 2 KiB unused; everything else always exits.
 */
#include <linux/bitops.h>
#include <linux/slab.h>
#include <asm/msr-index.h>

#include "hvm_kunit.h"
#include "svm/msrpm.h"

static u8 *msrpm_alloc(struct kunit *test)
{
	u8 *pm = kunit_kmalloc(test, MSRPM_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pm);
	memset(pm, 0xff, MSRPM_SIZE);
	return pm;
}

/* Intercept bits of one MSR, from the APM's table: bit 0 read, 1 write. */
static int apm_bits(const u8 *pm, u32 msr, unsigned int *byte)
{
	static const u32 base[] = { 0x00000000, 0xc0000000, 0xc0010000 };
	unsigned int block, bit;

	for (block = 0; block < ARRAY_SIZE(base); block++)
		if (msr >= base[block] && msr <= base[block] + 0x1fff)
			break;
	if (block == ARRAY_SIZE(base))
		return -1;
	bit = block * 0x800 * 8 + (msr - base[block]) * 2;
	*byte = bit / 8;
	return (pm[bit / 8] >> (bit % 8)) & 3;
}

static unsigned int clear_bits(const u8 *pm)
{
	unsigned int i, n = 0;

	for (i = 0; i < MSRPM_SIZE; i++)
		n += 8 - hweight8(pm[i]);
	return n;
}

struct msr_pos {
	u32 msr;
	unsigned int byte, shift;
};

static const struct msr_pos positions[] = {
	{ 0x00000000, 0x000, 0 }, { 0x00000001, 0x000, 2 },
	{ 0x00000003, 0x000, 6 }, { 0x00000004, 0x001, 0 },
	{ 0x00000010, 0x004, 0 }, { 0x00000174, 0x05d, 0 },
	{ 0x00001fff, 0x7ff, 6 }, { 0xc0000000, 0x800, 0 },
	{ 0xc0000080, 0x820, 0 }, { 0xc0000102, 0x840, 4 },
	{ 0xc0001fff, 0xfff, 6 }, { 0xc0010000, 0x1000, 0 },
	{ 0xc0010117, 0x1045, 6 }, { 0xc0011fff, 0x17ff, 6 },
};

static void pos_desc(const struct msr_pos *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "msr %#x", p->msr);
}

KUNIT_ARRAY_PARAM(pos, positions, pos_desc);

/* Allowing one MSR clears exactly its two bits, where the APM puts them. */
static void msrpm_allow_clears_its_bits(struct kunit *test)
{
	const struct msr_pos *p = test->param_value;
	u8 *pm = msrpm_alloc(test);
	unsigned int byte;

	svm_msrpm_allow(pm, p->msr);
	KUNIT_EXPECT_EQ(test, pm[p->byte], (u8)~(3 << p->shift));
	KUNIT_EXPECT_EQ(test, clear_bits(pm), 2);
	KUNIT_EXPECT_EQ(test, apm_bits(pm, p->msr, &byte), 0);
	KUNIT_EXPECT_EQ(test, byte, p->byte);
	/* Again: nothing more changes. */
	svm_msrpm_allow(pm, p->msr);
	KUNIT_EXPECT_EQ(test, clear_bits(pm), 2);
}

/* MSRs outside the three ranges have no bits: the map is unchanged. */
static void msrpm_allow_outside_ranges(struct kunit *test)
{
	static const u32 msrs[] = {
		0x2000, 0x3fff, 0x40000000, 0xbfffffff, 0xc0002000, 0xc000ffff,
		0xc0012000, 0xc0013fff, 0xffffffff,
	};
	u8 *pm = msrpm_alloc(test);
	int i;

	for (i = 0; i < ARRAY_SIZE(msrs); i++)
		svm_msrpm_allow(pm, msrs[i]);
	KUNIT_EXPECT_EQ(test, clear_bits(pm), 0);
}

/* Neighbours share a byte: allowing one leaves the others intercepted. */
static void msrpm_allow_neighbours(struct kunit *test)
{
	u8 *pm = msrpm_alloc(test);
	unsigned int byte;

	svm_msrpm_allow(pm, MSR_FS_BASE);
	KUNIT_EXPECT_EQ(test, apm_bits(pm, MSR_FS_BASE, &byte), 0);
	KUNIT_EXPECT_EQ(test, apm_bits(pm, MSR_FS_BASE - 1, &byte), 3);
	KUNIT_EXPECT_EQ(test, apm_bits(pm, MSR_FS_BASE + 1, &byte), 3);
	KUNIT_EXPECT_EQ(test, apm_bits(pm, MSR_FS_BASE + 2, &byte), 3);
}

/* What the guest owns: the state VMLOAD/VMSAVE and the VMCB switch. */
static const u32 guest_owned[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR,
	MSR_CSTAR, MSR_SYSCALL_MASK, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

static void msrpm_init_allows_guest_state(struct kunit *test)
{
	u8 *pm = kunit_kzalloc(test, MSRPM_SIZE, GFP_KERNEL);
	unsigned int byte;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pm);
	svm_msrpm_init(pm);
	for (i = 0; i < ARRAY_SIZE(guest_owned); i++)
		KUNIT_EXPECT_EQ_MSG(test, apm_bits(pm, guest_owned[i], &byte), 0,
				    "msr %#x", guest_owned[i]);
	/* Those and nothing else. */
	KUNIT_EXPECT_EQ(test, clear_bits(pm), 2 * ARRAY_SIZE(guest_owned));
}

/* What hvm must see: EFER (SVME), PAT, TSC, the APIC, SVM's own MSRs. */
static void msrpm_init_intercepts_the_rest(struct kunit *test)
{
	static const u32 msrs[] = {
		MSR_EFER, MSR_IA32_CR_PAT, MSR_IA32_TSC, MSR_IA32_APICBASE,
		MSR_VM_HSAVE_PA, MSR_VM_CR, MSR_IA32_SPEC_CTRL, MSR_IA32_MISC_ENABLE,
		MSR_MTRRdefType, MSR_IA32_DEBUGCTLMSR, MSR_TSC_AUX, MSR_AMD64_TSC_RATIO,
		0, 0x1fff, 0xc0001fff, 0xc0011fff,
	};
	u8 *pm = kunit_kzalloc(test, MSRPM_SIZE, GFP_KERNEL);
	unsigned int byte;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pm);
	svm_msrpm_init(pm);
	for (i = 0; i < ARRAY_SIZE(msrs); i++)
		KUNIT_EXPECT_EQ_MSG(test, apm_bits(pm, msrs[i], &byte), 3,
				    "msr %#x", msrs[i]);
	/* The unused last 2 KiB are all ones too. */
	for (i = 0x1800; i < MSRPM_SIZE; i++)
		KUNIT_EXPECT_EQ(test, pm[i], 0xff);
}

static struct kunit_case msrpm_cases[] = {
	KUNIT_CASE_PARAM(msrpm_allow_clears_its_bits, pos_gen_params),
	KUNIT_CASE(msrpm_allow_outside_ranges),
	KUNIT_CASE(msrpm_allow_neighbours),
	KUNIT_CASE(msrpm_init_allows_guest_state),
	KUNIT_CASE(msrpm_init_intercepts_the_rest),
	{}
};

static struct kunit_suite msrpm_suite = {
	.name = "hvm_svm_msrpm",
	.test_cases = msrpm_cases,
};

kunit_test_suites(&msrpm_suite);
