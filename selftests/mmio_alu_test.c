// SPDX-License-Identifier: GPL-2.0
/*
 * Read-modify-write and string instructions on MMIO (issue 14 item 6):
 * ADD..CMP with a register (memory as destination or source) or an
 * immediate, TEST, INC/DEC, BT/BTS/BTR/BTC, XCHG, CMPXCHG, LOCK forms, and
 * MOVS/STOS with and without REP. The guest runs each ALU form twice with
 * the same registers and RFLAGS: on guest RAM holding the value the device
 * will return (the CPU's own answer), then on MMIO; the host acts as the
 * device (answers the read, checks the write against what the CPU wrote
 * to RAM) and compares registers and the RFLAGS bits the SDM defines. The
 * in-kernel LAPIC page and a read-only slot take them too; MOVS from MMIO
 * to MMIO and other instructions stay emulation failures with the bytes.
 */
#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define MMIO_GVA	0xd0000000ul	/* guest-virtual ... */
#define MMIO_GPA	0xc0000000ul	/* ... mapped here, no slot */
#define RO_GVA		0xe0000000ul	/* a read-only slot, mapped 1:1 */
#define RO_VALUE	0x1000u

#define CF		0x001ul
#define PF		0x004ul
#define AF		0x010ul
#define ZF		0x040ul
#define SF		0x080ul
#define OF		0x800ul
#define ARITH		(CF | PF | AF | ZF | SF | OF)
#define LOGIC		(ARITH & ~AF)	/* AF undefined after AND/OR/XOR/TEST */
#define BIT		CF		/* OF SF AF PF undefined after BT* */
#define F0		0x2ul		/* RFLAGS in: no arithmetic flag */
#define FA		(0x2ul | ARITH)	/* all of them */

/* The registers a form uses, and RFLAGS, before and after it. */
struct gstate {
	u64 rax, rcx, rdx, flags;
};

/* A form: the instruction with its memory operand at (%rbx). */
#define FORM(fname, insn)						\
static __guest_code void fname(u64 base, struct gstate *s)		\
{									\
	u64 a = s->rax, c = s->rcx, d = s->rdx, f = s->flags;		\
									\
	asm volatile("push %[f]\n\tpopfq\n\t" insn "\n\tpushfq\n\tpop %[f]" \
		     : "+a"(a), "+c"(c), "+d"(d), [f] "+r"(f)		\
		     : "b"(base) : "memory", "cc");			\
	s->rax = a;							\
	s->rcx = c;							\
	s->rdx = d;							\
	s->flags = f;							\
}

/* The instruction of the issue, 41 09 84 24 00 10 00 00. */
static __guest_code void or_r12(u64 base, struct gstate *s)
{
	register u64 r12 asm("r12") = base - 0x1000;
	u64 a = s->rax, f = s->flags;

	asm volatile("push %[f]\n\tpopfq\n\torl %%eax, 0x1000(%%r12)\n\tpushfq\n\tpop %[f]"
		     : "+a"(a), [f] "+r"(f) : "r"(r12) : "memory", "cc");
	s->rax = a;
	s->flags = f;
}

