/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry and exit for Intel VMX: load the guest's general registers,
 * VMLAUNCH or VMRESUME, and on VM exit (HOST_RIP = hvm_vmx_vmexit) store
 * them back. RSP, RIP and RFLAGS travel in the VMCS.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#define VMCS_HOST_RSP	0x6c14

/* Offsets into the u64 regs[] array: x86 encoding order (hvm_core.h). */
#define R_RAX	0*8
#define R_RCX	1*8
#define R_RDX	2*8
#define R_RBX	3*8
#define R_RBP	5*8
#define R_RSI	6*8
#define R_RDI	7*8
#define R_R8	8*8
#define R_R9	9*8
#define R_R10	10*8
#define R_R11	11*8
#define R_R12	12*8
#define R_R13	13*8
#define R_R14	14*8
#define R_R15	15*8

	.section .text, "ax"

/*
 * int hvm_vmx_vmrun(u64 *regs, bool launched)
 *
 * Called with IRQs off and the vCPU's VMCS current. Returns 0 after a VM
 * exit, 1 when VMLAUNCH/VMRESUME failed (VM_INSTRUCTION_ERROR says why).
 */
SYM_FUNC_START(hvm_vmx_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* 0(%rsp): regs */

	/* The VM exit comes back with this stack pointer. */
	mov	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
	jbe	.Lvmfail_host

	/* ZF: not launched yet. MOVs below leave the flags alone. */
	cmpb	$0, %sil
	mov	%rdi, %rax
	mov	R_RCX(%rax), %rcx
	mov	R_RDX(%rax), %rdx
	mov	R_RBX(%rax), %rbx
	mov	R_RBP(%rax), %rbp
	mov	R_RSI(%rax), %rsi
	mov	R_RDI(%rax), %rdi
	mov	R_R8(%rax), %r8
	mov	R_R9(%rax), %r9
	mov	R_R10(%rax), %r10
	mov	R_R11(%rax), %r11
	mov	R_R12(%rax), %r12
	mov	R_R13(%rax), %r13
	mov	R_R14(%rax), %r14
	mov	R_R15(%rax), %r15
	mov	R_RAX(%rax), %rax

	/*
	 * STI's one-instruction shadow covers VMLAUNCH/VMRESUME, so no host
	 * interrupt comes in between; a VM exit clears IF again. Entering
	 * with IF set keeps emulators that derive interrupt masking from the
	 * last IF change (Bochs) delivering external-interrupt exits to a
	 * guest that runs with IF clear.
	 */
	UNWIND_HINT_SAVE
	je	.Llaunch
	sti
	vmresume
	jmp	.Lvmfail
.Llaunch:
	sti
	vmlaunch
	jmp	.Lvmfail

SYM_INNER_LABEL(hvm_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rax
	mov	8(%rsp), %rax		/* regs */
	pop	R_RAX(%rax)
	mov	%rcx, R_RCX(%rax)
	mov	%rdx, R_RDX(%rax)
	mov	%rbx, R_RBX(%rax)
	mov	%rbp, R_RBP(%rax)
	mov	%rsi, R_RSI(%rax)
	mov	%rdi, R_RDI(%rax)
	mov	%r8, R_R8(%rax)
	mov	%r9, R_R9(%rax)
	mov	%r10, R_R10(%rax)
	mov	%r11, R_R11(%rax)
	mov	%r12, R_R12(%rax)
	mov	%r13, R_R13(%rax)
	mov	%r14, R_R14(%rax)
	mov	%r15, R_R15(%rax)
	xor	%eax, %eax
	jmp	.Lout

.Lvmfail:
	cli
	mov	$1, %eax
	jmp	.Lout
.Lvmfail_host:
	mov	$1, %eax

.Lout:
	/* Before the first RET: no return address the guest trained. */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	/* Leave no guest value in a register for speculation to use. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(hvm_vmx_vmrun)
