// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace TAP test for the MMIO instruction decoder in kmod/insn_decode.c.
 * Expected values come from the Intel SDM / AMD APM encoding rules; the
 * ALU results and flags (hvm_alu) from this host's CPU running the same
 * operations.
 */
#include <stdio.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/types.h>

#include "insn_decode.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "insn_decode_cases.h"

static int failed;
static unsigned int test_no;

static void report(bool ok, const char *name)
{
	printf("%sok %u - %s\n", ok ? "" : "not ", ++test_no, name);
	if (!ok)
		failed = 1;
}

static bool same(const struct hvm_insn *a, const struct hvm_insn *b)
{
	return a->len == b->len && a->kind == b->kind && a->size == b->size &&
	       a->dst_size == b->dst_size && a->reg == b->reg &&
	       a->high_byte == b->high_byte &&
	       a->sign_extend == b->sign_extend &&
	       a->has_imm == b->has_imm && a->imm == b->imm &&
	       a->op == b->op && a->mem_src == b->mem_src &&
	       a->lock == b->lock && a->rep == b->rep &&
	       a->addr_size == b->addr_size && a->seg == b->seg;
}

static void dump(const char *what, const struct hvm_insn *i)
{
	printf("#   %s: len %u kind %u size %u dst %u reg %u hb %d sx %d imm %d 0x%llx op %u ms %d lk %d rp %d as %u seg %#x\n",
	       what, i->len, i->kind, i->size, i->dst_size, i->reg,
	       i->high_byte, i->sign_extend, i->has_imm,
	       (unsigned long long)i->imm, i->op, i->mem_src, i->lock,
	       i->rep, i->addr_size, i->seg);
}

static void run_dcase(const struct dcase *c)
{
	struct hvm_insn want = {
		.len = c->len, .kind = c->kind, .size = c->size,
		.dst_size = c->dst_size, .reg = c->reg, .high_byte = c->hb,
		.sign_extend = c->sx, .has_imm = c->has_imm, .imm = c->imm,
		.op = c->op, .mem_src = c->ms, .lock = c->lk, .rep = c->rp,
		.addr_size = c->as, .seg = c->seg,
	};
	struct hvm_insn got, pad;
	u8 buf[32] = { 0 };
	bool ok;
	int rc;

	memset(&got, 0xa5, sizeof(got));
	rc = hvm_insn_decode(c->b, c->n, c->mode, &got);
	ok = rc == c->rc;
	if (ok && rc == 0) {
		ok = same(&got, &want) && got.len == c->n;
		/* One byte short must fail (page-boundary truncation). */
		if (hvm_insn_decode(c->b, c->n - 1, c->mode, &pad) != -EINVAL) {
			printf("#   accepted with avail = len - 1\n");
			ok = false;
		}
		/* Trailing bytes must not change the result. */
		memcpy(buf, c->b, c->n);
		memset(buf + c->n, 0x90, sizeof(buf) - c->n);
		if (hvm_insn_decode(buf, sizeof(buf), c->mode, &pad) ||
		    !same(&pad, &want)) {
			printf("#   differs with trailing bytes\n");
			ok = false;
		}
	}
	if (!ok) {
		printf("#   rc %d, want %d\n", rc, c->rc);
		if (rc == 0)
			dump("got ", &got);
		if (c->rc == 0)
			dump("want", &want);
	}
	report(ok, c->name);
}

static void run_mcase(const struct mcase *c)
{
	struct hvm_insn insn;
	u64 got;

	if (hvm_insn_decode(c->b, c->n, c->mode, &insn)) {
		printf("#   decode failed\n");
		report(false, c->name);
		return;
	}
	if (c->store)
		got = hvm_insn_store_value(&insn, c->old);
	else
		got = hvm_insn_load_merge(&insn, c->old, c->data);
	if (got != c->want || (insn.kind == HVM_INSN_STORE) != c->store)
		printf("#   got 0x%llx want 0x%llx kind %u\n",
		       (unsigned long long)got, (unsigned long long)c->want,
		       insn.kind);
	report(got == c->want && (insn.kind == HVM_INSN_STORE) == c->store,
	       c->name);
}

