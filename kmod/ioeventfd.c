// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd: guest writes to a port or guest-physical address that signal
 * an eventfd and complete in the kernel (HVM_IOEVENTFD). The registrations
 * of a VM are one sorted array published with RCU and replaced whole on
 * each change, so the exit path looks a write up with a binary search and
 * no lock beyond rcu_read_lock().
 */
#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "compat.h"
#include "hvm_core.h"

#define HVM_IOEVENT_KEY_FLAGS	(HVM_IOEVENTFD_FLAG_PIO | \
				 HVM_IOEVENTFD_FLAG_DATAMATCH)

/* Sort order: space (MMIO, then PIO), address, length, datamatch. */
static int hvm_ioevent_cmp(const struct hvm_ioevent *a,
			   const struct hvm_ioevent *b)
{
	bool a_pio = a->flags & HVM_IOEVENTFD_FLAG_PIO;
	bool b_pio = b->flags & HVM_IOEVENTFD_FLAG_PIO;

	if (a_pio != b_pio)
		return a_pio ? 1 : -1;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->flags != b->flags)
		return a->flags < b->flags ? -1 : 1;
	if (a->datamatch != b->datamatch)
		return a->datamatch < b->datamatch ? -1 : 1;
	return 0;
}

/*
 * The last address a registration covers (a length-0 one: its address),
 * inclusive: a range may end at 2^64 (hvm_ioeventfd_valid()).
 */
static u64 hvm_ioevent_last(const struct hvm_ioevent *e)
{
	return e->addr + (e->len ? e->len - 1 : 0);
}

/* Same space, ranges intersect, and no datamatch or the same one. */
static bool hvm_ioevent_conflict(const struct hvm_ioevent *a,
				 const struct hvm_ioevent *b)
{
	if ((a->flags ^ b->flags) & HVM_IOEVENT_KEY_FLAGS)
		return false;
	if ((a->flags & HVM_IOEVENTFD_FLAG_DATAMATCH) &&
	    a->datamatch != b->datamatch)
		return false;
	return a->addr <= hvm_ioevent_last(b) && b->addr <= hvm_ioevent_last(a);
}

static struct hvm_ioevent_table *hvm_ioevent_table_alloc(unsigned int n)
{
	struct hvm_ioevent_table *t;

	t = kvzalloc(struct_size(t, e, n), GFP_KERNEL_ACCOUNT);
	if (t)
		t->n = n;
	return t;
}

/*
 * A copy of old (NULL: empty) with e inserted in order. ERR_PTR:
 * -EEXIST (conflict), -ENOSPC (full), -ENOMEM.
 */
struct hvm_ioevent_table *
hvm_ioevent_table_add(const struct hvm_ioevent_table *old,
		      const struct hvm_ioevent *e)
{
	unsigned int n = old ? old->n : 0, i, at = n;
	struct hvm_ioevent_table *t;

	for (i = 0; i < n; i++) {
		if (hvm_ioevent_conflict(&old->e[i], e))
			return ERR_PTR(-EEXIST);
		if (at == n && hvm_ioevent_cmp(e, &old->e[i]) < 0)
			at = i;
	}
	if (n >= HVM_MAX_IOEVENTFDS)
		return ERR_PTR(-ENOSPC);
	t = hvm_ioevent_table_alloc(n + 1);
	if (!t)
		return ERR_PTR(-ENOMEM);
	if (at)
		memcpy(t->e, old->e, at * sizeof(*e));
	t->e[at] = *e;
	if (n > at)
		memcpy(&t->e[at + 1], &old->e[at], (n - at) * sizeof(*e));
	return t;
}

/*
 * A copy of old less the entry with e's key (and eventfd, unless e->ctx
 * is NULL), which goes to *removed. ERR_PTR(-ENOENT) if none; NULL when
 * the table becomes empty.
 */
struct hvm_ioevent_table *
hvm_ioevent_table_del(const struct hvm_ioevent_table *old,
		      const struct hvm_ioevent *e, struct hvm_ioevent *removed)
{
	unsigned int n = old ? old->n : 0, i;
	struct hvm_ioevent_table *t;

	for (i = 0; i < n; i++)
		if (!hvm_ioevent_cmp(&old->e[i], e) &&
		    (!e->ctx || old->e[i].ctx == e->ctx))
			break;
	if (i == n)
		return ERR_PTR(-ENOENT);
	*removed = old->e[i];
	if (n == 1)
		return NULL;
	t = hvm_ioevent_table_alloc(n - 1);
	if (!t)
		return ERR_PTR(-ENOMEM);
	memcpy(t->e, old->e, i * sizeof(*e));
	memcpy(&t->e[i], &old->e[i + 1], (n - 1 - i) * sizeof(*e));
	return t;
}