FORM(or_l, "orl %%eax, (%%rbx)")
FORM(add_b, "addb %%cl, (%%rbx)")
FORM(add_w, "addw %%cx, (%%rbx)")
FORM(adc_q, "adcq %%rcx, (%%rbx)")
FORM(sbb_l, "sbbl %%ecx, (%%rbx)")
FORM(and_ah, "andb %%ah, (%%rbx)")
FORM(sub_l, "subl %%ecx, (%%rbx)")
FORM(xor_l, "xorl %%edx, (%%rbx)")
FORM(cmp_l, "cmpl %%ecx, (%%rbx)")
FORM(lock_add_l, "lock addl %%ecx, (%%rbx)")
FORM(add_ml, "addl (%%rbx), %%ecx")
FORM(or_mch, "orb (%%rbx), %%ch")
FORM(sub_mq, "subq (%%rbx), %%rdx")
FORM(cmp_mb, "cmpb (%%rbx), %%al")
FORM(and_mw, "andw (%%rbx), %%dx")
FORM(sbb_ml, "sbbl (%%rbx), %%eax")
FORM(or_ib, "orb $0x81, (%%rbx)")
FORM(add_il, "addl $0x12345678, (%%rbx)")
FORM(and_iq, "andq $-0x1000, (%%rbx)")
FORM(sub_i8l, "subl $-1, (%%rbx)")
FORM(cmp_i8w, "cmpw $0x7f, (%%rbx)")
FORM(xor_i8q, "xorq $-128, (%%rbx)")
FORM(lock_and_i8l, "lock andl $0x0f, (%%rbx)")
FORM(test_l, "testl %%ecx, (%%rbx)")
FORM(test_dh, "testb %%dh, (%%rbx)")
FORM(test_ib, "testb $0x80, (%%rbx)")
FORM(test_iq, "testq $-2, (%%rbx)")
FORM(inc_b, "incb (%%rbx)")
FORM(dec_w, "decw (%%rbx)")
FORM(lock_inc_q, "lock incq (%%rbx)")
FORM(dec_l, "decl (%%rbx)")
FORM(bt_l, "btl %%ecx, (%%rbx)")
FORM(bts_l, "btsl %%ecx, (%%rbx)")
FORM(btr_q, "btrq %%rcx, (%%rbx)")
FORM(btc_w, "btcw %%cx, (%%rbx)")
FORM(bt_il, "btl $31, (%%rbx)")
FORM(bts_il, "btsl $7, (%%rbx)")
FORM(btr_iq, "btrq $40, (%%rbx)")
FORM(btc_il, "btcl $0, (%%rbx)")
FORM(lock_bts_l, "lock btsl %%ecx, (%%rbx)")
FORM(xchg_l, "xchgl %%ecx, (%%rbx)")
FORM(xchg_ah, "xchgb %%ah, (%%rbx)")
FORM(xchg_q, "xchgq %%rdx, (%%rbx)")
FORM(cmpxchg_l, "cmpxchgl %%ecx, (%%rbx)")
FORM(lock_cmpxchg_q, "lock cmpxchgq %%rdx, (%%rbx)")
FORM(cmpxchg_b, "cmpxchgb %%cl, (%%rbx)")
FORM(cmpxchg_w, "cmpxchgw %%cx, (%%rbx)")

#define R	1	/* the form reads the device */
#define W	2	/* and writes it */

struct step {
	const char *name;
	void (*fn)(u64 base, struct gstate *s);
	u8 len;		/* bytes of the MMIO access */
	u8 acc;		/* R, W: the exits expected */
	u8 at;		/* where it accesses, from the operand (BT's bit string) */
	u64 mask;	/* RFLAGS bits compared: those the SDM defines */
	u64 val;	/* memory before: what the device answers */
	struct gstate in;
	bool ie;	/* immediate_exit between the read and the write */
};

#define IN(a, c, d, f)	{ .rax = (a), .rcx = (c), .rdx = (d), .flags = (f) }, false
#define IN_IE(a, c, d, f) { .rax = (a), .rcx = (c), .rdx = (d), .flags = (f) }, true

