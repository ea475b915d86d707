// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of MSIs (kmod/msi.c, kmod/lapic.c): the decoder reads every
 * field of the address and data as the SDM defines them (Vol. 3, 11.11)
 * and refuses reserved bits, addresses and modes; the LAPICs' one delivery
 * path picks the destinations an MSI names, in physical, flat and cluster
 * logical, x2APIC and broadcast forms, one by lowest priority, and sets
 * TMR for a level-triggered fixed interrupt.
 */
#include <linux/bits.h>

#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "hvm_kunit.h"

#define A(dest, bits)	(0xfee00000u | (dest) << 12 | (bits))
#define RH		BIT(3)
#define DM_LOG		BIT(2)
#define D(dm, vec)	((dm) << 8 | (vec))
#define LEVEL		BIT(14)
#define TRIG		BIT(15)

struct decode_case {
	const char *name;
	u32 lo, hi, data;
	int ret;
	struct hvm_irq irq;	/* when ret is 0 */
};

static const struct decode_case decode_cases[] = {
	{ "fixed, physical, dest 3, vector 0x40", A(3, 0), 0, D(0, 0x40), 0,
	  { .dest = 3, .vector = 0x40, .delivery = HVM_DM_FIXED,
	    .assert = true } },
	{ "every destination ID bit", A(0xa5, 0), 0, D(0, 0x41), 0,
	  { .dest = 0xa5, .vector = 0x41, .assert = true } },
	{ "broadcast 0xff", A(0xff, 0), 0, D(0, 0xff), 0,
	  { .dest = 0xff, .vector = 0xff, .assert = true } },
	{ "logical", A(0x0c, DM_LOG), 0, D(0, 0x50), 0,
	  { .dest = 0x0c, .vector = 0x50, .logical = true, .assert = true } },
	{ "redirection hint, fixed: one of the destination", A(0x0c, RH | DM_LOG),
	  0, D(0, 0x50), 0,
	  { .dest = 0x0c, .vector = 0x50, .logical = true,
	    .one_of_dest = true, .assert = true } },
	{ "redirection hint, NMI: all of it", A(0x0c, RH | DM_LOG), 0, D(4, 0),
	  0, { .dest = 0x0c, .delivery = HVM_DM_NMI, .logical = true,
	       .assert = true } },
	{ "lowest priority", A(1, 0), 0, D(1, 0x60), 0,
	  { .dest = 1, .vector = 0x60, .delivery = HVM_DM_LOWEST,
	    .one_of_dest = true, .assert = true } },
	{ "NMI", A(2, 0), 0, D(4, 0x99), 0,
	  { .dest = 2, .vector = 0x99, .delivery = HVM_DM_NMI,
	    .assert = true } },
	{ "INIT", A(1, 0), 0, D(5, 0), 0,
	  { .dest = 1, .delivery = HVM_DM_INIT, .assert = true } },
	{ "mode 6 is SIPI", A(1, 0), 0, D(6, 0x08), 0,
	  { .dest = 1, .vector = 8, .delivery = HVM_DM_SIPI, .assert = true } },
	{ "edge with level 1: asserts", A(0, 0), 0, D(0, 0x30) | LEVEL, 0,
	  { .vector = 0x30, .assert = true } },
	{ "level-triggered, assert", A(0, 0), 0, D(0, 0x30) | TRIG | LEVEL, 0,
	  { .vector = 0x30, .level = true, .assert = true } },
	{ "level-triggered, deassert", A(0, 0), 0, D(0, 0x30) | TRIG, 0,
	  { .vector = 0x30, .level = true } },
	{ "SMI: refused", A(0, 0), 0, D(2, 0), -EINVAL },
	{ "mode 3: refused", A(0, 0), 0, D(3, 0), -EINVAL },
	{ "ExtINT: refused", A(0, 0), 0, D(7, 0), -EINVAL },
	{ "address below 0xfee00000", 0xfed00000u, 0, D(0, 0x30), -EINVAL },
	{ "address above 0xfeefffff", 0xfef00000u, 0, D(0, 0x30), -EINVAL },
	{ "address 0", 0, 0, D(0, 0x30), -EINVAL },
	{ "address_hi not 0", A(0, 0), 1, D(0, 0x30), -EINVAL },
	{ "address_hi bit 31", A(0, 0), BIT(31), D(0, 0x30), -EINVAL },
	{ "address bit 4 (reserved)", A(0, BIT(4)), 0, D(0, 0x30), -EINVAL },
	{ "address bit 11 (reserved)", A(0, BIT(11)), 0, D(0, 0x30), -EINVAL },
	{ "address bit 0 (reserved)", A(0, BIT(0)), 0, D(0, 0x30), -EINVAL },
	{ "address bit 1 (reserved)", A(0, BIT(1)), 0, D(0, 0x30), -EINVAL },
	{ "data bit 11 (reserved)", A(0, 0), 0, D(0, 0x30) | BIT(11), -EINVAL },
	{ "data bit 13 (reserved)", A(0, 0), 0, D(0, 0x30) | BIT(13), -EINVAL },
	{ "data bit 16 (reserved)", A(0, 0), 0, D(0, 0x30) | BIT(16), -EINVAL },
	{ "data bit 31 (reserved)", A(0, 0), 0, D(0, 0x30) | BIT(31), -EINVAL },
};

