// SPDX-License-Identifier: GPL-2.0
/*
 * One hvmfuzz program, in a child process of its own: K threads make random
 * operations on a shared world (/dev/hvm, up to two VMs, their slots and
 * vCPUs) and check every result against the ABI of uapi/hvm.h. A result the
 * ABI does not allow is a finding: printed at once with the thread's ring of
 * its last operations.
 *
 * Every HVM_RUN is bounded: a per-thread POSIX timer sends SIGUSR1 every few
 * milliseconds while the thread is in HVM_RUN (the handler does nothing and
 * has no SA_RESTART), so the call must come back with -EINTR; the parent
 * watches thread_state.run_since and reports one that does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvmfuzz.h"

#define MAX_VMS		2
#define MAX_VCPUS	6
#define MAX_SLOTS	6	/* tracked per VM, slot 0 included */
#define KERNEL_PTR	0xffff888000000000ull

#define M(e)		(1ull << (e))
#define BASE_ERRS	(M(EINVAL) | M(EFAULT) | M(E2BIG) | M(EBUSY) | M(ENOMEM) | \
			 M(EMFILE) | M(ENFILE) | M(EINTR))

enum mem_state { MEM_NONE, MEM_RW, MEM_RO, MEM_NOACCESS };

struct fslot {
	bool used;
	u32 id;
	u64 gpa, size;
	u8 *hva;		/* NULL: not ours (an address nothing backs) */
	enum mem_state state;
};

struct fvcpu {
	bool used;
	bool ready;		/* created and mapped (used: the entry is taken) */
	int fd;			/* -1 once closed */
	u32 id;
	int vs;			/* code/stack slot in slot 0 */
	struct hvm_run *run;
	enum guest_mode mode;
	/*
	 * The thread holding lock writes the run page's inputs and checks its
	 * outputs; others may run the vCPU too (the kernel serializes them)
	 * but only read. run_seq counts HVM_RUN calls: one that began after
	 * ours may have rewritten the page before we read it. runs_active
	 * counts those between their count and their read of the page: one
	 * counted before ours may still enter the kernel after ours left it.
	 */
	pthread_mutex_t lock;
	_Atomic u64 run_seq;
	_Atomic int runs_active;
	_Atomic bool fresh_code;	/* new guest code that has not run yet */
};

struct fvm {
	bool used;
	bool ready;		/* created, slot 0 added (used: the entry is taken) */
	int fd;			/* -1 once closed */
	bool lapic;
	bool slot0_cycling;	/* a thread deletes and re-adds slot 0 */
	u32 slot0_gen;		/* how many times one began */
	u8 *slot0, *template;	/* slot 0's memory and what gen_tables wrote */
	struct fslot slots[MAX_SLOTS];
	struct fvcpu vcpus[MAX_VCPUS];
};

struct world {
	pthread_mutex_t lock;
	int sys;
	struct fvm vms[MAX_VMS];
	/* Some fd was closed: a number may now name another file. */
	_Atomic bool fds_closed;
	size_t mmap_size;
	u32 max_vcpus, nr_slots, phys_bits, vendor;
	struct hvm_cpuid *cpuid;
	double deadline;
};

struct ctx {
	int t;
	struct rng r;
	struct world *w;
	struct op_rec *cur;
	timer_t timer;
	u32 period_us;
};

static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

/* The snapshot entry of a vCPU (see struct vcpu_snap). */
static struct vcpu_snap *snap_of(struct ctx *x, struct fvm *vm, struct fvcpu *v)
{
	int i = (vm - x->w->vms) * MAX_VCPUS + (v - vm->vcpus);

	return i < NR_SNAPS ? &sh->snap[i] : NULL;
}

static void snap_sregs(struct ctx *x, struct fvm *vm, struct fvcpu *v, int fd,
		       const struct hvm_sregs *s)
{
	struct vcpu_snap *p = snap_of(x, vm, v);

	if (p) {
		p->fd = fd;
		p->sregs = *s;
	}
}

static void snap_regs(struct ctx *x, struct fvm *vm, struct fvcpu *v, int fd,
		      const struct hvm_regs *g)
{
	struct vcpu_snap *p = snap_of(x, vm, v);

	if (p) {
		p->fd = fd;
		p->regs = *g;
	}
}

static double now_s(void)
{
	return now_ns() / 1e9;
}

/* ---- the ring and findings ---------------------------------------------- */

static void op(struct ctx *x, const char *name, u64 a0, u64 a1, u64 a2, u64 a3)
{
	struct thread_state *ts = &sh->thr[x->t];
	u64 n = atomic_fetch_add(&ts->nops, 1);
	struct op_rec *o = &ts->ring[n % RING_SIZE];

	snprintf(o->name, sizeof(o->name), "%s", name);
	o->arg[0] = a0;
	o->arg[1] = a1;
	o->arg[2] = a2;
	o->arg[3] = a3;
	o->ret = RET_RUNNING;
	o->seq = n + 1;
	x->cur = o;
	atomic_fetch_add(&sh->ops, 1);
}

static long done(struct ctx *x, long r)
{
	x->cur->ret = r < 0 ? -errno : r;
	return r;
}

static void finding(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	atomic_fetch_add(&sh->findings, 1);
	pthread_mutex_lock(&print_lock);
	printf("# FINDING: program seed %#llx thread %d: %s\n",
	       (unsigned long long)sh->prog_seed, x->t, msg);
	print_ring(x->t);
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
}

/*
 * r < 0 with an errno outside allowed (plus EBADF/ENOTTY once fds were
 * closed: the number may name another file) is a finding.
 */
static void expect_errs(struct ctx *x, long r, u64 allowed, const char *what)
{
	int e = errno;

	if (r >= 0)
		return;
	if (x->w->fds_closed)
		allowed |= M(EBADF) | M(ENOTTY) | M(EINVAL);
	if (e < 64 && (allowed & M(e)))
		return;
	finding(x, "%s: errno %d (%s), not one the ABI gives", what, e, strerror(e));
}

/* Must succeed unless an fd was closed meanwhile. */
static void expect_ok(struct ctx *x, long r, const char *what)
{
	int e = errno;

	if (r >= 0 || x->w->fds_closed || e == EINTR)
		return;
	finding(x, "%s failed: errno %d (%s), the ABI says it succeeds", what, e, strerror(e));
}

/* Invalid input: must fail with one of allowed. */
static void expect_fail(struct ctx *x, long r, u64 allowed, const char *what)
{
	if (r >= 0) {
		if (!x->w->fds_closed)
			finding(x, "%s: succeeded (returned %ld), the ABI says it fails", what, r);
		return;
	}
	expect_errs(x, r, allowed, what);
}

/* ---- picking objects ---------------------------------------------------- */

static struct fvm *pick_vm(struct ctx *x)
{
	int i = rnd(&x->r, MAX_VMS), k;

	for (k = 0; k < MAX_VMS; k++) {
		struct fvm *vm = &x->w->vms[(i + k) % MAX_VMS];

		if (vm->ready)
			return vm;
	}
	return NULL;
}

static struct fvcpu *pick_vcpu(struct ctx *x, struct fvm **vmp)
{
	struct fvm *vm = pick_vm(x);
	int i, k;

	if (!vm)
		return NULL;
	/* Thread t prefers vCPU slot t, so runs are spread over threads. */
	i = chance(&x->r, 60) ? x->t % MAX_VCPUS : (int)rnd(&x->r, MAX_VCPUS);
	for (k = 0; k < MAX_VCPUS; k++) {
		struct fvcpu *v = &vm->vcpus[(i + k) % MAX_VCPUS];

		if (v->ready) {
			*vmp = vm;
			return v;
		}
	}
	return NULL;
}

static int vm_fd(struct ctx *x, struct fvm *vm)
{
	int fd;

	pthread_mutex_lock(&x->w->lock);
	fd = vm->fd;
	pthread_mutex_unlock(&x->w->lock);
	return fd;
}

/* ---- /dev/hvm ----------------------------------------------------------- */

