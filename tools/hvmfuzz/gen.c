// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code for hvmfuzz: the fixed tables of slot 0 (see hvmfuzz.h for the
 * layout) and random code in real mode, 32-bit protected mode (flat, no
 * paging) and long mode (identity map of 0-4 GiB in 2 MiB pages): random
 * bytes mixed with templates that reach hvm's exits and in-kernel devices.
 */
#include <string.h>

#include "hvmfuzz.h"

struct cbuf {
	u8 *p;
	size_t n, cap;
	u64 base;		/* guest-physical address of p[0] */
	enum guest_mode mode;
};

static void e8(struct cbuf *c, u8 b)
{
	if (c->n < c->cap)
		c->p[c->n++] = b;
}

static void eN(struct cbuf *c, u64 v, int bytes)
{
	while (bytes--) {
		e8(c, v & 0xff);
		v >>= 8;
	}
}

static void ebytes(struct cbuf *c, const u8 *b, size_t n)
{
	while (n--)
		e8(c, *b++);
}

#define EMIT(c, ...) do { static const u8 __b[] = { __VA_ARGS__ }; ebytes(c, __b, sizeof(__b)); } while (0)

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

/* mov $imm32, %reg32 (zero-extends in long mode). */
static void mov_r32(struct cbuf *c, int reg, u32 imm)
{
	if (c->mode == MODE_REAL)
		e8(c, 0x66);
	e8(c, 0xb8 + reg);
	eN(c, imm, 4);
}

/* mov $imm64, %reg64 in long mode, else the low 32 bits. */
static void mov_r64(struct cbuf *c, int reg, u64 imm)
{
	if (c->mode != MODE_LONG) {
		mov_r32(c, reg, (u32)imm);
		return;
	}
	e8(c, 0x48);
	e8(c, 0xb8 + reg);
	eN(c, imm, 8);
}

/* mov $imm16, %reg16 */
static void mov_r16(struct cbuf *c, int reg, u16 imm)
{
	if (c->mode != MODE_REAL)
		e8(c, 0x66);
	e8(c, 0xb8 + reg);
	eN(c, imm, 2);
}

/* Operand-size prefix for a 32-bit operation. */
static void o32(struct cbuf *c)
{
	if (c->mode == MODE_REAL)
		e8(c, 0x66);
}

static void o16(struct cbuf *c)
{
	if (c->mode != MODE_REAL)
		e8(c, 0x66);
}

/*
 * Points the "pointer register" at gpa: %rbx in 32/64-bit mode, DS:BX in
 * real mode. Returns the ModRM r/m (with mod 00) that names it.
 */
static u8 point_at(struct cbuf *c, u64 gpa)
{
	if (c->mode == MODE_REAL) {
		gpa &= 0xfffff;
		mov_r16(c, RAX, (u16)(gpa >> 4));
		EMIT(c, 0x8e, 0xd8);		/* mov %ax, %ds */
		mov_r16(c, RBX, gpa & 0xf);
		return 7;			/* [bx] */
	}
	mov_r64(c, RBX, gpa);
	return 3;				/* [rbx] / [ebx] */
}

/* A load or store of size bytes at gpa, through %eax (several encodings). */
static void mem_access(struct cbuf *c, struct rng *r, u64 gpa, int size, bool write)
{
	u8 rm = point_at(c, gpa), modrm = rm;	/* reg = eax */

	if (size == 8 && c->mode != MODE_LONG)
		size = 4;
	if (write && chance(r, 25)) {
		mov_r32(c, RAX, (u32)rng_next(r));
		if (chance(r, 50)) {		/* mov $imm, (mem) */
			switch (size) {
			case 1: e8(c, 0xc6); e8(c, modrm); e8(c, rng_next(r)); return;
			case 2: o16(c); e8(c, 0xc7); e8(c, modrm); eN(c, rng_next(r), 2); return;
			default:
				if (size == 8)
					e8(c, 0x48);
				else
					o32(c);
				e8(c, 0xc7); e8(c, modrm); eN(c, rng_next(r), 4); return;
			}
		}
	}
	if (!write && chance(r, 20)) {		/* movzx / movsx */
		o32(c);
		e8(c, 0x0f);
		e8(c, (chance(r, 50) ? 0xb6 : 0xbe) + (size >= 2));
		e8(c, modrm);
		return;
	}
	switch (size) {
	case 1: e8(c, write ? 0x88 : 0x8a); break;
	case 2: o16(c); e8(c, write ? 0x89 : 0x8b); break;
	case 4: o32(c); e8(c, write ? 0x89 : 0x8b); break;
	default: e8(c, 0x48); e8(c, write ? 0x89 : 0x8b); break;
	}
	e8(c, modrm);
}

