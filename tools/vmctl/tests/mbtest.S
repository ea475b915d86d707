/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbtest: a multiboot (v1) test kernel for vmctl. The header asks for
 * page-aligned modules and memory information; _start sets up a stack and
 * calls mbtest_main (mbtest.c) with EAX and EBX as the loader left them,
 * then writes its result to QEMU's debug-exit port, which ends the VM with
 * exit status (result << 1) | 1.
 */
#define MB_HEADER_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-align modules, memory info */
#define DEBUG_EXIT_PORT	0xf4

	.section .multiboot, "a"
	.align 4
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	movl $stack_top, %esp
	pushl %ebx			/* the information structure */
	pushl %eax			/* the boot magic */
	call mbtest_main
	movw $DEBUG_EXIT_PORT, %dx
	outl %eax, %dx
1:	cli				/* not reached: the VM is gone */
	hlt
	jmp 1b

	.bss
	.align 16
stack:
	.skip 8192
stack_top:

	.section .note.GNU-stack, "", @progbits