static const struct step steps[] = {
	{ "41 09 84 24: or %eax,0x1000(%r12)", or_r12, 4, R | W, 0, LOGIC, 0x80000001, IN(0x00f0000f, 0, 0, FA) },
	{ "09: or %eax,(%rbx) to zero", or_l, 4, R | W, 0, LOGIC, 0, IN(0xffffffff00000000ul, 0, 0, F0) },
	{ "00: add %cl,(%rbx) OF", add_b, 1, R | W, 0, ARITH, 0x7f, IN(0, 1, 0, F0) },
	{ "66 01: add %cx,(%rbx) CF ZF", add_w, 2, R | W, 0, ARITH, 0xffff, IN(0, 1, 0, F0) },
	{ "48 11: adc %rcx,(%rbx) with CF", adc_q, 8, R | W, 0, ARITH, 0xfffffffffffffffeul, IN(0, 1, 0, F0 | CF) },
	{ "19: sbb %ecx,(%rbx) with CF", sbb_l, 4, R | W, 0, ARITH, 0x80000000, IN(0, 0, 0, F0 | CF) },
	{ "20: and %ah,(%rbx)", and_ah, 1, R | W, 0, LOGIC, 0xf0, IN(0x3c00, 0, 0, FA) },
	{ "29: sub %ecx,(%rbx) borrow", sub_l, 4, R | W, 0, ARITH, 5, IN(0, 6, 0, F0) },
	{ "31: xor %edx,(%rbx)", xor_l, 4, R | W, 0, LOGIC, 0xdeadbeef, IN(0, 0, 0xdeadbeef, F0) },
	{ "39: cmp %ecx,(%rbx) reads only", cmp_l, 4, R, 0, ARITH, 0x80000000, IN(0, 1, 0, F0) },
	{ "f0 01: lock add %ecx,(%rbx)", lock_add_l, 4, R | W, 0, ARITH, 0x7fffffff, IN(0, 0x80000001, 0, F0) },
	{ "03: add (%rbx),%ecx zero-extends", add_ml, 4, R, 0, ARITH, 0x10, IN(0, 0xaaaaaaaafffffff0ul, 0, F0) },
	{ "0a: or (%rbx),%ch", or_mch, 1, R, 0, LOGIC, 0x81, IN(0, 0x1111111111111111ul, 0, F0) },
	{ "48 2b: sub (%rbx),%rdx OF", sub_mq, 8, R, 0, ARITH, 1, IN(0, 0, 0x8000000000000000ul, F0) },
	{ "3a: cmp (%rbx),%al", cmp_mb, 1, R, 0, ARITH, 0x80, IN(0x7f, 0, 0, F0) },
	{ "66 23: and (%rbx),%dx", and_mw, 2, R, 0, LOGIC, 0x8001, IN(0, 0, 0x12348f0f, F0) },
	{ "1b: sbb (%rbx),%eax with CF", sbb_ml, 4, R, 0, ARITH, 0xffffffff, IN(0xffffffff, 0, 0, F0 | CF) },
	{ "80 /1: orb $0x81,(%rbx)", or_ib, 1, R | W, 0, LOGIC, 0x7e, IN(0, 0, 0, F0) },
	{ "81 /0: addl $0x12345678,(%rbx) CF ZF", add_il, 4, R | W, 0, ARITH, 0xedcba988, IN(0, 0, 0, F0) },
	{ "48 81 /4: andq $-0x1000,(%rbx)", and_iq, 8, R | W, 0, LOGIC, 0x123456789abcdef0ul, IN(0, 0, 0, FA) },
	{ "83 /5: subl $-1,(%rbx) OF", sub_i8l, 4, R | W, 0, ARITH, 0x7fffffff, IN(0, 0, 0, F0) },
	{ "66 83 /7: cmpw $0x7f,(%rbx)", cmp_i8w, 2, R, 0, ARITH, 0x7f, IN(0, 0, 0, F0) },
	{ "48 83 /6: xorq $-128,(%rbx)", xor_i8q, 8, R | W, 0, LOGIC, ~0ul, IN(0, 0, 0, F0) },
	{ "f0 83 /4: lock andl $0x0f,(%rbx)", lock_and_i8l, 4, R | W, 0, LOGIC, 0xf0, IN(0, 0, 0, F0) },
	{ "85: test %ecx,(%rbx)", test_l, 4, R, 0, LOGIC, 0x80000000, IN(0, 0x80000000, 0, F0) },
	{ "84: test %dh,(%rbx)", test_dh, 1, R, 0, LOGIC, 0x0f, IN(0, 0, 0xf000, F0) },
	{ "f6 /0: testb $0x80,(%rbx)", test_ib, 1, R, 0, LOGIC, 0x80, IN(0, 0, 0, FA) },
	{ "48 f7 /0: testq $-2,(%rbx)", test_iq, 8, R, 0, LOGIC, 1, IN(0, 0, 0, F0) },
	{ "fe /0: incb (%rbx) keeps CF", inc_b, 1, R | W, 0, ARITH, 0x7f, IN(0, 0, 0, F0 | CF) },
	{ "66 ff /1: decw (%rbx)", dec_w, 2, R | W, 0, ARITH, 0, IN(0, 0, 0, F0) },
	{ "f0 48 ff /0: lock incq (%rbx)", lock_inc_q, 8, R | W, 0, ARITH, ~0ul, IN(0, 0, 0, F0) },
	{ "ff /1: decl (%rbx)", dec_l, 4, R | W, 0, ARITH, 1, IN(0, 0, 0, FA) },
	{ "0f a3: bt %ecx,(%rbx), ecx 37: the dword at +4", bt_l, 4, R, 4, BIT, 0x20, IN(0, 37, 0, F0) },
	{ "0f ab: bts %ecx,(%rbx)", bts_l, 4, R | W, 0, BIT, 0, IN(0, 3, 0, FA) },
	{ "48 0f b3: btr %rcx,(%rbx)", btr_q, 8, R | W, 0, BIT, ~0ul, IN(0, 63, 0, F0) },
	{ "66 0f bb: btc %cx,(%rbx)", btc_w, 2, R | W, 0, BIT, 0x8000, IN(0, 15, 0, F0) },
	{ "0f ba /4: btl $31,(%rbx)", bt_il, 4, R, 0, BIT, 0x80000000, IN(0, 0, 0, F0) },
	{ "0f ba /5: btsl $7,(%rbx)", bts_il, 4, R | W, 0, BIT, 1, IN(0, 0, 0, F0) },
	{ "48 0f ba /6: btrq $40,(%rbx)", btr_iq, 8, R | W, 0, BIT, (1ul << 40) | 1, IN(0, 0, 0, F0) },
	{ "0f ba /7: btcl $0,(%rbx)", btc_il, 4, R | W, 0, BIT, 0, IN(0, 0, 0, FA) },
	{ "f0 0f ab: lock bts %ecx,(%rbx)", lock_bts_l, 4, R | W, 0, BIT, 2, IN(0, 1, 0, F0) },
	{ "87: xchg %ecx,(%rbx)", xchg_l, 4, R | W, 0, ARITH, 0x11223344, IN(0, 0xaaaaaaaabbbbbbbbul, 0, FA) },
	{ "86: xchg %ah,(%rbx)", xchg_ah, 1, R | W, 0, ARITH, 0x99, IN(0x1234, 0, 0, F0) },
	{ "48 87: xchg %rdx,(%rbx), immediate_exit between read and write", xchg_q, 8, R | W, 0, ARITH,
	  0x0123456789abcdeful, IN_IE(0, 0, 0xfedcba9876543210ul, F0) },
	{ "0f b1: cmpxchg %ecx,(%rbx) equal: writes", cmpxchg_l, 4, R | W, 0, ARITH, 5,
	  IN(0xffffffff00000005ul, 0x77777777, 0, F0) },
	{ "0f b1: cmpxchg %ecx,(%rbx) differ: loads EAX", cmpxchg_l, 4, R, 0, ARITH, 7,
	  IN(0xffffffff00000005ul, 0x77777777, 0, F0) },
	{ "f0 48 0f b1: lock cmpxchg %rdx,(%rbx) equal", lock_cmpxchg_q, 8, R | W, 0, ARITH,
	  0x123456789abcdef0ul, IN(0x123456789abcdef0ul, 0, 42, F0) },
	{ "0f b0: cmpxchg %cl,(%rbx) differ", cmpxchg_b, 1, R, 0, ARITH, 0x80, IN(1, 0x33, 0, F0) },
	{ "66 0f b1: cmpxchg %cx,(%rbx) equal", cmpxchg_w, 2, R | W, 0, ARITH, 0xbeef,
	  IN(0x5555beef, 0xcafe, 0, F0) },
};

