// SPDX-License-Identifier: GPL-2.0
/*
 * irqfds (HVM_IRQFD): an eventfd bound to an MSI. A signal of the eventfd
 * wakes its wait queue, whose entry for us delivers the MSI right there:
 * the delivery path (hvm_lapic_deliver_irq) takes only IRQ-safe spinlocks
 * and never sleeps, so no work item is needed for it, whatever context
 * signals the eventfd. Work items only tear bindings down: unhooking from
 * the eventfd's wait queue takes that queue's lock, which the wakeup
 * (POLLHUP on the eventfd's last close) already holds.
 *
 * Lifetime: a binding is on vm->irqfds while active. Deassign, the
 * eventfd's POLLHUP and the VM's end take it off (under irqfds_lock, so
 * only one of them does) and queue its shutdown, which unhooks it, drops
 * the eventfd and frees it. Deassign and the VM's end wait for the queued
 * shutdowns, so no wakeup runs on a binding, or with its VM, once freed.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "hvm_core.h"

struct hvm_irqfd_binding {
	struct hvm_vm *vm;
	struct eventfd_ctx *eventfd;
	/* address_lo | data << 32, already checked: updated in place. */
	u64 msg;
	wait_queue_entry_t wait;
	poll_table pt;
	struct list_head list;		/* in vm->irqfds; empty once off it */
	struct work_struct shutdown;
};

static struct workqueue_struct *hvm_irqfd_wq;

static u64 irqfd_msg(const struct hvm_msi *msi)
{
	return msi->address_lo | (u64)msi->data << 32;
}

static void irqfd_deliver(struct hvm_irqfd_binding *b)
{
	u64 msg = READ_ONCE(b->msg);
	struct hvm_irq irq;

	if (!hvm_msi_decode(lower_32_bits(msg), 0, upper_32_bits(msg), &irq))
		hvm_lapic_deliver_irq(b->vm, NULL, &irq);
}

static void irqfd_shutdown(struct work_struct *work)
{
	struct hvm_irqfd_binding *b =
		container_of(work, struct hvm_irqfd_binding, shutdown);
	u64 cnt;

	/* Under the queue's lock: no wakeup runs on b once it returns. */
	eventfd_ctx_remove_wait_queue(b->eventfd, &b->wait, &cnt);
	eventfd_ctx_put(b->eventfd);
	kfree(b);
}

/* Takes b off its VM's list and queues its teardown; irqfds_lock held. */
static void irqfd_deactivate_locked(struct hvm_irqfd_binding *b)
{
	list_del_init(&b->list);
	b->vm->nr_irqfds--;
	queue_work(hvm_irqfd_wq, &b->shutdown);
}

/* The eventfd's wait queue calls this with its lock held, IRQs off. */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			int sync, void *key)
{
	struct hvm_irqfd_binding *b =
		container_of(wait, struct hvm_irqfd_binding, wait);
	__poll_t events = key_to_poll(key);
	struct hvm_vm *vm = b->vm;
	unsigned long flags;
	u64 cnt;

	if (events & EPOLLIN) {
		/* The count is ours: the eventfd stays quiet for pollers. */
		eventfd_ctx_do_read(b->eventfd, &cnt);
		irqfd_deliver(b);
	}
	if (events & EPOLLHUP) {
		spin_lock_irqsave(&vm->irqfds_lock, flags);
		if (!list_empty(&b->list))
			irqfd_deactivate_locked(b);
		spin_unlock_irqrestore(&vm->irqfds_lock, flags);
	}
	return 0;
}

static void irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
			     poll_table *pt)
{
	struct hvm_irqfd_binding *b =
		container_of(pt, struct hvm_irqfd_binding, pt);

	add_wait_queue(wqh, &b->wait);
}

static struct hvm_irqfd_binding *irqfd_find_locked(struct hvm_vm *vm,
						   struct eventfd_ctx *ctx)
{
	struct hvm_irqfd_binding *b;

	list_for_each_entry(b, &vm->irqfds, list)
		if (b->eventfd == ctx)
			return b;
	return NULL;
}

