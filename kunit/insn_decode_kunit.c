// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the MMIO instruction decoder (kmod/insn_decode.c): the
 * tables of byte sequences and of executions shared with the host-side
 * test, then exhaustive sweeps (every opcode, every ModRM/SIB byte, every
 * REX, every emulated form in every operand size) against rules taken
 * from the SDM, and random byte streams in buffers of exactly the bytes
 * available, so that KASAN catches any read past them.
 */
#include <linux/errno.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/types.h>

#include <kunit/test.h>

#include "insn_decode.h"
#include "insn_decode_cases.h"

static void insn_expect_eq(struct kunit *test, const struct hvm_insn *got,
			   const struct hvm_insn *want, const char *what)
{
	KUNIT_EXPECT_EQ_MSG(test, got->len, want->len, "%s: len", what);
	KUNIT_EXPECT_EQ_MSG(test, got->kind, want->kind, "%s: kind", what);
	KUNIT_EXPECT_EQ_MSG(test, got->size, want->size, "%s: size", what);
	KUNIT_EXPECT_EQ_MSG(test, got->dst_size, want->dst_size, "%s: dst_size",
			    what);
	KUNIT_EXPECT_EQ_MSG(test, got->reg, want->reg, "%s: reg", what);
	KUNIT_EXPECT_EQ_MSG(test, got->high_byte, want->high_byte,
			    "%s: high_byte", what);
	KUNIT_EXPECT_EQ_MSG(test, got->sign_extend, want->sign_extend,
			    "%s: sign_extend", what);
	KUNIT_EXPECT_EQ_MSG(test, got->has_imm, want->has_imm, "%s: has_imm",
			    what);
	KUNIT_EXPECT_EQ_MSG(test, got->imm, want->imm, "%s: imm", what);
	KUNIT_EXPECT_EQ_MSG(test, got->op, want->op, "%s: op", what);
	KUNIT_EXPECT_EQ_MSG(test, got->mem_src, want->mem_src, "%s: mem_src",
			    what);
	KUNIT_EXPECT_EQ_MSG(test, got->lock, want->lock, "%s: lock", what);
	KUNIT_EXPECT_EQ_MSG(test, got->rep, want->rep, "%s: rep", what);
	KUNIT_EXPECT_EQ_MSG(test, got->addr_size, want->addr_size,
			    "%s: addr_size", what);
	KUNIT_EXPECT_EQ_MSG(test, got->seg, want->seg, "%s: seg", what);
}

static void dcase_desc(const struct dcase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dcase, dcases, dcase_desc);

/* One table entry: its result, one byte short, and with bytes after it. */
static void insn_decode_table(struct kunit *test)
{
	const struct dcase *c = test->param_value;
	struct hvm_insn want = {
		.len = c->len, .kind = c->kind, .size = c->size,
		.dst_size = c->dst_size, .reg = c->reg, .high_byte = c->hb,
		.sign_extend = c->sx, .has_imm = c->has_imm, .imm = c->imm,
		.op = c->op, .mem_src = c->ms, .lock = c->lk, .rep = c->rp,
		.addr_size = c->as, .seg = c->seg,
	};
	struct hvm_insn got;
	u8 *exact, buf[32];
	int rc;

	/* Exactly the bytes given: KASAN sees a read past them. */
	exact = kunit_kmalloc(test, c->n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, exact);
	memcpy(exact, c->b, c->n);

	memset(&got, 0xa5, sizeof(got));
	rc = hvm_insn_decode(exact, c->n, c->mode, &got);
	KUNIT_ASSERT_EQ(test, rc, c->rc);
	if (rc)
		return;
	insn_expect_eq(test, &got, &want, "as given");
	KUNIT_EXPECT_EQ(test, got.len, c->n);

	/* A page boundary that cuts the instruction short must fail. */
	KUNIT_EXPECT_EQ(test, hvm_insn_decode(exact, c->n - 1, c->mode, &got),
			-EINVAL);

	memcpy(buf, c->b, c->n);
	memset(buf + c->n, 0x90, sizeof(buf) - c->n);
	KUNIT_EXPECT_EQ(test, hvm_insn_decode(buf, sizeof(buf), c->mode, &got), 0);
	insn_expect_eq(test, &got, &want, "with trailing NOPs");
}