static void run_xcase(const struct xcase *c)
{
	u64 regs[16], rflags = c->flags, wval = 0;
	struct hvm_insn insn;
	bool writes, ok;
	int i;

	if (hvm_insn_decode(c->b, c->n, c->mode, &insn) ||
	    insn.kind != HVM_INSN_ALU) {
		printf("#   decode failed\n");
		report(false, c->name);
		return;
	}
	for (i = 0; i < 16; i++)
		regs[i] = XREG(i);
	regs[c->r] = c->rv;
	regs[0] = c->rax;
	writes = hvm_insn_alu_exec(&insn, regs, &rflags, c->mem, &wval);
	ok = writes == c->writes && (!writes || wval == c->wval) &&
	     rflags == c->want_flags && regs[0] == c->want_rax &&
	     (c->r == 0 || regs[c->r] == c->want_r);
	for (i = 1; i < 16; i++)
		if (i != c->r && regs[i] != XREG(i))
			ok = false;
	if (!ok)
		printf("#   writes %d %#llx flags %#llx rax %#llx r%u %#llx\n",
		       writes, (unsigned long long)wval,
		       (unsigned long long)rflags, (unsigned long long)regs[0],
		       c->r, (unsigned long long)regs[c->r]);
	report(ok, c->name);
}

/*
 * hvm_alu() against the host CPU: each operation and size on registers,
 * RFLAGS loaded and saved around it with POPF/PUSHF (below the red zone).
 */
#define HOST_ASM(body, d, s, f)						\
	asm("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopf\n\t" body	\
	    "\n\tpushf\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"		\
	    : [d] "+r"(d), [f] "+r"(f) : [s] "r"(s) : "cc")

#define HOST2(name, insn, type)						\
static u64 host_##name(u64 dst, u64 src, u64 *fl)			\
{									\
	type d = dst, s = src;						\
	u64 f = *fl;							\
	HOST_ASM(insn " %[s], %[d]", d, s, f);				\
	*fl = f;							\
	return d;							\
}

#define HOST1(name, insn, type)						\
static u64 host_##name(u64 dst, u64 src, u64 *fl)			\
{									\
	type d = dst, s = src;						\
	u64 f = *fl;							\
	HOST_ASM(insn " %[d]", d, s, f);				\
	*fl = f;							\
	return d;							\
}