/* The operand-size prefixes of a size-byte operation (not 1). */
static void osize(struct cbuf *c, int size)
{
	if (size == 2)
		o16(c);
	else if (size == 4)
		o32(c);
	else if (size == 8)
		e8(c, 0x48);
}

/*
 * A read-modify-write, compare or bit test, XCHG/CMPXCHG, or MOVS/STOS
 * of size bytes at gpa: the forms hvm's MMIO emulator executes besides
 * MOV (a read exit, then a write exit). Sometimes LOCK, which some of
 * them take and the others #UD on.
 */
static void mem_rmw(struct cbuf *c, struct rng *r, u64 gpa, int size)
{
	u8 rm = point_at(c, gpa), reg = rnd(r, 8) << 3;
	bool byte = size == 1;

	if (size == 8 && c->mode != MODE_LONG)
		size = 4;
	if (c->mode != MODE_REAL && chance(r, 15)) {	/* MOVS / STOS, maybe REP */
		mov_r64(c, RDI, gpa);
		mov_r32(c, RSI, DATA_GPA + rnd(r, 0x100));
		mov_r32(c, RCX, rnd(r, 4));
		if (chance(r, 60))
			e8(c, 0xf3);
		osize(c, size);
		e8(c, (chance(r, 50) ? 0xa4 : 0xaa) + !byte);
		return;
	}
	mov_r32(c, RCX, (u32)rng_next(r));	/* a bit offset, a source */
	if (chance(r, 20))
		e8(c, 0xf0);
	if (!byte)
		osize(c, size);
	switch (rnd(r, 7)) {
	case 0:		/* ADD..CMP with a register, either direction */
		e8(c, rnd(r, 8) << 3 | (chance(r, 30) ? 2 : 0) | !byte);
		e8(c, rm | reg);
		break;
	case 1:		/* group 1 with an immediate */
		e8(c, byte ? 0x80 : chance(r, 50) ? 0x83 : 0x81);
		e8(c, rm | reg);
		eN(c, rng_next(r), byte || chance(r, 50) ? 1 : size == 2 ? 2 : 4);
		break;
	case 2:		/* TEST, XCHG */
		e8(c, (chance(r, 50) ? 0x84 : 0x86) + !byte);
		e8(c, rm | reg);
		break;
	case 3:		/* TEST with an immediate */
		e8(c, 0xf6 + !byte);
		e8(c, rm);
		eN(c, rng_next(r), byte ? 1 : size == 2 ? 2 : 4);
		break;
	case 4:		/* INC, DEC */
		e8(c, 0xfe + !byte);
		e8(c, rm | (chance(r, 50) ? 0x08 : 0));
		break;
	case 5:		/* BT, BTS, BTR, BTC: register or immediate offset */
		e8(c, 0x0f);
		if (chance(r, 50)) {
			e8(c, 0xa3 + (rnd(r, 4) << 3));
			e8(c, rm | reg);
		} else {
			e8(c, 0xba);
			e8(c, rm | (4 + rnd(r, 4)) << 3);
			e8(c, rng_next(r));
		}
		break;
	default:	/* CMPXCHG */
		e8(c, 0x0f);
		e8(c, 0xb0 + !byte);
		e8(c, rm | reg);
		break;
	}
}

static const u32 interesting_msrs[] = {
	0x10, 0x1b, 0x3a, 0x3b, 0x48, 0x49, 0x8b, 0xfe, 0x174, 0x175, 0x176,
	0x179, 0x17a, 0x1a0, 0x1d9, 0x200, 0x201, 0x250, 0x277, 0x2ff, 0x6e0,
	0x802, 0x803, 0x808, 0x80b, 0x80d, 0x80f, 0x828, 0x830, 0x832, 0x835,
	0x836, 0x837, 0x838, 0x839, 0x83e, 0x83f, 0x8ff,
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0010010,
	0xc0010015, 0xc0010114, 0xc0010117, 0xc0011029, 0x4b564d00,
	0x40000000, 0xffffffff,
};

u32 gen_msr_index(struct rng *r)
{
	switch (rnd(r, 4)) {
	case 0: return interesting_msrs[rnd(r, sizeof(interesting_msrs) / 4)];
	case 1: return 0x800 + rnd(r, 0x100);	/* x2APIC */
	case 2: return (u32)rng_next(r);
	default: return interesting_msrs[rnd(r, sizeof(interesting_msrs) / 4)] + rnd(r, 3);
	}
}

