/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmfuzz: a seeded fuzzer of hvm's ABI (uapi/hvm.h) and of its guests.
 *
 * The parent (main.c) runs programs one after another; each program runs in
 * a forked child (prog.c) with K threads that make random operations on
 * /dev/hvm, VM and vCPU fds and on guest memory, and run random guest code
 * (gen.c). What the parent must see after a child dies lives in a MAP_SHARED
 * mapping made before the fork: counters and each thread's ring of its last
 * operations.
 */
#ifndef HVMFUZZ_H
#define HVMFUZZ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvm.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define MAX_THREADS	8
#define RING_SIZE	64
#define NR_EXIT_SLOTS	16	/* exit reasons 0..10; 15: out of range */

/* Known hvm bugs whose generators stay off unless --allow-known names them. */
#define KNOWN_HVM13_1	(1u << 0)	/* #DB/#AC delivery loops: DR7, EFLAGS.AC */

#define RET_RUNNING	INT64_MIN

/* One operation in a thread's ring. */
struct op_rec {
	char name[24];
	u64 arg[4];
	s64 ret;		/* -errno on failure, RET_RUNNING until it returns */
	u64 seq;		/* 0: slot unused */
};

struct thread_state {
	struct op_rec ring[RING_SIZE];
	_Atomic u64 nops;
	/* CLOCK_MONOTONIC ns at which the current HVM_RUN began, 0 if none. */
	_Atomic u64 run_since;
	_Atomic u32 run_period_us;	/* the kick signal's period in that run */
};

/* What was last set on a vCPU, for a finding about it (a stuck HVM_RUN). */
struct vcpu_snap {
	s64 fd;			/* 0: unused */
	u32 mode;		/* enum guest_mode of the last code */
	struct hvm_sregs sregs;
	struct hvm_regs regs;
	u8 code[48];		/* the first bytes of its code buffer */
};

#define NR_SNAPS	12

struct shared {
	u64 prog_seed;
	_Atomic u64 ops, runs, exits[NR_EXIT_SLOTS], findings;
	_Atomic u64 runs_eintr, guest_bytes;
	_Atomic u64 guest_programs, guest_programs_run;	/* random guest code images */
	_Atomic u32 stage;		/* bit 0: child reached its end */
	struct thread_state thr[MAX_THREADS + 1];	/* last one: fork children */
	struct vcpu_snap snap[NR_SNAPS];	/* by VM * 6 + vCPU entry */
};

struct options {
	u64 seed;
	u64 programs;		/* 0: no limit */
	double seconds;		/* 0: no limit */
	int threads;
	u32 allow_known;
	int ops_per_thread;	/* per program */
	double prog_seconds;	/* per program */
	double run_timeout;	/* seconds an HVM_RUN may take: a finding after */
	int kill_pct;		/* % of programs the parent SIGKILLs at a random time */
	bool verbose;
	/*
	 * The CPU is QEMU's (the labs: its model name says QEMU), whose TCG
	 * SVM 7.2 dies on some guest states hardware handles: a guest MOV to
	 * CR8 with a virtual interrupt pending (helper_write_crN calls
	 * cpu_interrupt() without the iothread lock) and segment states such
	 * as a 16-bit TSS in TR at CPL 3 (cpu_abort "invalid tss type").
	 * Then: no MOV to CR8, no random or mutated sregs the kernel accepts.
	 */
	bool on_qemu;
	bool tap;
};

extern struct shared *sh;
extern const struct options *opt;

/* Random numbers: splitmix64 state per thread. */
struct rng {
	u64 s;
};
u64 rng_next(struct rng *r);
static inline u64 rnd(struct rng *r, u64 n) { return n ? rng_next(r) % n : 0; }
static inline bool chance(struct rng *r, unsigned int pct) { return rnd(r, 100) < pct; }
u64 mix64(u64 x);

u64 now_ns(void);

/* The child: runs one program, returns its exit status. */
int run_program(u64 seed);

/* Prints one thread's ring (oldest first) to stdout. */
void print_ring(int t);
void print_all_rings(void);
/* Prints what was last set on the vCPU behind fd. */
void print_snap(s64 fd);

/* gen.c: guest memory layout and code. */
#define SLOT0_SIZE	0x40000ul	/* 256 KiB at guest-physical 0 */
#define IVT_GPA		0x0
#define ZERO_DT_GPA	0x500
#define HANDLER16_GPA	0x600
#define HANDLER32_GPA	0x700
#define HANDLER64_GPA	0x800
#define GDT_GPA		0x1000
#define IDT64_GPA	0x2000
#define IDT32_GPA	0x3000
#define TSS_GPA		0x4000
#define PML4_GPA	0x5000
#define PDPT_GPA	0x6000
#define PD_GPA		0x7000	/* 4 pages: 0-4 GiB in 2 MiB pages */
#define CODE_GPA	0x10000	/* + 0x1000 per vCPU slot (4) */
#define DATA_GPA	0x14000
#define STACK_GPA	0x18000	/* + 0x2000 per vCPU slot, top of each */
#define CODE_SIZE	0x1000
#define NR_VCPU_SLOTS	4

#define SEL_CODE32	0x08
#define SEL_DATA32	0x10
#define SEL_CODE64	0x18
#define SEL_DATA64	0x20
#define SEL_CODE16	0x28
#define SEL_TSS		0x30
#define SEL_UCODE64	0x40
#define SEL_UDATA	0x48
#define GDT_LIMIT	(0x50 - 1)

enum guest_mode { MODE_REAL = 16, MODE_PROT32 = 32, MODE_LONG = 64 };

/* Writes the fixed tables (IVT, GDT, IDTs, TSS, page tables, handlers). */
void gen_tables(u8 *slot0, struct rng *r);
/* Random guest code for vCPU slot vs in mode, written at CODE_GPA + vs * 0x1000. */
size_t gen_code(u8 *slot0, int vs, enum guest_mode mode, struct rng *r, u32 allow_known);
/* Register state to enter that code. */
void gen_sregs(struct hvm_sregs *s, int vs, enum guest_mode mode);
void gen_regs(struct hvm_regs *g, int vs, enum guest_mode mode, struct rng *r);
/* An MSR index: interesting ones, x2APIC, random. */
u32 gen_msr_index(struct rng *r);
/* A value: 0, ~0, one bit, small, APIC-base-like, random. */
u64 gen_value(struct rng *r);

#endif