/* The index of the first entry at (pio, addr) or after it. */
unsigned int hvm_ioevent_first(const struct hvm_ioevent_table *t, bool pio,
			       u64 addr)
{
	unsigned int lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct hvm_ioevent *m = &t->e[mid];
		bool m_pio = m->flags & HVM_IOEVENTFD_FLAG_PIO;

		if (m_pio < pio || (m_pio == pio && m->addr < addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does a write of len bytes of data at e->addr match e? */
bool hvm_ioevent_matches(const struct hvm_ioevent *e, unsigned int len,
			 u64 data)
{
	if (e->len && e->len != len)
		return false;
	return !(e->flags & HVM_IOEVENTFD_FLAG_DATAMATCH) ||
	       e->datamatch == data;
}

/*
 * The registrations a write of len bytes of data (zero-extended) at addr
 * matches, one per call from *pos (start at -1): NULL after the last.
 */
const struct hvm_ioevent *
hvm_ioevent_next(const struct hvm_ioevent_table *t, int *pos, bool pio,
		 u64 addr, unsigned int len, u64 data)
{
	unsigned int i = *pos < 0 ? hvm_ioevent_first(t, pio, addr) : *pos + 1;

	for (; i < t->n; i++) {
		const struct hvm_ioevent *e = &t->e[i];

		if (e->addr != addr ||
		    !!(e->flags & HVM_IOEVENTFD_FLAG_PIO) != pio)
			break;
		if (hvm_ioevent_matches(e, len, data)) {
			*pos = i;
			return e;
		}
	}
	*pos = t->n;
	return NULL;
}

/* hvm_ioeventfd_write() of a VM that has registrations. */
bool __hvm_ioeventfd_write(struct hvm_vm *vm, bool pio, u64 addr,
			   unsigned int len, u64 data)
{
	const struct hvm_ioevent_table *t;
	const struct hvm_ioevent *e;
	bool hit = false;
	int pos = -1;

	rcu_read_lock();
	t = rcu_dereference(vm->ioevents);
	if (t) {
		while ((e = hvm_ioevent_next(t, &pos, pio, addr, len, data))) {
			hvm_eventfd_signal(e->ctx);
			hit = true;
		}
	}
	rcu_read_unlock();
	return hit;
}

/*
 * HVM_IOEVENTFD after hvm_ioeventfd_valid(); vm->lock held. The old
 * array goes after a grace period: a vCPU may be reading it.
 */
int hvm_vm_ioeventfd(struct hvm_vm *vm, const struct hvm_ioeventfd *args)
{
	struct hvm_ioevent_table *old, *t;
	struct hvm_ioevent e = {
		.addr = args->addr,
		.datamatch = args->datamatch,
		.len = args->len,
		.flags = args->flags & HVM_IOEVENT_KEY_FLAGS,
	};
	struct hvm_ioevent removed = {};
	bool deassign = args->flags & HVM_IOEVENTFD_FLAG_DEASSIGN;

	if (!deassign || args->fd != -1) {
		e.ctx = eventfd_ctx_fdget(args->fd);
		if (IS_ERR(e.ctx))
			return PTR_ERR(e.ctx);
	}
	old = rcu_dereference_protected(vm->ioevents,
					lockdep_is_held(&vm->lock));
	if (deassign)
		t = hvm_ioevent_table_del(old, &e, &removed);
	else
		t = hvm_ioevent_table_add(old, &e);
	if (IS_ERR(t)) {
		if (e.ctx)
			eventfd_ctx_put(e.ctx);
		return PTR_ERR(t);
	}
	rcu_assign_pointer(vm->ioevents, t);
	/* Expedited, as KVM's bus changes: a VMM registers many at boot. */
	synchronize_rcu_expedited();
	kvfree(old);
	if (deassign) {
		eventfd_ctx_put(removed.ctx);
		if (e.ctx)
			eventfd_ctx_put(e.ctx);
	}
	return 0;
}

/* The VM is going: no vCPU is left to read the array. */
void hvm_vm_ioeventfd_free(struct hvm_vm *vm)
{
	struct hvm_ioevent_table *t = rcu_dereference_protected(vm->ioevents, 1);
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		eventfd_ctx_put(t->e[i].ctx);
	kvfree(t);
	RCU_INIT_POINTER(vm->ioevents, NULL);
}

/* HVM_SET_EOI_EXITS after hvm_eoi_exits_valid(). */
void hvm_vm_set_eoi_exits(struct hvm_vm *vm, const struct hvm_eoi_exits *args)
{
	int i;

	/* A vCPU's EOI reads each word once: it sees the old or new set. */
	for (i = 0; i < ARRAY_SIZE(args->bitmap); i++)
		WRITE_ONCE(vm->eoi_exits[i], args->bitmap[i]);
}