u64 gen_value(struct rng *r)
{
	switch (rnd(r, 8)) {
	case 0: return 0;
	case 1: return ~0ull;
	case 2: return 1ull << rnd(r, 64);
	case 3: return rnd(r, 0x100);
	case 4: return 0xfee00000 | (rnd(r, 4) << 10);	/* APIC base-like */
	case 5: return (u32)rng_next(r);
	default: return rng_next(r);
	}
}

/* An address no slot 0 page backs: MMIO to userspace (or the xAPIC page). */
static u64 mmio_gpa(struct cbuf *c, struct rng *r)
{
	static const u64 spots[] = {
		SLOT0_SIZE, 0xa0000, 0xb8000, 0xfffff, 0xd0000000, 0xfebff000,
		0xfec00000, 0xfee00000, 0xfee00300, 0xfee00ffc, 0xfffffff0,
	};
	u64 a;

	if (chance(r, 50))
		a = spots[rnd(r, sizeof(spots) / 8)] + rnd(r, 16);
	else if (c->mode == MODE_REAL)
		a = SLOT0_SIZE + rnd(r, 0x100000 - SLOT0_SIZE);
	else if (c->mode == MODE_PROT32 || chance(r, 80))
		a = SLOT0_SIZE + rnd(r, 0x100000000ull - SLOT0_SIZE);
	else
		a = rng_next(r) & 0x0000fffffffffff8ull;	/* above 4 GiB: #PF */
	return a;
}

static void t_pio(struct cbuf *c, struct rng *r)
{
	static const u16 ports[] = { 0x10, 0x20, 0x21, 0x40, 0x43, 0x60, 0x64, 0x70,
				     0x71, 0x80, 0xcf8, 0xcfc, 0x3f8, 0x3fd, 0xf4, 0x1000 };
	u16 port = chance(r, 60) ? ports[rnd(r, 16)] : (u16)rng_next(r);
	bool in = chance(r, 50);
	int size = 1 << rnd(r, 3);

	if (chance(r, 30) && port < 0x100) {	/* in/out imm8 */
		if (size == 2)
			o16(c);
		else if (size == 4)
			o32(c);
		e8(c, (in ? 0xe4 : 0xe6) + (size > 1));
		e8(c, port);
		return;
	}
	mov_r16(c, RDX, port);
	if (chance(r, 5)) {			/* string / rep I/O */
		if (chance(r, 50))
			e8(c, 0xf3);
		e8(c, in ? 0x6c : 0x6e);
		return;
	}
	if (size == 2)
		o16(c);
	else if (size == 4)
		o32(c);
	e8(c, (in ? 0xec : 0xee) + (size > 1));
}

static void t_mmio(struct cbuf *c, struct rng *r)
{
	if (chance(r, 35))
		mem_rmw(c, r, mmio_gpa(c, r), 1 << rnd(r, 4));
	else
		mem_access(c, r, mmio_gpa(c, r), 1 << rnd(r, 4), chance(r, 50));
}

static void t_cpuid(struct cbuf *c, struct rng *r)
{
	static const u32 leaves[] = { 0, 1, 4, 6, 7, 0xb, 0xd, 0xf, 0x10, 0x14, 0x15,
				      0x16, 0x1f, 0x40000000, 0x80000000, 0x80000001,
				      0x80000008, 0x8000000a, 0x8000001f, 0xffffffff };

	mov_r32(c, RAX, chance(r, 70) ? leaves[rnd(r, 20)] : (u32)rng_next(r));
	mov_r32(c, RCX, rnd(r, 4) ? rnd(r, 4) : (u32)rng_next(r));
	EMIT(c, 0x0f, 0xa2);
}

static void t_msr(struct cbuf *c, struct rng *r)
{
	u32 msr = gen_msr_index(r);
	u64 v = gen_value(r);

	mov_r32(c, RCX, msr);
	if (chance(r, 40)) {
		EMIT(c, 0x0f, 0x32);		/* rdmsr */
		if (chance(r, 50))
			return;
		o32(c);
		e8(c, 0x35);			/* xor $imm32, %eax: flip bits, write back */
		eN(c, 1u << rnd(r, 32), 4);
	} else {
		mov_r32(c, RAX, (u32)v);
		mov_r32(c, RDX, (u32)(v >> 32));
	}
	EMIT(c, 0x0f, 0x30);			/* wrmsr */
}

