// SPDX-License-Identifier: GPL-2.0
/*
 * hvmbench: the same micro-benchmarks on /dev/hvm and /dev/kvm, through the
 * VMM library's accelerator interface (tools/lib/vmm/accel.h, vmctl's too),
 * with the same guest bytes (bench/guest.S) and the same VMM code.
 *
 * Output: CSV rows "metric,accel,value,unit,reps,count,min,max" (value is
 * the median of reps repetitions of count operations each) and a human
 * table in "#" lines; with --tap, TAP lines instead of CSV rows.
 *
 * Invoked under a name ending in "_test" (build/selftests/bench_smoke_test,
 * a copy of this binary that the lab runs like a selftest), it behaves as
 * "hvmbench --quick --tap --accel hvm".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm/accel.h"

#define MiB		(1ull << 20)
#define PAGE		4096ull

/* Guest-physical layout of every 64-bit guest (slot 0: 2 MiB at 0). */
#define SLOT0_SIZE	(2 * MiB)
#define CODE_GPA	0x1000ull
#define PML4_GPA	0x2000ull
#define PDPT_GPA	0x3000ull
#define PD_GPA		0x4000ull	/* 4 pages: 0..4 GiB in 2 MiB pages */
#define GDT_GPA		0x8000ull
#define TSS_GPA		0x9000ull
#define STACK_TOP	(SLOT0_SIZE - PAGE)
#define MMIO_GPA	0xd0000000ull	/* no slot: MMIO */
#define TOUCH_GPA	0x40000000ull	/* slot 1 of the first-touch guest */
#define TOUCH_SIZE	(256 * MiB)

#define HC_NR		12		/* KVM_HC_MAP_GPA_RANGE */
#define PIO_PORT	0x10
#define MAX_CPUID	256
#define MAX_REPS	101

extern const unsigned char guest_cpuid_start[], guest_cpuid_end[];
extern const unsigned char guest_pio_start[], guest_pio_end[];
extern const unsigned char guest_mmio_start[], guest_mmio_end[];
extern const unsigned char guest_hypercall_start[], guest_hypercall_end[];
extern const unsigned char guest_hypercall_insn[];
extern const unsigned char guest_touch_start[], guest_touch_end[];
extern const unsigned char guest_real_hlt_start[], guest_real_hlt_end[];

struct bench {
	struct accel accel;
	const struct accel_ops *ops;
	const char *name;		/* the accelerator's */
	bool quick, tap, intel, verbose;
	const char *metric;		/* the one being measured */
	int reps;
	struct x86_cpuid_entry cpuid[MAX_CPUID];
	unsigned int ncpuid;
	char note[256];			/* a remark about the last metric */
	const char *rename;		/* the metric measured something else */
};

struct guest {
	struct accel_vm vm;
	struct accel_vcpu *vcpu;
	unsigned char *mem;		/* slot 0 */
	bool has_vm, has_vcpu;
};

struct metric;
typedef int (*measure_fn)(struct bench *b, const struct metric *m,
			  uint64_t count, double *vals, int n);