static void mcase_desc(const struct mcase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mcase, mcases, mcase_desc);

/* What a load writes to the register, what a store writes to memory. */
static void insn_merge_table(struct kunit *test)
{
	const struct mcase *c = test->param_value;
	struct hvm_insn insn;

	KUNIT_ASSERT_EQ(test, hvm_insn_decode(c->b, c->n, c->mode, &insn), 0);
	KUNIT_EXPECT_EQ(test, insn.kind == HVM_INSN_STORE, c->store);
	if (c->store)
		KUNIT_EXPECT_EQ(test, hvm_insn_store_value(&insn, c->old), c->want);
	else
		KUNIT_EXPECT_EQ(test, hvm_insn_load_merge(&insn, c->old, c->data),
				c->want);
}

static void xcase_desc(const struct xcase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xcase, xcases, xcase_desc);

/* An ALU form executed on a value read: registers, RFLAGS, the write. */
static void insn_exec_table(struct kunit *test)
{
	const struct xcase *c = test->param_value;
	u64 regs[16], rflags = c->flags, wval = 0;
	struct hvm_insn insn;
	int i;

	KUNIT_ASSERT_EQ(test, hvm_insn_decode(c->b, c->n, c->mode, &insn), 0);
	KUNIT_ASSERT_EQ(test, insn.kind, HVM_INSN_ALU);
	for (i = 0; i < 16; i++)
		regs[i] = XREG(i);
	regs[c->r] = c->rv;
	regs[0] = c->rax;
	KUNIT_EXPECT_EQ(test, hvm_insn_alu_exec(&insn, regs, &rflags, c->mem,
						&wval), c->writes);
	if (c->writes)
		KUNIT_EXPECT_EQ(test, wval, c->wval);
	KUNIT_EXPECT_EQ(test, rflags, c->want_flags);
	KUNIT_EXPECT_EQ(test, regs[0], c->want_rax);
	if (c->r)
		KUNIT_EXPECT_EQ(test, regs[c->r], c->want_r);
	for (i = 1; i < 16; i++)
		if (i != c->r)
			KUNIT_EXPECT_EQ_MSG(test, regs[i], XREG(i), "r%d", i);
}

static void insn_decode_rejects_bad_mode_and_empty(struct kunit *test)
{
	static const u8 mov[] = { 0x8b, 0x03 };
	static const unsigned int bad_modes[] = { 0, 8, 24, 48, 63, 65, 128 };
	struct hvm_insn insn;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad_modes); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    hvm_insn_decode(mov, sizeof(mov), bad_modes[i], &insn),
				    -EINVAL, "mode %u", bad_modes[i]);
	KUNIT_EXPECT_EQ(test, hvm_insn_decode(mov, 0, 64, &insn), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvm_insn_decode(mov, 1, 64, &insn), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvm_insn_decode(mov, 2, 64, &insn), 0);
}

/* A failed decode leaves nothing behind that a caller could act on. */
static void insn_decode_failure_clears_result(struct kunit *test)
{
	static const u8 neg[] = { 0xf7, 0x18 };
	static const u8 cut[] = { 0xc7, 0x00, 0x78, 0x56 };
	struct hvm_insn insn, zero = { 0 };

	memset(&insn, 0xa5, sizeof(insn));
	KUNIT_EXPECT_EQ(test, hvm_insn_decode(neg, sizeof(neg), 64, &insn), -EINVAL);
	insn_expect_eq(test, &insn, &zero, "unknown opcode");
	memset(&insn, 0xa5, sizeof(insn));
	KUNIT_EXPECT_EQ(test, hvm_insn_decode(cut, sizeof(cut), 64, &insn), -EINVAL);
	KUNIT_EXPECT_EQ(test, insn.len, 0);
}

