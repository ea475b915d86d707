// SPDX-License-Identifier: GPL-2.0
/*
 * An event whose delivery a nested page fault interrupts is delivered once,
 * with the frame the guest would see without the exit. Each case runs the
 * event's instruction on a stack page of a slot of its own that nothing
 * touched before, so the CPU's push of the frame is the page's first
 * access and exits. INT3 and INT n are software events: their return
 * address is the next instruction. Injected again after the exit, QEMU's
 * SVM returned to the instruction itself (an injected software event
 * returns to RIP, or to NEXT_RIP on hardware), which then ran again: two
 * deliveries, the first with a return address Linux does not know as one
 * of its own INT3s. A fault (UD2) returns to the faulting instruction.
 */
#include "hvm_util.h"
#include "guest.h"

#define STACK_SLOT	1
#define STACK_GPA	0x20000000ul
#define STACK_GVA	0x200000000000ul
#define NR_CASES	3
#define SOFT_INT_VECTOR	0x80

static volatile uint64_t event_count, event_rip;

static __guest_code void record_trap(struct ex_regs *regs)
{
	event_count++;
	event_rip = regs->rip;
}

static __guest_code void record_fault(struct ex_regs *regs)
{
	event_count++;
	event_rip = regs->rip;
	regs->rip += 2;		/* past the UD2 */
}

/*
 * Runs insns with RSP at stack, a fresh page's top; insns holds the label
 * "1:" where the handler must find its return address: after INT3 and
 * INT n, at UD2. Yields that address.
 */
#define RUN_ON_STACK(stack, insns)					\
({									\
	uint64_t __expect;						\
									\
	asm volatile("mov %%rsp, %%r12\n\t"				\
		     "mov %[stk], %%rsp\n\t"				\
		     "lea 1f(%%rip), %[expect]\n"			\
		     insns						\
		     "mov %%r12, %%rsp"					\
		     : [expect] "=&r"(__expect)				\
		     : [stk] "r"(stack)					\
		     : "r12", "memory");				\
	__expect;							\
})

static __guest_code void guest_code(uint64_t stacks)
{
	uint64_t expect;

	event_count = 0;
	expect = RUN_ON_STACK(stacks + 1 * 4096, "int3\n1:\n\t");
	GUEST_SYNC4(1, event_count, event_rip, expect);

	event_count = 0;
	expect = RUN_ON_STACK(stacks + 2 * 4096, "int $0x80\n1:\n\t");
	GUEST_SYNC4(2, event_count, event_rip, expect);

	event_count = 0;
	expect = RUN_ON_STACK(stacks + 3 * 4096, "1:\n\tud2\n\t");
	GUEST_SYNC4(3, event_count, event_rip, expect);
	GUEST_DONE();
}

static void check_case(struct hvm_vcpu *vcpu, u64 n, const char *what)
{
	struct ucall uc;
	bool ok = vcpu_run_expect_sync4(vcpu, n, &uc);

	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == uc.args[3],
			 "%s whose frame push exits on a nested page fault is delivered once, return RIP %#lx (%lu deliveries, return RIP %#lx)",
			 what, (unsigned long)uc.args[3], (unsigned long)uc.args[1],
			 (unsigned long)uc.args[2]);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(NR_CASES + 1);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	vm_install_handler(vm, 3, record_trap);
	vm_install_handler(vm, SOFT_INT_VECTOR, record_trap);
	vm_install_handler(vm, UD_VECTOR, record_fault);
	/* Fresh anonymous memory, in no 2 MiB mapping of slot 0. */
	vm_mem_add(vm, STACK_SLOT, 0, STACK_GPA, NR_CASES * PAGE_SIZE, NULL);
	virt_map(vm, STACK_GVA, STACK_GPA, NR_CASES);
	vcpu_args_set(vcpu, STACK_GVA, 0);

	check_case(vcpu, 1, "INT3");
	check_case(vcpu, 2, "INT 0x80");
	check_case(vcpu, 3, "UD2's invalid-opcode fault");
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	vm_free(vm);
	ksft_finished();
}
