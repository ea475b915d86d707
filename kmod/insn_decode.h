/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoder for the x86 instructions that hvm emulates when they touch MMIO
 * (MOV, the ALU and bit-test read-modify-writes, XCHG, CMPXCHG, MOVS and
 * STOS), and the arithmetic that executes them.
 */
#ifndef HVM_INSN_DECODE_H
#define HVM_INSN_DECODE_H

#include <linux/types.h>

/* Architectural upper bound on the length of one x86 instruction. */
#define HVM_INSN_MAX_LEN	15

enum hvm_insn_kind {
	HVM_INSN_LOAD = 1,	/* memory -> register */
	HVM_INSN_STORE = 2,	/* register or immediate -> memory */
	HVM_INSN_ALU = 3,	/* read memory, compute (op); maybe write back */
	HVM_INSN_MOVS = 4,	/* [seg:rSI] -> ES:[rDI], one element */
	HVM_INSN_STOS = 5,	/* rAX -> ES:[rDI], one element */
};

/*
 * The operation of an HVM_INSN_ALU. The first eight are group 1 in its
 * encoding order (00-3F, 80-83 /0-7).
 */
enum hvm_alu_op {
	HVM_ALU_ADD, HVM_ALU_OR, HVM_ALU_ADC, HVM_ALU_SBB,
	HVM_ALU_AND, HVM_ALU_SUB, HVM_ALU_XOR, HVM_ALU_CMP,
	HVM_ALU_TEST, HVM_ALU_INC, HVM_ALU_DEC,
	HVM_ALU_BT, HVM_ALU_BTS, HVM_ALU_BTR, HVM_ALU_BTC,
	HVM_ALU_XCHG, HVM_ALU_CMPXCHG,
	HVM_ALU_NR_OPS,
};

struct hvm_insn {
	u8 len;		/* total length in bytes, prefixes included */
	u8 kind;	/* enum hvm_insn_kind */
	u8 size;	/* bytes accessed in memory: 1, 2, 4 or 8 */
	u8 dst_size;	/* loads: bytes written to the register; 0 for stores */
	u8 reg;		/* GPR 0..15: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
	bool high_byte;	/* 8-bit operand is bits 15:8 of reg 0..3 (AH..BH) */
	bool sign_extend; /* MOVSX: sign- rather than zero-extend to dst_size */
	bool has_imm;	/* the other operand is imm; reg is unused */
	u64 imm;	/* immediate, sign-extended to size * 8 bits */
	u8 op;		/* HVM_INSN_ALU: enum hvm_alu_op */
	bool mem_src;	/* HVM_INSN_ALU: memory is the source, reg the dest */
	bool lock;	/* LOCK prefix (only on read-modify-writes) */
	bool rep;	/* MOVS/STOS: REP (F3) prefix */
	u8 addr_size;	/* MOVS/STOS: address size in bytes, 0 otherwise */
	u8 seg;		/* MOVS: the source's segment prefix byte; 0 (DS) */
};

/* RFLAGS bits the ALU operations compute (SDM Vol. 1, 3.4.3.1). */
#define HVM_RFLAGS_CF	0x0001ULL
#define HVM_RFLAGS_PF	0x0004ULL
#define HVM_RFLAGS_AF	0x0010ULL
#define HVM_RFLAGS_ZF	0x0040ULL
#define HVM_RFLAGS_SF	0x0080ULL
#define HVM_RFLAGS_OF	0x0800ULL
#define HVM_RFLAGS_DF	0x0400ULL
#define HVM_RFLAGS_ARITH (HVM_RFLAGS_CF | HVM_RFLAGS_PF | HVM_RFLAGS_AF | \
			  HVM_RFLAGS_ZF | HVM_RFLAGS_SF | HVM_RFLAGS_OF)

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

/*
 * A read-modify-write of memory (an ALU op that may write it back): the
 * instructions LOCK may prefix (SDM Vol. 3A, 9.1.2.2).
 */
bool hvm_insn_is_rmw(const struct hvm_insn *insn);

/*
 * @op on @size-byte operands: returns the result and sets the RFLAGS bits
 * in *@rflags that @op defines (CF is an input of ADC/SBB). For BT*, @src
 * is the bit offset and the result the new @dst; XCHG returns @src;
 * CMPXCHG compares (CMP) and returns nothing useful. Flags the SDM leaves
 * undefined: AF after AND/OR/XOR/TEST is cleared, as Intel and AMD parts
 * do; OF, SF, AF and PF after BT* are left unchanged.
 */
u64 hvm_alu(unsigned int op, unsigned int size, u64 dst, u64 src,
	    u64 *rflags);

/*
 * Executes the HVM_INSN_ALU @insn with @mem, the value read from memory:
 * updates @regs (16 GPRs) and *@rflags as the instruction does. Returns
 * true with the value to write in *@wval when it writes memory.
 */
bool hvm_insn_alu_exec(const struct hvm_insn *insn, u64 *regs, u64 *rflags,
		       u64 mem, u64 *wval);

#endif /* HVM_INSN_DECODE_H */