/*
 * Does b[0] b[1]=00 b[2]=00... decode in @mode? Opcodes hvm emulates with
 * ModRM 00 ([rax] / [bx+si]): the MOVs, ADD..CMP, group 1, TEST, XCHG,
 * group 3 /0, groups 4/5 /0 and the string stores; a prefix before ADD
 * (00 00) too, except REP/REPNE, and REX only in 64-bit mode.
 */
static bool sdm_one_byte_known(unsigned int op, unsigned int mode)
{
	if (op < 0x40)
		return (op & 7) < 4 || op == 0x26 || op == 0x2e || op == 0x36 ||
		       op == 0x3e;
	if (op < 0x50)
		return mode == 64;
	switch (op) {
	case 0x64: case 0x65: case 0x66: case 0x67: case 0xf0:
	case 0x80: case 0x81: case 0x83: case 0x84 ... 0x8b:
	case 0xa0 ... 0xa5: case 0xaa: case 0xab:
	case 0xc6: case 0xc7: case 0xf6: case 0xf7: case 0xfe: case 0xff:
		return true;
	default:
		return false;
	}
}

/* Of all 256 one-byte opcodes and all 256 0F xx ones, only the known. */
static void insn_decode_only_known_opcodes(struct kunit *test)
{
	static const unsigned int modes[] = { 16, 32, 64 };
	u8 b[HVM_INSN_MAX_LEN] = { 0 };
	struct hvm_insn insn;
	int m, op, rc;
	bool known;

	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		for (op = 0; op < 256; op++) {
			b[0] = op;
			b[1] = 0x00;	/* ModRM [rax]/[bx+si]; after a prefix: ADD */
			rc = hvm_insn_decode(b, sizeof(b), modes[m], &insn);
			known = sdm_one_byte_known(op, modes[m]);
			KUNIT_EXPECT_EQ_MSG(test, rc, known ? 0 : -EINVAL,
					    "mode %u opcode %02x", modes[m], op);

			b[0] = 0x0f;
			b[1] = op;
			b[2] = 0x00;	/* 0F BA /0 is reserved */
			rc = hvm_insn_decode(b, sizeof(b), modes[m], &insn);
			known = op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf ||
				op == 0xa3 || op == 0xab || op == 0xb3 || op == 0xbb ||
				op == 0xb0 || op == 0xb1;
			KUNIT_EXPECT_EQ_MSG(test, rc, known ? 0 : -EINVAL,
					    "mode %u opcode 0f %02x", modes[m], op);
			b[2] = 0;
		}
	}
}

/* An emulated form other than MOV, for the operand-size sweep. */
struct alu_form {
	u8 op[2], oplen;
	s8 ext;		/* ModRM.reg it needs, -1: a register operand */
	u8 kind, alu;
	bool byte;	/* fixed 8-bit operand */
	u8 imm;		/* 0, 1 (imm8) or 4 (imm16/32 by operand size) */
	bool mem_src;
};

#define F1(o, e, a, b, i)	{ { o }, 1, e, HVM_INSN_ALU, HVM_ALU_##a, b, i, false }
#define F2(o, e, a, b, i)	{ { 0x0f, o }, 2, e, HVM_INSN_ALU, HVM_ALU_##a, b, i, false }