#define HOST_SIZES(op)							\
	HOST2(op##b, #op "b", u8) HOST2(op##w, #op "w", u16)		\
	HOST2(op##l, #op "l", u32) HOST2(op##q, #op "q", u64)

HOST_SIZES(add) HOST_SIZES(or) HOST_SIZES(adc) HOST_SIZES(sbb)
HOST_SIZES(and) HOST_SIZES(sub) HOST_SIZES(xor) HOST_SIZES(cmp)
HOST_SIZES(test)
HOST1(incb, "incb", u8) HOST1(incw, "incw", u16) HOST1(incl, "incl", u32) HOST1(incq, "incq", u64)
HOST1(decb, "decb", u8) HOST1(decw, "decw", u16) HOST1(decl, "decl", u32) HOST1(decq, "decq", u64)
HOST2(btw, "btw", u16) HOST2(btl, "btl", u32) HOST2(btq, "btq", u64)
HOST2(btsw, "btsw", u16) HOST2(btsl, "btsl", u32) HOST2(btsq, "btsq", u64)
HOST2(btrw, "btrw", u16) HOST2(btrl, "btrl", u32) HOST2(btrq, "btrq", u64)
HOST2(btcw, "btcw", u16) HOST2(btcl, "btcl", u32) HOST2(btcq, "btcq", u64)

struct host_op {
	const char *name;
	unsigned int op, size;
	u64 (*fn)(u64 dst, u64 src, u64 *fl);
};

#define HOP(o, sfx, sz)	{ #o #sfx, HVM_ALU_##o, sz, host_##o##sfx }
#define HOPS(o, lo)	{ #lo "b", HVM_ALU_##o, 1, host_##lo##b }, \
			{ #lo "w", HVM_ALU_##o, 2, host_##lo##w }, \
			{ #lo "l", HVM_ALU_##o, 4, host_##lo##l }, \
			{ #lo "q", HVM_ALU_##o, 8, host_##lo##q }
#define HOPS_BT(o, lo)	{ #lo "w", HVM_ALU_##o, 2, host_##lo##w }, \
			{ #lo "l", HVM_ALU_##o, 4, host_##lo##l }, \
			{ #lo "q", HVM_ALU_##o, 8, host_##lo##q }

static const struct host_op host_ops[] = {
	HOPS(ADD, add), HOPS(OR, or), HOPS(ADC, adc), HOPS(SBB, sbb),
	HOPS(AND, and), HOPS(SUB, sub), HOPS(XOR, xor), HOPS(CMP, cmp),
	HOPS(TEST, test), HOPS(INC, inc), HOPS(DEC, dec),
	HOPS_BT(BT, bt), HOPS_BT(BTS, bts), HOPS_BT(BTR, btr), HOPS_BT(BTC, btc),
};

static const u64 alu_values[] = {
	0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x100, 0x7fff,
	0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
	0xfffffffffffffffeULL, ~0ULL, 0x0123456789abcdefULL,
	0xfedcba9876543210ULL, 0x5555555555555555ULL, 0xaaaaaaaaaaaaaaaaULL,
};

static void run_host_op(const struct host_op *h)
{
	/* Flags the SDM defines (and AF of the logic ops, cleared by both). */
	u64 mask = HVM_RFLAGS_ARITH, want, got, fin, fw, fg;
	unsigned int i, j, k, bad = 0, n = 0;
	u64 mask_size = h->size == 8 ? ~0ULL : (1ULL << (h->size * 8)) - 1;

	if (h->op >= HVM_ALU_BT && h->op <= HVM_ALU_BTC)
		mask = HVM_RFLAGS_CF;	/* OF SF AF PF undefined, ZF kept */
	for (i = 0; i < ARRAY_SIZE(alu_values); i++) {
		for (j = 0; j < ARRAY_SIZE(alu_values); j++) {
			/* Flags in: none, then all (CF in for ADC/SBB/INC/DEC). */
			for (k = 0; k < 2; k++) {
				fin = 0x202 | (k ? HVM_RFLAGS_ARITH : 0);
				fw = fin;
				fg = fin;
				want = h->fn(alu_values[i], alu_values[j], &fw);
				got = hvm_alu(h->op, h->size, alu_values[i],
					      alu_values[j], &fg);
				n++;
				/* CMP and TEST only set flags. */
				if (h->op == HVM_ALU_CMP || h->op == HVM_ALU_TEST)
					got = want;
				if ((got & mask_size) == (want & mask_size) &&
				    (fg & mask) == (fw & mask) &&
				    (fg & ~HVM_RFLAGS_ARITH) == (fin & ~HVM_RFLAGS_ARITH))
					continue;
				if (bad++ < 3)
					printf("#   %s %#llx, %#llx flags in %#llx: host %#llx flags %#llx, hvm %#llx flags %#llx\n",
					       h->name,
					       (unsigned long long)alu_values[i],
					       (unsigned long long)alu_values[j],
					       (unsigned long long)fin,
					       (unsigned long long)want,
					       (unsigned long long)fw,
					       (unsigned long long)got,
					       (unsigned long long)fg);
			}
		}
	}
	printf("#   %s: %u operand pairs, %u differ from the host\n", h->name, n, bad);
	{
		char name[64];

		snprintf(name, sizeof(name), "alu: %s matches the host CPU", h->name);
		report(!bad, name);
	}
}

/* hvm_insn_length(): instructions an exit names by opcode, with prefixes. */
struct lcase {
	const char *name;
	u8 b[16];
	unsigned int n, mode;
	u8 op[3];
	unsigned int oplen, len;
};

static const struct lcase lcases[] = {
	{ "length: cpuid", { 0x0f, 0xa2 }, 2, 64, { 0x0f, 0xa2 }, 2, 2 },
	{ "length: 66 cpuid", { 0x66, 0x0f, 0xa2 }, 3, 64, { 0x0f, 0xa2 }, 2, 3 },
	{ "length: REX.W cpuid in 64-bit mode", { 0x48, 0x0f, 0xa2 }, 3, 64,
	  { 0x0f, 0xa2 }, 2, 3 },
	{ "length: 0x48 is no prefix in 32-bit mode", { 0x48, 0x0f, 0xa2 }, 3, 32,
	  { 0x0f, 0xa2 }, 2, 0 },
	{ "length: REX then a legacy prefix (REX ignored, counted)",
	  { 0x41, 0x66, 0x0f, 0xa2 }, 4, 64, { 0x0f, 0xa2 }, 2, 4 },
	{ "length: 13 prefixes and cpuid, 15 bytes",
	  { 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36, 0xf3, 0xf2, 0xf0, 0x66, 0x67,
	    0x2e, 0x3e, 0x0f, 0xa2 }, 15, 64, { 0x0f, 0xa2 }, 2, 15 },
	{ "length: 14 prefixes and cpuid, 16 bytes: too long",
	  { 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36, 0xf3, 0xf2, 0xf0, 0x66, 0x67,
	    0x2e, 0x3e, 0x3e, 0x0f, 0xa2 }, 16, 64, { 0x0f, 0xa2 }, 2, 0 },
	{ "length: cpuid cut short", { 0x66, 0x0f }, 2, 64, { 0x0f, 0xa2 }, 2, 0 },
	{ "length: another instruction", { 0x0f, 0x31 }, 2, 64, { 0x0f, 0xa2 }, 2, 0 },
	{ "length: hlt", { 0xf4 }, 1, 16, { 0xf4 }, 1, 1 },
	{ "length: ds hlt", { 0x3e, 0xf4 }, 2, 32, { 0xf4 }, 1, 2 },
	{ "length: 66 rdmsr in real mode", { 0x66, 0x0f, 0x32 }, 3, 16,
	  { 0x0f, 0x32 }, 2, 3 },
	{ "length: cs vmmcall", { 0x2e, 0x0f, 0x01, 0xd9 }, 4, 64,
	  { 0x0f, 0x01, 0xd9 }, 3, 4 },
	{ "length: vmrun is not vmmcall", { 0x0f, 0x01, 0xd8 }, 3, 64,
	  { 0x0f, 0x01, 0xd9 }, 3, 0 },
	{ "length: 67 xsetbv", { 0x67, 0x0f, 0x01, 0xd1 }, 4, 64,
	  { 0x0f, 0x01, 0xd1 }, 3, 4 },
};

static void run_lcase(const struct lcase *c)
{
	unsigned int len = hvm_insn_length(c->b, c->n, c->mode, c->op, c->oplen);

	if (len != c->len)
		printf("#   length %u, want %u\n", len, c->len);
	report(len == c->len, c->name);
}

/* hvm_insn_decode_mov_to_cr(): MOV to CRn, which CR and which source. */
struct crcase {
	const char *name;
	u8 b[8];
	unsigned int n, mode, len;
	u8 cr, gpr;
};

static const struct crcase crcases[] = {
	{ "mov to cr: mov %rax,%cr8", { 0x44, 0x0f, 0x22, 0xc0 }, 4, 64, 4, 8, 0 },
	{ "mov to cr: mov %r9,%cr8", { 0x45, 0x0f, 0x22, 0xc1 }, 4, 64, 4, 8, 9 },
	{ "mov to cr: mov %rbx,%cr4", { 0x0f, 0x22, 0xe3 }, 3, 64, 3, 4, 3 },
	{ "mov to cr: lock mov %eax,%cr0 is cr8 (AMD)", { 0xf0, 0x0f, 0x22, 0xc0 }, 4, 32,
	  4, 8, 0 },
	{ "mov to cr: a REX before a legacy prefix is ignored",
	  { 0x44, 0x66, 0x0f, 0x22, 0xc0 }, 5, 64, 5, 0, 0 },
	{ "mov to cr: 0x44 is no REX in 32-bit mode", { 0x44, 0x0f, 0x22, 0xc0 }, 4, 32,
	  0, 0, 0 },
	{ "mov to cr: mov from cr is another instruction", { 0x44, 0x0f, 0x20, 0xc0 }, 4,
	  64, 0, 0, 0 },
	{ "mov to cr: cut short", { 0x44, 0x0f, 0x22 }, 3, 64, 0, 0, 0 },
};

static void run_crcase(const struct crcase *c)
{
	u8 cr = 0xff, gpr = 0xff;
	unsigned int len = hvm_insn_decode_mov_to_cr(c->b, c->n, c->mode, &cr, &gpr);
	bool ok = len == c->len && (!len || (cr == c->cr && gpr == c->gpr));

	if (!ok)
		printf("#   length %u cr %u gpr %u, want %u %u %u\n", len, cr, gpr,
		       c->len, c->cr, c->gpr);
	report(ok, c->name);
}

/* hvm_insn_decode_lmsw(): LMSW from a register, and which one. */
static const struct crcase lmswcases[] = {
	{ "lmsw: lmsw %ax", { 0x0f, 0x01, 0xf0 }, 3, 64, 3, 0, 0 },
	{ "lmsw: lmsw %dx, 16-bit code", { 0x0f, 0x01, 0xf2 }, 3, 16, 3, 0, 2 },
	{ "lmsw: lmsw %r9w", { 0x41, 0x0f, 0x01, 0xf1 }, 4, 64, 4, 0, 9 },
	{ "lmsw: 0x41 is no REX in 32-bit mode", { 0x41, 0x0f, 0x01, 0xf1 }, 4, 32,
	  0, 0, 0 },
	{ "lmsw: a REX before a legacy prefix is ignored",
	  { 0x41, 0x66, 0x0f, 0x01, 0xf1 }, 5, 64, 5, 0, 1 },
	{ "lmsw: from memory is not decoded", { 0x0f, 0x01, 0x30 }, 3, 64, 0, 0, 0 },
	{ "lmsw: smsw is another instruction", { 0x0f, 0x01, 0xe0 }, 3, 64, 0, 0, 0 },
	{ "lmsw: cut short", { 0x0f, 0x01 }, 2, 64, 0, 0, 0 },
};

static void run_lmswcase(const struct crcase *c)
{
	u8 gpr = 0xff;
	unsigned int len = hvm_insn_decode_lmsw(c->b, c->n, c->mode, &gpr);
	bool ok = len == c->len && (!len || gpr == c->gpr);

	if (!ok)
		printf("#   length %u gpr %u, want %u %u\n", len, gpr, c->len, c->gpr);
	report(ok, c->name);
}

int main(void)
{
	static const u8 mov[] = { 0x8b, 0x03 };
	struct hvm_insn insn;
	size_t i;

	printf("TAP version 13\n");
	printf("1..%zu\n", ARRAY_SIZE(dcases) + ARRAY_SIZE(mcases) +
	       ARRAY_SIZE(lcases) + ARRAY_SIZE(crcases) + ARRAY_SIZE(lmswcases) +
	       ARRAY_SIZE(xcases) + ARRAY_SIZE(host_ops) + 1);

	for (i = 0; i < ARRAY_SIZE(dcases); i++)
		run_dcase(&dcases[i]);
	for (i = 0; i < ARRAY_SIZE(mcases); i++)
		run_mcase(&mcases[i]);
	for (i = 0; i < ARRAY_SIZE(xcases); i++)
		run_xcase(&xcases[i]);
	for (i = 0; i < ARRAY_SIZE(host_ops); i++)
		run_host_op(&host_ops[i]);
	for (i = 0; i < ARRAY_SIZE(lcases); i++)
		run_lcase(&lcases[i]);
	for (i = 0; i < ARRAY_SIZE(crcases); i++)
		run_crcase(&crcases[i]);
	for (i = 0; i < ARRAY_SIZE(lmswcases); i++)
		run_lmswcase(&lmswcases[i]);
	report(hvm_insn_decode(mov, 0, 64, &insn) == -EINVAL,
	       "avail 0 rejected");

	return failed;
}