static void decode_desc(const struct decode_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(decode, decode_cases, decode_desc);

static void msi_decode(struct kunit *test)
{
	const struct decode_case *c = test->param_value;
	struct hvm_irq irq;

	memset(&irq, 0x5a, sizeof(irq));
	KUNIT_ASSERT_EQ(test, hvm_msi_decode(c->lo, c->hi, c->data, &irq), c->ret);
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, irq.dest, c->irq.dest);
	KUNIT_EXPECT_EQ(test, irq.vector, c->irq.vector);
	KUNIT_EXPECT_EQ(test, irq.delivery, c->irq.delivery);
	KUNIT_EXPECT_EQ(test, irq.shorthand, HVM_SH_NONE);
	KUNIT_EXPECT_EQ(test, irq.logical, c->irq.logical);
	KUNIT_EXPECT_FALSE(test, irq.x2apic_dest);
	KUNIT_EXPECT_EQ(test, irq.one_of_dest, c->irq.one_of_dest);
	KUNIT_EXPECT_EQ(test, irq.level, c->irq.level);
	KUNIT_EXPECT_EQ(test, irq.assert, c->irq.assert);
}

/* Every vector and delivery-mode value decodes or is refused by the rule. */
static void msi_decode_sweep(struct kunit *test)
{
	struct hvm_irq irq;
	u32 dm, v;

	for (dm = 0; dm < 8; dm++) {
		for (v = 0; v < 256; v++) {
			int r = hvm_msi_decode(A(1, 0), 0, D(dm, v), &irq);
			bool ok = dm != 2 && dm != 3 && dm != 7;

			KUNIT_EXPECT_EQ_MSG(test, r, ok ? 0 : -EINVAL,
					    "mode %u vector %#x", dm, v);
			if (!r) {
				KUNIT_EXPECT_EQ(test, irq.vector, v);
				KUNIT_EXPECT_EQ(test, irq.delivery, dm);
			}
		}
	}
}

/*
 * Delivery to four vCPUs (ids 0-3). Each case sets the LAPICs up (xAPIC
 * IDs, LDRs, DFR model, TPRs, x2APIC mode) and says which got the MSI.
 */
#define NR_VCPUS	4

struct deliver_case {
	const char *name;
	u32 lo, data;
	bool cluster;		/* DFR cluster model, else flat */
	u8 ldr[NR_VCPUS];	/* LDR bits 31:24 */
	u8 tpr[NR_VCPUS];
	bool x2apic;		/* all four in x2APIC mode */
	int n;			/* the return value */
	u8 got;			/* bit i: vCPU i has the vector in IRR */
};