static const struct alu_form alu_forms[] = {
	F1(0x80, 0, ADD, true, 1), F1(0x80, 1, OR, true, 1), F1(0x80, 2, ADC, true, 1),
	F1(0x80, 3, SBB, true, 1), F1(0x80, 4, AND, true, 1), F1(0x80, 5, SUB, true, 1),
	F1(0x80, 6, XOR, true, 1), F1(0x80, 7, CMP, true, 1),
	F1(0x81, 0, ADD, false, 4), F1(0x81, 1, OR, false, 4), F1(0x81, 2, ADC, false, 4),
	F1(0x81, 3, SBB, false, 4), F1(0x81, 4, AND, false, 4), F1(0x81, 5, SUB, false, 4),
	F1(0x81, 6, XOR, false, 4), F1(0x81, 7, CMP, false, 4),
	F1(0x83, 0, ADD, false, 1), F1(0x83, 1, OR, false, 1), F1(0x83, 2, ADC, false, 1),
	F1(0x83, 3, SBB, false, 1), F1(0x83, 4, AND, false, 1), F1(0x83, 5, SUB, false, 1),
	F1(0x83, 6, XOR, false, 1), F1(0x83, 7, CMP, false, 1),
	F1(0x84, -1, TEST, true, 0), F1(0x85, -1, TEST, false, 0),
	F1(0x86, -1, XCHG, true, 0), F1(0x87, -1, XCHG, false, 0),
	F1(0xf6, 0, TEST, true, 1), F1(0xf7, 0, TEST, false, 4),
	F1(0xfe, 0, INC, true, 0), F1(0xfe, 1, DEC, true, 0),
	F1(0xff, 0, INC, false, 0), F1(0xff, 1, DEC, false, 0),
	F2(0xa3, -1, BT, false, 0), F2(0xab, -1, BTS, false, 0),
	F2(0xb3, -1, BTR, false, 0), F2(0xbb, -1, BTC, false, 0),
	F2(0xba, 4, BT, false, 1), F2(0xba, 5, BTS, false, 1),
	F2(0xba, 6, BTR, false, 1), F2(0xba, 7, BTC, false, 1),
	F2(0xb0, -1, CMPXCHG, true, 0), F2(0xb1, -1, CMPXCHG, false, 0),
	{ { 0xa4 }, 1, -1, HVM_INSN_MOVS, 0, true, 0, false },
	{ { 0xa5 }, 1, -1, HVM_INSN_MOVS, 0, false, 0, false },
	{ { 0xaa }, 1, -1, HVM_INSN_STOS, 0, true, 0, false },
	{ { 0xab }, 1, -1, HVM_INSN_STOS, 0, false, 0, false },
};

#undef F1
#undef F2

/* One form, one mode, with or without 66, REX.W, LOCK: size, length, op. */
static void alu_form_check(struct kunit *test, const struct alu_form *f,
			   unsigned int mode, bool p66, bool rexw, bool lock)
{
	unsigned int n = 0, size, len, reg = 2, imm_len;
	bool strop = f->kind != HVM_INSN_ALU;
	u8 b[HVM_INSN_MAX_LEN + 4];
	struct hvm_insn insn;
	bool want_ok;
	int rc;

	memset(b, 0x90, sizeof(b));
	if (lock)
		b[n++] = 0xf0;
	if (p66)
		b[n++] = 0x66;
	if (rexw)
		b[n++] = 0x48;
	memcpy(b + n, f->op, f->oplen);
	n += f->oplen;
	if (!strop)	/* [rax] / [bx+si], reg from the form or RDX */
		b[n++] = (f->ext >= 0 ? f->ext : reg) << 3;
	size = mode == 16 ? (p66 ? 4 : 2) : (p66 ? 2 : 4);
	if (rexw)
		size = 8;
	if (f->byte)
		size = 1;
	imm_len = f->imm == 4 ? min(size, 4u) : f->imm;
	memset(b + n, 0x81, imm_len);	/* sign bit set */
	len = n + imm_len;

	rc = hvm_insn_decode(b, sizeof(b), mode, &insn);
	want_ok = !lock || (!strop && f->alu != HVM_ALU_CMP &&
				   f->alu != HVM_ALU_TEST && f->alu != HVM_ALU_BT);
	KUNIT_ASSERT_EQ_MSG(test, rc, want_ok ? 0 : -EINVAL,
			    "%02x %02x /%d mode %u 66 %d W %d lock %d", f->op[0],
			    f->op[1], f->ext, mode, p66, rexw, lock);
	if (rc)
		return;
	KUNIT_EXPECT_EQ(test, insn.len, len);
	KUNIT_EXPECT_EQ(test, insn.kind, f->kind);
	KUNIT_EXPECT_EQ(test, insn.size, size);
	KUNIT_EXPECT_EQ(test, insn.lock, lock);
	KUNIT_EXPECT_EQ(test, insn.has_imm, !!f->imm);
	if (strop) {
		KUNIT_EXPECT_EQ(test, insn.addr_size, mode / 8);
		return;
	}
	KUNIT_EXPECT_EQ(test, insn.op, f->alu);
	KUNIT_EXPECT_EQ(test, insn.mem_src, false);
	if (f->imm) {
		/* imm8 sign-extends, except a bit offset */
		u64 want = f->op[0] == 0x0f ? 0x81 :
			   imm_len == 1 ? 0xffffffffffffff81ULL :
			   imm_len == 2 ? 0xffffffffffff8181ULL :
			   0xffffffff81818181ULL;

		KUNIT_EXPECT_EQ(test, insn.imm,
				want & (size == 8 ? ~0ULL : (1ULL << size * 8) - 1));
	} else if (f->ext < 0) {
		KUNIT_EXPECT_EQ(test, insn.reg, reg);
	}
}