#define NR_STEPS	ARRAY_SIZE(steps)
#define STRIDE		16	/* each step's operand, from the page start */

/* The guest's RAM operands and what the CPU made of them, and on MMIO. */
static u8 ram_page[4096] __attribute__((aligned(4096)));
static struct gstate oracle[NR_STEPS], result[NR_STEPS];
static u64 oracle_mem[NR_STEPS];

static __guest_code void guest_alu(void)
{
	unsigned int i;

	for (i = 0; i < NR_STEPS; i++) {
		const struct step *s = &steps[i];
		u8 *ram = ram_page + STRIDE * i;
		volatile u64 *cell = (volatile u64 *)(ram + s->at);

		((volatile u64 *)ram)[0] = 0;
		((volatile u64 *)ram)[1] = 0;
		*cell = s->val;
		oracle[i] = s->in;
		s->fn((u64)ram, &oracle[i]);
		oracle_mem[i] = *cell;
		result[i] = s->in;
		s->fn(MMIO_GVA + STRIDE * i, &result[i]);
		GUEST_SYNC(i);
	}
}

/* MOVS and STOS: sources and destinations in guest RAM. */
static u32 src32[3] = { 0x11111111, 0x22222222, 0x33333333 };
static u8 src8[2] = { 0xa1, 0xb2 };
static u64 dst64[2];
static u8 dst8;

