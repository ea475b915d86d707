// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the CR0, CR4 and EFER checks (kmod/cr.c): which writes
 * the architecture allows from which state, which bits the guest's CPUID
 * leaves it, what HVM_SET_SREGS refuses, and that a write the core allows
 * reaches the vendor with the EFER.LMA and TLB flush it implies, while one
 * it refuses changes nothing.
 */
#include <linux/bits.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "hvm_kunit.h"

#define CR0_LONG	(X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | \
			 X86_CR0_WP | X86_CR0_AM | X86_CR0_PG)
#define CR4_LONG	(X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)
#define EFER_LONG	(EFER_LME | EFER_LMA | EFER_NX)

/* 64-bit mode, compatibility mode, protected mode with LME set, no paging. */
static const struct hvm_paging st_64 = {
	.cr0 = CR0_LONG, .cr3 = 0x1000, .cr4 = CR4_LONG, .efer = EFER_LONG,
	.cs_l = true,
};
static const struct hvm_paging st_compat = {
	.cr0 = CR0_LONG, .cr3 = 0x1000, .cr4 = CR4_LONG, .efer = EFER_LONG,
};
static const struct hvm_paging st_lme = {
	.cr0 = X86_CR0_PE | X86_CR0_ET, .cr4 = X86_CR4_PAE, .efer = EFER_LME,
};
static const struct hvm_paging st_lme_nopae = {
	.cr0 = X86_CR0_PE | X86_CR0_ET, .efer = EFER_LME,
};
static const struct hvm_paging st_prot = {
	.cr0 = X86_CR0_PE | X86_CR0_ET,
};

struct cr_case {
	const char *name;
	const struct hvm_paging *cur;
	u64 val;
	bool valid;
};

static void cr_case_desc(const struct cr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

static const struct cr_case cr0_cases[] = {
	{ "same value", &st_64, CR0_LONG, true },
	{ "WP cleared", &st_64, CR0_LONG & ~X86_CR0_WP, true },
	{ "CD set", &st_64, CR0_LONG | X86_CR0_CD, true },
	{ "CD and NW set", &st_64, CR0_LONG | X86_CR0_CD | X86_CR0_NW, true },
	{ "NW without CD", &st_64, CR0_LONG | X86_CR0_NW, false },
	{ "bit 32", &st_64, CR0_LONG | BIT_ULL(32), false },
	{ "bit 63", &st_64, CR0_LONG | BIT_ULL(63), false },
	{ "PG without PE", &st_prot, X86_CR0_PG | X86_CR0_ET, false },
	{ "PG cleared in 64-bit mode", &st_64, CR0_LONG & ~X86_CR0_PG, false },
	{ "PG cleared in compatibility mode", &st_compat,
	  CR0_LONG & ~X86_CR0_PG, true },
	{ "PG set with LME and PAE", &st_lme, st_lme.cr0 | X86_CR0_PG, true },
	{ "PG set with LME, PAE clear", &st_lme_nopae,
	  st_lme_nopae.cr0 | X86_CR0_PG, false },
	{ "PG set without LME, PAE clear", &st_prot,
	  st_prot.cr0 | X86_CR0_PG, true },
};

KUNIT_ARRAY_PARAM(cr0, cr0_cases, cr_case_desc);

static void cr0_write(struct kunit *test)
{
	const struct cr_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hvm_cr0_write_valid(c->cur, c->val), c->valid);
}

/* reserved: VMXE and bit 15, as for any guest. */
static const struct cr_case cr4_cases[] = {
	{ "same value", &st_64, CR4_LONG, true },
	{ "PGE set", &st_64, CR4_LONG | X86_CR4_PGE, true },
	{ "reserved bit 15", &st_64, CR4_LONG | BIT(15), false },
	{ "VMXE", &st_64, CR4_LONG | X86_CR4_VMXE, false },
	{ "bit 32", &st_64, CR4_LONG | BIT_ULL(32), false },
	{ "PAE cleared in IA-32e mode", &st_compat, CR4_LONG & ~X86_CR4_PAE,
	  false },
	{ "PAE cleared outside IA-32e mode", &st_lme, 0, true },
	{ "LA57 set in IA-32e mode", &st_64, CR4_LONG | X86_CR4_LA57, false },
	{ "LA57 set outside IA-32e mode", &st_lme, X86_CR4_PAE | X86_CR4_LA57,
	  true },
	{ "PCIDE set in IA-32e mode", &st_64, CR4_LONG | X86_CR4_PCIDE, true },
	{ "PCIDE set outside IA-32e mode", &st_lme,
	  X86_CR4_PAE | X86_CR4_PCIDE, false },
};