static void t_tsc_deadline(struct cbuf *c, struct rng *r)
{
	EMIT(c, 0x0f, 0x31);			/* rdtsc */
	if (rnd(r, 3)) {
		o32(c);
		e8(c, 0x05);			/* add $imm32, %eax */
		eN(c, rnd(r, 2) ? rnd(r, 100000) : (u32)rng_next(r), 4);
	} else {
		mov_r32(c, RAX, (u32)gen_value(r));
		mov_r32(c, RDX, (u32)(gen_value(r)));
	}
	mov_r32(c, RCX, 0x6e0);
	EMIT(c, 0x0f, 0x30);
}

static void apic_write(struct cbuf *c, u32 off, u32 val)
{
	mov_r32(c, RBX, 0xfee00000u + off);
	mov_r32(c, RAX, val);
	o32(c);
	EMIT(c, 0x89, 0x03);
}

static void t_lapic(struct cbuf *c, struct rng *r)
{
	u32 vec = 0x20 + rnd(r, 0xe0);

	if (c->mode == MODE_REAL) {		/* only through DS: few tricks */
		mem_access(c, r, 0xfee00000 + (rnd(r, 0x40) << 4), 4, chance(r, 60));
		return;
	}
	switch (rnd(r, 8)) {
	case 0:					/* enable, in case */
		apic_write(c, 0xf0, 0x100 | (u32)rnd(r, 0x200));
		break;
	case 1: {				/* ICR: every mode and shorthand */
		u32 icr = vec | (rnd(r, 8) << 8) | (rnd(r, 2) << 11) |
			  (rnd(r, 2) << 14) | (rnd(r, 2) << 15) | (rnd(r, 4) << 18);

		apic_write(c, 0x310, (u32)rnd(r, 4) << 24 | (chance(r, 10) ? 0xff000000u : 0));
		apic_write(c, 0x300, icr);
		break;
	}
	case 2: {				/* timer */
		u32 mode = rnd(r, 4) << 17;

		apic_write(c, 0x3e0, rnd(r, 16));
		apic_write(c, 0x320, vec | mode | (chance(r, 10) ? 1u << 16 : 0));
		apic_write(c, 0x380, rnd(r, 2) ? (u32)rnd(r, 1000) : (u32)gen_value(r));
		break;
	}
	case 3:
		t_tsc_deadline(c, r);
		break;
	case 4:					/* EOI, TPR, random register */
		apic_write(c, 0xb0, 0);
		apic_write(c, 0x80, rnd(r, 256));
		break;
	case 5:
		apic_write(c, rnd(r, 0x100) << 4, (u32)gen_value(r));
		break;
	case 6:					/* x2APIC mode on, then an MSR */
		mov_r32(c, RCX, 0x1b);
		EMIT(c, 0x0f, 0x32);
		o32(c);
		e8(c, 0x0d);			/* or $imm32, %eax */
		eN(c, chance(r, 80) ? 0xc00 : 0x400, 4);
		EMIT(c, 0x0f, 0x30);
		mov_r32(c, RCX, 0x800 + rnd(r, 0x100));
		mov_r32(c, RAX, (u32)(vec | (rnd(r, 8) << 8) | (rnd(r, 4) << 18)));
		mov_r32(c, RDX, rnd(r, 4));
		EMIT(c, 0x0f, 0x30);
		break;
	default:
		mem_access(c, r, 0xfee00000 + (rnd(r, 0x100) << 4) + rnd(r, 4) * (chance(r, 10)),
			   1 << rnd(r, 4), chance(r, 50));
		break;
	}
}

static void t_hlt(struct cbuf *c, struct rng *r)
{
	switch (rnd(r, 3)) {
	case 0: EMIT(c, 0xfb, 0xf4); break;	/* sti; hlt */
	case 1: EMIT(c, 0xfa, 0xf4); break;	/* cli; hlt */
	default: EMIT(c, 0xf4); break;
	}
}

static void t_int(struct cbuf *c, struct rng *r)
{
	switch (rnd(r, 4)) {
	case 0: EMIT(c, 0xcc); break;
	case 1: e8(c, 0xcd); e8(c, rnd(r, 256)); break;
	case 2: EMIT(c, 0xfb); e8(c, 0xcd); e8(c, 0x20 + rnd(r, 0xe0)); break;
	default: EMIT(c, 0x0f, 0x0b); break;	/* ud2 */
	}
}

static void t_triple_fault(struct cbuf *c, struct rng *r)
{
	u8 rm = point_at(c, ZERO_DT_GPA);

	EMIT(c, 0x0f, 0x01);
	e8(c, 0x18 | rm);			/* lidt (ptr) */
	if (chance(r, 50))
		EMIT(c, 0xcc);
	else
		EMIT(c, 0x0f, 0x0b);
}