/* Every form in every mode and operand size, with LOCK where it may be. */
static void insn_decode_alu_sizes(struct kunit *test)
{
	static const unsigned int modes[] = { 16, 32, 64 };
	unsigned int f, m, v;

	for (f = 0; f < ARRAY_SIZE(alu_forms); f++)
		for (m = 0; m < ARRAY_SIZE(modes); m++)
			for (v = 0; v < 8; v++) {
				if ((v & 2) && modes[m] != 64)
					continue;	/* REX */
				alu_form_check(test, &alu_forms[f], modes[m],
					       v & 1, v & 2, v & 4);
			}
}

/* 00-3B: each of ADD..CMP, both directions, both sizes, in every mode. */
static void insn_decode_alu_reg_forms(struct kunit *test)
{
	static const unsigned int modes[] = { 16, 32, 64 };
	unsigned int op, m, size;
	struct hvm_insn insn;

	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		for (op = 0; op < 0x40; op++) {
			u8 b[] = { 0x66, op, 0x18 };	/* [rax], reg 3 (BL/BX/EBX) */

			if ((op & 7) > 3)
				continue;
			KUNIT_ASSERT_EQ(test, hvm_insn_decode(b + 1, 2, modes[m], &insn), 0);
			size = op & 1 ? (modes[m] == 16 ? 2 : 4) : 1;
			KUNIT_EXPECT_EQ(test, insn.kind, HVM_INSN_ALU);
			KUNIT_EXPECT_EQ(test, insn.op, op >> 3);
			KUNIT_EXPECT_EQ(test, insn.size, size);
			KUNIT_EXPECT_EQ(test, insn.mem_src, !!(op & 2));
			KUNIT_EXPECT_EQ(test, insn.reg, 3);
			KUNIT_EXPECT_EQ(test, insn.len, 2);
			KUNIT_ASSERT_EQ(test, hvm_insn_decode(b, 3, modes[m], &insn), 0);
			size = op & 1 ? (modes[m] == 16 ? 4 : 2) : 1;
			KUNIT_EXPECT_EQ(test, insn.size, size);
			KUNIT_EXPECT_EQ(test, insn.len, 3);
		}
	}
}

/*
 * The length of 8B /r from the SDM's ModRM and SIB tables (Vol. 2A,
 * 2.1.5): 32/64-bit addressing has a SIB byte for r/m 100, disp32 for
 * mod 00 r/m 101 and for a SIB base of 101 under mod 00, disp8 for mod 01
 * and disp32 for mod 10; 16-bit addressing has no SIB, disp16 for mod 00
 * r/m 110 and for mod 10. Mod 11 names a register: not memory.
 */
