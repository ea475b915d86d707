// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the MSRs the core keeps (kmod/msr.c) and of XCR0
 * validation: which values are legal (SDM 13.3, 11.11.2.1, 10.4.4), that
 * the vendor backend is asked first, and that a refused write changes
 * nothing.
 */
#include <linux/bits.h>

#include "hvm_kunit.h"

#define MSR_APIC_BASE		0x0000001b
#define MSR_MTRR_CAP		0x000000fe
#define MSR_MISC_ENABLE		0x000001a0
#define MSR_MTRR_DEF_TYPE	0x000002ff

#define X87	XFEATURE_MASK_FP
#define SSE	XFEATURE_MASK_SSE
#define YMM	XFEATURE_MASK_YMM
#define AVX512	(XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_Hi256 | \
		 XFEATURE_MASK_Hi16_ZMM)

static struct hvm_vcpu *msr_setup(struct kunit *test)
{
	struct hvm_npt_format fmt;
	struct hvm_kunit_vm *t;

	hvm_kunit_npt_format(&hvm_kunit_npt_params[0], &fmt);
	t = hvm_kunit_vm_create(test, &fmt);
	return t->vcpu;
}

static void msr_exit(struct kunit *test)
{
	hvm_kunit_vm_destroy(test->priv);
	test->priv = NULL;
	hvm_host_xcr0 = 0;
}

struct xcr0_case {
	const char *name;
	u64 xcr0;
	bool valid;
};

static const struct xcr0_case xcr0_cases[] = {
	{ "x87", X87, true },
	{ "x87 sse", X87 | SSE, true },
	{ "x87 sse avx", X87 | SSE | YMM, true },
	{ "x87 sse avx avx-512", X87 | SSE | YMM | AVX512, true },
	{ "no x87", SSE, false },
	{ "zero", 0, false },
	{ "avx without sse", X87 | YMM, false },
	{ "avx-512 without avx", X87 | SSE | AVX512, false },
	{ "opmask alone", X87 | SSE | YMM | XFEATURE_MASK_OPMASK, false },
	{ "avx-512 without hi16", X87 | SSE | YMM | XFEATURE_MASK_OPMASK |
	  XFEATURE_MASK_ZMM_Hi256, false },
	{ "bit 63", X87 | BIT_ULL(63), false },
	{ "a feature the host lacks (PKRU)", X87 | XFEATURE_MASK_PKRU, false },
};

static void xcr0_desc(const struct xcr0_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xcr0, xcr0_cases, xcr0_desc);

static void msr_xcr0_rules(struct kunit *test)
{
	const struct xcr0_case *c = test->param_value;

	hvm_host_xcr0 = X87 | SSE | YMM | AVX512;
	KUNIT_EXPECT_EQ(test, hvm_xcr0_valid(c->xcr0), c->valid);
}

/* Nothing beyond what the host enabled, even if legal by itself. */
static void msr_xcr0_within_host(struct kunit *test)
{
	hvm_host_xcr0 = X87 | SSE;
	KUNIT_EXPECT_TRUE(test, hvm_xcr0_valid(X87 | SSE));
	KUNIT_EXPECT_FALSE(test, hvm_xcr0_valid(X87 | SSE | YMM));
	hvm_host_xcr0 = 0;	/* no XSAVE on the host */
	KUNIT_EXPECT_FALSE(test, hvm_xcr0_valid(X87));
}

/*
 * A host with AMX: the guest may not enable tile state, but what entries
 * restore keeps it (a CPU left without it #GPs on XRSTORS of tile data).
 */
static void msr_xcr0_no_amx(struct kunit *test)
{
	hvm_host_xcr0 = X87 | SSE | YMM | XFEATURE_MASK_XTILE;
	KUNIT_EXPECT_TRUE(test, hvm_xcr0_valid(X87 | SSE | YMM));
	KUNIT_EXPECT_FALSE(test, hvm_xcr0_valid(X87 | SSE | YMM |
						XFEATURE_MASK_XTILE));
	KUNIT_EXPECT_FALSE(test, hvm_xcr0_valid(X87 | SSE | YMM |
						XFEATURE_MASK_XTILE_CFG));
	KUNIT_EXPECT_EQ(test, hvm_host_xcr0,
			X87 | SSE | YMM | XFEATURE_MASK_XTILE);
}

/* APIC base: BSP (8), x2APIC enable (10), global enable (11), address. */
/* Each PAT byte must be UC, WC, WT, WP, WB or UC- (2 and 3 are reserved). */
static void msr_pat_entries(struct kunit *test)
{
	int i;

	KUNIT_EXPECT_TRUE(test, hvm_pat_valid(0x0007040600070406ULL));
	KUNIT_EXPECT_TRUE(test, hvm_pat_valid(0x0706050401000706ULL));
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_FALSE(test, hvm_pat_valid(2ULL << (i * 8)));
		KUNIT_EXPECT_FALSE(test, hvm_pat_valid(3ULL << (i * 8)));
		KUNIT_EXPECT_FALSE(test, hvm_pat_valid(8ULL << (i * 8)));
	}
}

