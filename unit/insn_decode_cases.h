/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MMIO instruction decoder's expected results (kmod/insn_decode.c), one
 * table for both of its tests: the host-side unit/insn_decode_test.c and the
 * KUnit suite kunit/insn_decode_kunit.c. Expected values come from the Intel
 * SDM / AMD APM encoding rules. Include <linux/errno.h>, <linux/types.h> and
 * "insn_decode.h" first.
 *
 * dcases: decode a byte sequence (n bytes available) in a mode: either
 * -EINVAL, or 0 with the fields given. mcases: decode, then merge a loaded
 * value into a register (hvm_insn_load_merge) or take the value a store
 * writes (hvm_insn_store_value).
 */
#ifndef HVM_INSN_DECODE_CASES_H
#define HVM_INSN_DECODE_CASES_H

struct dcase {
	const char *name;
	unsigned int mode;
	unsigned int n;		/* bytes given, passed as avail */
	u8 b[24];
	int rc;
	u8 len, kind, size, dst_size, reg;
	bool hb, sx, has_imm;
	u64 imm;
	u8 op;			/* HVM_INSN_ALU */
	bool ms, lk, rp;	/* mem_src, lock, rep */
	u8 as, seg;		/* MOVS/STOS: addr_size, seg */
};

#define C(nm, md)	.name = nm, .mode = md
#define BYTES(...)	.b = { __VA_ARGS__ }, .n = sizeof((u8[]){ __VA_ARGS__ })
#define LD(sz, dst, r)	.kind = HVM_INSN_LOAD, .size = sz, .dst_size = dst, .reg = r
#define ST(sz, r)	.kind = HVM_INSN_STORE, .size = sz, .reg = r
#define IMM(sz, v)	.kind = HVM_INSN_STORE, .size = sz, .has_imm = true, .imm = v
#define BAD		.rc = -EINVAL
/* ALU on memory: with a register, a register destination, an immediate */
#define AR(o, sz, r)	.kind = HVM_INSN_ALU, .op = HVM_ALU_##o, .size = sz, .reg = r
#define AM(o, sz, r)	AR(o, sz, r), .ms = true
#define AI(o, sz, v)	.kind = HVM_INSN_ALU, .op = HVM_ALU_##o, .size = sz, .has_imm = true, .imm = v
#define MOVS(sz, a)	.kind = HVM_INSN_MOVS, .size = sz, .as = a
#define STOS(sz, a)	.kind = HVM_INSN_STOS, .size = sz, .as = a

/* Offset bytes for the moffs forms. */
#define O8	0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11
#define O4	0x00, 0x10, 0x00, 0x00
#define O2	0x00, 0x10
/* Runs of DS segment-override prefixes. */
#define P3	0x3e, 0x3e, 0x3e
#define P9	P3, P3, P3
#define P13	P9, P3, 0x3e
#define P14	P13, 0x3e

