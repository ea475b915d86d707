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
};

#define C(nm, md)	.name = nm, .mode = md
#define BYTES(...)	.b = { __VA_ARGS__ }, .n = sizeof((u8[]){ __VA_ARGS__ })
#define LD(sz, dst, r)	.kind = HVM_INSN_LOAD, .size = sz, .dst_size = dst, .reg = r
#define ST(sz, r)	.kind = HVM_INSN_STORE, .size = sz, .reg = r
#define IMM(sz, v)	.kind = HVM_INSN_STORE, .size = sz, .has_imm = true, .imm = v
#define BAD		.rc = -EINVAL

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
	{ C("64: add [rax],ecx", 64), BYTES(0x01, 0x08), BAD },
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

#undef C
#undef BYTES
#undef LD
#undef ST
#undef IMM
#undef BAD
#undef O8
#undef O4
#undef O2
#undef P3
#undef P9
#undef P13
#undef P14

#endif /* HVM_INSN_DECODE_CASES_H */