KUNIT_ARRAY_PARAM(cr4, cr4_cases, cr_case_desc);

static void cr4_write(struct kunit *test)
{
	const struct cr_case *c = test->param_value;
	u64 reserved = X86_CR4_VMXE | BIT(15) | GENMASK_ULL(63, 32);

	KUNIT_EXPECT_EQ(test, hvm_cr4_write_valid(c->cur, c->val, reserved),
			c->valid);
}

/* PCIDE goes on only while the current PCID (CR3[11:0]) is 0. */
static void cr4_pcide_needs_pcid_0(struct kunit *test)
{
	struct hvm_paging cur = st_64;

	cur.cr3 = 0x1001;
	KUNIT_EXPECT_FALSE(test, hvm_cr4_write_valid(&cur, CR4_LONG | X86_CR4_PCIDE, 0));
	/* Already on, it stays on whatever the PCID. */
	cur.cr4 |= X86_CR4_PCIDE;
	KUNIT_EXPECT_TRUE(test, hvm_cr4_write_valid(&cur, cur.cr4, 0));
	/* And paging cannot go off under it. */
	cur.cs_l = false;
	KUNIT_EXPECT_FALSE(test, hvm_cr0_write_valid(&cur, CR0_LONG & ~X86_CR0_PG));
}

static void efer_write(struct kunit *test)
{
	u64 reserved = ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX);

	KUNIT_EXPECT_TRUE(test, hvm_efer_write_valid(&st_64, EFER_LONG | EFER_SCE,
						     reserved));
	KUNIT_EXPECT_FALSE(test, hvm_efer_write_valid(&st_64, EFER_LONG | BIT(9),
						      reserved));
	KUNIT_EXPECT_FALSE(test, hvm_efer_write_valid(&st_64, EFER_LONG | EFER_SVME,
						      reserved));
	/* LME is fixed while paging is on, free while it is off. */
	KUNIT_EXPECT_FALSE(test, hvm_efer_write_valid(&st_64, EFER_LONG & ~EFER_LME,
						      reserved));
	KUNIT_EXPECT_TRUE(test, hvm_efer_write_valid(&st_prot, EFER_LME, reserved));
	KUNIT_EXPECT_TRUE(test, hvm_efer_write_valid(&st_lme, 0, reserved));
}

static struct hvm_sregs sregs_64(void)
{
	return (struct hvm_sregs){
		.cs = { .l = 1, .present = 1, .s = 1, .type = 0xb },
		.cr0 = CR0_LONG, .cr3 = 0x1000, .cr4 = CR4_LONG,
		.efer = EFER_LONG,
	};
}

static void sregs_state(struct kunit *test)
{
	u64 cr4_res = X86_CR4_VMXE | BIT(15) | GENMASK_ULL(63, 32);
	u64 efer_res = ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX);
	struct hvm_sregs s = sregs_64();

	KUNIT_EXPECT_TRUE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
	s.cr0 &= ~X86_CR0_PE;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
	s = sregs_64();
	s.cr4 |= X86_CR4_VMXE;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
	s = sregs_64();
	s.efer |= EFER_SVME;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
	/* LMA is LME and PG together, no more and no less. */
	s = sregs_64();
	s.efer &= ~EFER_LMA;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
	s = sregs_64();
	s.efer &= ~EFER_LME;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
	s = sregs_64();
	s.cr4 &= ~X86_CR4_PAE;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
	/* Protected mode with LME waiting for paging, and real mode. */
	s = sregs_64();
	s.cr0 &= ~X86_CR0_PG;
	s.efer = EFER_LME;
	s.cs.l = 0;
	KUNIT_EXPECT_TRUE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
	s.cr4 |= X86_CR4_PCIDE;
	KUNIT_EXPECT_FALSE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
	s = (struct hvm_sregs){ .cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW };
	KUNIT_EXPECT_TRUE(test, hvm_sregs_state_valid(&s, cr4_res, efer_res));
}