struct metric {
	const char *name;
	const char *unit;
	const char *what;
	measure_fn measure;
	uint64_t count, quick_count;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- guests ----------------------------------------------------------- */

static int fail_exit(struct bench *b, const char *what,
		     const struct accel_exit *e)
{
	fprintf(stderr, "hvmbench: %s: %s: unexpected exit %s (%s exit_reason %u, "
		"code %#llx)%s%s\n", b->name, what, accel_exit_name(e->reason),
		b->name, e->raw_reason, (unsigned long long)e->hw_reason,
		e->detail[0] ? ": " : "", e->detail);
	return -EPROTO;
}

static int fail(struct bench *b, const char *what, int err)
{
	fprintf(stderr, "hvmbench: %s: %s: %s\n", b->name, what,
		strerror(-err));
	return err;
}

/* --verbose: the accelerator's own counters for this guest, if it has any. */
static void print_stats(struct bench *b, struct guest *g, const char *when)
{
	char buf[512];

	if (!b->verbose)
		return;
	if (accel_vcpu_stats(g->vcpu, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), " (%s keeps no counters)", b->name);
	printf("# stats: %s on %s, %s:%s\n", b->metric, b->name, when, buf);
}

static void *alloc_mem(uint64_t size, bool huge_ok)
{
	/* 2 MiB aligned, so that transparent huge pages can back it. */
	uint64_t len = size + 2 * MiB;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
	unsigned char *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (unsigned char *)(((uintptr_t)p + 2 * MiB - 1) & ~(uintptr_t)(2 * MiB - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, (p + len) - (a + size));
	if (!huge_ok)	/* else the host's policy (Debian: THP always) */
		madvise(a, size, MADV_NOHUGEPAGE);
	return a;
}

static void guest_free(struct bench *b, struct guest *g)
{
	(void)b;
	if (g->has_vcpu)
		accel_vcpu_destroy(g->vcpu);
	if (g->has_vm)
		accel_vm_destroy(&g->vm);
	if (g->mem)
		munmap(g->mem, SLOT0_SIZE);
	memset(g, 0, sizeof(*g));
}

/*
 * Flat 64-bit state: CS = 0x08 (64-bit code), DS/ES/SS/FS/GS = 0x10 (flat
 * data), TR = 0x18 (64-bit busy TSS at TSS_GPA), no LDT, paging with CR3,
 * CR0 = PE|MP|ET|NE|WP|PG, CR4 = PAE, EFER = LME|LMA. The GDT at GDT_GPA
 * holds those descriptors (the guest never reloads them, but they are
 * what the hidden parts say).
 */
static int set_long_mode(struct accel_vcpu *vcpu, uint64_t rsi)
{
	const struct x86_segment data = {
		.limit = 0xffffffff, .selector = 0x10, .type = 3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct x86_regs regs = {
		.rip = CODE_GPA, .rsp = STACK_TOP, .rsi = rsi, .rflags = 2,
	};
	struct x86_sregs s;
	int r;

	r = accel_vcpu_get_sregs(vcpu, &s);
	if (r)
		return r;
	s.cs = (struct x86_segment){
		.limit = 0xffffffff, .selector = 0x08, .type = 0xb,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.tr = (struct x86_segment){
		.base = TSS_GPA, .limit = 0x67, .selector = 0x18,
		.type = 0xb, .present = 1,
	};
	s.ldt = (struct x86_segment){ .type = 2, .unusable = 1 };
	s.gdt = (struct x86_dtable){ .base = GDT_GPA, .limit = 5 * 8 - 1 };
	s.idt = (struct x86_dtable){ .base = 0, .limit = 0 };
	s.cr0 = 0x80050033;	/* PG WP NE ET MP PE */
	s.cr2 = 0;
	s.cr3 = PML4_GPA;
	s.cr4 = 0x20;		/* PAE */
	s.cr8 = 0;
	s.efer = 0x500;		/* LMA LME */
	r = accel_vcpu_set_sregs(vcpu, &s);
	return r ? r : accel_vcpu_set_regs(vcpu, &regs);
}

/* Real mode from RESET state, but CS = cs (base cs << 4), IP = ip. */
static int set_real_mode(struct accel_vcpu *vcpu, uint16_t cs, uint16_t ip)
{
	struct x86_regs regs = { .rip = ip, .rflags = 2 };
	struct x86_sregs s;
	int r;

	r = accel_vcpu_get_sregs(vcpu, &s);
	if (r)
		return r;
	s.cs.selector = cs;
	s.cs.base = (uint64_t)cs << 4;
	r = accel_vcpu_set_sregs(vcpu, &s);
	return r ? r : accel_vcpu_set_regs(vcpu, &regs);
}

/* RIP and RDI: a guest program's entry and its count. */
static int set_rip_rdi(struct accel_vcpu *vcpu, uint64_t rip, uint64_t rdi)
{
	struct x86_regs regs;
	int r;

	r = accel_vcpu_get_regs(vcpu, &regs);
	if (r)
		return r;
	regs.rip = rip;
	regs.rdi = rdi;
	return accel_vcpu_set_regs(vcpu, &regs);
}

/*
 * A 64-bit guest: slot 0 with the program at CODE_GPA, page tables that
 * map 0..4 GiB 1:1 in 2 MiB pages, a GDT and a TSS; the vCPU starts at
 * the program with RSI = rsi and the host's CPUID table.
 */
static int guest_create64(struct bench *b, struct guest *g,
			  const unsigned char *start, const unsigned char *end,
			  uint64_t rsi)
{
	uint64_t *pml4, *pdpt, *pd, *gdt;
	int i, r;

	memset(g, 0, sizeof(*g));
	g->mem = alloc_mem(SLOT0_SIZE, false);
	if (!g->mem)
		return fail(b, "mmap", -ENOMEM);
	pml4 = (uint64_t *)(g->mem + PML4_GPA);
	pdpt = (uint64_t *)(g->mem + PDPT_GPA);
	pd = (uint64_t *)(g->mem + PD_GPA);
	gdt = (uint64_t *)(g->mem + GDT_GPA);
	pml4[0] = PDPT_GPA | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + i * PAGE) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (uint64_t)i * 2 * MiB | 0x83;	/* P RW PS */
	gdt[1] = 0x00af9b000000ffffull;			/* 0x08: 64-bit code */
	gdt[2] = 0x00cf93000000ffffull;			/* 0x10: data */
	gdt[3] = 0x67 | (TSS_GPA & 0xffffff) << 16 | 0x8bull << 40; /* busy TSS */
	gdt[4] = 0;
	memcpy(g->mem + CODE_GPA, start, end - start);
	if (start == guest_hypercall_start && b->intel) {
		/* VMCALL instead of VMMCALL */
		g->mem[CODE_GPA + (guest_hypercall_insn - start) + 2] = 0xc1;
	}

	r = accel_vm_create(&b->accel, &g->vm);
	if (r)
		return fail(b, "create VM", r);
	g->has_vm = true;
	r = accel_vm_set_memory(&g->vm, 0, 0, SLOT0_SIZE, g->mem);
	if (r)
		return fail(b, "add memory", r);
	r = accel_vcpu_create(&g->vm, 0, &g->vcpu);
	if (r)
		return fail(b, "create vCPU", r);
	g->has_vcpu = true;
	r = accel_vcpu_set_cpuid(g->vcpu, b->cpuid, b->ncpuid);
	if (r)
		return fail(b, "set CPUID", r);
	r = set_long_mode(g->vcpu, rsi);
	if (r)
		return fail(b, "set 64-bit state", r);
	return 0;
}

/*
 * Runs the program from its start with RDI = count to its HLT; every exit
 * on the way must be "expect" (with its details right). Returns the
 * nanoseconds it took in *ns, the exits to userspace in *exits.
 */
static int run_program(struct bench *b, struct guest *g, uint64_t count,
		       int expect, uint64_t *exits, double *ns)
{
	struct accel_exit e;
	uint64_t n = 0;
	double t0;
	int r;

	r = set_rip_rdi(g->vcpu, CODE_GPA, count);
	if (r)
		return fail(b, "set RIP", r);
	t0 = now_ns();
	for (;;) {
		r = accel_vcpu_run(g->vcpu, &e);
		if (r)
			return fail(b, "run", r);
		if (e.reason == ACCEL_EXIT_HLT)
			break;
		if ((int)e.reason != expect)
			return fail_exit(b, "guest loop", &e);
		switch (e.reason) {
		case ACCEL_EXIT_IO:
			if (e.io.port != PIO_PORT || !e.io.out || e.io.size != 1)
				return fail_exit(b, "port I/O details", &e);
			break;
		case ACCEL_EXIT_MMIO:
			if (e.mmio.addr != MMIO_GPA || !e.mmio.write || e.mmio.len != 4)
				return fail_exit(b, "MMIO details", &e);
			break;
		case ACCEL_EXIT_HYPERCALL:
			if (e.hypercall.nr != HC_NR)
				return fail_exit(b, "hypercall number", &e);
			*e.hypercall.ret = 0;	/* RAX on the way back */
			break;
		default:
			break;
		}
		n++;
	}
	*ns = now_ns() - t0;
	*exits = n;
	return 0;
}

/* ---- metrics ---------------------------------------------------------- */

/* A guest loop of count exits, run warm once, then n times. */
static int measure_loop(struct bench *b, const unsigned char *start,
			const unsigned char *end, uint64_t rsi, int expect,
			uint64_t count, double *vals, int n, bool *user_exits)
{
	struct guest g;
	uint64_t exits;
	double ns;
	int i, r;

	r = guest_create64(b, &g, start, end, rsi);
	if (!r && expect == ACCEL_EXIT_HYPERCALL) {
		r = accel_vm_enable_hypercall_exit(&g.vm);
		if (r == -EOPNOTSUPP) {
			*user_exits = false;
			expect = -1;
			r = 0;
		} else if (r) {
			fail(b, "enable hypercall exits", r);
		}
	}
	if (!r)	/* warm-up */
		r = run_program(b, &g, count / 10 + 1, expect, &exits, &ns);
	for (i = 0; !r && i < n; i++) {
		r = run_program(b, &g, count, expect, &exits, &ns);
		if (!r && expect >= 0 && exits != count) {
			fprintf(stderr, "hvmbench: %s: %llu exits to userspace, "
				"expected %llu\n", b->name,
				(unsigned long long)exits, (unsigned long long)count);
			r = -EPROTO;
		}
		vals[i] = ns / count;
	}
	if (!r)
		print_stats(b, &g, "after all runs (warm-up included)");
	guest_free(b, &g);
	return r;
}

static int m_cpuid(struct bench *b, const struct metric *m, uint64_t count,
		   double *vals, int n)
{
	bool u;

	(void)m;
	return measure_loop(b, guest_cpuid_start, guest_cpuid_end, 0, -1,
			    count, vals, n, &u);
}

static int m_pio(struct bench *b, const struct metric *m, uint64_t count,
		 double *vals, int n)
{
	bool u;

	(void)m;
	return measure_loop(b, guest_pio_start, guest_pio_end, 0, ACCEL_EXIT_IO,
			    count, vals, n, &u);
}

static int m_mmio(struct bench *b, const struct metric *m, uint64_t count,
		  double *vals, int n)
{
	bool u;

	(void)m;
	return measure_loop(b, guest_mmio_start, guest_mmio_end, MMIO_GPA,
			    ACCEL_EXIT_MMIO, count, vals, n, &u);
}

/*
 * The MMIO loop with an ioeventfd on MMIO_GPA (4 bytes, any value): every
 * write is completed in the kernel and signals the eventfd, so the only
 * exit to userspace is the final HLT (run_program fails on any other),
 * and the eventfd must have counted every write.
 */
static int m_ioeventfd(struct bench *b, const struct metric *m, uint64_t count,
		       double *vals, int n)
{
	struct accel_ioeventfd io = { .addr = MMIO_GPA, .len = 4 };
	uint64_t exits, total = 0, signalled = 0;
	struct guest g;
	double ns;
	int i, r;

	(void)m;
	io.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io.efd < 0)
		return fail(b, "eventfd", -errno);
	r = guest_create64(b, &g, guest_mmio_start, guest_mmio_end, MMIO_GPA);
	if (!r) {
		r = accel_vm_ioeventfd(&g.vm, &io, false);
		if (r)
			fail(b, "register the ioeventfd", r);
	}
	if (!r) {	/* warm-up */
		r = run_program(b, &g, count / 10 + 1, -1, &exits, &ns);
		total += count / 10 + 1;
	}
	for (i = 0; !r && i < n; i++) {
		r = run_program(b, &g, count, -1, &exits, &ns);
		total += count;
		vals[i] = ns / count;
	}
	if (!r && (read(io.efd, &signalled, sizeof(signalled)) != sizeof(signalled) ||
		   signalled != total)) {
		fprintf(stderr, "hvmbench: %s: the eventfd counted %llu writes of %llu\n",
			b->name, (unsigned long long)signalled,
			(unsigned long long)total);
		r = -EPROTO;
	}
	if (!r)
		print_stats(b, &g, "after all runs (warm-up included)");
	guest_free(b, &g);
	close(io.efd);
	return r;
}

static int m_hypercall(struct bench *b, const struct metric *m, uint64_t count,
		       double *vals, int n)
{
	bool user = true;
	int r;

	(void)m;
	r = measure_loop(b, guest_hypercall_start, guest_hypercall_end, 0,
			 ACCEL_EXIT_HYPERCALL, count, vals, n, &user);
	if (!r && !user) {
		snprintf(b->note, sizeof(b->note),
			 "%s cannot hand hypercall %d to userspace: measured its "
			 "in-kernel answer (-ENOSYS) instead", b->name, HC_NR);
		b->rename = "hypercall_in_kernel";
	}
	return r;
}

/* First touch of fresh memory: a new VM per repetition, only its run timed. */
static int touch(struct bench *b, uint64_t pages, bool huge_ok, double *vals,
		 int n)
{
	uint64_t size = pages * PAGE, exits;
	int i, r = 0;

	for (i = -1; !r && i < n; i++) {	/* i == -1: warm-up, 2 MiB */
		uint64_t sz = i < 0 ? 2 * MiB : size;
		struct guest g;
		void *mem;
		double ns;

		r = guest_create64(b, &g, guest_touch_start, guest_touch_end,
				   TOUCH_GPA);
		mem = r ? NULL : alloc_mem(sz, huge_ok);
		if (!r && !mem)
			r = fail(b, "mmap", -ENOMEM);
		if (!r) {
			r = accel_vm_set_memory(&g.vm, 1, TOUCH_GPA, sz, mem);
			if (r)
				fail(b, "add memory", r);
		}
		if (!r)
			r = run_program(b, &g, sz / PAGE, -1, &exits, &ns);
		if (!r && i >= 0)
			vals[i] = ns / 1e6;
		if (!r && i == n - 1)
			print_stats(b, &g, "the last repetition");
		guest_free(b, &g);
		if (mem)
			munmap(mem, sz);
	}
	return r;
}

static int m_touch(struct bench *b, const struct metric *m, uint64_t count,
		   double *vals, int n)
{
	(void)m;
	return touch(b, count, false, vals, n);
}

static int m_touch_thp(struct bench *b, const struct metric *m, uint64_t count,
		       double *vals, int n)
{
	(void)m;
	return touch(b, count, true, vals, n);
}

#define NR_PHASES	7
static const char *const phase_names[NR_PHASES] = {
	"create_vm", "add_memory", "create_vcpu", "set_real_mode", "run",
	"destroy_vcpu", "destroy_vm",
};

/* Adds the time since *t to phase[p] (if phase) and restarts *t. */
static void phase_end(double *phase, int p, double *t)
{
	double now;

	if (!phase)
		return;
	now = now_ns();
	phase[p] += now - *t;
	*t = now;
}

/*
 * One cycle: create VM + memory + vCPU, real mode, run to HLT, destroy.
 * With phase != NULL, adds each step's nanoseconds to phase[].
 */
static int lifecycle(struct bench *b, unsigned char *mem, double *phase)
{
	struct accel_vm vm;
	struct accel_vcpu *vcpu;
	struct accel_exit e;
	double t = phase ? now_ns() : 0;
	int r;

	r = accel_vm_create(&b->accel, &vm);
	if (r)
		return fail(b, "create VM", r);
	phase_end(phase, 0, &t);
	r = accel_vm_set_memory(&vm, 0, 0, 64 * 1024, mem);
	if (r) {
		accel_vm_destroy(&vm);
		return fail(b, "add memory", r);
	}
	phase_end(phase, 1, &t);
	r = accel_vcpu_create(&vm, 0, &vcpu);
	if (r) {
		accel_vm_destroy(&vm);
		return fail(b, "create vCPU", r);
	}
	phase_end(phase, 2, &t);
	r = set_real_mode(vcpu, 0, CODE_GPA);
	if (r)
		fail(b, "set real mode", r);
	phase_end(phase, 3, &t);
	if (!r) {
		r = accel_vcpu_run(vcpu, &e);
		if (r)
			fail(b, "run", r);
		else if (e.reason != ACCEL_EXIT_HLT)
			r = fail_exit(b, "first exit", &e);
	}
	phase_end(phase, 4, &t);
	accel_vcpu_destroy(vcpu);
	phase_end(phase, 5, &t);
	accel_vm_destroy(&vm);
	phase_end(phase, 6, &t);
	return r;
}

static int m_lifecycle(struct bench *b, const struct metric *m, uint64_t count,
		       double *vals, int n)
{
	unsigned char *mem = alloc_mem(64 * 1024, false);
	uint64_t j;
	int i, r = 0;

	(void)m;
	if (!mem)
		return fail(b, "mmap", -ENOMEM);
	memset(mem, 0, 64 * 1024);
	memcpy(mem + CODE_GPA, guest_real_hlt_start,
	       guest_real_hlt_end - guest_real_hlt_start);
	for (j = 0; !r && j < count / 10 + 1; j++)	/* warm-up */
		r = lifecycle(b, mem, NULL);
	for (i = 0; !r && i < n; i++) {
		double t0 = now_ns();

		for (j = 0; !r && j < count; j++)
			r = lifecycle(b, mem, NULL);
		vals[i] = (now_ns() - t0) / count / 1e3;
	}
	if (!r && b->verbose) {	/* once more, timing each step */
		double phase[NR_PHASES] = { 0 };

		for (j = 0; !r && j < count; j++)
			r = lifecycle(b, mem, phase);
		printf("# phases: %s on %s, us per cycle:", b->metric, b->name);
		for (i = 0; i < NR_PHASES; i++)
			printf(" %s=%.1f", phase_names[i], phase[i] / count / 1e3);
		printf("\n");
	}
	munmap(mem, 64 * 1024);
	return r;
}

/*
 * Counts: in the QEMU lab (-icount shift=0: 1 ns per instruction) all
 * metrics take about 40 s of emulated time on kvm (most of it kvm's VM
 * teardown waiting on timers) and 7 s on hvm; each exit round trip costs
 * about 28 us of wall time there, hence the modest loop counts (icount
 * makes them repeat to 4-5 digits anyway).
 */
static const struct metric metrics[] = {
	{ "cpuid_exit", "ns", "CPUID exit handled in the kernel, per round trip",
	  m_cpuid, 50000, 2000 },
	{ "pio_exit", "ns", "port-I/O OUT exit to userspace and back",
	  m_pio, 20000, 1000 },
	{ "mmio_exit", "ns", "MMIO write exit to userspace and back",
	  m_mmio, 20000, 1000 },
	{ "ioeventfd_exit", "ns", "MMIO write completed in the kernel by an ioeventfd",
	  m_ioeventfd, 20000, 1000 },
	{ "hypercall_exit", "ns", "hypercall exit to userspace and back",
	  m_hypercall, 20000, 1000 },
	{ "touch_256m_4k", "ms", "first touch of 256 MiB, 4 KiB host pages (total)",
	  m_touch, TOUCH_SIZE / PAGE, 4 * MiB / PAGE },
	{ "touch_256m_thp", "ms", "first touch of 256 MiB, host THP policy (total)",
	  m_touch_thp, TOUCH_SIZE / PAGE, 4 * MiB / PAGE },
	{ "vm_lifecycle", "us", "VM + vCPU created, run to first exit, destroyed",
	  m_lifecycle, 200, 10 },
};
#define NR_METRICS	(int)(sizeof(metrics) / sizeof(metrics[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(FILE *f)
{
	int i;

	fprintf(f,
		"usage: hvmbench [--accel hvm|kvm] [--quick] [--tap] [--reps N]\n"
		"                [--scale D] [--only METRIC[,METRIC...]] [--verbose]\n"
		"Runs each metric N times (5; --quick: once, with small counts) on\n"
		"/dev/hvm (default) or /dev/kvm and prints the median as CSV\n"
		"(metric,accel,value,unit,reps,count,min,max) and a table in '#' lines;\n"
		"--tap prints TAP instead of CSV; --verbose adds the accelerator's own\n"
		"counters ('# stats:', kvm only) and vm_lifecycle's steps ('# phases:').\n"
		"--scale D divides the loop counts by D (not the 256 MiB touched), for\n"
		"slow emulators.\n"
		"Exit status: 0, 1 on a failure, 4 when the device is missing.\n"
		"Metrics:\n");
	for (i = 0; i < NR_METRICS; i++)
		fprintf(f, "  %-16s %s (%s)\n", metrics[i].name, metrics[i].what,
			metrics[i].unit);
}

static bool selected(const char *only, const char *name)
{
	size_t len = strlen(name);
	const char *p = only;

	if (!only)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "accel", required_argument, NULL, 'a' },
		{ "quick", no_argument, NULL, 'q' },
		{ "tap", no_argument, NULL, 't' },
		{ "reps", required_argument, NULL, 'r' },
		{ "scale", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct bench b;
	const char *base = strrchr(argv[0], '/'), *only = NULL;
	double results[NR_METRICS][3];
	uint64_t counts[NR_METRICS];
	char notes[NR_METRICS][256];
	const char *names[NR_METRICS];
	int ok[NR_METRICS], i, c, r, failed = 0, ntests = 0, scale = 1;
	size_t blen;

	base = base ? base + 1 : argv[0];
	blen = strlen(base);
	b.ops = &accel_hvm_ops;
	b.reps = 5;
	if (blen > 5 && !strcmp(base + blen - 5, "_test")) {
		b.quick = true;
		b.tap = true;
	}
	while ((c = getopt_long(argc, argv, "a:qtr:s:o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!strcmp(optarg, "hvm")) {
				b.ops = &accel_hvm_ops;
			} else if (!strcmp(optarg, "kvm")) {
				b.ops = &accel_kvm_ops;
			} else {
				usage(stderr);
				return 2;
			}
			break;
		case 'q':
			b.quick = true;
			break;
		case 't':
			b.tap = true;
			break;
		case 's':
			scale = atoi(optarg);
			if (scale < 1 || scale > 1000) {
				fprintf(stderr, "hvmbench: --scale 1..1000\n");
				return 2;
			}
			break;
		case 'r':
			b.reps = atoi(optarg);
			if (b.reps < 1 || b.reps > MAX_REPS) {
				fprintf(stderr, "hvmbench: --reps 1..%d\n", MAX_REPS);
				return 2;
			}
			break;
		case 'o':
			only = optarg;
			break;
		case 'v':
			b.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (b.quick)
		b.reps = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	b.name = accel_name(b.ops);
	r = accel_open(&b.accel, b.ops);
	if (r) {
		if (b.tap)
			printf("TAP version 13\n1..0 # SKIP /dev/%s: %s\n",
			       b.name, strerror(-r));
		else
			fprintf(stderr, "hvmbench: /dev/%s: %s\n", b.name,
				strerror(-r));
		return r == -ENOENT || r == -ENODEV || r == -ENXIO ? 4 : 1;
	}
	/* Each accelerator's supported table, as vmctl starts from (a VMM's usual). */
	b.intel = cpuid_host_is_intel();
	r = accel_supported_cpuid(&b.accel, b.cpuid, MAX_CPUID);
	if (r < 0) {
		fprintf(stderr, "hvmbench: %s: cannot read the supported CPUID: %s\n",
			b.name, strerror(-r));
		return 1;
	}
	b.ncpuid = (unsigned int)r;

	for (i = 0; i < NR_METRICS; i++)
		ntests += selected(only, metrics[i].name);
	if (b.tap)
		printf("TAP version 13\n1..%d\n", ntests);
	else
		printf("metric,accel,value,unit,reps,count,min,max\n");

	ntests = 0;
	for (i = 0; i < NR_METRICS; i++) {
		const struct metric *m = &metrics[i];
		double vals[MAX_REPS];

		ok[i] = -1;
		if (!selected(only, m->name))
			continue;
		counts[i] = b.quick ? m->quick_count : m->count;
		if (m->measure != m_touch && m->measure != m_touch_thp)
			counts[i] = counts[i] / scale ? counts[i] / scale : 1;
		b.note[0] = 0;
		b.rename = NULL;
		b.metric = m->name;
		r = m->measure(&b, m, counts[i], vals, b.reps);
		snprintf(notes[i], sizeof(notes[i]), "%s", b.note);
		names[i] = b.rename ? b.rename : m->name;
		ok[i] = !r;
		ntests++;
		if (r) {
			failed++;
			if (b.tap)
				printf("not ok %d - %s on %s: %s\n", ntests, names[i],
				       b.name, strerror(-r));
			continue;
		}
		qsort(vals, b.reps, sizeof(vals[0]), cmp_double);
		results[i][0] = vals[b.reps / 2];
		if (!(b.reps & 1))
			results[i][0] = (vals[b.reps / 2 - 1] + vals[b.reps / 2]) / 2;
		results[i][1] = vals[0];
		results[i][2] = vals[b.reps - 1];
		if (notes[i][0])
			printf("# note: %s: %s\n", names[i], notes[i]);
		if (b.tap)
			printf("ok %d - %s on %s: %.1f %s (%s; %llu per run)\n",
			       ntests, names[i], b.name, results[i][0], m->unit,
			       m->what, (unsigned long long)counts[i]);
		else
			printf("%s,%s,%.2f,%s,%d,%llu,%.2f,%.2f\n", names[i],
			       b.name, results[i][0], m->unit, b.reps,
			       (unsigned long long)counts[i], results[i][1],
			       results[i][2]);
	}

	printf("# hvmbench on %s (%s host), median of %d repetition%s%s\n",
	       b.name, b.intel ? "Intel" : "AMD", b.reps,
	       b.reps > 1 ? "s" : "", b.quick ? ", --quick counts" : "");
	printf("# %-16s %12s %-4s %12s %12s %9s  %s\n", "metric", "median", "unit",
	       "min", "max", "count", "what");
	for (i = 0; i < NR_METRICS; i++) {
		if (ok[i] != 1)
			continue;
		printf("# %-16s %12.1f %-4s %12.1f %12.1f %9llu  %s\n",
		       names[i], results[i][0], metrics[i].unit,
		       results[i][1], results[i][2],
		       (unsigned long long)counts[i], metrics[i].what);
	}
	accel_close(&b.accel);
	return failed ? 1 : 0;
}
