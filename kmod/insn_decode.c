// SPDX-License-Identifier: GPL-2.0
/*
 * Decoder for the guest instructions that an MMIO exit must emulate (MOV,
 * the ALU and bit-test read-modify-writes, XCHG, CMPXCHG, MOVS, STOS):
 * prefixes, opcode, ModRM/SIB/displacement and immediate, plus the
 * arithmetic that executes them on the value read. Anything not
 * explicitly recognised is rejected with -EINVAL.
 *
 * Pure code without kernel dependencies so it also builds in userspace.
 */
#include <linux/errno.h>
#include <linux/types.h>

#include "insn_decode.h"

#define REX_W	0x08
#define REX_R	0x04

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* Sign-extend the low @size bytes of @v to 64 bits. */
static u64 sign_extend(u64 v, unsigned int size)
{
	u64 sign;

	if (size >= 8)
		return v;
	sign = 1ULL << (size * 8 - 1);
	return ((v & size_mask(size)) ^ sign) - sign;
}

/* Little-endian value of the @n bytes at @p. */
static u64 get_le(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static bool is_seg_prefix(u8 b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
	       b == 0x64 || b == 0x65;
}

/* Lock, repeat, operand- and address-size prefixes, and segments. */
static bool is_legacy_prefix(u8 b)
{
	return is_seg_prefix(b) || b == 0x66 || b == 0x67 || b == 0xf0 ||
	       b == 0xf2 || b == 0xf3;
}

unsigned int hvm_insn_length(const u8 *bytes, unsigned int avail,
			     unsigned int mode, const u8 *opcode,
			     unsigned int oplen)
{
	unsigned int pos = 0, i;

	if (avail > HVM_INSN_MAX_LEN)
		avail = HVM_INSN_MAX_LEN;
	/* A REX that another prefix follows is ignored, but still counts. */
	while (pos < avail && (is_legacy_prefix(bytes[pos]) ||
			       (mode == 64 && (bytes[pos] & 0xf0) == 0x40)))
		pos++;
	if (pos + oplen > avail)
		return 0;
	for (i = 0; i < oplen; i++)
		if (bytes[pos + i] != opcode[i])
			return 0;
	return pos + oplen;
}

unsigned int hvm_insn_decode_mov_to_cr(const u8 *bytes, unsigned int avail,
				       unsigned int mode, u8 *cr, u8 *gpr)
{
	unsigned int pos = 0;
	bool lock = false;
	u8 rex = 0, modrm;

	if (avail > HVM_INSN_MAX_LEN)
		avail = HVM_INSN_MAX_LEN;
	for (; pos < avail; pos++) {
		if (mode == 64 && (bytes[pos] & 0xf0) == 0x40) {
			rex = bytes[pos];
			continue;
		}
		if (!is_legacy_prefix(bytes[pos]))
			break;
		lock |= bytes[pos] == 0xf0;
		rex = 0;	/* a REX is only one right before the opcode */
	}
	if (pos + 3 > avail || bytes[pos] != 0x0f || bytes[pos + 1] != 0x22)
		return 0;
	/* The ModRM's mod field is ignored: the operand is a register. */
	modrm = bytes[pos + 2];
	*cr = ((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0) | (lock ? 8 : 0);
	*gpr = (modrm & 7) | (rex & 0x01 ? 8 : 0);
	return pos + 3;
}

unsigned int hvm_insn_decode_lmsw(const u8 *bytes, unsigned int avail,
				  unsigned int mode, u8 *gpr)
{
	static const u8 op[] = { 0x0f, 0x01 };
	unsigned int len = hvm_insn_length(bytes, avail, mode, op, sizeof(op));
	u8 modrm;

	if (!len || len >= avail || len >= HVM_INSN_MAX_LEN)
		return 0;
	modrm = bytes[len];
	if ((modrm & 0xf8) != 0xf0)	/* mod 3, reg 6 */
		return 0;
	/* A REX counts only right before the opcode. */
	*gpr = modrm & 7;
	if (mode == 64 && len > 2 && (bytes[len - 3] & 0xf0) == 0x40 &&
	    (bytes[len - 3] & 0x01))
		*gpr |= 8;
	return len + 1;
}

/*
 * Skip the ModRM byte at *@pos together with its SIB and displacement.
 * Returns the ModRM byte, or -EINVAL if it names a register (mod == 3)
 * or a byte that must be inspected lies beyond @avail.
 */
static int skip_modrm(const u8 *b, unsigned int *pos, unsigned int avail,
		      unsigned int addr_size)
{
	unsigned int i = *pos, mod, rm, disp;
	u8 modrm;

	if (i >= avail)
		return -EINVAL;
	modrm = b[i++];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -EINVAL;

	if (addr_size == 2) {
		/* 16-bit forms: no SIB, [disp16] replaces [bp] for mod 0. */
		if (mod == 0)
			disp = rm == 6 ? 2 : 0;
		else
			disp = mod == 1 ? 1 : 2;
	} else {
		disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		if (rm == 4) {
			if (i >= avail)
				return -EINVAL;
			/* SIB base 5 with mod 0: no base, disp32. */
			if (mod == 0 && (b[i] & 7) == 5)
				disp = 4;
			i++;
		} else if (mod == 0 && rm == 5) {
			disp = 4;	/* disp32, RIP-relative in 64-bit mode */
		}
	}
	*pos = i + disp;
	return modrm;
}

/* The forms whose ModRM.reg extends the opcode, and how. */
enum modrm_ext {
	EXT_NONE,	/* ModRM.reg names a register operand */
	EXT_MOV,	/* C6/C7: /0 only */
	EXT_GROUP1,	/* 80/81/83: /0-7 are ADD..CMP */
	EXT_TEST,	/* F6/F7: /0 only (TEST imm) */
	EXT_INCDEC,	/* FE/FF: /0 INC, /1 DEC */
	EXT_BT,		/* 0F BA: /4-7 are BT, BTS, BTR, BTC */
};

bool hvm_insn_is_rmw(const struct hvm_insn *insn)
{
	return insn->kind == HVM_INSN_ALU && !insn->mem_src &&
	       insn->op != HVM_ALU_CMP && insn->op != HVM_ALU_TEST &&
	       insn->op != HVM_ALU_BT;
}

static void set_alu(struct hvm_insn *insn, unsigned int op, unsigned int size)
{
	insn->kind = HVM_INSN_ALU;
	insn->op = op;
	insn->size = size;
}

static int decode(const u8 *b, unsigned int avail, unsigned int mode,
		  struct hvm_insn *insn)
{
	unsigned int i, op_size, addr_size, imm_len = 0;
	bool opsz = false, adsz = false, byte_reg = false, moffs = false;
	bool no_modrm = false, rep = false, repne = false, lock = false;
	enum modrm_ext ext = EXT_NONE;
	u8 rex = 0, op, seg = 0;
	int modrm = 0;

	*insn = (struct hvm_insn){ 0 };
	if (mode != 16 && mode != 32 && mode != 64)
		return -EINVAL;
	if (avail > HVM_INSN_MAX_LEN)
		avail = HVM_INSN_MAX_LEN;

	/* Legacy prefixes; whether LOCK and REP are allowed is checked last. */
	for (i = 0; ; i++) {
		if (i >= avail)
			return -EINVAL;
		op = b[i];
		if (op == 0x66)
			opsz = true;
		else if (op == 0x67)
			adsz = true;
		else if (op == 0xf0)
			lock = true;
		else if (op == 0xf3)
			rep = true;
		else if (op == 0xf2)
			repne = true;
		else if (is_seg_prefix(op))
			seg = op;
		else
			break;
	}
	i++;

	/*
	 * REX (64-bit mode only; 40-4F are INC/DEC elsewhere).  It must come
	 * right before the opcode: a second REX or a legacy prefix after it
	 * is not an opcode we know and is rejected below.
	 */
	if (mode == 64 && (op & 0xf0) == 0x40) {
		rex = op;
		if (i >= avail)
			return -EINVAL;
		op = b[i++];
	}

	if (mode == 16)
		op_size = opsz ? 4 : 2;
	else
		op_size = opsz ? 2 : 4;
	if (rex & REX_W)
		op_size = 8;

	addr_size = mode / 8;
	if (adsz)
		addr_size = mode == 32 ? 2 : 4;

	switch (op) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x89:	/* MOV r/m, r */
	case 0x8a:	/* MOV r8, r/m8 */
	case 0x8b:	/* MOV r, r/m */
		insn->kind = op & 2 ? HVM_INSN_LOAD : HVM_INSN_STORE;
		insn->size = op & 1 ? op_size : 1;
		byte_reg = !(op & 1);
		break;
	case 0xa0:	/* MOV AL, moffs8 */
	case 0xa1:	/* MOV rAX, moffs */
	case 0xa2:	/* MOV moffs8, AL */
	case 0xa3:	/* MOV moffs, rAX */
		insn->kind = op & 2 ? HVM_INSN_STORE : HVM_INSN_LOAD;
		insn->size = op & 1 ? op_size : 1;
		moffs = true;
		break;
	case 0xc6:	/* MOV r/m8, imm8 */
	case 0xc7:	/* MOV r/m, imm16/32 */
		insn->kind = HVM_INSN_STORE;
		insn->size = op & 1 ? op_size : 1;
		insn->has_imm = true;
		imm_len = insn->size > 4 ? 4 : insn->size;
		ext = EXT_MOV;
		break;
	case 0x80:	/* group 1 r/m8, imm8 */
	case 0x81:	/* group 1 r/m, imm16/32 */
	case 0x83:	/* group 1 r/m, imm8 (sign-extended) */
		set_alu(insn, 0, op == 0x80 ? 1 : op_size);
		insn->has_imm = true;
		imm_len = op == 0x81 ? (insn->size > 4 ? 4 : insn->size) : 1;
		ext = EXT_GROUP1;
		break;
	case 0x84:	/* TEST r/m8, r8 */
	case 0x85:	/* TEST r/m, r */
		set_alu(insn, HVM_ALU_TEST, op & 1 ? op_size : 1);
		byte_reg = !(op & 1);
		break;
	case 0x86:	/* XCHG r/m8, r8 */
	case 0x87:	/* XCHG r/m, r */
		set_alu(insn, HVM_ALU_XCHG, op & 1 ? op_size : 1);
		byte_reg = !(op & 1);
		break;
	case 0xf6:	/* group 3 r/m8: TEST imm8 */
	case 0xf7:	/* group 3 r/m: TEST imm16/32 */
		set_alu(insn, HVM_ALU_TEST, op & 1 ? op_size : 1);
		insn->has_imm = true;
		imm_len = insn->size > 4 ? 4 : insn->size;
		ext = EXT_TEST;
		break;
	case 0xfe:	/* group 4 r/m8: INC, DEC */
	case 0xff:	/* group 5 r/m: INC, DEC */
		set_alu(insn, HVM_ALU_INC, op & 1 ? op_size : 1);
		ext = EXT_INCDEC;
		break;
	case 0xa4:	/* MOVS m8, m8 */
	case 0xa5:	/* MOVS m, m */
	case 0xaa:	/* STOS m8, AL */
	case 0xab:	/* STOS m, rAX */
		insn->kind = op & 8 ? HVM_INSN_STOS : HVM_INSN_MOVS;
		insn->size = op & 1 ? op_size : 1;
		insn->addr_size = addr_size;
		insn->rep = rep;
		if (insn->kind == HVM_INSN_MOVS)
			insn->seg = seg;
		no_modrm = true;
		break;
	case 0x0f:
		if (i >= avail)
			return -EINVAL;
		op = b[i++];
		switch (op) {
		case 0xb6:	/* MOVZX r, r/m8 */
		case 0xb7:	/* MOVZX r, r/m16 */
		case 0xbe:	/* MOVSX r, r/m8 */
		case 0xbf:	/* MOVSX r, r/m16 */
			insn->kind = HVM_INSN_LOAD;
			insn->size = op & 1 ? 2 : 1;
			insn->dst_size = op_size;
			insn->sign_extend = op & 8;
			break;
		case 0xa3:	/* BT r/m, r */
		case 0xab:	/* BTS r/m, r */
		case 0xb3:	/* BTR r/m, r */
		case 0xbb:	/* BTC r/m, r */
			set_alu(insn, HVM_ALU_BT + ((op >> 3) & 3), op_size);
			break;
		case 0xba:	/* group 8 r/m, imm8: BT, BTS, BTR, BTC */
			set_alu(insn, HVM_ALU_BT, op_size);
			insn->has_imm = true;
			imm_len = 1;
			ext = EXT_BT;
			break;
		case 0xb0:	/* CMPXCHG r/m8, r8 */
		case 0xb1:	/* CMPXCHG r/m, r */
			set_alu(insn, HVM_ALU_CMPXCHG, op & 1 ? op_size : 1);
			byte_reg = !(op & 1);
			break;
		default:
			return -EINVAL;
		}
		break;
	default:
		/* 00-3B: ADD..CMP with a register, xx+0/1 r/m dest, xx+2/3 src */
		if (op >= 0x40 || (op & 7) > 3)
			return -EINVAL;
		set_alu(insn, op >> 3, op & 1 ? op_size : 1);
		insn->mem_src = op & 2;
		byte_reg = !(op & 1);
		break;
	}

	if (moffs) {
		i += addr_size;
	} else if (!no_modrm) {
		modrm = skip_modrm(b, &i, avail, addr_size);
		if (modrm < 0)
			return modrm;
	}

	switch (ext) {
	case EXT_NONE:
		break;
	case EXT_MOV:
	case EXT_TEST:
		if (modrm & 0x38)
			return -EINVAL;
		break;
	case EXT_GROUP1:
		insn->op = (modrm >> 3) & 7;
		break;
	case EXT_INCDEC:
		if (modrm & 0x30)	/* /2-7: CALL, JMP, PUSH, reserved */
			return -EINVAL;
		insn->op = modrm & 0x08 ? HVM_ALU_DEC : HVM_ALU_INC;
		break;
	case EXT_BT:
		if (!(modrm & 0x20))	/* /0-3 are reserved */
			return -EINVAL;
		insn->op = HVM_ALU_BT + ((modrm >> 3) & 3);
		break;
	}

	if (insn->has_imm) {
		if (i + imm_len > avail)
			return -EINVAL;
		insn->imm = get_le(b + i, imm_len);
		/* A bit offset is taken modulo the operand size, unsigned. */
		if (ext != EXT_BT)
			insn->imm = sign_extend(insn->imm, imm_len);
		insn->imm &= size_mask(insn->size);
		i += imm_len;
	} else if (!moffs && !no_modrm && ext == EXT_NONE) {
		insn->reg = ((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0);
		/* Without REX, byte registers 4..7 are AH, CH, DH, BH. */
		if (byte_reg && !rex && insn->reg >= 4) {
			insn->high_byte = true;
			insn->reg -= 4;
		}
	}

	if (i > avail)
		return -EINVAL;
	/*
	 * LOCK only on a read-modify-write of memory (else #UD, which the CPU
	 * raises before any access), REP only on the string forms; REPNE
	 * (F2) on MOVS/STOS is not architecturally defined: not guessed.
	 */
	if ((lock && !hvm_insn_is_rmw(insn)) || repne ||
	    (rep && insn->kind != HVM_INSN_MOVS && insn->kind != HVM_INSN_STOS))
		return -EINVAL;
	insn->lock = lock;
	if (insn->kind == HVM_INSN_LOAD && !insn->dst_size)
		insn->dst_size = insn->size;
	insn->len = i;
	return 0;
}

int hvm_insn_decode(const u8 *b, unsigned int avail, unsigned int mode,
		    struct hvm_insn *insn)
{
	int r = decode(b, avail, mode, insn);

	/* A failure leaves nothing a caller could act on. */
	if (r)
		*insn = (struct hvm_insn){ 0 };
	return r;
}

/* @val (@size bytes) written to a register whose old value is @old. */
static u64 reg_merge(u64 old, u64 val, unsigned int size, bool high_byte)
{
	val &= size_mask(size);
	if (high_byte)
		return (old & ~0xff00ULL) | (val << 8);
	/* 32-bit destinations zero-extend; 64-bit ones replace everything. */
	if (size >= 4)
		return val;
	return (old & ~size_mask(size)) | val;
}

u64 hvm_insn_load_merge(const struct hvm_insn *insn, u64 old_reg, u64 data)
{
	u64 val = data & size_mask(insn->size);

	if (insn->sign_extend)
		val = sign_extend(val, insn->size);
	return reg_merge(old_reg, val, insn->dst_size, insn->high_byte);
}

u64 hvm_insn_store_value(const struct hvm_insn *insn, u64 reg_value)
{
	if (insn->has_imm)
		return insn->imm & size_mask(insn->size);
	if (insn->high_byte)
		return (reg_value >> 8) & 0xff;
	return reg_value & size_mask(insn->size);
}

/* PF: set when the low byte of the result has an even number of ones. */
static bool parity_even(u64 v)
{
	v &= 0xff;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return !(v & 1);
}

u64 hvm_alu(unsigned int op, unsigned int size, u64 dst, u64 src,
	    u64 *rflags)
{
	u64 mask = size_mask(size), sign = 1ULL << (size * 8 - 1);
	u64 defined = HVM_RFLAGS_ARITH, res, in, flags = 0;
	bool cf = false, of = false, af = false;

	dst &= mask;
	src &= mask;
	switch (op) {
	case HVM_ALU_ADD:
	case HVM_ALU_ADC:
		in = op == HVM_ALU_ADC && (*rflags & HVM_RFLAGS_CF);
		res = (dst + src + in) & mask;
		cf = res < dst || (in && res == dst);
		of = ~(dst ^ src) & (dst ^ res) & sign;
		af = (dst ^ src ^ res) & 0x10;
		break;
	case HVM_ALU_SUB:
	case HVM_ALU_SBB:
	case HVM_ALU_CMP:
	case HVM_ALU_CMPXCHG:
		in = op == HVM_ALU_SBB && (*rflags & HVM_RFLAGS_CF);
		res = (dst - src - in) & mask;
		cf = dst < src || (in && dst == src);
		of = (dst ^ src) & (dst ^ res) & sign;
		af = (dst ^ src ^ res) & 0x10;
		break;
	case HVM_ALU_AND:
	case HVM_ALU_TEST:
		res = dst & src;
		break;
	case HVM_ALU_OR:
		res = dst | src;
		break;
	case HVM_ALU_XOR:
		res = dst ^ src;
		break;
	case HVM_ALU_INC:
	case HVM_ALU_DEC:
		res = (op == HVM_ALU_INC ? dst + 1 : dst - 1) & mask;
		of = op == HVM_ALU_INC ? res == sign : dst == sign;
		af = (dst ^ 1 ^ res) & 0x10;
		defined &= ~HVM_RFLAGS_CF;	/* INC and DEC keep CF */
		break;
	case HVM_ALU_BT:
	case HVM_ALU_BTS:
	case HVM_ALU_BTR:
	case HVM_ALU_BTC:
		in = 1ULL << (src & (size * 8 - 1));
		cf = dst & in;
		res = op == HVM_ALU_BTS ? dst | in :
		      op == HVM_ALU_BTR ? dst & ~in :
		      op == HVM_ALU_BTC ? dst ^ in : dst;
		*rflags = (*rflags & ~HVM_RFLAGS_CF) | (cf ? HVM_RFLAGS_CF : 0);
		return res;
	default:	/* XCHG: no flags */
		return src;
	}
	if (cf)
		flags |= HVM_RFLAGS_CF;
	if (parity_even(res))
		flags |= HVM_RFLAGS_PF;
	if (af)
		flags |= HVM_RFLAGS_AF;
	if (!res)
		flags |= HVM_RFLAGS_ZF;
	if (res & sign)
		flags |= HVM_RFLAGS_SF;
	if (of)
		flags |= HVM_RFLAGS_OF;
	*rflags = (*rflags & ~defined) | flags;
	return res;
}

/* The register operand of @insn, @size bytes (AH..BH included). */
static u64 reg_operand(const struct hvm_insn *insn, const u64 *regs)
{
	u64 v = regs[insn->reg];

	if (insn->high_byte)
		v >>= 8;
	return v & size_mask(insn->size);
}

bool hvm_insn_alu_exec(const struct hvm_insn *insn, u64 *regs, u64 *rflags,
		       u64 mem, u64 *wval)
{
	unsigned int size = insn->size, op = insn->op;
	u64 src, res, acc;

	mem &= size_mask(size);
	if (insn->has_imm)
		src = insn->imm;
	else if (op == HVM_ALU_INC || op == HVM_ALU_DEC)
		src = 0;
	else
		src = reg_operand(insn, regs);

	switch (op) {
	case HVM_ALU_XCHG:
		*wval = src;
		regs[insn->reg] = reg_merge(regs[insn->reg], mem, size,
					    insn->high_byte);
		return true;
	case HVM_ALU_CMPXCHG:
		/*
		 * Equal: the source is written. Not equal: the accumulator
		 * is loaded; the CPU also writes the old value back, which
		 * is not repeated to the device (as KVM does).
		 */
		acc = regs[0] & size_mask(size);
		hvm_alu(HVM_ALU_CMP, size, acc, mem, rflags);
		if (acc == mem) {
			*wval = src;
			return true;
		}
		regs[0] = reg_merge(regs[0], mem, size, false);
		return false;
	}

	if (insn->mem_src) {
		res = hvm_alu(op, size, src, mem, rflags);
		if (op != HVM_ALU_CMP)
			regs[insn->reg] = reg_merge(regs[insn->reg], res, size,
						    insn->high_byte);
		return false;
	}
	res = hvm_alu(op, size, mem, src, rflags);
	if (op == HVM_ALU_CMP || op == HVM_ALU_TEST || op == HVM_ALU_BT)
		return false;
	*wval = res;
	return true;
}