/* ---- the guest's CPUID, and the vendor ------------------------------------ */

static struct hvm_paging paging;	/* the fake vendor's registers */
static int set_cr0_calls, set_cr4_calls, set_efer_calls;

static void fake_get_paging(struct hvm_vcpu *vcpu, struct hvm_paging *pg)
{
	*pg = paging;
}

static void fake_set_cr0(struct hvm_vcpu *vcpu, u64 cr0)
{
	paging.cr0 = cr0;
	set_cr0_calls++;
}

static void fake_set_cr4(struct hvm_vcpu *vcpu, u64 cr4)
{
	paging.cr4 = cr4;
	set_cr4_calls++;
}

static void fake_set_efer(struct hvm_vcpu *vcpu, u64 efer)
{
	paging.efer = efer;
	set_efer_calls++;
}

static struct hvm_vcpu *vcpu_setup(struct kunit *test,
				   const struct hvm_cpuid_entry *e, int n)
{
	struct hvm_npt_format fmt;
	struct hvm_kunit_vm *t;
	struct hvm_vcpu *vcpu;

	hvm_kunit_npt_format(&hvm_kunit_npt_params[0], &fmt);
	t = hvm_kunit_vm_create(test, &fmt);
	t->ops.get_paging = fake_get_paging;
	t->ops.set_cr0 = fake_set_cr0;
	t->ops.set_cr4 = fake_set_cr4;
	t->ops.set_efer = fake_set_efer;
	vcpu = t->vcpu;
	vcpu->cpuid = kunit_kmalloc_array(test, n ? n : 1, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->cpuid);
	memcpy(vcpu->cpuid, e, n * sizeof(*e));
	vcpu->cpuid_nent = n;
	paging = st_64;
	set_cr0_calls = set_cr4_calls = set_efer_calls = 0;
	return vcpu;
}

static void cr_exit(struct kunit *test)
{
	struct hvm_kunit_vm *t = test->priv;

	if (t && t->vcpu)
		t->vcpu->cpuid = NULL;	/* kunit's allocation */
	hvm_kunit_vm_destroy(t);
	test->priv = NULL;
}

#define ECX1_PCID	BIT(17)
#define ECX1_XSAVE	BIT(26)
#define EBX7_FSGSBASE	BIT(0)
#define EBX7_SMEP	BIT(7)
#define EBX7_SMAP	BIT(20)
#define ECX7_UMIP	BIT(2)
#define ECX7_PKU	BIT(3)
#define ECX7_LA57	BIT(16)
#define EDX81_NX	BIT(20)
#define EDX81_FFXSR	BIT(25)
#define EDX81_LM	BIT(29)

static const struct hvm_cpuid_entry all_features[] = {
	{ .function = 1, .ecx = ECX1_PCID | ECX1_XSAVE },
	{ .function = 7, .flags = HVM_CPUID_FLAG_SIGNIFICANT_INDEX,
	  .ebx = EBX7_FSGSBASE | EBX7_SMEP | EBX7_SMAP,
	  .ecx = ECX7_UMIP | ECX7_PKU | ECX7_LA57 },
	{ .function = 0x80000001, .edx = EDX81_NX | EDX81_FFXSR | EDX81_LM },
};