static int sdm_modrm_len(unsigned int addr_bits, u8 modrm, u8 sib)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, len = 2;

	if (mod == 3)
		return -EINVAL;
	if (addr_bits == 16) {
		if (mod == 1)
			return len + 1;
		if (mod == 2 || rm == 6)
			return len + 2;
		return len;
	}
	if (rm == 4) {
		len++;
		if (mod == 0 && (sib & 7) == 5)
			return len + 4;
	}
	if (mod == 1)
		return len + 1;
	if (mod == 2 || (mod == 0 && rm == 5))
		return len + 4;
	return len;
}

static void insn_modrm_sweep(struct kunit *test, unsigned int mode,
			     bool adsz)
{
	unsigned int addr_bits = adsz ? (mode == 32 ? 16 : 32) : mode;
	unsigned int p = adsz ? 1 : 0, modrm, sib;
	u8 b[HVM_INSN_MAX_LEN] = { 0x67 };
	struct hvm_insn insn;
	int want, rc;

	for (modrm = 0; modrm < 256; modrm++) {
		for (sib = 0; sib < 256; sib++) {
			b[p] = 0x8b;
			b[p + 1] = modrm;
			b[p + 2] = sib;
			want = sdm_modrm_len(addr_bits, modrm, sib);
			rc = hvm_insn_decode(b, sizeof(b), mode, &insn);
			if (want < 0) {
				KUNIT_EXPECT_EQ_MSG(test, rc, -EINVAL,
						    "mode %u modrm %02x", mode, modrm);
			} else {
				KUNIT_EXPECT_EQ_MSG(test, rc, 0, "mode %u modrm %02x sib %02x",
						    mode, modrm, sib);
				KUNIT_EXPECT_EQ_MSG(test, insn.len, want + p,
						    "mode %u modrm %02x sib %02x", mode,
						    modrm, sib);
				KUNIT_EXPECT_EQ(test, insn.reg, (modrm >> 3) & 7);
			}
			/* Without a SIB byte the next byte does not matter. */
			if (addr_bits == 16 || (modrm & 7) != 4)
				break;
		}
	}
}

static void insn_decode_modrm_sib_64(struct kunit *test)
{
	insn_modrm_sweep(test, 64, false);
	insn_modrm_sweep(test, 64, true);	/* 67: 32-bit addressing */
}

static void insn_decode_modrm_sib_32(struct kunit *test)
{
	insn_modrm_sweep(test, 32, false);
	insn_modrm_sweep(test, 16, true);	/* 67: 32-bit addressing */
}

static void insn_decode_modrm_16(struct kunit *test)
{
	insn_modrm_sweep(test, 16, false);
	insn_modrm_sweep(test, 32, true);	/* 67: 16-bit addressing */
}

/* Every REX: W sets the size (over 66), R extends reg, X and B do not. */
static void insn_decode_every_rex(struct kunit *test)
{
	struct hvm_insn insn;
	unsigned int rex;

	for (rex = 0x40; rex <= 0x4f; rex++) {
		u8 st[] = { rex, 0x89, 0x08 };		/* mov [rax],ecx */
		u8 st66[] = { 0x66, rex, 0x89, 0x08 };
		u8 ld8[] = { rex, 0x8a, 0x20 };		/* mov spl/r12b,[rax] */

		KUNIT_ASSERT_EQ(test, hvm_insn_decode(st, 3, 64, &insn), 0);
		KUNIT_EXPECT_EQ(test, insn.size, rex & 8 ? 8 : 4);
		KUNIT_EXPECT_EQ(test, insn.reg, 1 + (rex & 4 ? 8 : 0));
		KUNIT_EXPECT_EQ(test, insn.len, 3);

		KUNIT_ASSERT_EQ(test, hvm_insn_decode(st66, 4, 64, &insn), 0);
		KUNIT_EXPECT_EQ(test, insn.size, rex & 8 ? 8 : 2);

		KUNIT_ASSERT_EQ(test, hvm_insn_decode(ld8, 3, 64, &insn), 0);
		KUNIT_EXPECT_EQ(test, insn.size, 1);
		KUNIT_EXPECT_EQ(test, insn.reg, 4 + (rex & 4 ? 8 : 0));
		KUNIT_EXPECT_FALSE(test, insn.high_byte);

		/* Outside 64-bit mode 40-4F are INC/DEC. */
		KUNIT_EXPECT_EQ(test, hvm_insn_decode(st, 3, 32, &insn), -EINVAL);
	}
}