static const struct dcase dcases[] = {
	/* 64-bit mode: 88/89 stores */
	{ C("64: mov [rax],ecx", 64), BYTES(0x89, 0x08), .len = 2, ST(4, 1) },
	{ C("64: mov [rax],rcx REX.W", 64), BYTES(0x48, 0x89, 0x08), .len = 3, ST(8, 1) },
	{ C("64: mov [rax],cx 66", 64), BYTES(0x66, 0x89, 0x08), .len = 3, ST(2, 1) },
	{ C("64: mov [rax],cl", 64), BYTES(0x88, 0x08), .len = 2, ST(1, 1) },
	{ C("64: mov [rax],ah", 64), BYTES(0x88, 0x20), .len = 2, ST(1, 0), .hb = true },
	{ C("64: mov [rax],spl REX 40", 64), BYTES(0x40, 0x88, 0x20), .len = 3, ST(1, 4) },
	{ C("64: mov [rax],r8b REX.R", 64), BYTES(0x44, 0x88, 0x00), .len = 3, ST(1, 8) },
	{ C("64: mov [r8],r15 REX.WRB", 64), BYTES(0x4d, 0x89, 0x38), .len = 3, ST(8, 15) },
	/* 64-bit mode: 8A/8B loads and addressing forms */
	{ C("64: mov eax,[rbx]", 64), BYTES(0x8b, 0x03), .len = 2, LD(4, 4, 0) },
	{ C("64: mov r10d,[rax] REX.R", 64), BYTES(0x44, 0x8b, 0x10), .len = 3, LD(4, 4, 10) },
	{ C("64: mov r8,[rbx+8] REX.WR disp8", 64), BYTES(0x4c, 0x8b, 0x43, 0x08), .len = 4, LD(8, 8, 8) },
	{ C("64: mov ax,[rbx] 66", 64), BYTES(0x66, 0x8b, 0x03), .len = 3, LD(2, 2, 0) },
	{ C("64: mov rax,[rbx] 66+REX.W", 64), BYTES(0x66, 0x48, 0x8b, 0x03), .len = 4, LD(8, 8, 0) },
	{ C("64: mov al,[rdi+0x100] disp32", 64), BYTES(0x8a, 0x87, 0x00, 0x01, 0x00, 0x00), .len = 6, LD(1, 1, 0) },
	{ C("64: mov bh,[rsi]", 64), BYTES(0x8a, 0x3e), .len = 2, LD(1, 1, 3), .hb = true },
	{ C("64: mov dil,[r14] REX.B", 64), BYTES(0x41, 0x8a, 0x3e), .len = 3, LD(1, 1, 7) },
	{ C("64: mov eax,[rip+0x10]", 64), BYTES(0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), .len = 6, LD(4, 4, 0) },
	{ C("64: mov eax,[rip+0x10] REX.B still RIP-rel", 64), BYTES(0x41, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), .len = 7, LD(4, 4, 0) },
	{ C("64: mov eax,[r13+0] mod1", 64), BYTES(0x41, 0x8b, 0x45, 0x00), .len = 4, LD(4, 4, 0) },
	{ C("64: mov eax,[rsp] SIB", 64), BYTES(0x8b, 0x04, 0x24), .len = 3, LD(4, 4, 0) },
	{ C("64: mov eax,[r12] REX.B SIB", 64), BYTES(0x41, 0x8b, 0x04, 0x24), .len = 4, LD(4, 4, 0) },
	{ C("64: mov eax,[rsp+8] SIB disp8", 64), BYTES(0x8b, 0x44, 0x24, 0x08), .len = 4, LD(4, 4, 0) },
	{ C("64: mov eax,[rsp+0x100] SIB disp32", 64), BYTES(0x8b, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00), .len = 7, LD(4, 4, 0) },
	{ C("64: mov eax,[0x1000] SIB no base", 64), BYTES(0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), .len = 7, LD(4, 4, 0) },
	{ C("64: SIB base 5 REX.B mod0 still no base", 64), BYTES(0x41, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), .len = 8, LD(4, 4, 0) },
	{ C("64: mov eax,[rbp+rcx*4+0] SIB base5 mod1", 64), BYTES(0x8b, 0x44, 0x8d, 0x00), .len = 4, LD(4, 4, 0) },
	{ C("64: mov eax,[rax+r9] REX.X", 64), BYTES(0x42, 0x8b, 0x04, 0x08), .len = 4, LD(4, 4, 0) },
	/* 64-bit mode: C6/C7 immediates */
	{ C("64: mov byte [rax],0xff", 64), BYTES(0xc6, 0x00, 0xff), .len = 3, IMM(1, 0xff) },
	{ C("64: mov byte [rsp+8],0x7f", 64), BYTES(0xc6, 0x44, 0x24, 0x08, 0x7f), .len = 5, IMM(1, 0x7f) },
	{ C("64: mov byte [r8],0x80 REX.B", 64), BYTES(0x41, 0xc6, 0x00, 0x80), .len = 4, IMM(1, 0x80) },
	{ C("64: mov word [rax],0x1234", 64), BYTES(0x66, 0xc7, 0x00, 0x34, 0x12), .len = 5, IMM(2, 0x1234) },
	{ C("64: mov word [rax],-2", 64), BYTES(0x66, 0xc7, 0x00, 0xfe, 0xff), .len = 5, IMM(2, 0xfffe) },
	{ C("64: mov dword [rax],0x12345678", 64), BYTES(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12), .len = 6, IMM(4, 0x12345678) },
	{ C("64: mov dword [rax],0x80000000", 64), BYTES(0xc7, 0x00, 0x00, 0x00, 0x00, 0x80), .len = 6, IMM(4, 0x80000000) },
	{ C("64: mov qword [rax],-1", 64), BYTES(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), .len = 7, IMM(8, 0xffffffffffffffffULL) },
	{ C("64: mov qword [rax],imm32 0x80000000 sign-extends", 64), BYTES(0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80), .len = 7, IMM(8, 0xffffffff80000000ULL) },
	{ C("64: mov qword [rax],0x7fffffff", 64), BYTES(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f), .len = 7, IMM(8, 0x7fffffff) },
	{ C("64: mov dword [rip+0x1000],1", 64), BYTES(0xc7, 0x05, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00), .len = 10, IMM(4, 1) },
	/* 64-bit mode: MOVZX/MOVSX */
	{ C("64: movzx eax,byte [rbx]", 64), BYTES(0x0f, 0xb6, 0x03), .len = 3, LD(1, 4, 0) },
	{ C("64: movzx ecx,word [rbx]", 64), BYTES(0x0f, 0xb7, 0x0b), .len = 3, LD(2, 4, 1) },
	{ C("64: movzx ax,byte [rsi] 66", 64), BYTES(0x66, 0x0f, 0xb6, 0x06), .len = 4, LD(1, 2, 0) },
	{ C("64: movzx r13,byte [rdi] REX.WR", 64), BYTES(0x4c, 0x0f, 0xb6, 0x2f), .len = 4, LD(1, 8, 13) },
	{ C("64: movsx rax,byte [rsi]", 64), BYTES(0x48, 0x0f, 0xbe, 0x06), .len = 4, LD(1, 8, 0), .sx = true },
	{ C("64: movsx rdx,word [rsi]", 64), BYTES(0x48, 0x0f, 0xbf, 0x16), .len = 4, LD(2, 8, 2), .sx = true },
	{ C("64: movsx esp,byte [rax] is not AH", 64), BYTES(0x0f, 0xbe, 0x20), .len = 3, LD(1, 4, 4), .sx = true },
	{ C("64: movsx r9d,word [rax+rbx*2+0x10]", 64), BYTES(0x44, 0x0f, 0xbf, 0x4c, 0x58, 0x10), .len = 6, LD(2, 4, 9), .sx = true },
	/* 64-bit mode: moffs */
	{ C("64: mov al,[moffs64]", 64), BYTES(0xa0, O8), .len = 9, LD(1, 1, 0) },
	{ C("64: mov eax,[moffs64]", 64), BYTES(0xa1, O8), .len = 9, LD(4, 4, 0) },
	{ C("64: mov ax,[moffs64] 66", 64), BYTES(0x66, 0xa1, O8), .len = 10, LD(2, 2, 0) },
	{ C("64: mov rax,[moffs64] REX.W", 64), BYTES(0x48, 0xa1, O8), .len = 10, LD(8, 8, 0) },
	{ C("64: mov al,[moffs64] REX.B ignored", 64), BYTES(0x41, 0xa0, O8), .len = 10, LD(1, 1, 0) },
	{ C("64: mov [moffs64],al", 64), BYTES(0xa2, O8), .len = 9, ST(1, 0) },
	{ C("64: mov [moffs64],eax", 64), BYTES(0xa3, O8), .len = 9, ST(4, 0) },
	{ C("64: mov [moffs64],rax", 64), BYTES(0x48, 0xa3, O8), .len = 10, ST(8, 0) },
	{ C("64: mov eax,[moffs32] 67", 64), BYTES(0x67, 0xa1, O4), .len = 6, LD(4, 4, 0) },
	{ C("64: mov [moffs32],al 67", 64), BYTES(0x67, 0xa2, O4), .len = 6, ST(1, 0) },
	/* 64-bit mode: prefixes */
	{ C("64: es mov eax,[rax]", 64), BYTES(0x26, 0x8b, 0x00), .len = 3, LD(4, 4, 0) },
	{ C("64: cs mov eax,[rax]", 64), BYTES(0x2e, 0x8b, 0x00), .len = 3, LD(4, 4, 0) },
	{ C("64: ss mov eax,[rax]", 64), BYTES(0x36, 0x8b, 0x00), .len = 3, LD(4, 4, 0) },
	{ C("64: ds mov [rax],eax", 64), BYTES(0x3e, 0x89, 0x00), .len = 3, ST(4, 0) },
	{ C("64: fs mov [rax],eax", 64), BYTES(0x64, 0x89, 0x00), .len = 3, ST(4, 0) },
	{ C("64: gs mov rax,[0x28]", 64), BYTES(0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00), .len = 9, LD(8, 8, 0) },
	{ C("64: cs 67 66 mov [esp],ax", 64), BYTES(0x2e, 0x67, 0x66, 0x89, 0x04, 0x24), .len = 6, ST(2, 0) },
	{ C("64: 13 prefixes, 15 bytes", 64), BYTES(P13, 0x8b, 0x00), .len = 15, LD(4, 4, 0) },
	{ C("64: 9 prefixes + C7 imm32, 15 bytes", 64), BYTES(P9, 0xc7, 0x00, 0x01, 0x00, 0x00, 0x00), .len = 15, IMM(4, 1) },
	{ C("64: 14 prefixes, 16 bytes", 64), BYTES(P14, 0x8b, 0x00), BAD },
	{ C("64: 10 prefixes + C7 imm32, 16 bytes", 64), BYTES(P9, 0x3e, 0xc7, 0x00, 0x01, 0x00, 0x00, 0x00), BAD },
	{ C("64: REX before 66 is not adjacent to opcode", 64), BYTES(0x48, 0x66, 0x8b, 0x00), BAD },
	{ C("64: two REX prefixes", 64), BYTES(0x48, 0x48, 0x8b, 0x00), BAD },
	/* 64-bit mode: rejected encodings */
	{ C("64: lock mov", 64), BYTES(0xf0, 0x89, 0x08), BAD },
	{ C("64: rep mov", 64), BYTES(0xf3, 0x89, 0x08), BAD },
	{ C("64: repne mov", 64), BYTES(0xf2, 0x8b, 0x00), BAD },
	{ C("64: 66 rep mov", 64), BYTES(0x66, 0xf3, 0x89, 0x08), BAD },
	{ C("64: mov eax,ecx mod3", 64), BYTES(0x89, 0xc8), BAD },
	{ C("64: mov al,cl mod3", 64), BYTES(0x8a, 0xc1), BAD },
	{ C("64: mov ds,[rax] 8E", 64), BYTES(0x8e, 0x18), BAD },
	{ C("64: C6 mod3", 64), BYTES(0xc6, 0xc0, 0x01), BAD },
	{ C("64: C6 /1", 64), BYTES(0xc6, 0x08, 0x01), BAD },
	{ C("64: C7 /7", 64), BYTES(0xc7, 0x38, 0x01, 0x02, 0x03, 0x04), BAD },
	{ C("64: movzx eax,al mod3", 64), BYTES(0x0f, 0xb6, 0xc0), BAD },
	{ C("64: ud2", 64), BYTES(0x0f, 0x0b), BAD },
	{ C("64: 0F B8", 64), BYTES(0x0f, 0xb8, 0x00), BAD },
	{ C("64: truncated 0F", 64), BYTES(0x0f), BAD },
	{ C("64: truncated opcode only", 64), BYTES(0x8b), BAD },
	{ C("64: truncated prefixes only", 64), BYTES(0x66, 0x67), BAD },
	{ C("64: truncated REX only", 64), BYTES(0x48), BAD },
	{ C("64: truncated missing SIB", 64), BYTES(0x8b, 0x04), BAD },
	{ C("64: truncated missing disp8", 64), BYTES(0x8b, 0x44, 0x24), BAD },
	{ C("64: truncated short disp32", 64), BYTES(0x8b, 0x05, 0x00, 0x00, 0x00), BAD },
	{ C("64: truncated short imm32", 64), BYTES(0xc7, 0x00, 0x78, 0x56, 0x34), BAD },
	{ C("64: truncated short moffs64", 64), BYTES(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22), BAD },
	{ C("bad mode 8", 8), BYTES(0x8b, 0x03), BAD },
	/* 32-bit mode */
	{ C("32: mov eax,[ebx]", 32), BYTES(0x8b, 0x03), .len = 2, LD(4, 4, 0) },
	{ C("32: mov ax,[ebx] 66", 32), BYTES(0x66, 0x8b, 0x03), .len = 3, LD(2, 2, 0) },
	{ C("32: mov [eax],ah", 32), BYTES(0x88, 0x20), .len = 2, ST(1, 0), .hb = true },
	{ C("32: mov eax,[esp] SIB", 32), BYTES(0x8b, 0x04, 0x24), .len = 3, LD(4, 4, 0) },
	{ C("32: mov eax,[0x1000] absolute disp32", 32), BYTES(0x8b, 0x05, 0x00, 0x10, 0x00, 0x00), .len = 6, LD(4, 4, 0) },
	{ C("32: mov eax,[bx+2] 67 16-bit addressing", 32), BYTES(0x67, 0x8b, 0x47, 0x02), .len = 4, LD(4, 4, 0) },
	{ C("32: mov eax,[0x1000] 67 disp16", 32), BYTES(0x67, 0x8b, 0x06, 0x00, 0x10), .len = 5, LD(4, 4, 0) },
	{ C("32: mov dword [ebx],0x04030201", 32), BYTES(0xc7, 0x03, 0x01, 0x02, 0x03, 0x04), .len = 6, IMM(4, 0x04030201) },
	{ C("32: movzx eax,word [ecx]", 32), BYTES(0x0f, 0xb7, 0x01), .len = 3, LD(2, 4, 0) },
	{ C("32: fs mov eax,[eax]", 32), BYTES(0x64, 0x8b, 0x00), .len = 3, LD(4, 4, 0) },
	{ C("32: mov eax,[moffs32]", 32), BYTES(0xa1, O4), .len = 5, LD(4, 4, 0) },
	{ C("32: mov ax,[moffs32] 66", 32), BYTES(0x66, 0xa1, O4), .len = 6, LD(2, 2, 0) },
	{ C("32: mov [moffs32],al", 32), BYTES(0xa2, O4), .len = 5, ST(1, 0) },
	{ C("32: mov eax,[moffs16] 67", 32), BYTES(0x67, 0xa1, O2), .len = 4, LD(4, 4, 0) },
	{ C("32: 48 is DEC, not REX", 32), BYTES(0x48, 0x8b, 0x03), BAD },
	{ C("32: 40 is INC, not REX", 32), BYTES(0x40, 0x88, 0x20), BAD },
	/* 16-bit mode */
	{ C("16: mov ax,[bx]", 16), BYTES(0x8b, 0x07), .len = 2, LD(2, 2, 0) },
	{ C("16: mov ax,[si] rm4 has no SIB", 16), BYTES(0x8b, 0x04), .len = 2, LD(2, 2, 0) },
	{ C("16: mov ax,[0x1000] disp16", 16), BYTES(0x8b, 0x06, 0x00, 0x10), .len = 4, LD(2, 2, 0) },
	{ C("16: mov ax,[bp+2] disp8", 16), BYTES(0x8b, 0x46, 0x02), .len = 3, LD(2, 2, 0) },
	{ C("16: mov ax,[bp+0x100] disp16", 16), BYTES(0x8b, 0x86, 0x00, 0x01), .len = 4, LD(2, 2, 0) },
	{ C("16: mov eax,[bx] 66", 16), BYTES(0x66, 0x8b, 0x07), .len = 3, LD(4, 4, 0) },
	{ C("16: mov ax,[esp] 67 SIB", 16), BYTES(0x67, 0x8b, 0x04, 0x24), .len = 4, LD(2, 2, 0) },
	{ C("16: es mov [bx],dh", 16), BYTES(0x26, 0x88, 0x37), .len = 3, ST(1, 2), .hb = true },
	{ C("16: movsx eax,byte [bx] 66", 16), BYTES(0x66, 0x0f, 0xbe, 0x07), .len = 4, LD(1, 4, 0), .sx = true },
	{ C("16: mov word [0x1000],0x1234", 16), BYTES(0xc7, 0x06, 0x00, 0x10, 0x34, 0x12), .len = 6, IMM(2, 0x1234) },
	{ C("16: mov dword [bx],0x12345678 66", 16), BYTES(0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12), .len = 7, IMM(4, 0x12345678) },
	{ C("16: mov al,[moffs16]", 16), BYTES(0xa0, O2), .len = 3, LD(1, 1, 0) },
	{ C("16: mov ax,[moffs16]", 16), BYTES(0xa1, O2), .len = 3, LD(2, 2, 0) },
	{ C("16: mov [moffs16],ax", 16), BYTES(0xa3, O2), .len = 3, ST(2, 0) },
	{ C("16: mov ax,[moffs32] 67", 16), BYTES(0x67, 0xa1, O4), .len = 6, LD(2, 2, 0) },
	{ C("16: truncated disp16", 16), BYTES(0x8b, 0x06, 0x00), BAD },
	/* ALU 00-3B: register forms, memory destination (xx+0/1) and source (xx+2/3) */
	{ C("64: add [rax],ecx", 64), BYTES(0x01, 0x08), .len = 2, AR(ADD, 4, 1) },
	{ C("64: add [rax],cl", 64), BYTES(0x00, 0x08), .len = 2, AR(ADD, 1, 1) },
	{ C("64: add [rax],ah", 64), BYTES(0x00, 0x20), .len = 2, AR(ADD, 1, 0), .hb = true },
	{ C("64: add ecx,[rax]", 64), BYTES(0x03, 0x08), .len = 2, AM(ADD, 4, 1) },
	{ C("64: add bh,[rax]", 64), BYTES(0x02, 0x38), .len = 2, AM(ADD, 1, 3), .hb = true },
	{ C("64: or [r12+0x1000],eax", 64), BYTES(0x41, 0x09, 0x84, 0x24, 0x00, 0x10, 0x00, 0x00), .len = 8, AR(OR, 4, 0) },
	{ C("64: or [rax],dl", 64), BYTES(0x08, 0x10), .len = 2, AR(OR, 1, 2) },
	{ C("64: or r9,[rax] REX.WR", 64), BYTES(0x4c, 0x0b, 0x08), .len = 3, AM(OR, 8, 9) },
	{ C("64: adc [rax],cx 66", 64), BYTES(0x66, 0x11, 0x08), .len = 3, AR(ADC, 2, 1) },
	{ C("64: adc cl,[rax]", 64), BYTES(0x12, 0x08), .len = 2, AM(ADC, 1, 1) },
	{ C("64: sbb [rax],rcx", 64), BYTES(0x48, 0x19, 0x08), .len = 3, AR(SBB, 8, 1) },
	{ C("64: sbb ecx,[rax]", 64), BYTES(0x1b, 0x08), .len = 2, AM(SBB, 4, 1) },
	{ C("64: and [rax],sil REX", 64), BYTES(0x40, 0x20, 0x30), .len = 3, AR(AND, 1, 6) },
	{ C("64: and eax,[rbx+8]", 64), BYTES(0x23, 0x43, 0x08), .len = 3, AM(AND, 4, 0) },
	{ C("64: sub [rax],r15d", 64), BYTES(0x44, 0x29, 0x38), .len = 3, AR(SUB, 4, 15) },
	{ C("64: sub al,[rax]", 64), BYTES(0x2a, 0x00), .len = 2, AM(SUB, 1, 0) },
	{ C("64: xor [rax],eax", 64), BYTES(0x31, 0x00), .len = 2, AR(XOR, 4, 0) },
	{ C("64: xor ax,[rax] 66", 64), BYTES(0x66, 0x33, 0x00), .len = 3, AM(XOR, 2, 0) },
	{ C("64: cmp [rax],ch", 64), BYTES(0x38, 0x28), .len = 2, AR(CMP, 1, 1), .hb = true },
	{ C("64: cmp [rax],edx", 64), BYTES(0x39, 0x10), .len = 2, AR(CMP, 4, 2) },
	{ C("64: cmp dl,[rax]", 64), BYTES(0x3a, 0x10), .len = 2, AM(CMP, 1, 2) },
	{ C("64: cmp rdx,[rax]", 64), BYTES(0x48, 0x3b, 0x10), .len = 3, AM(CMP, 8, 2) },
	{ C("64: lock add [rax],ecx", 64), BYTES(0xf0, 0x01, 0x08), .len = 3, AR(ADD, 4, 1), .lk = true },
	{ C("64: lock or [rax],ecx, 66 after", 64), BYTES(0xf0, 0x66, 0x09, 0x08), .len = 4, AR(OR, 2, 1), .lk = true },
	{ C("64: lock cmp [rax],ecx #UD", 64), BYTES(0xf0, 0x39, 0x08), BAD },
	{ C("64: lock add ecx,[rax] #UD", 64), BYTES(0xf0, 0x03, 0x08), BAD },
	{ C("64: rep add [rax],ecx", 64), BYTES(0xf3, 0x01, 0x08), BAD },
	{ C("64: add ecx,eax mod3", 64), BYTES(0x01, 0xc1), BAD },
	{ C("64: add al,imm8 04 no memory", 64), BYTES(0x04, 0x01), BAD },
	{ C("64: add eax,imm32 05 no memory", 64), BYTES(0x05, 0x01, 0x00, 0x00, 0x00), BAD },
	{ C("64: 3c cmp al,imm8 no memory", 64), BYTES(0x3c, 0x01), BAD },
	{ C("64: 06 push es", 64), BYTES(0x06, 0x00), BAD },
	/* 80/81/83: group 1 with an immediate */
	{ C("64: add byte [rax],0x80", 64), BYTES(0x80, 0x00, 0x80), .len = 3, AI(ADD, 1, 0x80) },
	{ C("64: or byte [rbx+4],0x01", 64), BYTES(0x80, 0x4b, 0x04, 0x01), .len = 4, AI(OR, 1, 0x01) },
	{ C("64: adc word [rax],0x8001", 64), BYTES(0x66, 0x81, 0x10, 0x01, 0x80), .len = 5, AI(ADC, 2, 0x8001) },
	{ C("64: sbb dword [rax],0x80000000", 64), BYTES(0x81, 0x18, 0x00, 0x00, 0x00, 0x80), .len = 6, AI(SBB, 4, 0x80000000) },
	{ C("64: and qword [rax],imm32 sign-extended", 64), BYTES(0x48, 0x81, 0x20, 0x00, 0xff, 0xff, 0xff), .len = 7, AI(AND, 8, 0xffffffffffffff00ULL) },
	{ C("64: sub dword [rax],-1 83", 64), BYTES(0x83, 0x28, 0xff), .len = 3, AI(SUB, 4, 0xffffffff) },
	{ C("64: xor word [rax],0x7f 83", 64), BYTES(0x66, 0x83, 0x30, 0x7f), .len = 4, AI(XOR, 2, 0x7f) },
	{ C("64: cmp qword [rax],-128 83", 64), BYTES(0x48, 0x83, 0x38, 0x80), .len = 4, AI(CMP, 8, 0xffffffffffffff80ULL) },
	{ C("64: lock and dword [rax],0x0f 83", 64), BYTES(0xf0, 0x83, 0x20, 0x0f), .len = 4, AI(AND, 4, 0x0f), .lk = true },
	{ C("64: lock cmp dword [rax],1 83 #UD", 64), BYTES(0xf0, 0x83, 0x38, 0x01), BAD },
	{ C("64: 82 is invalid in 64-bit mode", 64), BYTES(0x82, 0x00, 0x01), BAD },
	{ C("64: 83 mod3", 64), BYTES(0x83, 0xc0, 0x01), BAD },
	{ C("64: truncated 81 imm32", 64), BYTES(0x81, 0x00, 0x01, 0x00, 0x00), BAD },
	/* 84/85 TEST, F6/F7 /0 TEST imm */
	{ C("64: test [rax],cl", 64), BYTES(0x84, 0x08), .len = 2, AR(TEST, 1, 1) },
	{ C("64: test [rax],r8 REX.WR", 64), BYTES(0x4c, 0x85, 0x00), .len = 3, AR(TEST, 8, 8) },
	{ C("64: test byte [rax],0x80", 64), BYTES(0xf6, 0x00, 0x80), .len = 3, AI(TEST, 1, 0x80) },
	{ C("64: test word [rax],0x8000", 64), BYTES(0x66, 0xf7, 0x00, 0x00, 0x80), .len = 5, AI(TEST, 2, 0x8000) },
	{ C("64: test dword [rax],0x80000000", 64), BYTES(0xf7, 0x00, 0x00, 0x00, 0x00, 0x80), .len = 6, AI(TEST, 4, 0x80000000) },
	{ C("64: test qword [rax],imm32 sign-extended", 64), BYTES(0x48, 0xf7, 0x00, 0x00, 0x00, 0x00, 0x80), .len = 7, AI(TEST, 8, 0xffffffff80000000ULL) },
	{ C("64: F6 /1 (undocumented TEST alias)", 64), BYTES(0xf6, 0x08, 0x01), BAD },
	{ C("64: F7 /2 not", 64), BYTES(0xf7, 0x10), BAD },
	{ C("64: F7 /3 neg", 64), BYTES(0xf7, 0x18), BAD },
	{ C("64: F7 /4 mul", 64), BYTES(0xf7, 0x20), BAD },
	{ C("64: lock test #UD", 64), BYTES(0xf0, 0x85, 0x00), BAD },
	/* FE/FF /0 /1 INC, DEC */
	{ C("64: inc byte [rax]", 64), BYTES(0xfe, 0x00), .len = 2, AR(INC, 1, 0) },
	{ C("64: dec byte [rax]", 64), BYTES(0xfe, 0x08), .len = 2, AR(DEC, 1, 0) },
	{ C("64: inc word [rax]", 64), BYTES(0x66, 0xff, 0x00), .len = 3, AR(INC, 2, 0) },
	{ C("64: dec dword [rbx+0x10]", 64), BYTES(0xff, 0x4b, 0x10), .len = 3, AR(DEC, 4, 0) },
	{ C("64: lock inc qword [rax]", 64), BYTES(0xf0, 0x48, 0xff, 0x00), .len = 4, AR(INC, 8, 0), .lk = true },
	{ C("64: FE /2 invalid", 64), BYTES(0xfe, 0x10), BAD },
	{ C("64: FF /2 call", 64), BYTES(0xff, 0x10), BAD },
	{ C("64: FF /4 jmp", 64), BYTES(0xff, 0x20), BAD },
	{ C("64: FF /6 push", 64), BYTES(0xff, 0x30), BAD },
	/* 0F A3/AB/B3/BB and 0F BA /4-7: bit tests */
	{ C("64: bt [rax],ecx", 64), BYTES(0x0f, 0xa3, 0x08), .len = 3, AR(BT, 4, 1) },
	{ C("64: bts [rax],cx 66", 64), BYTES(0x66, 0x0f, 0xab, 0x08), .len = 4, AR(BTS, 2, 1) },
	{ C("64: btr [rax],r9 REX.WR", 64), BYTES(0x4c, 0x0f, 0xb3, 0x08), .len = 4, AR(BTR, 8, 9) },
	{ C("64: btc [rax],ecx", 64), BYTES(0x0f, 0xbb, 0x08), .len = 3, AR(BTC, 4, 1) },
	{ C("64: bt dword [rax],31", 64), BYTES(0x0f, 0xba, 0x20, 0x1f), .len = 4, AI(BT, 4, 31) },
	{ C("64: bts qword [rax],0x3f", 64), BYTES(0x48, 0x0f, 0xba, 0x28, 0x3f), .len = 5, AI(BTS, 8, 0x3f) },
	{ C("64: btr word [rax],0x80 imm8 not sign-extended", 64), BYTES(0x66, 0x0f, 0xba, 0x30, 0x80), .len = 5, AI(BTR, 2, 0x80) },
	{ C("64: btc dword [rax],0xff", 64), BYTES(0x0f, 0xba, 0x38, 0xff), .len = 4, AI(BTC, 4, 0xff) },
	{ C("64: lock bts [rax],ecx", 64), BYTES(0xf0, 0x0f, 0xab, 0x08), .len = 4, AR(BTS, 4, 1), .lk = true },
	{ C("64: lock bt #UD", 64), BYTES(0xf0, 0x0f, 0xa3, 0x08), BAD },
	{ C("64: 0F BA /0 reserved", 64), BYTES(0x0f, 0xba, 0x00, 0x01), BAD },
	{ C("64: 0F BA /3 reserved", 64), BYTES(0x0f, 0xba, 0x18, 0x01), BAD },
	{ C("64: truncated 0F BA imm8", 64), BYTES(0x0f, 0xba, 0x20), BAD },
	/* 86/87 XCHG, 0F B0/B1 CMPXCHG */
	{ C("64: xchg [rax],cl", 64), BYTES(0x86, 0x08), .len = 2, AR(XCHG, 1, 1) },
	{ C("64: xchg [rax],bh", 64), BYTES(0x86, 0x38), .len = 2, AR(XCHG, 1, 3), .hb = true },
	{ C("64: xchg [rax],r11 REX.WR", 64), BYTES(0x4c, 0x87, 0x18), .len = 3, AR(XCHG, 8, 11) },
	{ C("64: lock xchg [rax],eax", 64), BYTES(0xf0, 0x87, 0x00), .len = 3, AR(XCHG, 4, 0), .lk = true },
	{ C("64: cmpxchg [rax],cl", 64), BYTES(0x0f, 0xb0, 0x08), .len = 3, AR(CMPXCHG, 1, 1) },
	{ C("64: cmpxchg [rax],dx 66", 64), BYTES(0x66, 0x0f, 0xb1, 0x10), .len = 4, AR(CMPXCHG, 2, 2) },
	{ C("64: lock cmpxchg [rdi],r10 REX.WR", 64), BYTES(0xf0, 0x4c, 0x0f, 0xb1, 0x17), .len = 5, AR(CMPXCHG, 8, 10), .lk = true },
	{ C("64: xchg mod3", 64), BYTES(0x87, 0xc8), BAD },
	{ C("64: cmpxchg mod3", 64), BYTES(0x0f, 0xb1, 0xc8), BAD },
	/* A4/A5 MOVS, AA/AB STOS */
	{ C("64: movsb", 64), BYTES(0xa4), .len = 1, MOVS(1, 8) },
	{ C("64: movsw 66", 64), BYTES(0x66, 0xa5), .len = 2, MOVS(2, 8) },
	{ C("64: movsd", 64), BYTES(0xa5), .len = 1, MOVS(4, 8) },
	{ C("64: movsq REX.W", 64), BYTES(0x48, 0xa5), .len = 2, MOVS(8, 8) },
	{ C("64: rep movsq", 64), BYTES(0xf3, 0x48, 0xa5), .len = 3, MOVS(8, 8), .rp = true },
	{ C("64: rep movsb 67: 32-bit addresses", 64), BYTES(0x67, 0xf3, 0xa4), .len = 3, MOVS(1, 4), .rp = true },
	{ C("64: fs movsb: the source's segment", 64), BYTES(0x64, 0xa4), .len = 2, MOVS(1, 8), .seg = 0x64 },
	{ C("64: stosb", 64), BYTES(0xaa), .len = 1, STOS(1, 8) },
	{ C("64: rep stosd", 64), BYTES(0xf3, 0xab), .len = 2, STOS(4, 8), .rp = true },
	{ C("64: rep stosq", 64), BYTES(0xf3, 0x48, 0xab), .len = 3, STOS(8, 8), .rp = true },
	{ C("64: gs stosb: ES cannot be overridden", 64), BYTES(0x65, 0xaa), .len = 2, STOS(1, 8) },
	{ C("64: repne movsb not guessed", 64), BYTES(0xf2, 0xa4), BAD },
	{ C("64: lock movsb #UD", 64), BYTES(0xf0, 0xa4), BAD },
	{ C("64: lodsb not emulated", 64), BYTES(0xac), BAD },
	{ C("64: cmpsb not emulated", 64), BYTES(0xa6), BAD },
	{ C("64: scasb not emulated", 64), BYTES(0xae), BAD },
	/* 32- and 16-bit modes */
	{ C("32: or [ebx+4],eax", 32), BYTES(0x09, 0x43, 0x04), .len = 3, AR(OR, 4, 0) },
	{ C("32: add ax,[ebx] 66", 32), BYTES(0x66, 0x03, 0x03), .len = 3, AM(ADD, 2, 0) },
	{ C("32: and dword [ebx],imm8 83", 32), BYTES(0x83, 0x23, 0xfe), .len = 3, AI(AND, 4, 0xfffffffe) },
	{ C("32: 82 /0 is 80 outside 64-bit mode, not emulated", 32), BYTES(0x82, 0x00, 0x01), BAD },
	{ C("32: rep movsd", 32), BYTES(0xf3, 0xa5), .len = 2, MOVS(4, 4), .rp = true },
	{ C("32: rep stosb 67: 16-bit addresses", 32), BYTES(0x67, 0xf3, 0xaa), .len = 3, STOS(1, 2), .rp = true },
	{ C("32: es movsw 66", 32), BYTES(0x26, 0x66, 0xa5), .len = 3, MOVS(2, 4), .seg = 0x26 },
	{ C("16: or [bx],ax", 16), BYTES(0x09, 0x07), .len = 2, AR(OR, 2, 0) },
	{ C("16: or [bx],eax 66", 16), BYTES(0x66, 0x09, 0x07), .len = 3, AR(OR, 4, 0) },
	{ C("16: test word [0x1000],0x8000", 16), BYTES(0xf7, 0x06, 0x00, 0x10, 0x00, 0x80), .len = 6, AI(TEST, 2, 0x8000) },
	{ C("16: rep movsw", 16), BYTES(0xf3, 0xa5), .len = 2, MOVS(2, 2), .rp = true },
	{ C("16: rep stosd 66 67", 16), BYTES(0x66, 0x67, 0xf3, 0xab), .len = 4, STOS(4, 4), .rp = true },
};