static const struct deliver_case deliver_cases[] = {
	{ "physical 2", A(2, 0), D(0, 0x40), false, {}, {}, false, 1, BIT(2) },
	{ "physical 7: nobody", A(7, 0), D(0, 0x40), false, {}, {}, false, 0, 0 },
	{ "physical broadcast", A(0xff, 0), D(0, 0x40), false, {}, {}, false,
	  4, 0xf },
	{ "flat logical 0x05", A(0x05, DM_LOG), D(0, 0x40), false,
	  { 1, 2, 4, 8 }, {}, false, 2, BIT(0) | BIT(2) },
	{ "flat logical, LDR with two bits", A(0x10, DM_LOG), D(0, 0x40), false,
	  { 0x11, 2, 4, 8 }, {}, false, 1, BIT(0) },
	{ "logical broadcast 0xff", A(0xff, DM_LOG), D(0, 0x40), false,
	  {}, {}, false, 4, 0xf },
	{ "cluster 1, members 0x3", A(0x13, DM_LOG), D(0, 0x40), true,
	  { 0x01, 0x11, 0x12, 0x21 }, {}, false, 2, BIT(1) | BIT(2) },
	{ "cluster 2, member 1", A(0x21, DM_LOG), D(0, 0x40), true,
	  { 0x01, 0x11, 0x12, 0x21 }, {}, false, 1, BIT(3) },
	{ "cluster 0 read flat would match: not in cluster model",
	  A(0x01, DM_LOG), D(0, 0x40), true, { 0x11, 0x21, 0x31, 0x41 }, {},
	  false, 0, 0 },
	{ "x2APIC physical 3", A(3, 0), D(0, 0x40), false, {}, {}, true,
	  1, BIT(3) },
	{ "x2APIC logical cluster 0, 0x6", A(0x06, DM_LOG), D(0, 0x40), false,
	  {}, {}, true, 2, BIT(1) | BIT(2) },
	{ "x2APIC broadcast", A(0xff, 0), D(0, 0x40), false, {}, {}, true,
	  4, 0xf },
	{ "lowest priority: the lowest TPR", A(0xff, 0), D(1, 0x40), false,
	  {}, { 0x30, 0x20, 0x10, 0x20 }, false, 1, BIT(2) },
	{ "lowest priority: equal TPRs, the lowest id", A(0x0e, DM_LOG),
	  D(1, 0x40), false, { 1, 2, 4, 8 }, { 0x20, 0x20, 0x20, 0x20 },
	  false, 1, BIT(1) },
	{ "redirection hint: one, by priority", A(0x0f, DM_LOG | RH),
	  D(0, 0x40), false, { 1, 2, 4, 8 }, { 0x20, 0x20, 0x20, 0x10 },
	  false, 1, BIT(3) },
	{ "level deassert: nothing", A(0xff, 0), D(0, 0x40) | TRIG, false,
	  {}, {}, false, 0, 0 },
};

