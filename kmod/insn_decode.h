/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoder for the small set of x86 MOV instructions that can touch MMIO,
 * so that a faulting guest access can be emulated.
 */
#ifndef HVM_INSN_DECODE_H
#define HVM_INSN_DECODE_H

#include <linux/types.h>

/* Architectural upper bound on the length of one x86 instruction. */
#define HVM_INSN_MAX_LEN	15

enum hvm_insn_kind {
	HVM_INSN_LOAD = 1,	/* memory -> register */
	HVM_INSN_STORE = 2,	/* register or immediate -> memory */
};

struct hvm_insn {
	u8 len;		/* total length in bytes, prefixes included */
	u8 kind;	/* enum hvm_insn_kind */
	u8 size;	/* bytes accessed in memory: 1, 2, 4 or 8 */
	u8 dst_size;	/* loads: bytes written to the register; 0 for stores */
	u8 reg;		/* GPR 0..15: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
	bool high_byte;	/* 8-bit operand is bits 15:8 of reg 0..3 (AH..BH) */
	bool sign_extend; /* MOVSX: sign- rather than zero-extend to dst_size */
	bool has_imm;	/* store of imm (C6/C7); reg is unused */
	u64 imm;	/* immediate, sign-extended to size * 8 bits */
};

/*
 * Decode the instruction at @bytes, of which @avail bytes are valid.
 * @mode is the default operand/address size of the code segment: 16, 32
 * or 64 (long mode, CS.L=1).  Returns 0 on success, -EINVAL for anything
 * unsupported, malformed, longer than 15 bytes or longer than @avail.
 */
int hvm_insn_decode(const u8 *bytes, unsigned int avail, unsigned int mode,
		    struct hvm_insn *insn);

/*
 * Length of the instruction at @bytes (@avail valid) if, after its
 * prefixes (legacy ones; REX too when @mode is 64), its opcode is the
 * @oplen bytes at @opcode; 0 if it is another instruction or longer than
 * 15 bytes or @avail. For the instructions an exit names without giving
 * their length (SVM without NRIP-save): CPUID, HLT, RDMSR...
 */
unsigned int hvm_insn_length(const u8 *bytes, unsigned int avail,
			     unsigned int mode, const u8 *opcode,
			     unsigned int oplen);

/*
 * MOV to a control register (0f 22 /r) at @bytes: sets *@cr (REX.R, or
 * LOCK as AMD's alternative encoding of CR8, adds 8) and *@gpr (the
 * source, REX.B adds 8) and returns the length; 0 for anything else.
 */
unsigned int hvm_insn_decode_mov_to_cr(const u8 *bytes, unsigned int avail,
				       unsigned int mode, u8 *cr, u8 *gpr);

/*
 * LMSW from a register (0f 01 /6, ModRM mod 3) at @bytes: sets *@gpr (REX.B
 * adds 8) and returns the length; 0 for anything else, LMSW from memory
 * included.
 */
unsigned int hvm_insn_decode_lmsw(const u8 *bytes, unsigned int avail,
				  unsigned int mode, u8 *gpr);

/* New destination register value after a load of @data (low size bytes). */
u64 hvm_insn_load_merge(const struct hvm_insn *insn, u64 old_reg, u64 data);

/* Value a store writes, from @reg_value or the immediate, size bytes wide. */
u64 hvm_insn_store_value(const struct hvm_insn *insn, u64 reg_value);

#endif /* HVM_INSN_DECODE_H */