/* A CPUID-gated bit is the guest's where its CPUID and the host have it. */
static void cr4_reserved_follows_cpuid(struct kunit *test)
{
	static const struct {
		u64 cr4;
		u16 host;
	} gated[] = {
		{ X86_CR4_UMIP, X86_FEATURE_UMIP },
		{ X86_CR4_LA57, X86_FEATURE_LA57 },
		{ X86_CR4_FSGSBASE, X86_FEATURE_FSGSBASE },
		{ X86_CR4_PCIDE, X86_FEATURE_PCID },
		{ X86_CR4_SMEP, X86_FEATURE_SMEP },
		{ X86_CR4_SMAP, X86_FEATURE_SMAP },
		{ X86_CR4_PKE, X86_FEATURE_OSPKE },
	};
	struct hvm_vcpu *vcpu = vcpu_setup(test, all_features,
					   ARRAY_SIZE(all_features));
	u64 all = hvm_cr4_guest_reserved(vcpu), none;
	int i;

	vcpu->cpuid_nent = 0;
	none = hvm_cr4_guest_reserved(vcpu);
	for (i = 0; i < ARRAY_SIZE(gated); i++) {
		KUNIT_EXPECT_EQ_MSG(test, !!(all & gated[i].cr4),
				    !boot_cpu_has(gated[i].host), "CR4 %#llx",
				    gated[i].cr4);
		KUNIT_EXPECT_TRUE_MSG(test, none & gated[i].cr4, "CR4 %#llx",
				      gated[i].cr4);
	}
	KUNIT_EXPECT_EQ(test, !!(all & X86_CR4_OSXSAVE),
			!boot_cpu_has(X86_FEATURE_XSAVE) || !hvm_host_xcr0);
	/* The base bits need no CPUID; VMXE, SMXE, bit 15, CET never go. */
	KUNIT_EXPECT_EQ(test, none & HVM_CR4_GUEST_BITS, 0);
	KUNIT_EXPECT_EQ(test, all & HVM_CR4_GUEST_BITS, 0);
	KUNIT_EXPECT_EQ(test, all & (X86_CR4_VMXE | X86_CR4_SMXE | BIT(15) |
				     X86_CR4_CET | GENMASK_ULL(63, 32)),
			X86_CR4_VMXE | X86_CR4_SMXE | BIT(15) | X86_CR4_CET |
			GENMASK_ULL(63, 32));
	/* What a guest may hold, a host may: HVM_SET_SREGS takes it. */
	KUNIT_EXPECT_EQ(test, hvm_cr4_host_reserved() & ~all, 0);
}

static void efer_reserved_follows_cpuid(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test, all_features,
					   ARRAY_SIZE(all_features));
	u64 all = hvm_efer_guest_reserved(vcpu), none;

	vcpu->cpuid_nent = 0;
	none = hvm_efer_guest_reserved(vcpu);
	KUNIT_EXPECT_EQ(test, none & (EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR),
			EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR);
	KUNIT_EXPECT_EQ(test, !!(all & EFER_LME), !boot_cpu_has(X86_FEATURE_LM));
	KUNIT_EXPECT_EQ(test, !!(all & EFER_NX), !boot_cpu_has(X86_FEATURE_NX));
	KUNIT_EXPECT_EQ(test, !!(all & EFER_FFXSR),
			!boot_cpu_has(X86_FEATURE_FXSR_OPT));
	/* SCE needs no CPUID bit; SVME and bit 9 are never the guest's. */
	KUNIT_EXPECT_EQ(test, none & EFER_SCE, 0);
	KUNIT_EXPECT_EQ(test, all & (EFER_SVME | BIT(9)), EFER_SVME | BIT(9));
	KUNIT_EXPECT_EQ(test, hvm_efer_host_reserved() & ~all, 0);
}

/* Paging on with LME: LMA comes with it, and the TLB is flushed. */
static void set_cr0_activates_long_mode(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test, all_features,
					   ARRAY_SIZE(all_features));

	paging = st_lme;
	clear_bit(HVM_REQ_TLB_FLUSH, &vcpu->requests);
	KUNIT_EXPECT_EQ(test, hvm_set_cr0(vcpu, st_lme.cr0 | X86_CR0_PG), 0);
	KUNIT_EXPECT_EQ(test, paging.cr0, st_lme.cr0 | X86_CR0_PG);
	KUNIT_EXPECT_EQ(test, paging.efer, EFER_LME | EFER_LMA);
	KUNIT_EXPECT_TRUE(test, test_bit(HVM_REQ_TLB_FLUSH, &vcpu->requests));

	/* And off again, from compatibility mode: LMA goes. */
	KUNIT_EXPECT_EQ(test, hvm_set_cr0(vcpu, st_lme.cr0), 0);
	KUNIT_EXPECT_EQ(test, paging.efer, EFER_LME);
}