static void t_pt_write(struct cbuf *c, struct rng *r)
{
	u64 table = PML4_GPA + rnd(r, 6) * 0x1000;
	u64 v;

	if (c->mode != MODE_LONG) {
		t_mmio(c, r);
		return;
	}
	switch (rnd(r, 3)) {
	case 0: v = rng_next(r); break;
	case 1: v = (rnd(r, 0x100000) << 12) | 0x87; break;	/* a present large page */
	default: v = (rnd(r, 16) << 12) | (rnd(r, 0x200)); break;	/* into the tables */
	}
	mov_r64(c, RBX, table + 8 * rnd(r, 512));
	mov_r64(c, RAX, v);
	EMIT(c, 0x48, 0x89, 0x03);		/* mov %rax, (%rbx) */
	if (chance(r, 50))
		EMIT(c, 0x0f, 0x01, 0x3b);	/* invlpg (%rbx) */
	else
		EMIT(c, 0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8);	/* reload CR3 */
}

static void t_exec_mmio(struct cbuf *c, struct rng *r)
{
	u64 a = mmio_gpa(c, r);

	if (c->mode == MODE_REAL) {
		a &= 0xfffff;
		e8(c, 0xea);			/* ljmp seg:off */
		eN(c, a & 0xf, 2);
		eN(c, a >> 4, 2);
		return;
	}
	mov_r64(c, RAX, a);
	EMIT(c, 0xff, 0xe0);			/* jmp *%rax */
}

static void t_cr(struct cbuf *c, struct rng *r)
{
	/* Read a CR, flip a bit, write it back (CR0, CR3, CR4, CR8). */
	static const u8 crs[] = { 0, 3, 4, 8 };
	u8 cr = crs[rnd(r, 4)];

	if (cr == 8 && (c->mode != MODE_LONG || (opt && opt->on_qemu)))
		cr = 4;
	if (cr == 8)
		e8(c, 0x44);
	EMIT(c, 0x0f, 0x20);
	e8(c, 0xc0 | ((cr & 7) << 3));		/* mov %crN, %rax */
	o32(c);
	e8(c, 0x35);
	eN(c, 1u << rnd(r, 32), 4);
	if (cr == 8)
		e8(c, 0x44);
	EMIT(c, 0x0f, 0x22);
	e8(c, 0xc0 | ((cr & 7) << 3));
}

static void t_misc(struct cbuf *c, struct rng *r)
{
	switch (rnd(r, 10)) {
	case 0: EMIT(c, 0x0f, 0x01, 0xd9); break;	/* vmmcall */
	case 1: EMIT(c, 0x0f, 0x01, 0xc1); break;	/* vmcall */
	case 2: EMIT(c, 0x0f, 0x31); break;		/* rdtsc */
	case 3: EMIT(c, 0x0f, 0x01, 0xf9); break;	/* rdtscp */
	case 4: EMIT(c, 0x0f, 0x09); break;		/* wbinvd */
	case 5: EMIT(c, 0x0f, 0x01, 0xd0); break;	/* xgetbv */
	case 6:						/* xsetbv, random */
		mov_r32(c, RCX, rnd(r, 2));
		mov_r32(c, RAX, (u32)gen_value(r));
		mov_r32(c, RDX, 0);
		EMIT(c, 0x0f, 0x01, 0xd1);
		break;
	case 7: EMIT(c, 0x0f, 0x01, 0xc8); break;	/* monitor */
	case 8: EMIT(c, 0xf3, 0x90); break;		/* pause */
	default: EMIT(c, 0x0f, 0x01, 0xdf); break;	/* invlpga */
	}
}

/* Known bug HVM13-1: a data breakpoint on the stack or the IDT. */
static void t_debugreg(struct cbuf *c, struct rng *r, int vs)
{
	u64 target = rnd(r, 2) ? STACK_GPA + (vs + 1) * 0x2000 - 8 * (1 + rnd(r, 8))
			       : (c->mode == MODE_LONG ? IDT64_GPA : IDT32_GPA) + 16 * rnd(r, 32);
	int dr = rnd(r, 4);
	u32 dr7 = (3u << (dr * 2)) | ((u32)rnd(r, 4) << (16 + dr * 4)) |
		  (3u << (18 + dr * 4));

	mov_r64(c, RAX, target);
	EMIT(c, 0x0f, 0x23);
	e8(c, 0xc0 | (dr << 3));		/* mov %rax, %drN */
	mov_r32(c, RAX, chance(r, 80) ? dr7 : (u32)rng_next(r));
	EMIT(c, 0x0f, 0x23, 0xf8);		/* mov %rax, %dr7 */
	switch (rnd(r, 3)) {
	case 0: EMIT(c, 0xcc); break;
	case 1: EMIT(c, 0x50, 0x58); break;	/* push/pop */
	default: EMIT(c, 0x9c, 0x9d); break;
	}
}