/* The exit helpers read EDX:EAX and ECX and write EDX:EAX, like the CPU. */
static void msr_xsetbv_from_registers(struct kunit *test)
{
	struct hvm_vcpu *vcpu = msr_setup(test);

	hvm_host_xcr0 = X87 | SSE | YMM;
	vcpu->xcr0 = X87;
	vcpu->regs[HVM_RCX] = 0;
	vcpu->regs[HVM_RDX] = 0xffffffff00000000ULL;	/* upper half ignored */
	vcpu->regs[HVM_RAX] = 0xdead000000000000ULL | X87 | SSE;
	KUNIT_EXPECT_TRUE(test, hvm_emulate_xsetbv(vcpu));
	KUNIT_EXPECT_EQ(test, vcpu->xcr0, X87 | SSE);
	vcpu->regs[HVM_RCX] = 1;			/* only XCR0 exists */
	KUNIT_EXPECT_FALSE(test, hvm_emulate_xsetbv(vcpu));
	vcpu->regs[HVM_RCX] = 0;
	vcpu->regs[HVM_RAX] = SSE;			/* x87 is mandatory */
	KUNIT_EXPECT_FALSE(test, hvm_emulate_xsetbv(vcpu));
	KUNIT_EXPECT_EQ(test, vcpu->xcr0, X87 | SSE);
}

static void msr_apic_base(struct kunit *test)
{
	struct hvm_vcpu *vcpu = msr_setup(test);
	u64 v;
	int bit;

	KUNIT_ASSERT_EQ(test, hvm_set_msr(vcpu, MSR_APIC_BASE, 0xfee00d00, true), 0);
	KUNIT_ASSERT_EQ(test, hvm_get_msr(vcpu, MSR_APIC_BASE, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0xfee00d00);
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_APIC_BASE,
					  GENMASK_ULL(HVM_GUEST_PHYS_BITS - 1, 12), false), 0);
	/* Bit 10 (x2APIC mode) alone: only with bit 11 (enable). */
	for (bit = 0; bit < 64; bit++) {
		bool ok = bit == 8 || bit == 11 ||
			  (bit >= 12 && bit < HVM_GUEST_PHYS_BITS);

		KUNIT_EXPECT_EQ_MSG(test, hvm_set_msr(vcpu, MSR_APIC_BASE,
						      BIT_ULL(bit), false),
				    ok ? 0 : -EINVAL, "bit %d", bit);
	}
	/* The guest's CPUID has no x2APIC: it may not switch to it. */
	KUNIT_ASSERT_EQ(test, hvm_set_msr(vcpu, MSR_APIC_BASE, 0xfee00900, true), 0);
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_APIC_BASE, 0xfee00d00, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_APIC_BASE, 0xfee00400, true),
			-EINVAL);
}

/* A refused write leaves the old value. */
static void msr_refused_write_keeps_value(struct kunit *test)
{
	struct hvm_vcpu *vcpu = msr_setup(test);
	u64 v;

	KUNIT_ASSERT_EQ(test, hvm_set_msr(vcpu, MSR_APIC_BASE, 0xfee00900, true), 0);
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_APIC_BASE, 0xfee00901, true),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, hvm_get_msr(vcpu, MSR_APIC_BASE, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0xfee00900);

	KUNIT_ASSERT_EQ(test, hvm_set_msr(vcpu, MSR_MTRR_DEF_TYPE, 0xc06, true), 0);
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_MTRR_DEF_TYPE, 0x2, true), -EINVAL);
	KUNIT_ASSERT_EQ(test, hvm_get_msr(vcpu, MSR_MTRR_DEF_TYPE, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0xc06);
}