enum { S_MOVSL = 100, S_MOVSQ, S_MOVSB, S_STOSB, S_STOSW, S_STOSQ, S_MOVSB32, S_RO };

static __guest_code void guest_strings(void)
{
	u64 si, di, c;

	/* rep movsl, RAM to MMIO: three write exits */
	si = (u64)src32;
	di = MMIO_GVA + 0x800;
	c = 3;
	asm volatile("rep movsl" : "+S"(si), "+D"(di), "+c"(c) :: "memory");
	GUEST_SYNC4(S_MOVSL, si - (u64)src32, di - MMIO_GVA, c);

	/* std; rep movsq, MMIO to RAM, backwards: two read exits */
	si = MMIO_GVA + 0x818;
	di = (u64)&dst64[1];
	c = 2;
	asm volatile("std\n\trep movsq\n\tcld" : "+S"(si), "+D"(di), "+c"(c) :: "memory", "cc");
	GUEST_ASSERT_EQ(si, MMIO_GVA + 0x808);
	GUEST_ASSERT_EQ(di, (u64)dst64 - 8);
	GUEST_SYNC4(S_MOVSQ, dst64[1], dst64[0], c);

	/* movsb, MMIO to RAM, no REP: RCX untouched */
	si = MMIO_GVA + 0x840;
	di = (u64)&dst8;
	c = 7;
	asm volatile("movsb" : "+S"(si), "+D"(di), "+c"(c) :: "memory");
	GUEST_ASSERT_EQ(si, MMIO_GVA + 0x841);
	GUEST_ASSERT_EQ(di, (u64)&dst8 + 1);
	GUEST_SYNC4(S_MOVSB, dst8, c, 0);

	/* rep stosb: four write exits */
	di = MMIO_GVA + 0x820;
	c = 4;
	asm volatile("rep stosb" : "+D"(di), "+c"(c) : "a"(0x1234565aul) : "memory");
	GUEST_SYNC4(S_STOSB, di - MMIO_GVA, c, 0);

	/* stosw, no REP */
	di = MMIO_GVA + 0x830;
	asm volatile("stosw" : "+D"(di) : "a"(0xbeefcafeul) : "memory");
	GUEST_SYNC4(S_STOSW, di - MMIO_GVA, 0, 0);

	/* std; rep stosq, backwards: two write exits */
	di = MMIO_GVA + 0x868;
	c = 2;
	asm volatile("std\n\trep stosq\n\tcld" : "+D"(di), "+c"(c) : "a"(0x0123456789abcdeful)
		     : "memory", "cc");
	GUEST_SYNC4(S_STOSQ, di - MMIO_GVA, c, 0);

	/* 67 rep movsb: ESI, EDI and ECX, written zero-extended */
	si = (u64)src8;
	di = MMIO_GVA + 0x870;
	c = 0xffffffff00000002ul;
	asm volatile(".byte 0x67, 0xf3, 0xa4" : "+S"(si), "+D"(di), "+c"(c) :: "memory");
	GUEST_SYNC4(S_MOVSB32, si - (u64)src8, di - MMIO_GVA, c);

	/* A read-modify-write of a read-only slot: one write exit, no read */
	asm volatile("orl $1, (%0)" :: "r"(RO_GVA) : "memory", "cc");
	GUEST_SYNC4(S_RO, *(volatile u32 *)RO_GVA, 0, 0);
}

static __guest_code void guest_code(void)
{
	guest_alu();
	guest_strings();
	GUEST_DONE();
}

