// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of VMX control derivation (kmod/vmx/vmx_caps.c) from the
 * capability MSRs (SDM Appendix A.3-A.5): bits 31:0 say which controls
 * must be 1, bits 63:32 which may be 1.
 */
#include <linux/bits.h>
#include <asm/msr-index.h>

#include "hvm_kunit.h"
#include "vmx/vmx_caps.h"

#define CAP(must_be_one, may_be_one)	((u64)(may_be_one) << 32 | (must_be_one))

struct ctl_case {
	const char *name;
	u32 required, optional;
	u64 cap;
	int rc;
	u32 ctl, missing;
};

static const struct ctl_case ctl_cases[] = {
	{ "everything allowed", 0x0f, 0xf0, CAP(0, ~0U), 0, 0xff, 0 },
	{ "must-be-one bits come in", 0x01, 0, CAP(0x16, ~0U), 0, 0x17, 0 },
	{ "optional bits the CPU lacks are dropped", 0x01, 0x300,
	  CAP(0, 0x101), 0, 0x101, 0 },
	{ "nothing asked: the fixed bits", 0, 0, CAP(0x401e172, 0xfff9fffe),
	  0, 0x401e172, 0 },
	{ "a required bit the CPU lacks", 0x80000001, 0, CAP(0, 0x7fffffff),
	  -EOPNOTSUPP, 0, 0x80000000 },
	{ "several required bits missing", 0xf0, 0x0f, CAP(0, 0x3f),
	  -EOPNOTSUPP, 0, 0xc0 },
	{ "required and optional overlap", 0x3, 0x3, CAP(0, 0x3), 0, 0x3, 0 },
	/* Intel's default1 pin-based controls, with NMI exiting wanted. */
	{ "pin-based, default1 class", BIT(0) | BIT(3), BIT(7),
	  CAP(0x16, 0x7f), 0, 0x1f, 0 },
};

static void ctl_desc(const struct ctl_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctl, ctl_cases, ctl_desc);

static void vmx_adjust_controls_table(struct kunit *test)
{
	const struct ctl_case *c = test->param_value;
	u32 ctl = 0xdeadbeef, missing = 0xdeadbeef;
	int rc;

	rc = vmx_adjust_controls(c->required, c->optional, c->cap, &ctl, &missing);
	KUNIT_EXPECT_EQ(test, rc, c->rc);
	KUNIT_EXPECT_EQ(test, missing, c->missing);
	if (rc) {
		/* A refused derivation leaves the control as it was. */
		KUNIT_EXPECT_EQ(test, ctl, 0xdeadbeef);
		return;
	}
	KUNIT_EXPECT_EQ(test, ctl, c->ctl);
	/* The result is one the CPU accepts: the VM entry check. */
	KUNIT_EXPECT_EQ(test, ctl & (u32)c->cap, (u32)c->cap);
	KUNIT_EXPECT_EQ(test, ctl & ~(u32)(c->cap >> 32) & ~(u32)c->cap, 0);
	KUNIT_EXPECT_EQ(test, ctl & c->required, c->required);
}

/* Over many capability values, the result is what the CPU allows. */
static void vmx_adjust_controls_sweep(struct kunit *test)
{
	u32 must, may, req, opt, ctl, missing;
	int i, rc;

	for (i = 0; i < 4096; i++) {
		must = (u32)(i * 0x9e3779b9U) & 0x00ff00ff;
		may = must | ((u32)(i * 0x85ebca6bU) & 0xffff0000);
		req = (u32)(i * 0xc2b2ae35U) & 0x0f0f0f0f & ~(i & 1 ? 0 : ~may);
		opt = (u32)(i * 0x27d4eb2fU) & 0xf0f0f0f0;
		rc = vmx_adjust_controls(req, opt, CAP(must, may), &ctl, &missing);
		KUNIT_EXPECT_EQ(test, missing, req & ~may);
		KUNIT_EXPECT_EQ(test, rc, (req & ~may) ? -EOPNOTSUPP : 0);
		if (rc)
			continue;
		KUNIT_EXPECT_EQ(test, ctl & must, must);
		KUNIT_EXPECT_EQ(test, ctl & ~may, 0);
		KUNIT_EXPECT_EQ(test, ctl & req, req);
		KUNIT_EXPECT_EQ(test, ctl & opt, opt & may);
		KUNIT_EXPECT_EQ(test, ctl & ~(req | opt | must), 0);
	}
}

/* VMX_BASIC bit 55: the TRUE_ capability MSRs exist and are the ones to use. */
static void vmx_ctls_msr_choice(struct kunit *test)
{
	static const struct {
		u32 msr, true_msr;
	} pairs[] = {
		{ MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS },
		{ MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS },
		{ MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS },
		{ MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		KUNIT_EXPECT_EQ(test, vmx_ctls_msr(BIT_ULL(55) | 0x12, pairs[i].msr,
						   pairs[i].true_msr), pairs[i].true_msr);
		KUNIT_EXPECT_EQ(test, vmx_ctls_msr(~BIT_ULL(55), pairs[i].msr,
						   pairs[i].true_msr), pairs[i].msr);
		KUNIT_EXPECT_EQ(test, vmx_ctls_msr(0, pairs[i].msr,
						   pairs[i].true_msr), pairs[i].msr);
	}
}

/* The preemption timer runs at TSC >> IA32_VMX_MISC[4:0] (SDM 26.5.1). */
static void vmx_preemption_timer_values(struct kunit *test)
{
	/* 3.5 GHz TSC, 1 ms: 3.5M TSC ticks, divided by 2^rate. */
	KUNIT_EXPECT_EQ(test, vmx_preemption_timer_value(3500000, 1000, 0), 3500000);
	KUNIT_EXPECT_EQ(test, vmx_preemption_timer_value(3500000, 1000, 5), 109375);
	/* Only bits 4:0 of IA32_VMX_MISC are the rate. */
	KUNIT_EXPECT_EQ(test, vmx_preemption_timer_value(3500000, 1000, 0xffe0 | 5),
			109375);
	/* Off, the shortest period (never 0, an immediate exit), saturation. */
	KUNIT_EXPECT_EQ(test, vmx_preemption_timer_value(3500000, 0, 5), 0);
	KUNIT_EXPECT_EQ(test, vmx_preemption_timer_value(1000, 1, 31), 1);
	KUNIT_EXPECT_EQ(test, vmx_preemption_timer_value(U32_MAX, U32_MAX, 0),
			U32_MAX);
}

static struct kunit_case vmx_caps_cases[] = {
	KUNIT_CASE_PARAM(vmx_adjust_controls_table, ctl_gen_params),
	KUNIT_CASE(vmx_adjust_controls_sweep),
	KUNIT_CASE(vmx_ctls_msr_choice),
	KUNIT_CASE(vmx_preemption_timer_values),
	{}
};

static struct kunit_suite vmx_caps_suite = {
	.name = "hvm_vmx_caps",
	.test_cases = vmx_caps_cases,
};

kunit_test_suites(&vmx_caps_suite);