/* vm->lock held: no other assign, update or deassign runs. */
static int irqfd_assign(struct hvm_vm *vm, int fd, u64 msg)
{
	struct hvm_irqfd_binding *b;
	struct eventfd_ctx *ctx;
	struct file *file;
	__poll_t events;
	int r;

	file = fget(fd);
	if (!file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(ctx)) {
		r = PTR_ERR(ctx);
		goto err_fput;
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b) {
		r = -ENOMEM;
		goto err_put_ctx;
	}
	b->vm = vm;
	b->eventfd = ctx;
	b->msg = msg;
	INIT_WORK(&b->shutdown, irqfd_shutdown);
	init_waitqueue_func_entry(&b->wait, irqfd_wakeup);
	init_poll_funcptr(&b->pt, irqfd_queue_proc);

	spin_lock_irq(&vm->irqfds_lock);
	if (irqfd_find_locked(vm, ctx))
		r = -EBUSY;
	else if (vm->nr_irqfds >= HVM_MAX_IRQFDS)
		r = -ENOSPC;
	else
		r = 0;
	if (!r) {
		list_add_tail(&b->list, &vm->irqfds);
		vm->nr_irqfds++;
	}
	spin_unlock_irq(&vm->irqfds_lock);
	if (r)
		goto err_free;

	/*
	 * Hook into the eventfd. Our file reference keeps its last close,
	 * and so POLLHUP, away until we are on the list and hooked. A count
	 * it holds already is delivered once now (and consumed with the next
	 * signal): a signal that raced with the assignment is not lost.
	 */
	events = vfs_poll(file, &b->pt);
	if (events & EPOLLIN)
		irqfd_deliver(b);
	fput(file);
	return 0;

err_free:
	kfree(b);
err_put_ctx:
	eventfd_ctx_put(ctx);
err_fput:
	fput(file);
	return r;
}

/*
 * Deassign (msg NULL) or update in place; vm->lock held. A deassigned
 * binding delivers nothing once this returns: its shutdown has run.
 */
static int irqfd_change(struct hvm_vm *vm, int fd, const u64 *msg)
{
	struct hvm_irqfd_binding *b;
	struct eventfd_ctx *ctx;

	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	spin_lock_irq(&vm->irqfds_lock);
	b = irqfd_find_locked(vm, ctx);
	if (b && msg)
		WRITE_ONCE(b->msg, *msg);
	else if (b)
		irqfd_deactivate_locked(b);
	spin_unlock_irq(&vm->irqfds_lock);
	eventfd_ctx_put(ctx);
	if (!b)
		return -ENOENT;
	if (!msg)
		flush_workqueue(hvm_irqfd_wq);
	return 0;
}

/* HVM_IRQFD: the caller checked flags and reserved fields. */
int hvm_vm_irqfd(struct hvm_vm *vm, const struct hvm_irqfd *args)
{
	bool deassign = args->flags & HVM_IRQFD_FLAG_DEASSIGN;
	u64 msg = irqfd_msg(&args->msi);
	struct hvm_irq irq;
	int r;

	if (!deassign) {
		r = hvm_msi_decode(args->msi.address_lo, args->msi.address_hi,
				   args->msi.data, &irq);
		if (r)
			return r;
	}
	if (!READ_ONCE(vm->lapic))
		return -ENXIO;
	if (mutex_lock_killable(&vm->lock))
		return -EINTR;
	if (deassign)
		r = irqfd_change(vm, args->fd, NULL);
	else if (args->flags & HVM_IRQFD_FLAG_UPDATE)
		r = irqfd_change(vm, args->fd, &msg);
	else
		r = irqfd_assign(vm, args->fd, msg);
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * The VM goes (its last reference): every binding ends, and so does any
 * shutdown a POLLHUP queued, before vm is freed.
 */
void hvm_vm_irqfd_release(struct hvm_vm *vm)
{
	struct hvm_irqfd_binding *b, *tmp;

	spin_lock_irq(&vm->irqfds_lock);
	list_for_each_entry_safe(b, tmp, &vm->irqfds, list)
		irqfd_deactivate_locked(b);
	spin_unlock_irq(&vm->irqfds_lock);
	if (hvm_irqfd_wq)	/* NULL in hvm_kunit.ko, which has no irqfds */
		flush_workqueue(hvm_irqfd_wq);
}

int hvm_irqfd_init(void)
{
	/*
	 * Teardowns need no particular CPU. Unbound also on the kernels
	 * that warn when a workqueue names neither WQ_PERCPU nor WQ_UNBOUND.
	 */
	hvm_irqfd_wq = alloc_workqueue("hvm-irqfd", WQ_UNBOUND, 0);
	return hvm_irqfd_wq ? 0 : -ENOMEM;
}

void hvm_irqfd_exit(void)
{
	destroy_workqueue(hvm_irqfd_wq);
}