/* An MMIO exit of the expected shape; a read is answered with val. */
static bool expect_mmio(struct hvm_vcpu *vcpu, u64 gpa, u32 len, bool write,
			u64 val)
{
	vcpu_run(vcpu);
	if (!vcpu_check_mmio(vcpu, gpa, len, write, val))
		return false;
	if (!write)
		vcpu_mmio_complete_read(vcpu, val);
	return true;
}

/* After the read of an XCHG: -EINTR, and nothing changed before the write. */
static void check_immediate_exit(struct hvm_vcpu *vcpu)
{
	struct hvm_regs before, after;
	int r;

	vcpu_get_regs(vcpu, &before);
	vcpu->run->immediate_exit = 1;
	r = __vcpu_run(vcpu);
	vcpu->run->immediate_exit = 0;
	vcpu_get_regs(vcpu, &after);
	ksft_test_result(r == -1 && errno == EINTR && vcpu->run->exit_reason == HVM_EXIT_INTR &&
			 after.rip == before.rip && after.rdx == before.rdx &&
			 after.rflags == before.rflags,
			 "immediate_exit after an XCHG's read: -EINTR, RIP and RDX as before (%d, rip %#llx/%#llx, rdx %#llx/%#llx)",
			 r, (unsigned long long)before.rip, (unsigned long long)after.rip,
			 (unsigned long long)before.rdx, (unsigned long long)after.rdx);
}

/* Runs one ALU step; false if the guest is off the expected sequence. */
static bool run_step(struct hvm_vm *vm, struct hvm_vcpu *vcpu, unsigned int i)
{
	const struct step *s = &steps[i];
	u64 gpa = MMIO_GPA + STRIDE * i + s->at;
	const struct gstate *o, *g;
	struct ucall uc;
	bool ok;

	if (s->acc & R) {
		if (!expect_mmio(vcpu, gpa, s->len, false, s->val))
			goto off_track;
		if (s->ie)
			check_immediate_exit(vcpu);
	}
	if ((s->acc & W) &&
	    !expect_mmio(vcpu, gpa, s->len, true, (*guest_global_ptr(vm, oracle_mem))[i]))
		goto off_track;
	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_SYNC || uc.args[0] != i) {
		ksft_print_msg("expected the guest's report, got %s\n", vcpu_exit_desc(vcpu));
		goto off_track;
	}
	o = &(*guest_global_ptr(vm, oracle))[i];
	g = &(*guest_global_ptr(vm, result))[i];
	ok = g->rax == o->rax && g->rcx == o->rcx && g->rdx == o->rdx &&
	     (g->flags & s->mask) == (o->flags & s->mask) &&
	     (g->flags & ~ARITH) == (o->flags & ~ARITH);
	if (!ok)
		ksft_print_msg("MMIO: rax %#lx rcx %#lx rdx %#lx rflags %#lx; RAM: %#lx %#lx %#lx %#lx\n",
			       (unsigned long)g->rax, (unsigned long)g->rcx,
			       (unsigned long)g->rdx, (unsigned long)g->flags,
			       (unsigned long)o->rax, (unsigned long)o->rcx,
			       (unsigned long)o->rdx, (unsigned long)o->flags);
	ksft_test_result(ok, "%s", s->name);
	return true;

off_track:
	ksft_test_result_fail("%s", s->name);
	if (s->ie)
		ksft_test_result_fail("immediate_exit after an XCHG's read: not reached");
	return false;
}

static bool expect_sync4(struct hvm_vcpu *vcpu, u64 id, u64 a, u64 b, u64 c)
{
	struct ucall uc;

	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_SYNC || uc.args[0] != id) {
		ksft_print_msg("expected the guest's report %lu, got %s\n",
			       (unsigned long)id, vcpu_exit_desc(vcpu));
		return false;
	}
	if (uc.args[1] != a || uc.args[2] != b || uc.args[3] != c) {
		ksft_print_msg("report %lu: %#lx %#lx %#lx, expected %#lx %#lx %#lx\n",
			       (unsigned long)id, (unsigned long)uc.args[1],
			       (unsigned long)uc.args[2], (unsigned long)uc.args[3],
			       (unsigned long)a, (unsigned long)b, (unsigned long)c);
		return false;
	}
	return true;
}

