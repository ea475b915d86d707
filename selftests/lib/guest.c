// SPDX-License-Identifier: GPL-2.0
/*
 * Code that runs inside the guest: ucall, asserts, IDT stubs and the C
 * exception dispatcher. Nothing here may call libc.
 */
#include "guest.h"

bool guest_is_amd;
void (*guest_handlers[256])(struct ex_regs *regs);

__guest_code static void ucall_out(struct ucall *uc)
{
	asm volatile("out %%eax, %%dx"
		     :: "a"(0), "d"((uint16_t)UCALL_PORT), "D"(uc)
		     : "memory");
}

__guest_code void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2,
			uint64_t a3)
{
	struct ucall uc;

	uc.cmd = cmd;
	uc.args[0] = a0;
	uc.args[1] = a1;
	uc.args[2] = a2;
	uc.args[3] = a3;
	uc.line = 0;
	uc.file = 0;
	uc.expr = 0;
	ucall_out(&uc);
}

__guest_code void guest_assert_fail(const char *file, uint64_t line,
				    const char *expr, uint64_t a, uint64_t b)
{
	struct ucall uc;

	uc.cmd = UCALL_ASSERT;
	uc.args[0] = a;
	uc.args[1] = b;
	uc.args[2] = 0;
	uc.args[3] = 0;
	uc.line = line;
	uc.file = (uint64_t)(uintptr_t)file;
	uc.expr = (uint64_t)(uintptr_t)expr;
	/* Never continue past a failed assert, even if the host resumes. */
	for (;;)
		ucall_out(&uc);
}

/* Reached when a guest entry function returns (see vm_vcpu_add). */
__guest_code void guest_code_returned(void)
{
	for (;;)
		ucall(UCALL_DONE, 0, 0, 0, 0);
}

__guest_code void guest_idt_dispatch(struct ex_regs *regs)
{
	void (*h)(struct ex_regs *) = guest_handlers[regs->vector & 0xff];
	uint64_t cr2;

	if (h) {
		h(regs);
		return;
	}
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	for (;;)
		ucall(UCALL_UNHANDLED, regs->vector, regs->error_code,
		      regs->rip, cr2);
}

/*
 * 256 IDT entry stubs, 16 bytes apart starting at guest_idt_stubs. Vectors
 * without a CPU-pushed error code push a 0 so the frame is always struct
 * ex_regs. The CPU aligns RSP to 16 before pushing its 5 words; with error
 * code, vector and 15 GPRs the call below is made with RSP 16-aligned.
 */
asm(".pushsection .text\n"
    ".globl guest_idt_stubs\n"
    ".align 16\n"
    "guest_idt_stubs:\n"
    "hvm_vec = 0\n"
    ".rept 256\n"
    "  .align 16, 0xcc\n"
    "  .if (hvm_vec == 8) || ((hvm_vec >= 10) && (hvm_vec <= 14)) || (hvm_vec == 17) || (hvm_vec == 21) || (hvm_vec == 29) || (hvm_vec == 30)\n"
    "  .else\n"
    "  pushq $0\n"
    "  .endif\n"
    "  pushq $hvm_vec\n"
    "  jmp guest_idt_common\n"
    "  hvm_vec = hvm_vec + 1\n"
    ".endr\n"
    "guest_idt_common:\n"
    "  push %r15\n  push %r14\n  push %r13\n  push %r12\n"
    "  push %r11\n  push %r10\n  push %r9\n  push %r8\n"
    "  push %rdi\n  push %rsi\n  push %rbp\n  push %rbx\n"
    "  push %rdx\n  push %rcx\n  push %rax\n"
    "  cld\n"
    "  mov %rsp, %rdi\n"
    "  call guest_idt_dispatch\n"
    "  pop %rax\n  pop %rcx\n  pop %rdx\n  pop %rbx\n"
    "  pop %rbp\n  pop %rsi\n  pop %rdi\n  pop %r8\n"
    "  pop %r9\n  pop %r10\n  pop %r11\n  pop %r12\n"
    "  pop %r13\n  pop %r14\n  pop %r15\n"
    "  add $16, %rsp\n"
    "  iretq\n"
    /* Return address of every guest entry function. */
    ".globl guest_return_stub\n"
    "guest_return_stub:\n"
    "  and $-16, %rsp\n"
    "  call guest_code_returned\n"
    "  ud2\n"
    ".popsection\n");