static void op_sys(struct ctx *x)
{
	struct world *w = x->w;
	long r;

	switch (rnd(&x->r, 5)) {
	case 0:
		op(x, "GET_API_VERSION", w->sys, 0, 0, 0);
		r = done(x, ioctl(w->sys, HVM_GET_API_VERSION, 0));
		if (r != HVM_API_VERSION)
			finding(x, "HVM_GET_API_VERSION returned %ld", r);
		break;
	case 1: {
		u64 cap = chance(&x->r, 80) ? rnd(&x->r, 13) : rng_next(&x->r);

		op(x, "CHECK_CAP", w->sys, cap, 0, 0);
		r = done(x, ioctl(w->sys, HVM_CHECK_CAP, (unsigned long)cap));
		if (r < 0)
			finding(x, "HVM_CHECK_CAP(%#llx) failed: errno %d", (unsigned long long)cap, errno);
		else if (cap >= 1 && cap <= 11 && r == 0)
			finding(x, "HVM_CHECK_CAP(%llu) is 0", (unsigned long long)cap);
		break;
	}
	case 2: {
		u64 arg = rnd(&x->r, 3) ? 0 : gen_value(&x->r);

		op(x, "GET_VCPU_MMAP_SIZE", w->sys, arg, 0, 0);
		r = done(x, ioctl(w->sys, HVM_GET_VCPU_MMAP_SIZE, (unsigned long)arg));
		if (arg)
			expect_fail(x, r, M(EINVAL), "HVM_GET_VCPU_MMAP_SIZE with arg != 0");
		else if (r < (long)sizeof(struct hvm_run))
			finding(x, "HVM_GET_VCPU_MMAP_SIZE returned %ld", r);
		break;
	}
	case 3: {	/* HVM_CREATE_VM with a machine type other than 0 */
		u64 arg = 1 + rnd(&x->r, 1000);

		op(x, "CREATE_VM(bad type)", w->sys, arg, 0, 0);
		r = done(x, ioctl(w->sys, HVM_CREATE_VM, (unsigned long)arg));
		expect_fail(x, r, M(EINVAL), "HVM_CREATE_VM with type != 0");
		if (r >= 0)
			close(r);
		break;
	}
	default: {	/* an unknown ioctl of hvm's type on any of its fds */
		struct fvm *vm = pick_vm(x), *vm2;
		struct fvcpu *v = pick_vcpu(x, &vm2);
		int fds[3] = { w->sys, vm ? vm_fd(x, vm) : w->sys, v ? v->fd : w->sys };
		int fd = fds[rnd(&x->r, 3)];
		unsigned int nr = 0x30 + rnd(&x->r, 0xd0);
		unsigned long cmd = _IOC(rnd(&x->r, 4), HVMIO, nr, rnd(&x->r, 0x400));
		static char buf[4096];

		if (chance(&x->r, 30))	/* a known number with the wrong size/direction */
			cmd = _IOC(rnd(&x->r, 4), HVMIO, rnd(&x->r, 2) ? 0x10 + rnd(&x->r, 3) :
				   0x20 + rnd(&x->r, 10), 8 * rnd(&x->r, 64));
		switch (cmd) {		/* not a real one by chance */
		case HVM_GET_API_VERSION: case HVM_CHECK_CAP: case HVM_CREATE_VM:
		case HVM_GET_VCPU_MMAP_SIZE: case HVM_SET_MEMORY_REGION: case HVM_CREATE_VCPU: case HVM_CREATE_LAPIC: case HVM_RUN: case HVM_GET_REGS:
		case HVM_SET_REGS: case HVM_GET_SREGS: case HVM_SET_SREGS: case HVM_SET_CPUID:
		case HVM_GET_MSRS: case HVM_SET_MSRS: case HVM_INTERRUPT: case HVM_NMI:
		case HVM_SIGNAL_MSI: case HVM_IRQFD:
		case HVM_IOEVENTFD: case HVM_SET_EOI_EXITS:
			cmd = _IOC(_IOC_NONE, HVMIO, 0xf1, 0);
		}
		op(x, "UNKNOWN_IOCTL", fd, cmd, 0, 0);
		r = done(x, ioctl(fd, cmd, buf));
		expect_fail(x, r, M(EINVAL), "unknown hvm ioctl");
		break;
	}
	}
}

/* ---- VMs and memory ----------------------------------------------------- */

static u8 *map_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int set_region(struct ctx *x, int fd, const struct hvm_memory_region *m, const char *name)
{
	op(x, name, m->slot, m->guest_phys_addr, m->memory_size, m->userspace_addr);
	return done(x, ioctl(fd, HVM_SET_MEMORY_REGION, m));
}

static void op_create_vm(struct ctx *x)
{
	struct world *w = x->w;
	struct fvm *vm = NULL;
	struct hvm_memory_region m = { .slot = 0, .memory_size = SLOT0_SIZE };
	int i, fd;
	u8 *mem, *tmpl;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < MAX_VMS; i++)
		if (!w->vms[i].used) {
			vm = &w->vms[i];
			vm->used = true;	/* reserved */
			vm->fd = -1;
			break;
		}
	pthread_mutex_unlock(&w->lock);
	if (!vm)
		return;
	op(x, "CREATE_VM", w->sys, 0, 0, 0);
	fd = done(x, ioctl(w->sys, HVM_CREATE_VM, 0));
	if (fd < 0) {
		expect_errs(x, fd, M(ENOMEM) | M(EMFILE) | M(ENFILE), "HVM_CREATE_VM");
		pthread_mutex_lock(&w->lock);
		vm->used = false;
		pthread_mutex_unlock(&w->lock);
		return;
	}
	mem = map_anon(SLOT0_SIZE);
	tmpl = malloc(SLOT0_SIZE);
	if (!mem || !tmpl) {
		fprintf(stderr, "hvmfuzz: out of memory\n");
		_exit(2);
	}
	memset(tmpl, 0, SLOT0_SIZE);
	gen_tables(tmpl, &x->r);
	memcpy(mem, tmpl, SLOT0_SIZE);
	m.userspace_addr = (u64)(uintptr_t)mem;
	expect_ok(x, set_region(x, fd, &m, "SET_MEMORY_REGION(slot0)"), "slot 0 of a new VM");
	if (chance(&x->r, 70)) {
		op(x, "CREATE_LAPIC", fd, 0, 0, 0);
		expect_ok(x, done(x, ioctl(fd, HVM_CREATE_LAPIC, 0)), "HVM_CREATE_LAPIC on a new VM");
		vm->lapic = true;
	}
	pthread_mutex_lock(&w->lock);
	vm->fd = fd;
	vm->slot0 = mem;
	vm->template = tmpl;
	vm->slots[0] = (struct fslot){ .used = true, .id = 0, .gpa = 0, .size = SLOT0_SIZE,
				       .hva = mem, .state = MEM_RW };
	vm->ready = true;
	pthread_mutex_unlock(&w->lock);
}

