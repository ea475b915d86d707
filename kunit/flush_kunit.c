// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the guest-TLB flush (hvm_vm_flush_tlbs(), kmod/vm.c) with
 * a CPU that does not answer: a vCPU "in the guest" on a CPU that runs with
 * interrupts off, as a CPU stuck in a guest would. The flush must wait for
 * that CPU (the guest may still use what was unmapped), but not while it
 * holds mmu_lock, which every fault, notifier and IPI of the VM takes: a
 * slow CPU then stalls one task, not the host.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>

#include "hvm_kunit.h"

#define STUCK_MAX_NS	(5 * NSEC_PER_SEC)
#define LOCK_PROBE_NS	(100 * NSEC_PER_MSEC)

struct stuck_cpu {
	struct hvm_vm *vm;
	atomic_t stage;			/* 1: IRQs off; 2: the flush began */
	bool lock_free;			/* mmu_lock was free during the flush */
	u64 released_ns;		/* when IRQs came back on */
	struct completion done;
};

static void spin_ns(u64 ns)
{
	u64 start = ktime_get_ns();

	while (ktime_get_ns() - start < ns)
		cpu_relax();
}

static int stuck_cpu_fn(void *data)
{
	struct stuck_cpu *s = data;
	unsigned long flags;
	u64 start;

	local_irq_save(flags);
	atomic_set(&s->stage, 1);
	start = ktime_get_ns();
	while (atomic_read(&s->stage) < 2 &&
	       ktime_get_ns() - start < STUCK_MAX_NS)
		cpu_relax();
	/* The flush had time to take the lock, if it keeps it. */
	spin_ns(LOCK_PROBE_NS);
	s->lock_free = spin_trylock(&s->vm->mmu_lock);
	if (s->lock_free)
		spin_unlock(&s->vm->mmu_lock);
	s->released_ns = ktime_get_ns();
	local_irq_restore(flags);
	complete(&s->done);
	return 0;
}

static void flush_with_stuck_cpu(struct kunit *test)
{
	struct hvm_npt_format fmt;
	struct hvm_kunit_vm *t;
	struct task_struct *k;
	struct stuck_cpu s = {};
	int this_cpu, other;
	u64 flushed_ns, start;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	hvm_kunit_npt_format(&hvm_kunit_npt_params[0], &fmt);
	t = hvm_kunit_vm_create(test, &fmt);
	s.vm = t->vm;
	init_completion(&s.done);

	this_cpu = get_cpu();
	other = cpumask_any_but(cpu_online_mask, this_cpu);
	put_cpu();
	k = kthread_create(stuck_cpu_fn, &s, "hvm_kunit_stuck");
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));
	kthread_bind(k, other);
	wake_up_process(k);
	start = ktime_get_ns();
	while (atomic_read(&s.stage) < 1 && ktime_get_ns() - start < STUCK_MAX_NS)
		cond_resched();
	if (atomic_read(&s.stage) < 1) {
		wait_for_completion(&s.done);	/* s is on this stack */
		KUNIT_FAIL(test, "CPU %d did not run the kthread in 5 s", other);
		return;
	}

	/* vCPU 0 "runs" on the CPU that takes no interrupt. */
	WRITE_ONCE(t->vcpu->cpu, other);
	WRITE_ONCE(t->vcpu->mode, HVM_IN_GUEST);
	atomic_set(&s.stage, 2);
	hvm_vm_flush_tlbs(t->vm, true);
	flushed_ns = ktime_get_ns();
	WRITE_ONCE(t->vcpu->mode, HVM_OUTSIDE_GUEST);
	wait_for_completion(&s.done);

	KUNIT_EXPECT_TRUE_MSG(test, s.lock_free,
			      "mmu_lock was held while waiting for the CPU");
	KUNIT_EXPECT_GE_MSG(test, flushed_ns, s.released_ns,
			    "the flush returned before the CPU left its guest");
	KUNIT_EXPECT_TRUE(test, test_bit(HVM_REQ_TLB_FLUSH, &t->vcpu->requests));
}

static void flush_kunit_exit(struct kunit *test)
{
	hvm_kunit_vm_destroy(test->priv);
	test->priv = NULL;
}

static struct kunit_case flush_cases[] = {
	KUNIT_CASE(flush_with_stuck_cpu),
	{}
};

static struct kunit_suite flush_suite = {
	.name = "hvm_flush",
	.exit = flush_kunit_exit,
	.test_cases = flush_cases,
};

kunit_test_suites(&flush_suite);
