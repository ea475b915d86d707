/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmbench: the guest programs, as bytes in .rodata that hvmbench copies
 * into guest memory (the host never runs them). Each is position
 * independent, takes its count in RDI and ends with HLT. The same bytes run
 * on every accelerator; only the hypercall instruction is patched to the
 * host vendor's (VMMCALL 0f 01 d9 on AMD, VMCALL 0f 01 c1 on Intel).
 */
	.section .rodata, "a"

#define PROGRAM(name)	.globl name##_start, name##_end; name##_start:
#define END(name)	name##_end:

	.code64
/* CPUID leaf 0, handled by the hypervisor in the kernel. */
PROGRAM(guest_cpuid)
1:	xorl	%eax, %eax
	xorl	%ecx, %ecx
	cpuid
	decq	%rdi
	jnz	1b
	hlt
END(guest_cpuid)

/* OUT %al, $0x10: an exit to userspace. */
PROGRAM(guest_pio)
1:	outb	%al, $0x10
	decq	%rdi
	jnz	1b
	hlt
END(guest_pio)

/* A 4-byte MOV to RSI, guest-physical memory no slot backs. */
PROGRAM(guest_mmio)
1:	movl	%eax, (%rsi)
	decq	%rdi
	jnz	1b
	hlt
END(guest_mmio)

/*
 * Hypercall 12 (KVM_HC_MAP_GPA_RANGE: the one kvm can hand to userspace,
 * KVM_CAP_EXIT_HYPERCALL), gpa 0, 1 page, attributes 0.
 */
PROGRAM(guest_hypercall)
1:	movl	$12, %eax
	xorl	%ebx, %ebx
	movl	$1, %ecx
	xorl	%edx, %edx
	.globl	guest_hypercall_insn
guest_hypercall_insn:
	vmmcall
	decq	%rdi
	jnz	1b
	hlt
END(guest_hypercall)

/* One byte written per 4 KiB page, from RSI on, RDI pages. */
PROGRAM(guest_touch)
1:	movb	$1, (%rsi)
	addq	$4096, %rsi
	decq	%rdi
	jnz	1b
	hlt
END(guest_touch)

	.code16
/* Real mode: the first instruction exits. */
PROGRAM(guest_real_hlt)
	hlt
END(guest_real_hlt)

	.section .note.GNU-stack, "", @progbits