static void op_region(struct ctx *x)
{
	struct world *w = x->w;
	struct fvm *vm = pick_vm(x);
	struct hvm_memory_region m = { 0 };
	int fd, i, kind;
	long r;

	if (!vm)
		return;
	fd = vm_fd(x, vm);
	kind = rnd(&x->r, 12);
	m.slot = 1 + rnd(&x->r, MAX_SLOTS - 1);
	m.guest_phys_addr = chance(&x->r, 50) ? 0x100000 + (rnd(&x->r, 0x3ff00) << 12)
					       : (rnd(&x->r, 1ull << (w->phys_bits - 12 - 1)) << 12);
	m.memory_size = (1 + rnd(&x->r, chance(&x->r, 80) ? 16 : 512)) << 12;
	switch (kind) {
	case 0: case 1: case 2: {	/* add a slot with fresh memory */
		struct fslot *s;
		u8 *mem;

		pthread_mutex_lock(&w->lock);
		s = &vm->slots[m.slot];
		if (s->used) {
			pthread_mutex_unlock(&w->lock);
			return;
		}
		s->used = true;		/* reserved */
		pthread_mutex_unlock(&w->lock);
		mem = map_anon(m.memory_size);
		if (!mem)
			_exit(2);
		m.userspace_addr = (u64)(uintptr_t)mem;
		m.flags = chance(&x->r, 20) ? HVM_MEM_READONLY : 0;
		r = set_region(x, fd, &m, "SET_MEMORY_REGION(add)");
		expect_errs(x, r, M(EBUSY) | M(ENOMEM), "adding a slot");
		pthread_mutex_lock(&w->lock);
		if (r == 0)
			*s = (struct fslot){ .used = true, .id = m.slot, .gpa = m.guest_phys_addr,
					     .size = m.memory_size, .hva = mem, .state = MEM_RW };
		else
			s->used = false;
		pthread_mutex_unlock(&w->lock);
		if (r)
			munmap(mem, m.memory_size);
		return;
	}
	case 3: {			/* delete a slot (maybe slot 0), then unmap it */
		struct fslot s;
		u32 id = rnd(&x->r, 4) ? m.slot : 0;

		pthread_mutex_lock(&w->lock);
		s = vm->slots[id];
		if (s.used && id && s.hva)
			vm->slots[id].used = false;
		if (id == 0 && s.used) {
			if (vm->slot0_cycling)
				s.used = false;
			vm->slot0_cycling = true;
			vm->slot0_gen++;
		}
		pthread_mutex_unlock(&w->lock);
		if (!s.used || (id && !s.hva))
			return;
		m = (struct hvm_memory_region){ .slot = id };
		r = set_region(x, fd, &m, "SET_MEMORY_REGION(del)");
		if (id == 0) {
			expect_errs(x, r, 0, "deleting slot 0");
			if (r == 0) {	/* give it back, same memory */
				m = (struct hvm_memory_region){ .slot = 0, .memory_size = SLOT0_SIZE,
								.userspace_addr = (u64)(uintptr_t)vm->slot0 };
				r = set_region(x, fd, &m, "SET_MEMORY_REGION(slot0)");
				/*
				 * While slot 0 is away, another thread's "overlaps
				 * slot 0" add may succeed (it deletes that slot at
				 * once): EBUSY until it has.
				 */
				for (i = 0; r < 0 && errno == EBUSY && i < 100; i++) {
					usleep(1000);
					r = set_region(x, fd, &m, "SET_MEMORY_REGION(slot0)");
				}
				expect_errs(x, r, 0, "re-adding slot 0");
			}
			pthread_mutex_lock(&w->lock);
			vm->slot0_cycling = false;
			pthread_mutex_unlock(&w->lock);
			return;
		}
		expect_errs(x, r, 0, "deleting a slot");
		/* Replace, not unmap: a hole could be reused by malloc. */
		mmap(s.hva, s.size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		return;
	}
	case 4:				/* delete an empty slot */
		m = (struct hvm_memory_region){ .slot = MAX_SLOTS + rnd(&x->r, w->nr_slots - MAX_SLOTS) };
		r = set_region(x, fd, &m, "SET_MEMORY_REGION(del empty)");
		expect_fail(x, r, M(EINVAL), "deleting an empty slot");
		return;
	default:
		break;
	}
	/* Invalid regions: one thing wrong at a time. */
	m.slot = MAX_SLOTS + rnd(&x->r, w->nr_slots - MAX_SLOTS);
	m.guest_phys_addr = 0x80000000ull + (rnd(&x->r, 0x1000) << 12);
	m.userspace_addr = (u64)(uintptr_t)vm->slot0;
	m.memory_size = 0x1000;
	switch (kind) {
	case 5: m.flags = 2u << rnd(&x->r, 31); break;
	case 6: m.reserved[rnd(&x->r, 2)] = 1 + rnd(&x->r, 1000); break;
	case 7:
		switch (rnd(&x->r, 3)) {
		case 0: m.guest_phys_addr += 1 + rnd(&x->r, 0xfff); break;
		case 1: m.memory_size += 1 + rnd(&x->r, 0xfff); break;
		default: m.userspace_addr += 1 + rnd(&x->r, 0xfff); break;
		}
		break;
	case 8:				/* gpa + size wraps or passes the limit */
		m.guest_phys_addr = chance(&x->r, 50) ? (~0ull << 12) - (rnd(&x->r, 4) << 12)
						      : (1ull << w->phys_bits) - (rnd(&x->r, 2) << 12);
		m.memory_size = (1 + rnd(&x->r, 8)) << 12;
		if (m.guest_phys_addr + m.memory_size <= (1ull << w->phys_bits))
			m.memory_size += 0x2000;
		break;
	case 9:				/* userspace range wraps or is the kernel's */
		m.userspace_addr = chance(&x->r, 50) ? KERNEL_PTR : (~0ull << 12);
		m.memory_size = 0x2000;
		break;
	case 10:			/* slot out of range */
		m.slot = w->nr_slots + (rnd(&x->r, 2) ? rnd(&x->r, 8) : (u32)rng_next(&x->r) | 0x80000000u);
		break;
	default: {			/* overlaps slot 0: -EBUSY */
		u32 gen;

		m.guest_phys_addr = rnd(&x->r, SLOT0_SIZE >> 12) << 12;
		pthread_mutex_lock(&w->lock);
		gen = vm->slot0_gen;
		i = vm->slots[0].used && !vm->slot0_cycling;
		pthread_mutex_unlock(&w->lock);
		r = set_region(x, fd, &m, "SET_MEMORY_REGION(overlap)");
		pthread_mutex_lock(&w->lock);
		i = i && vm->slots[0].used && !vm->slot0_cycling && gen == vm->slot0_gen;
		pthread_mutex_unlock(&w->lock);
		if (i)
			expect_fail(x, r, M(EBUSY), "a slot overlapping slot 0");
		else if (r == 0)
			set_region(x, fd, &(struct hvm_memory_region){ .slot = m.slot },
				   "SET_MEMORY_REGION(del)");
		return;
	}
	}
	r = set_region(x, fd, &m, "SET_MEMORY_REGION(bad)");
	expect_fail(x, r, M(EINVAL), "an invalid memory region");
	if (r == 0)
		set_region(x, fd, &(struct hvm_memory_region){ .slot = m.slot }, "SET_MEMORY_REGION(del)");
}

/* Memory churn: what the MMU notifier must follow while vCPUs run. */
static void op_churn(struct ctx *x)
{
	struct world *w = x->w;
	struct fvm *vm = pick_vm(x);
	struct fslot *s;
	u64 off, len;
	int k = rnd(&x->r, 6);

	if (!vm)
		return;
	pthread_mutex_lock(&w->lock);
	s = &vm->slots[rnd(&x->r, 3) ? 0 : rnd(&x->r, MAX_SLOTS)];
	if (!s->used || !s->hva) {
		pthread_mutex_unlock(&w->lock);
		return;
	}
	off = rnd(&x->r, s->size >> 12) << 12;
	len = (1 + rnd(&x->r, (s->size - off) >> 12)) << 12;
	if (chance(&x->r, 30)) {
		off = 0;
		len = s->size;
	}
	switch (k) {
	case 0:				/* replace the pages: zero-filled again */
		op(x, "mmap(FIXED)", s->gpa + off, len, 0, 0);
		if (done(x, mmap(s->hva + off, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0)) {
			s->state = MEM_NOACCESS;
			break;
		}
		if (s->state != MEM_RW && len != s->size)
			s->state = MEM_NOACCESS;	/* mixed: no host writes */
		else if (len == s->size)
			s->state = MEM_RW;
		if (s->id == 0 && s->state == MEM_RW && chance(&x->r, 70))
			memcpy(s->hva + off, vm->template + off, len);
		break;
	case 1: {			/* unmap and map back, mostly usable */
		bool none = chance(&x->r, 20);
		void *p;

		/*
		 * Not munmap() then mmap(): another thread's mmap() may take the
		 * hole in between, and the slot would then alias its memory.
		 * mmap(MAP_FIXED) unmaps the old pages (the same MMU notifier
		 * call) and maps new ones in one step.
		 */
		op(x, none ? "unmap+mmap(NONE)" : "unmap+mmap", s->gpa + off, len, 0, 0);
		p = mmap(s->hva + off, len, none ? PROT_NONE : PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		done(x, p == MAP_FAILED ? -1 : 0);
		if (p == MAP_FAILED || none || s->state != MEM_RW)
			s->state = MEM_NOACCESS;
		else if (s->id == 0 && chance(&x->r, 80))
			memcpy(s->hva + off, vm->template + off, len);
		break;
	}
	case 2: {			/* mprotect */
		int prot = rnd(&x->r, 3);

		op(x, "mprotect", s->gpa + off, len, prot, 0);
		done(x, mprotect(s->hva + off, len, prot == 0 ? PROT_NONE :
				 prot == 1 ? PROT_READ : PROT_READ | PROT_WRITE));
		if (len == s->size)
			s->state = prot == 0 ? MEM_NOACCESS : prot == 1 ? MEM_RO : MEM_RW;
		else if (prot != 2 || s->state != MEM_RW)
			s->state = MEM_NOACCESS;
		break;
	}
	case 3:				/* madvise(DONTNEED) */
		op(x, "madvise(DONTNEED)", s->gpa + off, len, 0, 0);
		done(x, madvise(s->hva + off, len, MADV_DONTNEED));
		break;
	case 4:				/* host writes: the guest sees them */
		if (s->state != MEM_RW)
			break;
		op(x, "host-write", s->gpa + off, len, 0, 0);
		if (s->id == 0)
			memcpy(s->hva + off, vm->template + off, len);
		else
			memset(s->hva + off, rnd(&x->r, 256), len);
		done(x, 0);
		break;
	default:			/* THP on or off for the range */
		op(x, "madvise(HUGEPAGE)", s->gpa + off, len, 0, 0);
		done(x, madvise(s->hva + off, len, chance(&x->r, 50) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE));
		break;
	}
	pthread_mutex_unlock(&w->lock);
}

/* ---- vCPUs -------------------------------------------------------------- */

static void op_create_vcpu(struct ctx *x)
{
	struct world *w = x->w;
	struct fvm *vm = pick_vm(x);
	struct fvcpu *v = NULL;
	int i, fd, vmfd;
	u64 id;
	void *run;

	if (!vm)
		return;
	vmfd = vm_fd(x, vm);
	if (chance(&x->r, 15)) {	/* out-of-range id */
		id = w->max_vcpus + (rnd(&x->r, 2) ? rnd(&x->r, 4) : rng_next(&x->r) >> 1);
		op(x, "CREATE_VCPU(bad id)", vmfd, id, 0, 0);
		i = done(x, ioctl(vmfd, HVM_CREATE_VCPU, (unsigned long)id));
		expect_fail(x, i, M(EINVAL), "HVM_CREATE_VCPU with an id >= HVM_CAP_MAX_VCPUS");
		if (i >= 0)
			close(i);
		return;
	}
	if (chance(&x->r, 10)) {	/* LAPIC after vCPUs, or twice */
		op(x, "CREATE_LAPIC(late)", vmfd, 0, 0, 0);
		i = done(x, ioctl(vmfd, HVM_CREATE_LAPIC, rnd(&x->r, 2) ? 0 : 1 + rnd(&x->r, 9)));
		expect_errs(x, i, M(EBUSY) | M(EINVAL), "a late HVM_CREATE_LAPIC");
		return;
	}
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < MAX_VCPUS; i++)
		if (!vm->vcpus[i].used) {
			v = &vm->vcpus[i];
			v->used = true;
			v->fd = -1;
			break;
		}
	pthread_mutex_unlock(&w->lock);
	id = chance(&x->r, 70) ? (u64)(v ? v - vm->vcpus : 0) : rnd(&x->r, w->max_vcpus);
	op(x, "CREATE_VCPU", vmfd, id, 0, 0);
	fd = done(x, ioctl(vmfd, HVM_CREATE_VCPU, (unsigned long)id));
	expect_errs(x, fd, M(EBUSY) | M(EEXIST) | M(ENOMEM) | M(EMFILE) | M(ENFILE),
		    "HVM_CREATE_VCPU");
	if (fd < 0 || !v) {
		if (fd >= 0)
			close(fd);
		if (v) {
			pthread_mutex_lock(&w->lock);
			v->used = false;
			pthread_mutex_unlock(&w->lock);
		}
		return;
	}
	op(x, "mmap(vcpu)", fd, w->mmap_size, 0, 0);
	run = mmap(NULL, w->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	done(x, run == MAP_FAILED ? -1 : 0);
	if (run == MAP_FAILED) {
		expect_ok(x, -1, "mmap of a new vCPU fd");
		close(fd);
		pthread_mutex_lock(&w->lock);
		v->used = false;
		pthread_mutex_unlock(&w->lock);
		return;
	}
	pthread_mutex_lock(&w->lock);
	pthread_mutex_init(&v->lock, NULL);
	v->fd = fd;
	v->id = id;
	v->vs = (v - vm->vcpus) % NR_VCPU_SLOTS;
	v->run = run;
	v->mode = MODE_REAL;
	v->ready = true;
	pthread_mutex_unlock(&w->lock);
}

/* New guest code and the registers to run it. */
static void op_setup(struct ctx *x)
{
	struct world *w = x->w;
	struct fvm *vm;
	struct fvcpu *v = pick_vcpu(x, &vm);
	static const enum guest_mode modes[] = { MODE_REAL, MODE_PROT32, MODE_LONG, MODE_LONG };
	enum guest_mode mode = modes[rnd(&x->r, 4)];
	struct hvm_sregs s = { 0 };
	struct hvm_regs g;
	long r;
	int fd;

	if (!v)
		return;
	fd = v->fd;
	pthread_mutex_lock(&w->lock);
	if (vm->slots[0].used && vm->slots[0].state != MEM_RW && chance(&x->r, 60)) {
		/* Give the guest its memory back, or the program runs no code. */
		op(x, "mmap(FIXED slot0)", 0, SLOT0_SIZE, 0, 0);
		if (!done(x, mmap(vm->slot0, SLOT0_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0)) {
			memcpy(vm->slot0, vm->template, SLOT0_SIZE);
			vm->slots[0].state = MEM_RW;
		}
	}
	if (vm->slots[0].used && vm->slots[0].state == MEM_RW) {
		size_t n;

		/* tools/hvmfuzz/gen.c's gen_code() from this RNG state makes it again. */
		op(x, "gen_code", v->vs, mode, x->r.s, fd);
		n = gen_code(vm->slot0, v->vs, mode, &x->r, opt->allow_known);
		done(x, n);
		if (snap_of(x, vm, v)) {
			snap_of(x, vm, v)->mode = mode;
			memcpy(snap_of(x, vm, v)->code, vm->slot0 + CODE_GPA + v->vs * CODE_SIZE,
			       sizeof(snap_of(x, vm, v)->code));
		}

		memcpy(vm->template + CODE_GPA + v->vs * CODE_SIZE,
		       vm->slot0 + CODE_GPA + v->vs * CODE_SIZE, CODE_SIZE);
		atomic_fetch_add(&sh->guest_bytes, n);
	}
	pthread_mutex_unlock(&w->lock);
	op(x, "GET_SREGS", fd, 0, 0, 0);
	r = done(x, ioctl(fd, HVM_GET_SREGS, &s));
	expect_ok(x, r, "HVM_GET_SREGS");
	gen_sregs(&s, v->vs, mode);
	op(x, "SET_SREGS(mode)", fd, mode, s.cr0, s.efer);
	r = done(x, ioctl(fd, HVM_SET_SREGS, &s));
	expect_ok(x, r, "HVM_SET_SREGS of a valid state");
	if (r == 0)
		snap_sregs(x, vm, v, fd, &s);
	gen_regs(&g, v->vs, mode, &x->r);
	op(x, "SET_REGS", fd, g.rip, g.rsp, g.rflags);
	r = done(x, ioctl(fd, HVM_SET_REGS, &g));
	expect_ok(x, r, "HVM_SET_REGS");
	if (r == 0)
		snap_regs(x, vm, v, fd, &g);
	if (r == 0 && vm->slots[0].used && vm->slots[0].state == MEM_RW) {
		atomic_fetch_add(&sh->guest_programs, 1);
		atomic_store(&v->fresh_code, true);
	}
	if (chance(&x->r, 80) || !w->cpuid) {
		op(x, "SET_CPUID(host)", fd, w->cpuid->nent, 0, 0);
		expect_ok(x, done(x, ioctl(fd, HVM_SET_CPUID, w->cpuid)), "HVM_SET_CPUID of the host's table");
	}
	v->mode = mode;
}

static void sigusr1(int sig)
{
	(void)sig;
}

static void kick_arm(struct ctx *x, bool on)
{
	struct itimerspec its = { 0 };

	if (on) {
		its.it_value.tv_nsec = x->period_us * 1000l;
		its.it_interval = its.it_value;
	}
	timer_settime(x->timer, 0, &its, NULL);
}

static const char *exit_name(u32 reason)
{
	static const char *const names[] = {
		"UNKNOWN", "IO", "MMIO", "HYPERCALL", "HLT", "SHUTDOWN",
		"IRQ_WINDOW_OPEN", "FAIL_ENTRY", "INTERNAL_ERROR", "INTR", "EOI",
	};

	return reason < 11 ? names[reason] : "?";
}

static void op_run(struct ctx *x)
{
	struct fvm *vm;
	struct fvcpu *v = pick_vcpu(x, &vm);
	int i, n = 1 + rnd(&x->r, 16), fd;
	struct hvm_run *run, out;
	bool owner;

	if (!v || !v->run)
		return;
	fd = v->fd;
	run = v->run;
	owner = pthread_mutex_trylock(&v->lock) == 0;
	x->period_us = 1000 + rnd(&x->r, 20000);
	for (i = 0; i < n; i++) {
		bool ie = owner && chance(&x->r, 8), exclusive;
		u64 t0, dt, seq;
		int e, active;
		long r;

		if (owner) {
			run->immediate_exit = ie;
			run->request_interrupt_window = chance(&x->r, 15);
		}
		op(x, owner ? "RUN" : "RUN(shared)", fd, ie, run->request_interrupt_window,
		   x->period_us);
		active = atomic_fetch_add(&v->runs_active, 1);
		seq = atomic_fetch_add(&v->run_seq, 1) + 1;
		atomic_store(&sh->thr[x->t].run_period_us, x->period_us);
		t0 = now_ns();
		atomic_store(&sh->thr[x->t].run_since, t0);
		kick_arm(x, true);
		r = ioctl(fd, HVM_RUN, 0);
		e = errno;
		kick_arm(x, false);
		memcpy(&out, run, sizeof(out));
		atomic_store(&sh->thr[x->t].run_since, 0);
		dt = now_ns() - t0;
		exclusive = owner && !active && atomic_load(&v->run_seq) == seq &&
			    !x->w->fds_closed;
		atomic_fetch_sub(&v->runs_active, 1);
		errno = e;
		done(x, r);
		atomic_fetch_add(&sh->runs, 1);
		if (dt > opt->run_timeout * 1e9)
			finding(x, "HVM_RUN took %.1f s with a signal every %u us", dt / 1e9, x->period_us);
		if (r < 0) {
			if (e == EINTR) {
				atomic_fetch_add(&sh->runs_eintr, 1);
				atomic_fetch_add(&sh->exits[HVM_EXIT_INTR], 1);
				if (exclusive && out.exit_reason != HVM_EXIT_INTR)
					finding(x, "HVM_RUN: -EINTR with exit_reason %u", out.exit_reason);
				continue;
			}
			expect_errs(x, r, M(EINVAL) | M(EFAULT) | M(ENOMEM) | M(EBUSY), "HVM_RUN");
			break;
		}
		if (ie && exclusive)
			finding(x, "HVM_RUN with immediate_exit set returned 0 (exit %s)",
				exit_name(out.exit_reason));
		atomic_fetch_add(&sh->exits[out.exit_reason < 11 ? out.exit_reason : 15], 1);
		/* The guest ran (not a failed entry): its code counts as run. */
		if (out.exit_reason != HVM_EXIT_FAIL_ENTRY && out.exit_reason != HVM_EXIT_INTR &&
		    atomic_exchange(&v->fresh_code, false))
			atomic_fetch_add(&sh->guest_programs_run, 1);
		x->cur->arg[3] = out.exit_reason;
		if (!exclusive)
			continue;	/* the page may be another run's by now */
		switch (out.exit_reason) {
		case HVM_EXIT_IO: {
			u32 sz = out.io.size, cnt = out.io.count;

			if ((sz != 1 && sz != 2 && sz != 4) || out.io.direction > 1 ||
			    out.io.data_offset != HVM_RUN_IO_DATA_OFFSET || cnt == 0 ||
			    (u64)sz * cnt > HVM_RUN_IO_DATA_SIZE)
				finding(x, "HVM_EXIT_IO: size %u count %u direction %u data_offset %u",
					sz, cnt, out.io.direction, out.io.data_offset);
			else if (out.io.direction == HVM_EXIT_IO_IN)
				memset((u8 *)run + HVM_RUN_IO_DATA_OFFSET, rnd(&x->r, 256), sz * cnt);
			break;
		}
		case HVM_EXIT_MMIO: {
			u32 len = out.mmio.len;
			u64 d = gen_value(&x->r);

			if (len != 1 && len != 2 && len != 4 && len != 8)
				finding(x, "HVM_EXIT_MMIO: len %u at %#llx", len,
					(unsigned long long)out.mmio.phys_addr);
			else if (!out.mmio.is_write)
				memcpy(run->mmio.data, &d, 8);
			break;
		}
		case HVM_EXIT_HYPERCALL:
			run->hypercall.ret = gen_value(&x->r);
			break;
		case HVM_EXIT_EOI:	/* only vectors a LAPIC takes, only with one */
			if (out.eoi.vector < 16 || !vm->lapic)
				finding(x, "HVM_EXIT_EOI of vector %u (LAPIC %d)",
					out.eoi.vector, vm->lapic);
			break;
		case HVM_EXIT_HLT:
		case HVM_EXIT_IRQ_WINDOW_OPEN:
			if (chance(&x->r, 50)) {
				struct hvm_interrupt irq = { .vector = rnd(&x->r, 256) };

				op(x, "INTERRUPT", fd, irq.vector, 0, 0);
				expect_errs(x, done(x, ioctl(fd, HVM_INTERRUPT, &irq)), M(EBUSY),
					    "HVM_INTERRUPT");
			}
			break;
		case HVM_EXIT_SHUTDOWN:
		case HVM_EXIT_FAIL_ENTRY:
		case HVM_EXIT_INTERNAL_ERROR:
			if (out.exit_reason == HVM_EXIT_INTERNAL_ERROR &&
			    (out.internal.suberror < 1 || out.internal.suberror > 4 ||
			     out.internal.ndata > 6 || out.internal.insn_len > 15))
				finding(x, "HVM_EXIT_INTERNAL_ERROR: suberror %u ndata %u insn_len %u",
					out.internal.suberror, out.internal.ndata,
					out.internal.insn_len);
			if (chance(&x->r, 50))
				goto out;	/* run it again as it is, or set it up anew */
			break;
		default:
			finding(x, "HVM_RUN returned 0 with exit_reason %u", out.exit_reason);
			goto out;
		}
	}
out:
	if (owner)
		pthread_mutex_unlock(&v->lock);
}

/*
 * HVM_IOEVENTFD and HVM_SET_EOI_EXITS on a VM: registrations at the ports
 * and MMIO addresses the guest code writes to (gen.c), with random
 * lengths and datamatches, deassigns, arguments the ABI refuses, and EOI
 * bitmaps. The eventfd is closed at once: the registration keeps it.
 */
static void op_vm_events(struct ctx *x)
{
	static const u64 ports[] = { 0x10, 0x20, 0x40, 0x70, 0x80, 0xcf8, 0xcfc, 0x3f8, 0x99, 0x1000 };
	static const u64 gpas[] = { SLOT0_SIZE, 0xa0000, 0xb8000, 0xd0000000, 0xfec00000,
				    0xfee000b0, 0xfffffff0, 0x1000 };
	static const u32 lens[] = { 0, 1, 2, 4, 8 };
	struct fvm *vm = pick_vm(x);
	struct hvm_ioeventfd a = { 0 };
	struct hvm_eoi_exits e = { 0 };
	bool bad = false;
	int vmfd, efd, i;
	long r;

	if (!vm)
		return;
	vmfd = vm_fd(x, vm);
	if (chance(&x->r, 30)) {
		for (i = 0; i < 4; i++)
			e.bitmap[i] = chance(&x->r, 30) ? 0 : rng_next(&x->r);
		if (chance(&x->r, 85))
			e.bitmap[0] &= ~0xffffull;
		else
			bad = e.bitmap[0] & 0xffff;
		if (chance(&x->r, 5)) {
			e.flags = 1 + rnd(&x->r, 8);
			bad = true;
		}
		op(x, "SET_EOI_EXITS", vmfd, e.bitmap[0], e.bitmap[3], e.flags);
		r = done(x, ioctl(vmfd, HVM_SET_EOI_EXITS, &e));
		if (bad)
			expect_fail(x, r, M(EINVAL), "HVM_SET_EOI_EXITS with vectors 0-15 or flags");
		else
			expect_ok(x, r, "HVM_SET_EOI_EXITS");
		return;
	}
	a.flags = rnd(&x->r, 8);	/* DATAMATCH, PIO, DEASSIGN */
	a.len = lens[rnd(&x->r, 5)];
	if (a.flags & HVM_IOEVENTFD_FLAG_PIO)
		a.addr = ports[rnd(&x->r, sizeof(ports) / 8)] + rnd(&x->r, 4);
	else
		a.addr = gpas[rnd(&x->r, sizeof(gpas) / 8)] + rnd(&x->r, 16);
	if (a.flags & HVM_IOEVENTFD_FLAG_DATAMATCH)
		a.datamatch = chance(&x->r, 50) ? rnd(&x->r, 4) : gen_value(&x->r);
	if (chance(&x->r, 10)) {	/* something the ABI refuses */
		switch (rnd(&x->r, 4)) {
		case 0: a.flags |= 8u << rnd(&x->r, 29); break;
		case 1: a.reserved[rnd(&x->r, 2)] = 1 + rnd(&x->r, 100); break;
		case 2: a.len = 3 + rnd(&x->r, 4) * 2; break;
		default: a.addr = ~0ull - rnd(&x->r, 4); break;
		}
	}
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a.fd = (a.flags & HVM_IOEVENTFD_FLAG_DEASSIGN) && chance(&x->r, 70) ? -1 :
	       chance(&x->r, 5) ? vmfd : efd;
	op(x, "IOEVENTFD", vmfd, a.addr, a.len, a.flags);
	r = done(x, ioctl(vmfd, HVM_IOEVENTFD, &a));
	expect_errs(x, r, M(EINVAL) | M(EBADF) | M(EEXIST) | M(ENOSPC) | M(ENOENT) |
		    M(ENOMEM), "HVM_IOEVENTFD");
	if (efd >= 0)
		close(efd);
}

static void fill_random(struct rng *r, void *p, size_t n)
{
	u8 *b = p;

	while (n--)
		*b++ = rng_next(r);
}

static void op_state(struct ctx *x)
{
	struct world *w = x->w;
	struct fvm *vm;
	struct fvcpu *v = pick_vcpu(x, &vm);
	struct hvm_sregs s;
	struct hvm_regs g;
	long r;
	int fd, k;

	if (!v)
		return;
	fd = v->fd;
	k = rnd(&x->r, 10);
	/* See options.on_qemu: no segment state the kernel takes at random. */
	if (opt->on_qemu && (k == 2 || k == 3 || k == 5))
		k = 4;
	switch (k) {
	case 0:
		op(x, "GET_REGS", fd, 0, 0, 0);
		expect_ok(x, done(x, ioctl(fd, HVM_GET_REGS, &g)), "HVM_GET_REGS");
		break;
	case 1:				/* random registers */
		fill_random(&x->r, &g, sizeof(g));
		op(x, "SET_REGS(random)", fd, g.rip, g.rsp, g.rflags);
		r = done(x, ioctl(fd, HVM_SET_REGS, &g));
		expect_ok(x, r, "HVM_SET_REGS");
		if (r == 0)
			snap_regs(x, vm, v, fd, &g);
		break;
	case 2: case 3: {		/* a valid state with a few fields changed */
		int nf = 1 + rnd(&x->r, 3);

		memset(&s, 0, sizeof(s));
		op(x, "GET_SREGS", fd, 0, 0, 0);
		expect_ok(x, done(x, ioctl(fd, HVM_GET_SREGS, &s)), "HVM_GET_SREGS");
		gen_sregs(&s, v->vs, v->mode);
		for (k = 0; k < nf; k++) {
			struct hvm_segment *seg = &s.cs + rnd(&x->r, 8);

			switch (rnd(&x->r, 9)) {
			case 0: s.cr0 ^= 1ull << rnd(&x->r, 32); break;
			case 1: s.cr4 ^= 1ull << rnd(&x->r, 32); break;
			case 2: s.efer ^= 1ull << rnd(&x->r, 16); break;
			case 3: s.cr3 = gen_value(&x->r); break;
			case 4: seg->type = rnd(&x->r, 16); break;
			case 5: seg->selector = rng_next(&x->r); break;
			case 6: seg->base = gen_value(&x->r); break;
			case 7: seg->present = rnd(&x->r, 2); seg->l = rnd(&x->r, 2);
				seg->db = rnd(&x->r, 2); seg->dpl = rnd(&x->r, 4); break;
			default: s.cr8 = rnd(&x->r, 16); break;
			}
		}
		op(x, "SET_SREGS(mutated)", fd, s.cr0, s.cr4, s.efer);
		r = done(x, ioctl(fd, HVM_SET_SREGS, &s));
		expect_errs(x, r, M(EINVAL), "HVM_SET_SREGS");
		if (r == 0)
			snap_sregs(x, vm, v, fd, &s);
		break;
	}
	case 4: {			/* reserved or padding non-zero: -EINVAL */
		memset(&s, 0, sizeof(s));
		ioctl(fd, HVM_GET_SREGS, &s);
		switch (rnd(&x->r, 5)) {
		case 0: s.reserved[rnd(&x->r, 8)] = 1 + rnd(&x->r, 100); break;
		case 1: (&s.cs + rnd(&x->r, 8))->padding = 1 + rnd(&x->r, 255); break;
		case 2: s.idt.padding[rnd(&x->r, 3)] = 1 + rnd(&x->r, 100); break;
		case 3: s.cr8 = 16 + rnd(&x->r, 1000); break;
		default: s.cr0 |= 1ull << (32 + rnd(&x->r, 32)); break;
		}
		op(x, "SET_SREGS(reserved)", fd, s.cr0, s.cr8, 0);
		expect_fail(x, done(x, ioctl(fd, HVM_SET_SREGS, &s)), M(EINVAL),
			    "HVM_SET_SREGS with a reserved field set");
		break;
	}
	case 5: {			/* fully random sregs, reserved zero */
		fill_random(&x->r, &s, sizeof(s));
		memset(s.reserved, 0, sizeof(s.reserved));
		op(x, "SET_SREGS(random)", fd, s.cr0, s.cr4, s.efer);
		r = done(x, ioctl(fd, HVM_SET_SREGS, &s));
		expect_errs(x, r, M(EINVAL), "HVM_SET_SREGS");
		if (r == 0)
			snap_sregs(x, vm, v, fd, &s);
		break;
	}
	case 6: {			/* bad pointers */
		static const unsigned long cmds[] = {
			HVM_GET_REGS, HVM_SET_REGS, HVM_GET_SREGS, HVM_SET_SREGS,
			HVM_SET_CPUID, HVM_GET_MSRS, HVM_SET_MSRS, HVM_INTERRUPT,
		};
		unsigned long cmd = cmds[rnd(&x->r, 8)];
		u64 p = rnd(&x->r, 2) ? KERNEL_PTR : rnd(&x->r, 2) ? 0 : 0x1000 + rnd(&x->r, 0x1000);

		op(x, "bad pointer", fd, cmd, p, 0);
		expect_fail(x, done(x, ioctl(fd, cmd, (void *)(uintptr_t)p)), M(EFAULT),
			    "a vCPU ioctl with a bad pointer");
		break;
	}
	case 7: {			/* CPUID tables: random, too long, bad flags */
		u32 n = rnd(&x->r, 3) ? rnd(&x->r, 40) : 257 + rnd(&x->r, 10000);
		size_t sz = sizeof(struct hvm_cpuid) + (size_t)(n < 300 ? n : 1) * sizeof(struct hvm_cpuid_entry);
		struct hvm_cpuid *c = calloc(1, sz);
		u32 i;
		bool bad = false;

		if (!c)
			return;
		c->nent = n;
		for (i = 0; i < n && n < 300; i++) {
			c->entries[i].function = chance(&x->r, 50) ? rnd(&x->r, 0x20) :
						 0x80000000u + rnd(&x->r, 0x20);
			c->entries[i].index = rnd(&x->r, 4);
			c->entries[i].flags = chance(&x->r, 95) ? rnd(&x->r, 2) : 2 + rnd(&x->r, 100);
			c->entries[i].eax = rng_next(&x->r);
			c->entries[i].ebx = rng_next(&x->r);
			c->entries[i].ecx = rng_next(&x->r);
			c->entries[i].edx = rng_next(&x->r);
			if (chance(&x->r, 3))
				c->entries[i].reserved = 1;
			bad |= c->entries[i].flags > 1 || c->entries[i].reserved;
		}
		if (chance(&x->r, 5)) {
			c->flags = 1 + rnd(&x->r, 100);
			bad = true;
		}
		op(x, "SET_CPUID(random)", fd, n, c->flags, bad);
		r = done(x, ioctl(fd, HVM_SET_CPUID, c));
		if (c->flags)		/* checked first */
			expect_fail(x, r, M(EINVAL), "HVM_SET_CPUID with flags set");
		else if (n > 256)
			expect_fail(x, r, M(E2BIG) | M(EFAULT), "HVM_SET_CPUID with nent > max");
		else if (bad)
			expect_fail(x, r, M(EINVAL), "HVM_SET_CPUID with flags or reserved set");
		else
			expect_ok(x, r, "HVM_SET_CPUID");
		free(c);
		break;
	}
	default: {			/* MSRs */
		u32 n = rnd(&x->r, 4) ? 1 + rnd(&x->r, 8) : 257 + rnd(&x->r, 100);
		struct hvm_msrs *m = calloc(1, sizeof(*m) + 300 * sizeof(struct hvm_msr_entry));
		bool set = chance(&x->r, 50), resv = chance(&x->r, 5);
		u32 i;

		if (!m)
			return;
		m->nmsrs = n;
		for (i = 0; i < n && i < 300; i++) {
			m->entries[i].index = gen_msr_index(&x->r);
			m->entries[i].data = gen_value(&x->r);
		}
		if (resv)
			m->entries[rnd(&x->r, n < 300 ? n : 300)].reserved = 1;
		if (chance(&x->r, 3))
			m->padding = 1;
		op(x, set ? "SET_MSRS" : "GET_MSRS", fd, n, m->entries[0].index, m->entries[0].data);
		r = done(x, ioctl(fd, set ? HVM_SET_MSRS : HVM_GET_MSRS, m));
		if (m->padding)		/* checked first */
			expect_fail(x, r, M(EINVAL), "HVM_*_MSRS with padding set");
		else if (n > 256)
			expect_fail(x, r, M(E2BIG), "HVM_*_MSRS with nmsrs > max");
		else if (r > (long)n)
			finding(x, "HVM_%s_MSRS returned %ld for %u entries", set ? "SET" : "GET", r, n);
		else
			expect_errs(x, r, M(EINVAL), "HVM_*_MSRS");
		free(m);
		break;
	}
	}
	(void)w;
}

static void op_interrupt(struct ctx *x)
{
	struct fvm *vm;
	struct fvcpu *v = pick_vcpu(x, &vm);
	struct hvm_interrupt irq = { .vector = rnd(&x->r, 256) };
	bool bad = false;

	if (!v)
		return;
	if (chance(&x->r, 25)) {	/* LINT1: an NMI, an interrupt or nothing */
		unsigned long arg = chance(&x->r, 10) ? 1 + rnd(&x->r, 100) : 0;

		op(x, "NMI", v->fd, arg, 0, 0);
		if (arg)
			expect_fail(x, done(x, ioctl(v->fd, HVM_NMI, arg)), M(EINVAL),
				    "HVM_NMI with an argument");
		else
			expect_ok(x, done(x, ioctl(v->fd, HVM_NMI, 0)), "HVM_NMI");
		return;
	}
	if (chance(&x->r, 10)) {
		irq.vector = 256 + rnd(&x->r, 1u << 31);
		bad = true;
	} else if (chance(&x->r, 10)) {
		irq.flags = 1 + rnd(&x->r, 100);
		bad = true;
	}
	op(x, "INTERRUPT", v->fd, irq.vector, irq.flags, 0);
	if (bad)
		expect_fail(x, done(x, ioctl(v->fd, HVM_INTERRUPT, &irq)), M(EINVAL),
			    "HVM_INTERRUPT with vector > 255 or flags set");
	else
		expect_errs(x, done(x, ioctl(v->fd, HVM_INTERRUPT, &irq)), M(EBUSY), "HVM_INTERRUPT");
}

/* ---- MSIs and irqfds ---------------------------------------------------- */

/*
 * A valid MSI: fixed, lowest priority or NMI to any destination; INIT and
 * SIPI only to APIC IDs no vCPU has (the fuzzer's vCPUs must not be parked).
 */
static void gen_msi(struct ctx *x, struct hvm_msi *m)
{
	static const u8 modes[] = { 0, 1, 4, 5, 6 };
	u8 dm = modes[rnd(&x->r, 5)];
	u32 dest = rnd(&x->r, 256);

	if (dm >= 5)
		dest = 0x80 + rnd(&x->r, 0x7f);
	*m = (struct hvm_msi){
		.address_lo = 0xfee00000u | dest << 12 |
			      (dm < 5 ? (u32)rnd(&x->r, 4) << 2 : 0),
		.data = (u32)dm << 8 | (u32)rnd(&x->r, 256) |
			(u32)rnd(&x->r, 4) << 14,
	};
}

/* Breaks one rule of HVM_SIGNAL_MSI's; all of them are -EINVAL. */
static void break_msi(struct ctx *x, struct hvm_msi *m)
{
	static const u8 bad_modes[] = { 2, 3, 7 };

	switch (rnd(&x->r, 6)) {
	case 0:
		m->address_lo = rnd(&x->r, 2) ? (u32)rng_next(&x->r) & ~0x00100000u :
			0xfee00000u | (1u << (4 + rnd(&x->r, 8))) | (u32)rnd(&x->r, 4);
		if ((m->address_lo & 0xfff00000u) == 0xfee00000u)
			m->address_lo |= 1u << (4 + rnd(&x->r, 8));
		break;
	case 1:
		m->address_hi = 1 + (u32)rnd(&x->r, 0xffffffffu);
		break;
	case 2:
		m->data |= rnd(&x->r, 2) ? 1u << (16 + rnd(&x->r, 16)) :
			1u << (11 + rnd(&x->r, 3));
		break;
	case 3:
		m->data = (m->data & ~0x700u) | (u32)bad_modes[rnd(&x->r, 3)] << 8;
		break;
	case 4:
		m->flags = 1 + (u32)rnd(&x->r, 100);
		break;
	default:
		m->reserved[rnd(&x->r, 4)] = 1 + (u32)rnd(&x->r, 100);
		break;
	}
}

static void op_msi(struct ctx *x)
{
	struct fvm *vm = pick_vm(x);
	struct hvm_msi m;
	bool bad = chance(&x->r, 30);
	long r;
	int fd;

	if (!vm)
		return;
	fd = vm_fd(x, vm);
	gen_msi(x, &m);
	if (bad)
		break_msi(x, &m);
	op(x, "SIGNAL_MSI", fd, m.address_lo, m.data, m.address_hi);
	r = done(x, ioctl(fd, HVM_SIGNAL_MSI, &m));
	if (bad)
		expect_fail(x, r, M(EINVAL), "HVM_SIGNAL_MSI with a rule broken");
	else if (!vm->lapic)	/* a late HVM_CREATE_LAPIC may have given one */
		expect_errs(x, r, M(ENXIO), "HVM_SIGNAL_MSI without a LAPIC");
	else if (r > MAX_VCPUS && !x->w->fds_closed)
		finding(x, "HVM_SIGNAL_MSI reached %ld vCPUs of at most %d", r, MAX_VCPUS);
	else
		expect_ok(x, r, "HVM_SIGNAL_MSI");
}

/* The eventfds bound (or not) by op_irqfd, shared by the threads. */
#define MAX_EFDS	8
static int efds[MAX_EFDS] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static pthread_mutex_t efds_lock = PTHREAD_MUTEX_INITIALIZER;

static long irqfd_call(struct ctx *x, int vmfd, int efd, u32 flags,
		       const struct hvm_msi *m, const char *name)
{
	struct hvm_irqfd a = { .fd = efd, .flags = flags, .msi = *m };

	op(x, name, vmfd, efd, flags, m->data);
	return done(x, ioctl(vmfd, HVM_IRQFD, &a));
}

/*
 * Binds, updates, signals, deassigns and closes eventfds of either VM, in
 * any order with the VMs' own closes; and every bad argument.
 */
static void op_irqfd(struct ctx *x)
{
	struct fvm *vm = pick_vm(x);
	int k = rnd(&x->r, MAX_EFDS), efd, vmfd;
	/* Another thread may close a kept eventfd, or reuse its number. */
	u64 racy = M(EBADF) | M(EINVAL) | M(ENOENT) | M(EBUSY);
	struct hvm_msi m;
	u64 one = 1;
	long r;

	if (!vm)
		return;
	vmfd = vm_fd(x, vm);
	gen_msi(x, &m);
	pthread_mutex_lock(&efds_lock);
	efd = efds[k];
	if (efd < 0) {
		efd = efds[k] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		pthread_mutex_unlock(&efds_lock);
		r = irqfd_call(x, vmfd, efd, 0, &m, "IRQFD(assign)");
		expect_errs(x, r, M(EBUSY) | M(ENOSPC) | M(ENOMEM) | M(ENXIO) | racy,
			    "HVM_IRQFD assign");
		return;
	}
	pthread_mutex_unlock(&efds_lock);
	switch (rnd(&x->r, 8)) {
	case 0:
		op(x, "write(eventfd)", efd, 1, 0, 0);
		done(x, write(efd, &one, 8));
		break;
	case 1:
		r = irqfd_call(x, vmfd, efd, HVM_IRQFD_FLAG_UPDATE, &m, "IRQFD(update)");
		expect_errs(x, r, M(ENXIO) | racy, "HVM_IRQFD update");
		break;
	case 2:
		r = irqfd_call(x, vmfd, efd, HVM_IRQFD_FLAG_DEASSIGN, &m, "IRQFD(deassign)");
		expect_errs(x, r, M(ENXIO) | racy, "HVM_IRQFD deassign");
		break;
	case 3:		/* closed while bound (POLLHUP) */
		pthread_mutex_lock(&efds_lock);
		if (efds[k] == efd) {
			efds[k] = -1;
			op(x, "close(eventfd)", efd, 0, 0, 0);
			done(x, close(efd));
		}
		pthread_mutex_unlock(&efds_lock);
		break;
	case 4:
		r = irqfd_call(x, vmfd, efd, 0, &m, "IRQFD(again)");
		expect_errs(x, r, M(EBUSY) | M(ENXIO) | M(ENOSPC) | racy, "HVM_IRQFD assign");
		break;
	case 5:
		break_msi(x, &m);
		r = irqfd_call(x, vmfd, efd, rnd(&x->r, 2) ? HVM_IRQFD_FLAG_UPDATE : 0, &m,
			       "IRQFD(bad msi)");
		expect_fail(x, r, M(EINVAL), "HVM_IRQFD with a bad MSI");
		break;
	case 6:
		r = irqfd_call(x, vmfd, efd, (rnd(&x->r, 2) ? 3u : 1u << (2 + rnd(&x->r, 30))),
			       &m, "IRQFD(bad flags)");
		expect_fail(x, r, M(EINVAL), "HVM_IRQFD with bad flags");
		break;
	default:	/* not an eventfd, or no fd at all */
		r = irqfd_call(x, vmfd, rnd(&x->r, 2) ? x->w->sys : -1 - (int)rnd(&x->r, 5),
			       0, &m, "IRQFD(bad fd)");
		expect_fail(x, r, M(EINVAL) | M(EBADF) | M(ENXIO),
			    "HVM_IRQFD with an fd that is no eventfd");
		break;
	}
}

static void op_mmap_vcpu(struct ctx *x)
{
	struct fvm *vm;
	struct fvcpu *v = pick_vcpu(x, &vm);
	size_t ps = 4096;
	void *p;

	if (!v)
		return;
	switch (rnd(&x->r, 3)) {
	case 0:
		op(x, "mmap(vcpu)", v->fd, ps, 0, 0);
		p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		done(x, p == MAP_FAILED ? -1 : 0);
		if (p == MAP_FAILED)
			expect_ok(x, -1, "mmap of a vCPU fd");
		else
			munmap(p, ps);
		break;
	case 1:
		op(x, "mmap(vcpu, offset)", v->fd, ps, ps, 0);
		p = mmap(NULL, ps, PROT_READ, MAP_SHARED, v->fd, ps * (1 + rnd(&x->r, 4)));
		done(x, p == MAP_FAILED ? -1 : 0);
		if (p != MAP_FAILED) {
			if (!x->w->fds_closed)
				finding(x, "mmap of a vCPU fd at a non-zero offset succeeded");
			munmap(p, ps);
		}
		break;
	default:
		op(x, "mmap(vcpu, big)", v->fd, 2 * ps, 0, 0);
		p = mmap(NULL, ps * (2 + rnd(&x->r, 4)), PROT_READ, MAP_SHARED, v->fd, 0);
		done(x, p == MAP_FAILED ? -1 : 0);
		if (p != MAP_FAILED) {
			if (!x->w->fds_closed)
				finding(x, "mmap of a vCPU fd beyond its size succeeded");
			munmap(p, ps * 2);
		}
		break;
	}
}

/* ---- fd lifetimes ------------------------------------------------------- */

static void op_close(struct ctx *x)
{
	struct world *w = x->w;
	struct fvm *vm;
	int fd = -1;

	if (chance(&x->r, 70)) {
		struct fvcpu *v = pick_vcpu(x, &vm);

		if (!v)
			return;
		pthread_mutex_lock(&w->lock);
		if (v->fd >= 0) {
			w->fds_closed = true;
			fd = v->fd;
			/* The run page stays mapped: it holds the file. */
			v->fd = -1;
		}
		pthread_mutex_unlock(&w->lock);
		op(x, "close(vcpu)", fd, v->id, 0, 0);
	} else {
		vm = pick_vm(x);
		if (!vm)
			return;
		pthread_mutex_lock(&w->lock);
		if (vm->fd >= 0) {
			w->fds_closed = true;
			fd = vm->fd;
			vm->fd = -1;
		}
		pthread_mutex_unlock(&w->lock);
		op(x, "close(vm)", fd, 0, 0, 0);
	}
	if (fd >= 0)
		done(x, close(fd));
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char b = 'x';
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char b;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* A vCPU or VM fd through SCM_RIGHTS; maybe it takes the original's place. */
static void op_scm(struct ctx *x)
{
	struct world *w = x->w;
	struct fvm *vm;
	struct fvcpu *v = pick_vcpu(x, &vm);
	int sv[2], nfd, fd;
	struct hvm_regs g;

	if (!v)
		return;
	fd = v->fd;
	if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return;
	op(x, "SCM_RIGHTS(vcpu)", fd, 0, 0, 0);
	nfd = -1;
	if (send_fd(sv[0], fd) == 0)
		nfd = recv_fd(sv[1]);
	done(x, nfd);
	/* In flight when the socket closes: the kernel must drop it. */
	if (chance(&x->r, 30))
		send_fd(sv[0], rnd(&x->r, 2) ? fd : w->sys);
	close(sv[0]);
	close(sv[1]);
	if (nfd < 0)
		return;
	op(x, "GET_REGS(received)", nfd, 0, 0, 0);
	expect_ok(x, done(x, ioctl(nfd, HVM_GET_REGS, &g)), "HVM_GET_REGS on a received vCPU fd");
	pthread_mutex_lock(&w->lock);
	if (chance(&x->r, 50) && v->fd == fd) {
		w->fds_closed = true;
		v->fd = nfd;
		nfd = fd;		/* close the original instead */
	}
	pthread_mutex_unlock(&w->lock);
	close(nfd);
}

/* fork: the child may not use its parent's VM (-EINVAL), but its own. */
static void op_fork(struct ctx *x)
{
	struct world *w = x->w;
	struct fvm *vm;
	struct fvcpu *v = pick_vcpu(x, &vm);
	int vcpu_fd = v ? v->fd : -1, vmfd = v ? vm_fd(x, vm) : -1;
	sigset_t set, old;
	u64 t0;
	pid_t pid;
	int st;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	op(x, "fork", vcpu_fd, vmfd, 0, 0);
	pid = fork();
	if (pid == 0) {
		struct hvm_regs g;
		char msg[256];
		int r1 = -1, e1 = 0, r2 = -1, e2 = 0, r3 = -1, e3 = 0, vfd;
		/* This copy of the flag is exact: a later close is not in our table. */
		bool strict = !w->fds_closed;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (vcpu_fd >= 0) {
			r1 = ioctl(vcpu_fd, HVM_RUN, 0);
			e1 = errno;
			r2 = ioctl(vcpu_fd, HVM_GET_REGS, &g);
			e2 = errno;
		}
		if (vmfd >= 0) {
			r3 = ioctl(vmfd, HVM_CREATE_VCPU, 7);
			e3 = errno;
		}
		if (strict && ((vcpu_fd >= 0 && (r1 >= 0 || e1 != EINVAL || r2 >= 0 || e2 != EINVAL)) ||
			       (vmfd >= 0 && (r3 >= 0 || e3 != EINVAL)))) {
			int n = snprintf(msg, sizeof(msg),
					 "# FINDING: program seed %#llx: a forked child used its parent's VM: "
					 "RUN %d/%d GET_REGS %d/%d CREATE_VCPU %d/%d (want -1/%d)\n",
					 (unsigned long long)sh->prog_seed, r1, e1, r2, e2, r3, e3, EINVAL);
			atomic_fetch_add(&sh->findings, 1);
			if (write(1, msg, n) < 0)
				_exit(3);
		}
		/* A VM of its own, which dies with it. */
		vfd = ioctl(w->sys, HVM_CREATE_VM, 0);
		if (vfd >= 0)
			ioctl(vfd, HVM_CREATE_VCPU, 0);
		_exit(0);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	done(x, pid);
	if (pid < 0)
		return;
	t0 = now_ns();
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_ns() - t0 > 10e9) {
			finding(x, "a forked child did not end within 10 s");
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(1000);
	}
}

/* ---- the program -------------------------------------------------------- */

struct weighted {
	void (*fn)(struct ctx *x);
	int w0, wn;	/* weight for thread 0, for the others */
};

static const struct weighted ops[] = {
	{ op_sys, 3, 3 },
	{ op_create_vm, 3, 1 },
	{ op_region, 4, 4 },
	{ op_churn, 3, 10 },
	{ op_create_vcpu, 6, 3 },
	{ op_setup, 12, 6 },
	{ op_run, 25, 20 },
	{ op_state, 8, 8 },
	{ op_interrupt, 2, 2 },
	{ op_msi, 2, 2 },
	{ op_irqfd, 2, 2 },
	{ op_vm_events, 2, 2 },
	{ op_mmap_vcpu, 1, 1 },
	{ op_close, 1, 1 },
	{ op_scm, 1, 1 },
	{ op_fork, 1, 1 },
};

static void *thread_main(void *arg)
{
	struct ctx *x = arg;
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1 };
	int total = 0, i, k;

	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &x->timer)) {
		perror("hvmfuzz: timer_create");
		_exit(2);
	}
	for (i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++)
		total += x->t ? ops[i].wn : ops[i].w0;
	for (k = 0; k < opt->ops_per_thread && now_s() < x->w->deadline; k++) {
		int pickw = rnd(&x->r, total);

		for (i = 0; pickw >= (x->t ? ops[i].wn : ops[i].w0); i++)
			pickw -= x->t ? ops[i].wn : ops[i].w0;
		ops[i].fn(x);
	}
	timer_delete(x->timer);
	return NULL;
}

static struct hvm_cpuid *host_cpuid(u32 limit)
{
	struct hvm_cpuid *c = calloc(1, sizeof(*c) + limit * sizeof(struct hvm_cpuid_entry));
	static const u32 bases[] = { 0, 0x80000000u };
	u32 max, leaf, sub, i;

	if (!c)
		return NULL;
	for (i = 0; i < 2; i++) {
		u32 base = bases[i], a, b, cx, d;

		asm volatile("cpuid" : "=a"(max), "=b"(b), "=c"(cx), "=d"(d) : "a"(base), "c"(0));
		if (max > base + 0x3f)
			max = base + 0x3f;
		for (leaf = base; leaf <= max; leaf++) {
			bool sig = leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd || leaf == 0x1f;

			for (sub = 0; sub < (sig ? 4u : 1u) && c->nent < limit; sub++) {
				struct hvm_cpuid_entry *e = &c->entries[c->nent++];

				asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(cx), "=d"(d)
					     : "a"(leaf), "c"(sub));
				*e = (struct hvm_cpuid_entry){ .function = leaf, .index = sub,
							       .flags = sig, .eax = a, .ebx = b,
							       .ecx = cx, .edx = d };
			}
		}
	}
	return c;
}

int run_program(u64 seed)
{
	static struct world w;
	struct ctx ctx[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	struct sigaction sa = { .sa_handler = sigusr1 };	/* no SA_RESTART */
	struct rng r = { seed };
	int t;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.lock, NULL);
	w.sys = open("/dev/hvm", O_RDWR | O_CLOEXEC);
	if (w.sys < 0) {
		perror("hvmfuzz: /dev/hvm");
		return 2;
	}
	w.mmap_size = ioctl(w.sys, HVM_GET_VCPU_MMAP_SIZE, 0);
	w.max_vcpus = ioctl(w.sys, HVM_CHECK_CAP, HVM_CAP_MAX_VCPUS);
	w.nr_slots = ioctl(w.sys, HVM_CHECK_CAP, HVM_CAP_NR_MEMSLOTS);
	w.phys_bits = ioctl(w.sys, HVM_CHECK_CAP, HVM_CAP_GUEST_PHYS_BITS);
	w.vendor = ioctl(w.sys, HVM_CHECK_CAP, HVM_CAP_VENDOR);
	if (w.nr_slots <= MAX_SLOTS || w.phys_bits < 32 || w.phys_bits > 52 || !w.max_vcpus) {
		printf("# hvmfuzz: unexpected capabilities: %u slots, %u phys bits, %u vCPUs\n",
		       w.nr_slots, w.phys_bits, w.max_vcpus);
		return 2;
	}
	w.cpuid = host_cpuid(ioctl(w.sys, HVM_CHECK_CAP, HVM_CAP_MAX_CPUID_ENTRIES));
	w.deadline = now_s() + opt->prog_seconds;

	for (t = 0; t < opt->threads; t++) {
		ctx[t] = (struct ctx){ .t = t, .w = &w };
		ctx[t].r.s = mix64(seed ^ (0x9e3779b97f4a7c15ull * (t + 1)));
	}
	/* Thread 0 starts with a VM and a vCPU, so most programs run guests. */
	op_create_vm(&ctx[0]);
	op_create_vcpu(&ctx[0]);
	op_setup(&ctx[0]);
	for (t = 1; t < opt->threads; t++)
		if (pthread_create(&th[t], NULL, thread_main, &ctx[t])) {
			perror("hvmfuzz: pthread_create");
			return 2;
		}
	thread_main(&ctx[0]);
	for (t = 1; t < opt->threads; t++)
		pthread_join(th[t], NULL);
	atomic_fetch_or(&sh->stage, 1);
	/* Half the programs leave the closing to exit(). */
	if (chance(&r, 50)) {
		int i, j;

		for (i = 0; i < MAX_VMS; i++)
			for (j = 0; j < MAX_VCPUS; j++)
				if (w.vms[i].vcpus[j].used && w.vms[i].vcpus[j].fd >= 0)
					close(w.vms[i].vcpus[j].fd);
		for (i = 0; i < MAX_VMS; i++)
			if (w.vms[i].used && w.vms[i].fd >= 0)
				close(w.vms[i].fd);
	}
	return 0;
}