struct mcase {
	const char *name;
	unsigned int mode;
	unsigned int n;
	u8 b[24];
	bool store;
	u64 old;	/* loads: old register value; stores: register value */
	u64 data;	/* loads: data read from memory */
	u64 want;
};

static const struct mcase mcases[] = {
	{ C("merge: mov eax zero-extends", 64), BYTES(0x8b, 0x03), .old = ~0ULL, .data = 0xaaaaaaaa12345678ULL, .want = 0x12345678 },
	{ C("merge: mov rax replaces", 64), BYTES(0x48, 0x8b, 0x03), .old = 1, .data = 0x1122334455667788ULL, .want = 0x1122334455667788ULL },
	{ C("merge: mov ax keeps 63:16", 64), BYTES(0x66, 0x8b, 0x03), .old = 0x1122334455667788ULL, .data = 0xaaaa, .want = 0x112233445566aaaaULL },
	{ C("merge: mov al keeps 63:8", 64), BYTES(0x8a, 0x03), .old = 0x1122334455667788ULL, .data = 0xffffffbb, .want = 0x11223344556677bbULL },
	{ C("merge: mov ah writes 15:8", 64), BYTES(0x8a, 0x23), .old = 0x1122334455667788ULL, .data = 0xbb, .want = 0x112233445566bb88ULL },
	{ C("merge: mov spl writes 7:0", 64), BYTES(0x40, 0x8a, 0x23), .old = 0x1122334455667788ULL, .data = 0xbb, .want = 0x11223344556677bbULL },
	{ C("merge: movsx rax,byte", 64), BYTES(0x48, 0x0f, 0xbe, 0x03), .old = 0, .data = 0x80, .want = 0xffffffffffffff80ULL },
	{ C("merge: movsx eax,byte zero-extends to 64", 64), BYTES(0x0f, 0xbe, 0x03), .old = ~0ULL, .data = 0x80, .want = 0xffffff80ULL },
	{ C("merge: movsx ax,byte keeps 63:16", 64), BYTES(0x66, 0x0f, 0xbe, 0x03), .old = 0x1122334455667788ULL, .data = 0xff, .want = 0x112233445566ffffULL },
	{ C("merge: movsx rax,word positive", 64), BYTES(0x48, 0x0f, 0xbf, 0x03), .old = ~0ULL, .data = 0x7fff, .want = 0x7fff },
	{ C("merge: movsx rax,word negative", 64), BYTES(0x48, 0x0f, 0xbf, 0x03), .old = 0, .data = 0x8001, .want = 0xffffffffffff8001ULL },
	{ C("merge: movzx eax,word", 64), BYTES(0x0f, 0xb7, 0x03), .old = ~0ULL, .data = 0xffff, .want = 0xffff },
	{ C("merge: movzx rax,byte ignores high data", 64), BYTES(0x48, 0x0f, 0xb6, 0x03), .old = ~0ULL, .data = 0x12345680, .want = 0x80 },
	{ C("merge: 32-bit mode movzx eax zero-extends", 32), BYTES(0x0f, 0xb6, 0x03), .old = ~0ULL, .data = 0x80, .want = 0x80 },
	{ C("merge: 16-bit mode mov ax", 16), BYTES(0x8b, 0x07), .old = 0xffffffff12345678ULL, .data = 0xbeef, .want = 0xffffffff1234beefULL },
	{ C("store: eax", 64), BYTES(0x89, 0x03), .store = true, .old = 0x1122334455667788ULL, .want = 0x55667788 },
	{ C("store: ax", 64), BYTES(0x66, 0x89, 0x03), .store = true, .old = 0x1122334455667788ULL, .want = 0x7788 },
	{ C("store: al", 64), BYTES(0x88, 0x03), .store = true, .old = 0x1122334455667788ULL, .want = 0x88 },
	{ C("store: ah", 64), BYTES(0x88, 0x23), .store = true, .old = 0x1122334455667788ULL, .want = 0x77 },
	{ C("store: spl", 64), BYTES(0x40, 0x88, 0x23), .store = true, .old = 0x1122334455667788ULL, .want = 0x88 },
	{ C("store: rax", 64), BYTES(0x48, 0x89, 0x03), .store = true, .old = 0x1122334455667788ULL, .want = 0x1122334455667788ULL },
	{ C("store: imm8 0x80", 64), BYTES(0xc6, 0x03, 0x80), .store = true, .old = 0x1122334455667788ULL, .want = 0x80 },
	{ C("store: imm16 -2", 64), BYTES(0x66, 0xc7, 0x03, 0xfe, 0xff), .store = true, .old = ~0ULL, .want = 0xfffe },
	{ C("store: imm32 0x80000000 not extended", 64), BYTES(0xc7, 0x03, 0x00, 0x00, 0x00, 0x80), .store = true, .old = ~0ULL, .want = 0x80000000 },
	{ C("store: REX.W imm32 0x80000000 sign-extended", 64), BYTES(0x48, 0xc7, 0x03, 0x00, 0x00, 0x00, 0x80), .store = true, .want = 0xffffffff80000000ULL },
	{ C("store: REX.W imm32 1", 64), BYTES(0x48, 0xc7, 0x03, 0x01, 0x00, 0x00, 0x00), .store = true, .old = ~0ULL, .want = 1 },
};