/* Known bug HVM13-1: #AC at CPL 3 with CR0.AM and EFLAGS.AC (long mode). */
static void t_alignment_check(struct cbuf *c, struct rng *r, int vs)
{
	u64 after;

	if (c->mode != MODE_LONG)
		return;
	EMIT(c, 0x0f, 0x20, 0xc0);		/* mov %cr0, %rax */
	e8(c, 0x0d); eN(c, 1u << 18, 4);	/* or $AM, %eax */
	EMIT(c, 0x0f, 0x22, 0xc0);
	e8(c, 0x6a); e8(c, SEL_UDATA | 3);	/* push ss */
	mov_r64(c, RAX, DATA_GPA + vs * 0x1000 + 0xf00);
	e8(c, 0x50);				/* push rsp */
	EMIT(c, 0x9c);				/* pushf */
	EMIT(c, 0x81, 0x0c, 0x24); eN(c, 1u << 18, 4);	/* orl $AC, (%rsp) */
	e8(c, 0x6a); e8(c, SEL_UCODE64 | 3);	/* push cs */
	after = c->base + c->n + 10 + 1 + 2;
	mov_r64(c, RAX, after);
	e8(c, 0x50);				/* push rip */
	EMIT(c, 0x48, 0xcf);			/* iretq */
	mem_access(c, r, DATA_GPA + vs * 0x1000 + 1 + 2 * rnd(r, 8), 2 << rnd(r, 3), chance(r, 50));
}

/* Random bytes; with HVM13-1 off, no MOV to a debug register. */
static void t_random(struct cbuf *c, struct rng *r, u32 allow_known)
{
	size_t n = 1 + rnd(r, 24), start = c->n, i;

	for (i = 0; i < n; i++)
		e8(c, rng_next(r));
	if (allow_known & KNOWN_HVM13_1)
		return;
	for (i = start; i + 1 < c->n; i++)
		if (c->p[i] == 0x0f && c->p[i + 1] == 0x23)
			c->p[i + 1] = 0x90;
}

size_t gen_code(u8 *slot0, int vs, enum guest_mode mode, struct rng *r, u32 allow_known)
{
	struct cbuf c = {
		.p = slot0 + CODE_GPA + vs * CODE_SIZE, .cap = CODE_SIZE - 16,
		.base = CODE_GPA + vs * CODE_SIZE, .mode = mode,
	};
	int n = 1 + rnd(r, 12), i;
	/* A per-program bias: some programs are mostly one template. */
	int favourite = rnd(r, 16);

	memset(c.p, 0x90, CODE_SIZE);
	for (i = 0; i < n && c.n < c.cap - 64; i++) {
		int t = chance(r, 30) ? favourite : (int)rnd(r, 16);

		switch (t) {
		case 0: case 1: t_pio(&c, r); break;
		case 2: case 3: t_mmio(&c, r); break;
		case 4: t_cpuid(&c, r); break;
		case 5: t_msr(&c, r); break;
		case 6: case 7: t_lapic(&c, r); break;
		case 8: t_hlt(&c, r); break;
		case 9: t_int(&c, r); break;
		case 10: if (chance(r, 30)) t_triple_fault(&c, r); else t_misc(&c, r); break;
		case 11: t_pt_write(&c, r); break;
		case 12: if (chance(r, 40)) t_exec_mmio(&c, r); else t_cr(&c, r); break;
		case 13:
			if (allow_known & KNOWN_HVM13_1) {
				if (chance(r, 50))
					t_debugreg(&c, r, vs);
				else
					t_alignment_check(&c, r, vs);
				break;
			}
			/* fall through */
		default: t_random(&c, r, allow_known); break;
		}
	}
	/*
	 * Known bug HVM13-1 off: no MOV to a debug register anywhere in the
	 * buffer, immediates and templates included (code may jump into them).
	 */
	if (!(allow_known & KNOWN_HVM13_1))
		for (i = 0; i + 1 < (int)c.n; i++)
			if (c.p[i] == 0x0f && c.p[i + 1] == 0x23)
				c.p[i + 1] = 0x22;	/* MOV to a CR instead */
	/* See options.on_qemu: REX.R or LOCK before 0f 22 names CR8. */
	if (opt && opt->on_qemu)
		for (i = 1; i + 1 < (int)c.n; i++)
			if (c.p[i] == 0x0f && c.p[i + 1] == 0x22 &&
			    ((c.p[i - 1] & 0xf4) == 0x44 || c.p[i - 1] == 0xf0))
				c.p[i + 1] = 0x20;	/* a read instead */
	/* Loop back to the start, or stop. */
	if (chance(r, 70)) {
		long rel = -(long)c.n - 5;

		e8(&c, 0xe9);			/* jmp rel16/rel32 to the start */
		if (mode == MODE_REAL)
			eN(&c, (u64)(rel + 2), 2);
		else
			eN(&c, (u64)rel, 4);
	} else {
		EMIT(&c, 0xf4);
	}
	return c.n;
}