/* A refused write reaches no vendor op. */
static void refused_writes_change_nothing(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test, all_features, 1);

	KUNIT_EXPECT_EQ(test, hvm_set_cr0(vcpu, CR0_LONG | X86_CR0_NW), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvm_set_cr4(vcpu, CR4_LONG | X86_CR4_PKE), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvm_set_efer(vcpu, EFER_LONG & ~EFER_LME, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hvm_set_efer(vcpu, EFER_LONG | EFER_SVME, true),
			-EINVAL);
	/* WRMSR and HVM_SET_MSRS of EFER come here, not to the vendor's MSRs. */
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_EFER, EFER_LONG | BIT(9), false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hvm_set_msr(vcpu, MSR_EFER, EFER_LONG | EFER_SVME, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, set_cr0_calls + set_cr4_calls + set_efer_calls, 0);
	KUNIT_EXPECT_EQ(test, paging.cr0, st_64.cr0);
	KUNIT_EXPECT_EQ(test, paging.cr4, st_64.cr4);
	KUNIT_EXPECT_EQ(test, paging.efer, st_64.efer);
}

/* The guest's WRMSR cannot change LMA; userspace's can. */
static void set_efer_keeps_lma(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test, all_features,
					   ARRAY_SIZE(all_features));

	if (!boot_cpu_has(X86_FEATURE_LM))
		kunit_skip(test, "the host has no long mode");
	KUNIT_EXPECT_EQ(test, hvm_set_efer(vcpu, EFER_LME | EFER_SCE, false), 0);
	KUNIT_EXPECT_EQ(test, paging.efer, EFER_LME | EFER_LMA | EFER_SCE);
	paging = st_prot;
	KUNIT_EXPECT_EQ(test, hvm_set_efer(vcpu, EFER_LME | EFER_LMA, false), 0);
	KUNIT_EXPECT_EQ(test, paging.efer, EFER_LME);
	KUNIT_EXPECT_EQ(test, hvm_set_efer(vcpu, EFER_LME | EFER_LMA, true), 0);
	KUNIT_EXPECT_EQ(test, paging.efer, EFER_LME | EFER_LMA);
}

/* MOV from a register: its low half outside 64-bit mode; LMSW keeps PE. */
static void mov_to_cr_and_lmsw(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test, all_features,
					   ARRAY_SIZE(all_features));

	vcpu->regs[HVM_RDX] = BIT_ULL(40) | CR0_LONG | X86_CR0_CD;
	KUNIT_EXPECT_EQ(test, hvm_emulate_mov_to_cr(vcpu, 0, HVM_RDX), -EINVAL);
	paging = st_compat;
	KUNIT_EXPECT_EQ(test, hvm_emulate_mov_to_cr(vcpu, 0, HVM_RDX), 0);
	KUNIT_EXPECT_EQ(test, paging.cr0, CR0_LONG | X86_CR0_CD);
	KUNIT_EXPECT_EQ(test, hvm_emulate_mov_to_cr(vcpu, 3, HVM_RDX), -EINVAL);

	paging = st_prot;
	KUNIT_EXPECT_EQ(test, hvm_emulate_lmsw(vcpu, 0xfff0 | X86_CR0_EM), 0);
	KUNIT_EXPECT_EQ(test, paging.cr0, st_prot.cr0 | X86_CR0_EM);
	paging.cr0 = X86_CR0_ET;
	KUNIT_EXPECT_EQ(test, hvm_emulate_lmsw(vcpu, X86_CR0_PE | X86_CR0_TS), 0);
	KUNIT_EXPECT_EQ(test, paging.cr0, X86_CR0_ET | X86_CR0_PE | X86_CR0_TS);
}

static struct kunit_case cr_cases[] = {
	KUNIT_CASE_PARAM(cr0_write, cr0_gen_params),
	KUNIT_CASE_PARAM(cr4_write, cr4_gen_params),
	KUNIT_CASE(cr4_pcide_needs_pcid_0),
	KUNIT_CASE(efer_write),
	KUNIT_CASE(sregs_state),
	KUNIT_CASE(cr4_reserved_follows_cpuid),
	KUNIT_CASE(efer_reserved_follows_cpuid),
	KUNIT_CASE(set_cr0_activates_long_mode),
	KUNIT_CASE(refused_writes_change_nothing),
	KUNIT_CASE(set_efer_keeps_lma),
	KUNIT_CASE(mov_to_cr_and_lmsw),
	{}
};

static struct kunit_suite cr_suite = {
	.name = "hvm_cr",
	.exit = cr_exit,
	.test_cases = cr_cases,
};

kunit_test_suites(&cr_suite);