/* MTRRdefType: a memory type UC WC WT WP WB, FE (10), E (11). */
static void msr_mtrr_def_type(struct kunit *test)
{
	struct hvm_vcpu *vcpu = msr_setup(test);
	u64 v;
	int type, bit;

	for (type = 0; type < 256; type++) {
		bool ok = type == 0 || type == 1 || (type >= 4 && type <= 6);

		KUNIT_EXPECT_EQ_MSG(test, hvm_set_msr(vcpu, MSR_MTRR_DEF_TYPE,
						      type | BIT(11), true),
				    ok ? 0 : -EINVAL, "type %d", type);
	}
	for (bit = 8; bit < 64; bit++)
		KUNIT_EXPECT_EQ_MSG(test, hvm_set_msr(vcpu, MSR_MTRR_DEF_TYPE,
						      6 | BIT_ULL(bit), true),
				    bit == 10 || bit == 11 ? 0 : -EINVAL, "bit %d", bit);
	KUNIT_ASSERT_EQ(test, hvm_set_msr(vcpu, MSR_MTRR_DEF_TYPE, 0xc06, false), 0);
	KUNIT_ASSERT_EQ(test, hvm_get_msr(vcpu, MSR_MTRR_DEF_TYPE, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0xc06);
}

static void msr_misc_enable_and_mtrr_cap(struct kunit *test)
{
	struct hvm_vcpu *vcpu = msr_setup(test);
	u64 v = 1;

	KUNIT_ASSERT_EQ(test, hvm_set_msr(vcpu, MSR_MISC_ENABLE, 0x850089, false), 0);
	KUNIT_ASSERT_EQ(test, hvm_get_msr(vcpu, MSR_MISC_ENABLE, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x850089);
	/* No fixed or variable MTRRs, and the register is read-only. */
	KUNIT_ASSERT_EQ(test, hvm_get_msr(vcpu, MSR_MTRR_CAP, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0);
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_MTRR_CAP, 0, true), -ENOENT);
}

static void msr_unknown(struct kunit *test)
{
	/*
	 * Not EFER: its writes are the core's (kmod/cr.c, cr_kunit); not
	 * IA32_TSC (kmod/tsc.c, tsc_kunit).
	 */
	static const u32 msrs[] = { 0, 0x3a, 0x1d9, 0xc0000082, 0xc0010117,
				    0x40000000, ~0U };
	struct hvm_vcpu *vcpu = msr_setup(test);
	u64 v;
	int i;

	for (i = 0; i < ARRAY_SIZE(msrs); i++) {
		v = 0x1234;
		KUNIT_EXPECT_EQ_MSG(test, hvm_get_msr(vcpu, msrs[i], &v), -ENOENT,
				    "msr %#x", msrs[i]);
		KUNIT_EXPECT_EQ(test, v, 0x1234);
		KUNIT_EXPECT_EQ_MSG(test, hvm_set_msr(vcpu, msrs[i], 0, true), -ENOENT,
				    "msr %#x", msrs[i]);
	}
}

/* A backend that owns APIC_BASE and refuses MISC_ENABLE writes. */
static int backend_get_msr(struct hvm_vcpu *vcpu, u32 index, u64 *data)
{
	if (index != MSR_APIC_BASE)
		return -ENOENT;
	*data = 0xabc000;
	return 0;
}

static int backend_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	if (index == MSR_MISC_ENABLE)
		return -EINVAL;
	if (index == MSR_APIC_BASE)
		return 0;
	return -ENOENT;
}

static void msr_backend_first(struct kunit *test)
{
	struct hvm_vcpu *vcpu = msr_setup(test);
	struct hvm_kunit_vm *t = test->priv;
	u64 v;

	vcpu->misc_enable = 7;
	vcpu->apic_base = 0xfee00000;
	t->ops.get_msr = backend_get_msr;
	t->ops.set_msr = backend_set_msr;

	KUNIT_ASSERT_EQ(test, hvm_get_msr(vcpu, MSR_APIC_BASE, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0xabc000);
	/* The backend took it: the core's copy and rules are not involved. */
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_APIC_BASE, 1, true), 0);
	KUNIT_EXPECT_EQ(test, vcpu->apic_base, 0xfee00000);
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_MISC_ENABLE, 1, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcpu->misc_enable, 7);
	/* -ENOENT from the backend falls through to the core. */
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_MTRR_DEF_TYPE, 6, true), 0);
	KUNIT_EXPECT_EQ(test, vcpu->mtrr_def_type, 6);
}

static struct kunit_case msr_cases[] = {
	KUNIT_CASE_PARAM(msr_xcr0_rules, xcr0_gen_params),
	KUNIT_CASE(msr_xcr0_within_host),
	KUNIT_CASE(msr_xcr0_no_amx),
	KUNIT_CASE(msr_pat_entries),
	KUNIT_CASE(msr_xsetbv_from_registers),
	KUNIT_CASE(msr_apic_base),
	KUNIT_CASE(msr_refused_write_keeps_value),
	KUNIT_CASE(msr_mtrr_def_type),
	KUNIT_CASE(msr_misc_enable_and_mtrr_cap),
	KUNIT_CASE(msr_unknown),
	KUNIT_CASE(msr_backend_first),
	{}
};

static struct kunit_suite msr_suite = {
	.name = "hvm_msr",
	.exit = msr_exit,
	.test_cases = msr_cases,
};

kunit_test_suites(&msr_suite);