#define NR_STRING_TESTS	8

/* Each test runs only if the one before passed: the guest is in sequence. */
static void run_strings(struct hvm_vcpu *vcpu, u64 ro_gpa)
{
	const u64 m = MMIO_GPA;
	bool ok;

	ok = expect_mmio(vcpu, m + 0x800, 4, true, 0x11111111) &&
	     expect_mmio(vcpu, m + 0x804, 4, true, 0x22222222) &&
	     expect_mmio(vcpu, m + 0x808, 4, true, 0x33333333) &&
	     expect_sync4(vcpu, S_MOVSL, 12, 0x80c, 0);
	ksft_test_result(ok, "f3 a5: rep movsl, RAM to MMIO, 3 elements");

	ok = ok && expect_mmio(vcpu, m + 0x818, 8, false, 0xaaaaaaaabbbbbbbbul) &&
	     expect_mmio(vcpu, m + 0x810, 8, false, 0xccccccccddddddddul) &&
	     expect_sync4(vcpu, S_MOVSQ, 0xaaaaaaaabbbbbbbbul, 0xccccccccddddddddul, 0);
	ksft_test_result(ok, "f3 48 a5: std; rep movsq, MMIO to RAM, backwards");

	ok = ok && expect_mmio(vcpu, m + 0x840, 1, false, 0x7e) &&
	     expect_sync4(vcpu, S_MOVSB, 0x7e, 7, 0);
	ksft_test_result(ok, "a4: movsb, MMIO to RAM, RCX untouched");

	ok = ok && expect_mmio(vcpu, m + 0x820, 1, true, 0x5a) &&
	     expect_mmio(vcpu, m + 0x821, 1, true, 0x5a) &&
	     expect_mmio(vcpu, m + 0x822, 1, true, 0x5a) &&
	     expect_mmio(vcpu, m + 0x823, 1, true, 0x5a) &&
	     expect_sync4(vcpu, S_STOSB, 0x824, 0, 0);
	ksft_test_result(ok, "f3 aa: rep stosb, 4 elements");

	ok = ok && expect_mmio(vcpu, m + 0x830, 2, true, 0xcafe) &&
	     expect_sync4(vcpu, S_STOSW, 0x832, 0, 0);
	ksft_test_result(ok, "66 ab: stosw");

	ok = ok && expect_mmio(vcpu, m + 0x868, 8, true, 0x0123456789abcdeful) &&
	     expect_mmio(vcpu, m + 0x860, 8, true, 0x0123456789abcdeful) &&
	     expect_sync4(vcpu, S_STOSQ, 0x858, 0, 0);
	ksft_test_result(ok, "f3 48 ab: std; rep stosq, backwards");

	ok = ok && expect_mmio(vcpu, m + 0x870, 1, true, 0xa1) &&
	     expect_mmio(vcpu, m + 0x871, 1, true, 0xb2) &&
	     expect_sync4(vcpu, S_MOVSB32, 2, 0x872, 0);
	ksft_test_result(ok, "67 f3 a4: rep movsb with ESI/EDI/ECX (RCX 0xffffffff00000002 counts 2)");

	ok = ok && expect_mmio(vcpu, ro_gpa, 4, true, RO_VALUE | 1) &&
	     expect_sync4(vcpu, S_RO, RO_VALUE, 0, 0);
	ksft_test_result(ok, "or $1 to a read-only slot: reads its memory, writes to userspace");
}

/* The in-kernel LAPIC page: read, compute and write, all in the kernel. */
static __guest_code void guest_lapic(void)
{
	volatile u32 *tpr = (volatile u32 *)(APIC_GVA + APIC_TPR);
	u32 v = 0x50;
	u8 c;

	*tpr = 0x10;
	asm volatile("orl $0x20, (%0)" :: "r"(tpr) : "memory", "cc");
	GUEST_SYNC4(1, *tpr, 0, 0);
	asm volatile("btrl $4, (%1)\n\tsetc %0" : "=q"(c) : "r"(tpr) : "memory", "cc");
	GUEST_SYNC4(2, *tpr, c, 0);
	asm volatile("xchgl %0, (%1)" : "+r"(v) : "r"(tpr) : "memory");
	GUEST_SYNC4(3, *tpr, v, 0);
	asm volatile("addl $0x10, (%0)" :: "r"(tpr) : "memory", "cc");
	GUEST_SYNC4(4, *tpr, 0, 0);
}

