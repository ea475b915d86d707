// SPDX-License-Identifier: GPL-2.0
/*
 * hvm_kunit.ko stands in for kmod/main.c, the one part of hvm.ko the test
 * module leaves out: the core's globals, no hardware, no /dev/hvm, and the
 * helpers the suites share. The suites run when the module loads.
 */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "hvm_kunit.h"

const struct hvm_vendor_ops *hvm_ops;
atomic_t hvm_live_vms, hvm_live_vcpus;
atomic_long_t hvm_npt_large_maps;
/* Only the backends' exit handlers count exits, and no test runs a guest. */
u64 __percpu *hvm_exit_counts;

/* The tests never run a guest: virtualization stays off. */
int hvm_hardware_get(void)
{
	return -ENODEV;
}

void hvm_hardware_put(void)
{
}

static int hvm_kunit_get_msr(struct hvm_vcpu *vcpu, u32 index, u64 *data)
{
	return -ENOENT;
}

static int hvm_kunit_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data,
			     bool host)
{
	return -ENOENT;
}

/* The offset lives in vcpu->tsc_offset alone. */
static void hvm_kunit_set_tsc_offset(struct hvm_vcpu *vcpu, u64 offset)
{
}

/* No shadow, nothing injected in a control block: IF alone decides. */
static bool hvm_kunit_interrupt_allowed(struct hvm_vcpu *vcpu)
{
	return vcpu->rflags & X86_EFLAGS_IF;
}

struct hvm_kunit_vm *hvm_kunit_vm_create(struct kunit *test,
					 const struct hvm_npt_format *fmt)
{
	struct hvm_kunit_vm *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	t->npt = *fmt;
	t->ops.name = "kunit";
	t->ops.npt = &t->npt;
	t->ops.get_msr = hvm_kunit_get_msr;
	t->ops.set_msr = hvm_kunit_set_msr;
	t->ops.interrupt_allowed = hvm_kunit_interrupt_allowed;
	t->ops.set_tsc_offset = hvm_kunit_set_tsc_offset;
	hvm_ops = &t->ops;
	test->priv = t;

	t->vm = kzalloc(sizeof(*t->vm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->vm);
	kref_init(&t->vm->ref);
	mutex_init(&t->vm->lock);
	spin_lock_init(&t->vm->mmu_lock);
	hvm_tsc_init_vm(t->vm);
	spin_lock_init(&t->vm->irq_lock);
	spin_lock_init(&t->vm->irqfds_lock);
	INIT_LIST_HEAD(&t->vm->irqfds);
	KUNIT_ASSERT_EQ(test, hvm_mmu_init(t->vm), 0);

	t->vcpu = kzalloc(sizeof(*t->vcpu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->vcpu);
	t->vcpu->vm = t->vm;
	t->vcpu->mode = HVM_OUTSIDE_GUEST;
	init_waitqueue_head(&t->vcpu->wq);	/* kicks wake it */
	t->vm->vcpus[0] = t->vcpu;
	return t;
}

void hvm_kunit_vm_destroy(struct hvm_kunit_vm *t)
{
	if (!t)
		return;
	if (t->vcpu) {
		hvm_npt_cache_free(t->vcpu);
		kfree(t->vcpu);
	}
	if (t->vm) {
		if (t->vm->npt_root)
			hvm_mmu_destroy(t->vm);
		kfree(t->vm);
	}
	hvm_ops = NULL;
}

void hvm_kunit_map(struct kunit *test, struct hvm_kunit_vm *t, u64 gpa,
		   u64 leaf)
{
	KUNIT_ASSERT_EQ(test, hvm_npt_cache_topup(t->vcpu), 0);
	spin_lock(&t->vm->mmu_lock);
	hvm_npt_map(t->vcpu, gpa, leaf, 1);
	spin_unlock(&t->vm->mmu_lock);
}

bool hvm_kunit_map_large(struct kunit *test, struct hvm_kunit_vm *t, u64 gpa,
			 u64 leaf)
{
	bool flush;

	KUNIT_ASSERT_EQ(test, hvm_npt_cache_topup(t->vcpu), 0);
	spin_lock(&t->vm->mmu_lock);
	flush = hvm_npt_map(t->vcpu, gpa, leaf, 2);
	spin_unlock(&t->vm->mmu_lock);
	return flush;
}

void hvm_kunit_zap(struct hvm_kunit_vm *t, u64 gpa, u64 size)
{
	spin_lock(&t->vm->mmu_lock);
	hvm_mmu_zap_range(t->vm, gpa, size);
	spin_unlock(&t->vm->mmu_lock);
}

static unsigned int hvm_kunit_shift(int level)
{
	return 12 + 9 * (level - 1);
}

u64 hvm_kunit_walk(struct kunit *test, const struct hvm_vm *vm, u64 gpa)
{
	const struct hvm_npt_format *fmt = hvm_ops->npt;
	const u64 *table = vm->npt_root;
	int level;
	u64 e;

	for (level = fmt->levels; level > 1; level--) {
		e = table[(gpa >> hvm_kunit_shift(level)) & 511];
		if (!(e & fmt->present))
			return 0;
		if (level == 2 && (e & fmt->large))
			return e;
		KUNIT_EXPECT_EQ_MSG(test, e & ~HVM_KUNIT_NPT_ADDR, fmt->dir,
				    "directory entry %#llx, level %d, gpa %#llx",
				    e, level, gpa);
		table = __va(e & HVM_KUNIT_NPT_ADDR);
	}
	return table[(gpa >> 12) & 511];
}

static unsigned long hvm_kunit_count(const struct hvm_npt_format *fmt,
				     u64 *table, int level, u64 **pages,
				     unsigned long max, unsigned long n)
{
	int i;

	if (n < max)
		pages[n] = table;
	n++;
	if (level == 1)
		return n;
	for (i = 0; i < 512; i++)
		if ((table[i] & fmt->present) &&
		    !(level == 2 && (table[i] & fmt->large)))
			n = hvm_kunit_count(fmt, __va(table[i] & HVM_KUNIT_NPT_ADDR),
					    level - 1, pages, max, n);
	return n;
}

unsigned long hvm_kunit_table_pages(const struct hvm_vm *vm, u64 **pages,
				    unsigned long max)
{
	return hvm_kunit_count(hvm_ops->npt, vm->npt_root, hvm_ops->npt->levels,
			       pages, max, 0);
}

/*
 * The vendors' own formats: SVM's at 4 and 5 levels (hvm follows the
 * host's paging depth), VMX's EPT. The core must not care which.
 */
const struct hvm_kunit_npt_param hvm_kunit_npt_params[3] = {
	{ .name = "svm-4-level", .vendor = &hvm_svm_ops, .levels = 4 },
	{ .name = "svm-5-level", .vendor = &hvm_svm_ops, .levels = 5 },
	{ .name = "vmx-ept-4-level", .vendor = &hvm_vmx_ops, .levels = 4 },
};

void hvm_kunit_npt_param_desc(const struct hvm_kunit_npt_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

void hvm_kunit_npt_format(const struct hvm_kunit_npt_param *p,
			  struct hvm_npt_format *fmt)
{
	*fmt = *p->vendor->npt;
	fmt->levels = p->levels;
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvm: KUnit suites for the core and the vendor backends' pure logic");