static u64 seg_desc(u32 base, u32 limit, u32 access, u32 flags)
{
	return (limit & 0xffff) | ((u64)(base & 0xffffff) << 16) | ((u64)access << 40) |
	       ((u64)((limit >> 16) & 0xf) << 48) | ((u64)flags << 52) |
	       ((u64)(base >> 24) << 56);
}

void gen_tables(u8 *m, struct rng *r)
{
	u64 *gdt = (u64 *)(m + GDT_GPA), *pml4 = (u64 *)(m + PML4_GPA);
	u64 *pdpt = (u64 *)(m + PDPT_GPA), *pd = (u64 *)(m + PD_GPA);
	u32 *ivt = (u32 *)(m + IVT_GPA);
	int i;

	/* Handlers: report on port 0x99, then return, halt or spin. */
	static const u8 h16[] = { 0xe6, 0x99, 0xcf };
	static const u8 h64[] = { 0xe6, 0x99, 0x48, 0xcf };
	memcpy(m + HANDLER16_GPA, h16, sizeof(h16));
	memcpy(m + HANDLER32_GPA, h16, sizeof(h16));
	memcpy(m + HANDLER64_GPA, h64, sizeof(h64));
	if (chance(r, 20)) {		/* some programs halt in the handler */
		m[HANDLER32_GPA + 2] = 0xf4;
		m[HANDLER64_GPA + 2] = 0xf4;
		m[HANDLER64_GPA + 3] = 0xf4;
	}
	memset(m + ZERO_DT_GPA, 0, 16);

	for (i = 0; i < 256; i++)
		ivt[i] = HANDLER16_GPA;

	memset(gdt, 0, 0x100);
	gdt[SEL_CODE32 / 8] = seg_desc(0, 0xfffff, 0x9b, 0xc);
	gdt[SEL_DATA32 / 8] = seg_desc(0, 0xfffff, 0x93, 0xc);
	gdt[SEL_CODE64 / 8] = seg_desc(0, 0xfffff, 0x9b, 0xa);
	gdt[SEL_DATA64 / 8] = seg_desc(0, 0xfffff, 0x93, 0xc);
	gdt[SEL_CODE16 / 8] = seg_desc(0, 0xffff, 0x9b, 0);
	gdt[SEL_TSS / 8] = seg_desc(TSS_GPA, 0x67, 0x8b, 0);
	gdt[SEL_TSS / 8 + 1] = 0;
	gdt[SEL_UCODE64 / 8] = seg_desc(0, 0xfffff, 0xfb, 0xa);
	gdt[SEL_UDATA / 8] = seg_desc(0, 0xfffff, 0xf3, 0xc);

	for (i = 0; i < 256; i++) {
		u64 *g64 = (u64 *)(m + IDT64_GPA) + 2 * i;
		u64 *g32 = (u64 *)(m + IDT32_GPA) + i;
		u64 dpl = (i >= 0x20 && chance(r, 5)) ? 3 : 0;

		g64[0] = (HANDLER64_GPA & 0xffff) | ((u64)SEL_CODE64 << 16) |
			 ((0x8eull | dpl << 5) << 40);
		g64[1] = 0;
		g32[0] = (HANDLER32_GPA & 0xffff) | ((u64)SEL_CODE32 << 16) |
			 ((0x8eull | dpl << 5) << 40);
	}

	/* 64-bit TSS: RSP0 at the top of stack slot 3. */
	memset(m + TSS_GPA, 0, 0x68);
	*(u64 *)(m + TSS_GPA + 4) = STACK_GPA + 4 * 0x2000 - 0x100;
	*(u32 *)(m + TSS_GPA + 4) = STACK_GPA + 4 * 0x2000 - 0x100;	/* 32-bit ESP0 too */

	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	pml4[0] = PDPT_GPA | 0x7;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + i * 0x1000) | 0x7;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((u64)i << 21) | 0x87;
}