/* Byte registers 4-7: AH CH DH BH without REX, SPL BPL SIL DIL with it. */
static void insn_decode_byte_registers(struct kunit *test)
{
	struct hvm_insn insn;
	unsigned int reg;

	for (reg = 0; reg < 8; reg++) {
		u8 plain[] = { 0x88, reg << 3 };
		u8 rex[] = { 0x40, 0x88, reg << 3 };

		KUNIT_ASSERT_EQ(test, hvm_insn_decode(plain, 2, 64, &insn), 0);
		KUNIT_EXPECT_EQ(test, insn.high_byte, reg >= 4);
		KUNIT_EXPECT_EQ(test, insn.reg, reg >= 4 ? reg - 4 : reg);
		KUNIT_EXPECT_EQ(test, hvm_insn_store_value(&insn, 0x1122334455667788ULL),
				reg >= 4 ? (0x7788ULL >> 8) : 0x88ULL);

		KUNIT_ASSERT_EQ(test, hvm_insn_decode(rex, 3, 64, &insn), 0);
		KUNIT_EXPECT_FALSE(test, insn.high_byte);
		KUNIT_EXPECT_EQ(test, insn.reg, reg);
	}
}

/* Prefixes count toward the 15-byte limit, however many there are. */
static void insn_decode_length_limit(struct kunit *test)
{
	u8 b[32];
	struct hvm_insn insn;
	int n;

	for (n = 0; n <= 20; n++) {
		memset(b, 0x3e, n);			/* DS overrides */
		b[n] = 0x8b;
		b[n + 1] = 0x00;
		KUNIT_EXPECT_EQ_MSG(test, hvm_insn_decode(b, n + 2, 64, &insn),
				    n + 2 <= HVM_INSN_MAX_LEN ? 0 : -EINVAL,
				    "%d prefixes", n);
		/* More bytes available change nothing. */
		memset(b + n + 2, 0x90, sizeof(b) - n - 2);
		KUNIT_EXPECT_EQ_MSG(test, hvm_insn_decode(b, sizeof(b), 64, &insn),
				    n + 2 <= HVM_INSN_MAX_LEN ? 0 : -EINVAL,
				    "%d prefixes, 32 bytes available", n);
	}
}

static u8 insn_random_byte(struct rnd_state *rnd)
{
	static const u8 likely[] = {
		0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf3,
		0x40, 0x41, 0x44, 0x48, 0x4c, 0x4f, 0x88, 0x89, 0x8a, 0x8b,
		0xa0, 0xa1, 0xa2, 0xa3, 0xc6, 0xc7, 0x0f, 0xb6, 0xb7, 0xbe,
		0xbf, 0x04, 0x05, 0x25, 0x44, 0x84, 0x06, 0x46, 0x86,
		0x01, 0x09, 0x0b, 0x39, 0x80, 0x81, 0x83, 0x85, 0x87, 0xf6,
		0xf7, 0xfe, 0xff, 0xa3, 0xab, 0xb3, 0xbb, 0xba, 0xb0, 0xb1,
		0xa4, 0xa5, 0xaa, 0xf2,
	};
	u32 r = prandom_u32_state(rnd);

	return r & 1 ? likely[(r >> 8) % ARRAY_SIZE(likely)] : r >> 16;
}

/*
 * Random byte streams, each in a buffer of exactly avail bytes: the
 * decoder never reads past avail (KASAN), what it accepts is well formed,
 * and more bytes after an accepted instruction do not change it.
 */
