// SPDX-License-Identifier: GPL-2.0
/*
 * With an in-kernel LAPIC, HLT sleeps in the kernel until the LAPIC has
 * an interrupt due; the PIC stays in userspace, whose interrupt is due as
 * soon as userspace asks for the interrupt window. The guest runs with IF
 * clear while that request stands, then does `sti; hlt`: the halt must end
 * at once with HVM_EXIT_IRQ_WINDOW_OPEN, past the HLT, and the interrupt
 * injected then must arrive. (Sleeping instead, the vCPU would wait for a
 * LAPIC interrupt that never comes: a signal 500 ms on ends that.)
 */
#include "hvm_util.h"
#include "guest.h"

#define IRQ_VECTOR	0x30

static volatile uint64_t irq_count, irq_rip;

static __guest_code void irq_handler(struct ex_regs *regs)
{
	irq_count++;
	irq_rip = regs->rip;
}

static __guest_code void guest_code(void)
{
	asm volatile("sti; hlt; hlt_end: cli" ::: "memory");
	GUEST_SYNC4(1, irq_count, irq_rip, 0);
	GUEST_DONE();
}

int main(void)
{
	struct hvm_interrupt irq = { .vector = IRQ_VECTOR };
	extern const char hlt_end[];
	struct hvm_vcpu *vcpu;
	struct hvm_run *run;
	struct hvm_vm *vm;
	struct ucall uc;
	bool ok;
	int r;

	ksft_print_header();
	require_lapic_or_skip();
	ksft_set_plan(3);
	alarm_ends_runs();

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	run = vcpu->run;
	vm_install_handler(vm, IRQ_VECTOR, irq_handler);

	run->request_interrupt_window = 1;
	ualarm(500000, 0);
	r = __vcpu_run(vcpu);
	ualarm(0, 0);
	run->request_interrupt_window = 0;
	ksft_test_result(!r && run->exit_reason == HVM_EXIT_IRQ_WINDOW_OPEN &&
			 vcpu_get_rip(vcpu) == (u64)hlt_end &&
			 run->ready_for_interrupt_injection,
			 "HLT with the window requested ends in an IRQ_WINDOW_OPEN exit past the HLT, not a sleep (%s, RIP %#lx, after the HLT %#lx)",
			 vcpu_exit_desc(vcpu), (unsigned long)vcpu_get_rip(vcpu),
			 (unsigned long)hlt_end);

	TEST_ASSERT(__vcpu_ioctl(vcpu, HVM_INTERRUPT, &irq) == 0, "HVM_INTERRUPT");
	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == (u64)hlt_end,
			 "the interrupt injected then arrives once, after the HLT (%lu taken, return RIP %#lx)",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2]);
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	vm_free(vm);
	ksft_finished();
}