void gen_sregs(struct hvm_sregs *s, int vs, enum guest_mode mode)
{
	struct hvm_segment d;
	u64 apic_base = s->apic_base;

	(void)vs;
	memset(s, 0, sizeof(*s));
	s->apic_base = apic_base;
	s->ldt = (struct hvm_segment){ .type = 2, .unusable = 1 };
	s->gdt = (struct hvm_dtable){ .base = GDT_GPA, .limit = GDT_LIMIT };
	switch (mode) {
	case MODE_REAL:
		d = (struct hvm_segment){ .limit = 0xffff, .type = 3, .present = 1, .s = 1 };
		s->cs = (struct hvm_segment){ .limit = 0xffff, .type = 0xb, .present = 1, .s = 1,
					      .base = CODE_GPA + vs * CODE_SIZE,
					      .selector = (CODE_GPA + vs * CODE_SIZE) >> 4 };
		s->ds = s->es = s->fs = s->gs = d;
		s->ss = d;
		s->ss.base = STACK_GPA + vs * 0x2000;
		s->ss.selector = s->ss.base >> 4;
		s->tr = (struct hvm_segment){ .limit = 0xffff, .type = 0xb, .present = 1 };
		s->ldt = (struct hvm_segment){ .limit = 0xffff, .type = 2, .present = 1 };
		s->gdt = (struct hvm_dtable){ .base = 0, .limit = 0xffff };
		s->idt = (struct hvm_dtable){ .base = IVT_GPA, .limit = 0x3ff };
		s->cr0 = 0x10;
		break;
	case MODE_PROT32:
		d = (struct hvm_segment){ .limit = 0xffffffff, .type = 3, .present = 1, .s = 1,
					  .db = 1, .g = 1, .selector = SEL_DATA32 };
		s->cs = (struct hvm_segment){ .limit = 0xffffffff, .type = 0xb, .present = 1,
					      .s = 1, .db = 1, .g = 1, .selector = SEL_CODE32 };
		s->ds = s->es = s->fs = s->gs = s->ss = d;
		/*
		 * TR holds a busy TSS, as after LTR. QEMU (7.2) keeps the
		 * available type in its own TR and aborts ("invalid tss
		 * type") on a busy one when an interrupt from CPL 3 or
		 * virtual-8086 mode needs the TSS's stack: give it that.
		 */
		s->tr = (struct hvm_segment){ .base = TSS_GPA, .limit = 0x67,
					      .type = opt && opt->on_qemu ? 0x9 : 0xb,
					      .present = 1, .selector = SEL_TSS };
		s->idt = (struct hvm_dtable){ .base = IDT32_GPA, .limit = 256 * 8 - 1 };
		s->cr0 = 0x31;			/* PE, ET, NE */
		break;
	case MODE_LONG:
		d = (struct hvm_segment){ .limit = 0xffffffff, .type = 3, .present = 1, .s = 1,
					  .db = 1, .g = 1, .selector = SEL_DATA64 };
		s->cs = (struct hvm_segment){ .limit = 0xffffffff, .type = 0xb, .present = 1,
					      .s = 1, .l = 1, .g = 1, .selector = SEL_CODE64 };
		s->ds = s->es = s->fs = s->gs = s->ss = d;
		s->tr = (struct hvm_segment){ .base = TSS_GPA, .limit = 0x67, .type = 0xb,
					      .present = 1, .selector = SEL_TSS };
		s->idt = (struct hvm_dtable){ .base = IDT64_GPA, .limit = 256 * 16 - 1 };
		s->cr0 = 0x80010033;		/* PG, WP, NE, ET, MP, PE */
		s->cr3 = PML4_GPA;
		s->cr4 = 0x620;			/* PAE, OSFXSR, OSXMMEXCPT */
		s->efer = 0x500;		/* LME, LMA */
		break;
	}
}

void gen_regs(struct hvm_regs *g, int vs, enum guest_mode mode, struct rng *r)
{
	__u64 *gp = &g->rax;
	int i;

	for (i = 0; i < 16; i++)
		gp[i] = chance(r, 50) ? gen_value(r) : 0;
	g->rip = mode == MODE_REAL ? 0 : CODE_GPA + vs * CODE_SIZE;
	g->rsp = mode == MODE_REAL ? 0x1ff0 : STACK_GPA + (vs + 1) * 0x2000 - 0x10;
	g->rflags = 2 | (chance(r, 30) ? 0x200 : 0);	/* IF sometimes */
}