/*
 * xcases: decode, then execute on a value read (hvm_insn_alu_exec). Every
 * register starts as XREG(i) except r (if not RAX) and RAX; afterwards
 * all are unchanged except r and RAX, which must hold want_r/want_rax.
 * Flags worked out by hand from the SDM's definitions.
 */
#define XREG(i)		(0x0101010101010101ULL * (0x10 + (i)))

struct xcase {
	const char *name;
	unsigned int mode;
	unsigned int n;
	u8 b[24];
	u64 mem;		/* the value memory read */
	u8 r;			/* a register the instruction names */
	u64 rv, rax, flags;	/* r, RAX and RFLAGS before */
	bool writes;
	u64 wval;		/* what it writes to memory */
	u64 want_r, want_rax, want_flags;
};

#define X(nm)		.name = nm, .mode = 64

static const struct xcase xcases[] = {
	{ X("exec: or [m],eax writes, OF CF AF cleared"), BYTES(0x09, 0x03), .mem = 0xf0, .r = 0,
	  .rax = 0x0f, .flags = 0xad7, .writes = true, .wval = 0xff, .want_rax = 0x0f, .want_flags = 0x206 },
	{ X("exec: add ecx,[m] zero-extends rcx, CF ZF AF PF"), BYTES(0x03, 0x0b), .mem = 1, .r = 1,
	  .rv = 0xdeadbeefffffffffULL, .flags = 0x202, .want_r = 0, .want_flags = 0x257 },
	{ X("exec: add ah,[m] OF SF AF"), BYTES(0x02, 0x23), .mem = 1, .r = 0,
	  .rax = 0x1122334455667f00ULL, .flags = 0x202, .want_rax = 0x1122334455668000ULL, .want_flags = 0xa92 },
	{ X("exec: cmp ecx,[m] equal: ZF, rcx kept"), BYTES(0x3b, 0x0b), .mem = 5, .r = 1,
	  .rv = 0xaaaaaaaa00000005ULL, .flags = 0x202, .want_r = 0xaaaaaaaa00000005ULL, .want_flags = 0x246 },
	{ X("exec: cmp [m],ecx 5-6: CF SF AF PF"), BYTES(0x39, 0x0b), .mem = 5, .r = 1,
	  .rv = 6, .flags = 0x202, .want_r = 6, .want_flags = 0x297 },
	{ X("exec: test byte [m],0x80: SF, no write"), BYTES(0xf6, 0x03, 0x80), .mem = 0x80,
	  .flags = 0x203, .want_flags = 0x282 },
	{ X("exec: inc dword [m] keeps CF, OF SF AF PF"), BYTES(0xff, 0x03), .mem = 0x7fffffff,
	  .flags = 0x203, .writes = true, .wval = 0x80000000, .want_flags = 0xa97 },
	{ X("exec: dec byte [m] 0x80: OF AF"), BYTES(0xfe, 0x0b), .mem = 0x80,
	  .flags = 0x202, .writes = true, .wval = 0x7f, .want_flags = 0xa12 },
	{ X("exec: adc [m],ecx with CF: wraps to 0"), BYTES(0x11, 0x0b), .mem = 0xfffffffe, .r = 1,
	  .rv = 1, .flags = 0x203, .writes = true, .wval = 0, .want_r = 1, .want_flags = 0x257 },
	{ X("exec: sub word [m],-1 (83): CF AF"), BYTES(0x66, 0x83, 0x2b, 0xff), .mem = 0,
	  .flags = 0x202, .writes = true, .wval = 1, .want_flags = 0x213 },
	{ X("exec: and qword [m],imm32 sign-extended"), BYTES(0x48, 0x81, 0x23, 0x00, 0xff, 0xff, 0xff),
	  .mem = 0x123456789abcdeffULL, .flags = 0x203, .writes = true, .wval = 0x123456789abcde00ULL,
	  .want_flags = 0x206 },
	{ X("exec: bt [m],ecx=35: bit 3 of the dword, CF"), BYTES(0x0f, 0xa3, 0x0b), .mem = 0x8, .r = 1,
	  .rv = 35, .flags = 0x202, .want_r = 35, .want_flags = 0x203 },
	{ X("exec: bts dword [m],31"), BYTES(0x0f, 0xba, 0x2b, 0x1f), .mem = 0,
	  .flags = 0x203, .writes = true, .wval = 0x80000000, .want_flags = 0x202 },
	{ X("exec: btr qword [m],rcx=65: bit 1"), BYTES(0x48, 0x0f, 0xb3, 0x0b), .mem = 3, .r = 1,
	  .rv = 65, .flags = 0x202, .writes = true, .wval = 1, .want_r = 65, .want_flags = 0x203 },
	{ X("exec: btc word [m],0x80: bit 0"), BYTES(0x66, 0x0f, 0xba, 0x3b, 0x80), .mem = 1,
	  .flags = 0x202, .writes = true, .wval = 0, .want_flags = 0x203 },
	{ X("exec: xchg [m],ecx zero-extends rcx, no flags"), BYTES(0x87, 0x0b), .mem = 0x11223344, .r = 1,
	  .rv = 0xaaaaaaaabbbbbbbbULL, .flags = 0xad7, .writes = true, .wval = 0xbbbbbbbb,
	  .want_r = 0x11223344, .want_flags = 0xad7 },
	{ X("exec: xchg [m],bh"), BYTES(0x86, 0x3b), .mem = 0x99, .r = 3,
	  .rv = 0x1111111111112233ULL, .flags = 0x202, .writes = true, .wval = 0x22,
	  .want_r = 0x1111111111119933ULL, .want_flags = 0x202 },
	{ X("exec: xchg [m],cx keeps 63:16"), BYTES(0x66, 0x87, 0x0b), .mem = 0x1234, .r = 1,
	  .rv = 0xaaaaaaaabbbbccccULL, .flags = 0x202, .writes = true, .wval = 0xcccc,
	  .want_r = 0xaaaaaaaabbbb1234ULL, .want_flags = 0x202 },
	{ X("exec: cmpxchg [m],ecx equal: writes, RAX kept"), BYTES(0x0f, 0xb1, 0x0b), .mem = 5, .r = 1,
	  .rv = 0x9999999977777777ULL, .rax = 0xffffffff00000005ULL, .flags = 0x202, .writes = true,
	  .wval = 0x77777777, .want_r = 0x9999999977777777ULL, .want_rax = 0xffffffff00000005ULL,
	  .want_flags = 0x246 },
	{ X("exec: cmpxchg [m],ecx differ: EAX loaded, zero-extended"), BYTES(0x0f, 0xb1, 0x0b), .mem = 7,
	  .r = 1, .rv = 0x77, .rax = 0xffffffff00000005ULL, .flags = 0x202, .want_r = 0x77, .want_rax = 7,
	  .want_flags = 0x293 },
	{ X("exec: cmpxchg byte [m],cl equal"), BYTES(0x0f, 0xb0, 0x0b), .mem = 0x42, .r = 1,
	  .rv = 0x99, .rax = 0x123456789abcde42ULL, .flags = 0x202, .writes = true, .wval = 0x99,
	  .want_r = 0x99, .want_rax = 0x123456789abcde42ULL, .want_flags = 0x246 },
	{ X("exec: cmpxchg word differ: AX loaded, 63:16 kept, OF"), BYTES(0x66, 0x0f, 0xb1, 0x0b),
	  .mem = 0x8000, .r = 1, .rv = 0x5555, .rax = 0x1111111111110001ULL, .flags = 0x202, .want_r = 0x5555,
	  .want_rax = 0x1111111111118000ULL, .want_flags = 0xa83 },
};

#undef X

#undef C
#undef BYTES
#undef LD
#undef ST
#undef IMM
#undef BAD
#undef AR
#undef AM
#undef AI
#undef MOVS
#undef STOS
#undef O8
#undef O4
#undef O2
#undef P3
#undef P9
#undef P13
#undef P14

#endif /* HVM_INSN_DECODE_CASES_H */