static void deliver_desc(const struct deliver_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(deliver, deliver_cases, deliver_desc);

static void lapic_w(struct hvm_vcpu *vcpu, u32 off, u64 val)
{
	hvm_lapic_mmio(vcpu, APIC_DEFAULT_PHYS_BASE + off, 4, true, &val);
}

static u32 lapic_r(struct hvm_vcpu *vcpu, u32 off)
{
	u64 val = 0;

	hvm_lapic_mmio(vcpu, APIC_DEFAULT_PHYS_BASE + off, 4, false, &val);
	return val;
}

static bool vec_set(struct hvm_vcpu *vcpu, u32 reg, u8 v)
{
	return vcpu->lapic->regs[(reg >> 4) + v / 32] & BIT(v % 32);
}

/* vCPUs 1..NR_VCPUS-1 next to the kunit VM's vCPU 0, each with a LAPIC. */
static void make_vcpus(struct kunit *test, struct hvm_kunit_vm *t,
		       struct hvm_vcpu **v)
{
	int i;

	v[0] = t->vcpu;
	for (i = 1; i < NR_VCPUS; i++) {
		v[i] = kunit_kzalloc(test, sizeof(*v[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, v[i]);
		v[i]->vm = t->vm;
		v[i]->id = i;
		v[i]->mode = HVM_OUTSIDE_GUEST;
		init_waitqueue_head(&v[i]->wq);
		t->vm->vcpus[i] = v[i];
	}
	for (i = 0; i < NR_VCPUS; i++)
		KUNIT_ASSERT_EQ(test, hvm_lapic_create(v[i]), 0);
	t->vm->lapic = true;
}

static void free_vcpus(struct hvm_kunit_vm *t, struct hvm_vcpu **v)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++) {
		hvm_lapic_destroy(v[i]);
		if (i)
			t->vm->vcpus[i] = NULL;
	}
}

static void msi_deliver(struct kunit *test)
{
	const struct deliver_case *c = test->param_value;
	struct hvm_vcpu *v[NR_VCPUS];
	struct hvm_npt_format fmt;
	struct hvm_kunit_vm *t;
	struct hvm_msi msi = { .address_lo = c->lo, .data = c->data };
	u8 vec = c->data & 0xff;
	int i;

	hvm_kunit_npt_format(&hvm_kunit_npt_params[0], &fmt);
	t = hvm_kunit_vm_create(test, &fmt);
	make_vcpus(test, t, v);
	for (i = 0; i < NR_VCPUS; i++) {
		lapic_w(v[i], APIC_SPIV, 0x1ff);
		if (c->x2apic) {
			KUNIT_ASSERT_EQ(test, hvm_lapic_set_base(v[i],
				v[i]->apic_base | X2APIC_ENABLE, true), 0);
			continue;
		}
		lapic_w(v[i], APIC_ID, i << 24);
		lapic_w(v[i], APIC_DFR, c->cluster ? 0x0fffffff : 0xffffffff);
		lapic_w(v[i], APIC_LDR, c->ldr[i] << 24);
		lapic_w(v[i], APIC_TASKPRI, c->tpr[i]);
	}
	KUNIT_EXPECT_EQ(test, hvm_vm_signal_msi(t->vm, &msi), c->n);
	for (i = 0; i < NR_VCPUS; i++)
		KUNIT_EXPECT_EQ_MSG(test, vec_set(v[i], APIC_IRR, vec),
				    !!(c->got & BIT(i)), "vCPU %d", i);
	free_vcpus(t, v);
	hvm_kunit_vm_destroy(t);
}

/*
 * TMR follows the trigger mode of the last fixed interrupt accepted for a
 * vector; NMI, INIT and SIPI reach the vCPU's flags, a SIPI only while it
 * waits for one; without a LAPIC the call says -ENXIO.
 */
static void msi_deliver_modes(struct kunit *test)
{
	struct hvm_msi level = { A(1, 0), 0, D(0, 0x70) | TRIG | LEVEL };
	struct hvm_msi edge = { A(1, 0), 0, D(0, 0x70) };
	struct hvm_msi nmi = { A(1, 0), 0, D(4, 0) };
	struct hvm_msi init = { A(1, 0), 0, D(5, 0) };
	struct hvm_msi sipi = { A(1, 0), 0, D(6, 0x9a) };
	struct hvm_vcpu *v[NR_VCPUS];
	struct hvm_npt_format fmt;
	struct hvm_kunit_vm *t;
	struct hvm_vm *vm;
	int i;

	hvm_kunit_npt_format(&hvm_kunit_npt_params[0], &fmt);
	t = hvm_kunit_vm_create(test, &fmt);
	vm = t->vm;
	KUNIT_EXPECT_EQ(test, hvm_vm_signal_msi(vm, &edge), -ENXIO);
	make_vcpus(test, t, v);
	for (i = 0; i < NR_VCPUS; i++)
		lapic_w(v[i], APIC_SPIV, 0x1ff);

	KUNIT_EXPECT_EQ(test, hvm_vm_signal_msi(vm, &level), 1);
	KUNIT_EXPECT_TRUE(test, vec_set(v[1], APIC_IRR, 0x70));
	KUNIT_EXPECT_TRUE(test, vec_set(v[1], APIC_TMR, 0x70));
	KUNIT_EXPECT_TRUE(test, test_bit(HVM_REQ_EVENT, &v[1]->requests));
	KUNIT_EXPECT_EQ(test, hvm_vm_signal_msi(vm, &edge), 1);
	KUNIT_EXPECT_FALSE(test, vec_set(v[1], APIC_TMR, 0x70));
	KUNIT_EXPECT_EQ(test, hvm_lapic_pending(v[1]), 0x70);
	KUNIT_EXPECT_EQ(test, lapic_r(v[1], APIC_TMR + 0x30), 0);

	KUNIT_EXPECT_EQ(test, hvm_vm_signal_msi(vm, &nmi), 1);
	KUNIT_EXPECT_TRUE(test, hvm_lapic_nmi_pending(v[1]));
	KUNIT_EXPECT_FALSE(test, hvm_lapic_nmi_pending(v[0]));

	/* Not waiting: a SIPI is dropped. INIT makes it wait, then it takes one. */
	KUNIT_EXPECT_EQ(test, hvm_vm_signal_msi(vm, &sipi), 1);
	KUNIT_EXPECT_FALSE(test, v[1]->sipi_pending);
	KUNIT_EXPECT_EQ(test, hvm_vm_signal_msi(vm, &init), 1);
	KUNIT_EXPECT_TRUE(test, v[1]->init_pending);
	KUNIT_EXPECT_EQ(test, hvm_vm_signal_msi(vm, &sipi), 1);
	KUNIT_EXPECT_TRUE(test, v[1]->sipi_pending);
	KUNIT_EXPECT_EQ(test, v[1]->sipi_vector, 0x9a);

	free_vcpus(t, v);
	hvm_kunit_vm_destroy(t);
}

static struct kunit_case msi_cases[] = {
	KUNIT_CASE_PARAM(msi_decode, decode_gen_params),
	KUNIT_CASE(msi_decode_sweep),
	KUNIT_CASE_PARAM(msi_deliver, deliver_gen_params),
	KUNIT_CASE(msi_deliver_modes),
	{}
};

static struct kunit_suite msi_suite = {
	.name = "hvm_msi",
	.test_cases = msi_cases,
};

kunit_test_suites(&msi_suite);