static void insn_decode_random_streams(struct kunit *test)
{
	static const unsigned int modes[] = { 16, 32, 64 };
	struct hvm_insn insn, again;
	struct rnd_state rnd;
	unsigned int avail, accepted = 0;
	u8 *b, wide[HVM_INSN_MAX_LEN + 8];
	int m, i, j;

	prandom_seed_state(&rnd, 0x68766d);
	for (avail = 1; avail <= HVM_INSN_MAX_LEN + 2; avail++) {
		b = kmalloc(avail, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
		for (i = 0; i < 3000; i++) {
			for (j = 0; j < avail; j++)
				b[j] = insn_random_byte(&rnd);
			m = modes[i % ARRAY_SIZE(modes)];
			if (hvm_insn_decode(b, avail, m, &insn))
				continue;
			accepted++;
			KUNIT_EXPECT_LE(test, insn.len, avail);
			KUNIT_EXPECT_LE(test, insn.len, HVM_INSN_MAX_LEN);
			KUNIT_EXPECT_TRUE(test, insn.kind >= HVM_INSN_LOAD &&
					  insn.kind <= HVM_INSN_STOS);
			KUNIT_EXPECT_LT(test, insn.op, HVM_ALU_NR_OPS);
			if (insn.lock)
				KUNIT_EXPECT_TRUE(test, hvm_insn_is_rmw(&insn));
			if (insn.rep)
				KUNIT_EXPECT_TRUE(test, insn.kind == HVM_INSN_MOVS ||
						  insn.kind == HVM_INSN_STOS);
			KUNIT_EXPECT_TRUE(test, insn.size == 1 || insn.size == 2 ||
					  insn.size == 4 || insn.size == 8);
			KUNIT_EXPECT_LT(test, insn.reg, 16);
			if (insn.kind == HVM_INSN_LOAD)
				KUNIT_EXPECT_GE(test, insn.dst_size, insn.size);
			else
				KUNIT_EXPECT_EQ(test, insn.dst_size, 0);
			if (insn.high_byte)
				KUNIT_EXPECT_LT(test, insn.reg, 4);

			memset(wide, 0xcc, sizeof(wide));
			memcpy(wide, b, avail);
			KUNIT_EXPECT_EQ(test, hvm_insn_decode(wide, sizeof(wide), m, &again), 0);
			KUNIT_EXPECT_EQ(test, again.len, insn.len);
			KUNIT_EXPECT_EQ(test, again.imm, insn.imm);
		}
		kfree(b);
	}
	/* The streams must reach the decoder's accepting paths. */
	KUNIT_EXPECT_GT(test, accepted, 1000);
}

static struct kunit_case insn_decode_cases[] = {
	KUNIT_CASE_PARAM(insn_decode_table, dcase_gen_params),
	KUNIT_CASE_PARAM(insn_merge_table, mcase_gen_params),
	KUNIT_CASE_PARAM(insn_exec_table, xcase_gen_params),
	KUNIT_CASE(insn_decode_rejects_bad_mode_and_empty),
	KUNIT_CASE(insn_decode_failure_clears_result),
	KUNIT_CASE(insn_decode_only_known_opcodes),
	KUNIT_CASE(insn_decode_alu_sizes),
	KUNIT_CASE(insn_decode_alu_reg_forms),
	KUNIT_CASE(insn_decode_modrm_sib_64),
	KUNIT_CASE(insn_decode_modrm_sib_32),
	KUNIT_CASE(insn_decode_modrm_16),
	KUNIT_CASE(insn_decode_every_rex),
	KUNIT_CASE(insn_decode_byte_registers),
	KUNIT_CASE(insn_decode_length_limit),
	KUNIT_CASE(insn_decode_random_streams),
	{}
};

static struct kunit_suite insn_decode_suite = {
	.name = "hvm_insn_decode",
	.test_cases = insn_decode_cases,
};

kunit_test_suites(&insn_decode_suite);
