// SPDX-License-Identifier: GPL-2.0
/*
 * Decoder for the guest MOV instructions that an MMIO exit must emulate:
 * prefixes, opcode, ModRM/SIB/displacement and immediate, plus helpers that
 * merge a loaded value into a register or extract the value to store.
 * Anything not explicitly recognised is rejected with -EINVAL.
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

int hvm_insn_decode(const u8 *b, unsigned int avail, unsigned int mode,
		    struct hvm_insn *insn)
{
	unsigned int i, op_size, addr_size, imm_len = 0;
	bool opsz = false, adsz = false, byte_reg = false, moffs = false;
	u8 rex = 0, op;
	int modrm = 0;

	*insn = (struct hvm_insn){ 0 };
	if (mode != 16 && mode != 32 && mode != 64)
		return -EINVAL;
	if (avail > HVM_INSN_MAX_LEN)
		avail = HVM_INSN_MAX_LEN;

	/*
	 * Legacy prefixes.  LOCK, REP/REPNE and anything else end the loop
	 * and are then rejected as unknown opcodes.
	 */
	for (i = 0; ; i++) {
		if (i >= avail)
			return -EINVAL;
		op = b[i];
		if (op == 0x66)
			opsz = true;
		else if (op == 0x67)
			adsz = true;
		else if (!is_seg_prefix(op))
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
		default:
			return -EINVAL;
		}
		break;
	default:
		return -EINVAL;
	}

	if (moffs) {
		i += addr_size;
	} else {
		modrm = skip_modrm(b, &i, avail, addr_size);
		if (modrm < 0)
			return modrm;
	}

	if (insn->has_imm) {
		/* C6/C7 are MOV only with ModRM.reg == 0. */
		if (modrm & 0x38)
			return -EINVAL;
		if (i + imm_len > avail)
			return -EINVAL;
		insn->imm = sign_extend(get_le(b + i, imm_len), imm_len) &
			    size_mask(insn->size);
		i += imm_len;
	} else if (!moffs) {
		insn->reg = ((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0);
		/* Without REX, byte registers 4..7 are AH, CH, DH, BH. */
		if (byte_reg && !rex && insn->reg >= 4) {
			insn->high_byte = true;
			insn->reg -= 4;
		}
	}

	if (i > avail)
		return -EINVAL;
	if (insn->kind == HVM_INSN_LOAD && !insn->dst_size)
		insn->dst_size = insn->size;
	insn->len = i;
	return 0;
}

u64 hvm_insn_load_merge(const struct hvm_insn *insn, u64 old_reg, u64 data)
{
	u64 val = data & size_mask(insn->size);

	if (insn->sign_extend)
		val = sign_extend(val, insn->size);
	val &= size_mask(insn->dst_size);

	if (insn->high_byte)
		return (old_reg & ~0xff00ULL) | (val << 8);
	/* 32-bit destinations zero-extend; 64-bit ones replace everything. */
	if (insn->dst_size >= 4)
		return val;
	return (old_reg & ~size_mask(insn->dst_size)) | val;
}

u64 hvm_insn_store_value(const struct hvm_insn *insn, u64 reg_value)
{
	if (insn->has_imm)
		return insn->imm & size_mask(insn->size);
	if (insn->high_byte)
		return (reg_value >> 8) & 0xff;
	return reg_value & size_mask(insn->size);
}