static void test_lapic(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	bool ok;

	if (!hvm_check_cap(HVM_CAP_LAPIC)) {
		ksft_test_result_skip("LAPIC page: no HVM_CAP_LAPIC");
		return;
	}
	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_lapic);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	ok = expect_sync4(vcpu, 1, 0x30, 0, 0) &&
	     expect_sync4(vcpu, 2, 0x20, 1, 0) &&
	     expect_sync4(vcpu, 3, 0x50, 0x20, 0) &&
	     expect_sync4(vcpu, 4, 0x60, 0, 0) &&
	     vcpu_run_expect_done(vcpu);
	ksft_test_result(ok, "LAPIC TPR: or, btr (CF), xchg, add in the kernel");
	vm_free(vm);
}

/* An emulation failure with the instruction's bytes, and no MMIO exit. */
static void expect_failure(void *guest, const u8 *bytes, unsigned int n,
			   const char *what)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_with_vcpu(&vcpu, guest);
	struct hvm_run *run = vcpu->run;
	bool ok;
	int r;

	virt_map(vm, MMIO_GVA, MMIO_GPA, 1);
	r = __vcpu_run(vcpu);
	ok = !r && run->exit_reason == HVM_EXIT_INTERNAL_ERROR &&
	     run->internal.suberror == HVM_INTERNAL_ERROR_EMULATION &&
	     run->internal.insn_len >= n && run->internal.insn_len <= 15 &&
	     !memcmp(run->internal.insn_bytes, bytes, n);
	ksft_test_result(ok, "%s: INTERNAL_ERROR_EMULATION with its bytes (%s)", what,
			 vcpu_exit_desc(vcpu));
	vm_free(vm);
}

static __guest_code void guest_movs_mmio_mmio(void)
{
	u64 si = MMIO_GVA, di = MMIO_GVA + 0x100, c = 1;

	asm volatile("rep movsb" : "+S"(si), "+D"(di), "+c"(c) :: "memory");
	GUEST_DONE();
}

static __guest_code void guest_shl(void)
{
	asm volatile(".byte 0xd1, 0x23" :: "b"(MMIO_GVA) : "memory", "cc");
	GUEST_DONE();
}

int main(void)
{
	static const u8 movsb[] = { 0xf3, 0xa4 }, shl[] = { 0xd1, 0x23 };
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	u64 ro_gpa;
	u32 *ro;
	unsigned int i;
	bool on_track = true;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(NR_STEPS + 1 + NR_STRING_TESTS + 1 + 1 + 2);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	virt_map(vm, MMIO_GVA, MMIO_GPA, 1);
	ro_gpa = RO_GVA;
	ro = vm_mem_add(vm, 1, HVM_MEM_READONLY, ro_gpa, PAGE_SIZE, NULL);
	*ro = RO_VALUE;
	virt_map(vm, RO_GVA, ro_gpa, 1);

	for (i = 0; i < NR_STEPS; i++) {
		if (!on_track) {
			ksft_test_result_fail("%s: not reached", steps[i].name);
			if (steps[i].ie)
				ksft_test_result_fail("immediate_exit after an XCHG's read: not reached");
			continue;
		}
		on_track = run_step(vm, vcpu, i);
	}
	if (on_track) {
		run_strings(vcpu, ro_gpa);
		ksft_test_result(vcpu_run_expect_done(vcpu), "guest completes every access");
	} else {
		for (i = 0; i < NR_STRING_TESTS; i++)
			ksft_test_result_fail("string and read-only tests: not reached");
		ksft_test_result_fail("guest completes every access: not reached");
	}
	vm_free(vm);

	test_lapic();
	expect_failure(guest_movs_mmio_mmio, movsb, sizeof(movsb),
		       "rep movsb from MMIO to MMIO");
	expect_failure(guest_shl, shl, sizeof(shl), "shll (%rbx), not emulated");
	ksft_finished();
}
