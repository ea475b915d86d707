// SPDX-License-Identifier: GPL-2.0
/*
 * External interrupts: request_interrupt_window exits only once the guest
 * sets IF; HVM_INTERRUPT delivers through the guest's IDT; an interrupt
 * queued while IF=0 waits for STI; argument checks and -EBUSY.
 */
#include "hvm_util.h"
#include "guest.h"

static volatile uint64_t phase, irq_count, irq_vector, irq_phase;

static __guest_code void irq_handler(struct ex_regs *regs)
{
	irq_count++;
	irq_vector = regs->vector;
	irq_phase = phase;
}

static __guest_code void guest_window(void)
{
	phase = 1;
	GUEST_SYNC4(1, guest_rflags() & X86_RFLAGS_IF, 0, 0);
	phase = 2;
	GUEST_SYNC4(2, guest_rflags() & X86_RFLAGS_IF, 0, 0);
	phase = 3;
	guest_sti_nop();
	while (!irq_count)
		;
	GUEST_SYNC4(3, irq_vector, irq_phase, irq_count);
	GUEST_SYNC4(4, guest_rflags() & X86_RFLAGS_IF, 0, 0);
	GUEST_DONE();
}

static __guest_code void guest_queued(void)
{
	phase = 1;
	GUEST_SYNC4(1, 0, 0, 0);
	phase = 2;
	GUEST_SYNC4(2, irq_count, 0, 0);
	phase = 3;
	guest_sti_nop();
	while (!irq_count)
		;
	GUEST_SYNC4(3, irq_vector, irq_phase, irq_count);
	while (irq_count < 2)
		;
	GUEST_SYNC4(4, irq_vector, irq_phase, irq_count);
	GUEST_DONE();
}

static int interrupt(struct hvm_vcpu *vcpu, u32 vector, u32 flags)
{
	struct hvm_interrupt irq = { .vector = vector, .flags = flags };

	return ioctl(vcpu->fd, HVM_INTERRUPT, &irq) ? errno : 0;
}

/* Runs and expects GUEST_SYNC4(a0, a1, a2, a3). */
static bool expect_sync4(struct hvm_vcpu *vcpu, u64 a0, u64 a1, u64 a2, u64 a3)
{
	struct ucall uc;

	if (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == a0 &&
	    uc.args[1] == a1 && uc.args[2] == a2 && uc.args[3] == a3)
		return true;
	ksft_print_msg("expected GUEST_SYNC4(%#lx, %#lx, %#lx, %#lx), got %s",
		       (unsigned long)a0, (unsigned long)a1, (unsigned long)a2,
		       (unsigned long)a3, vcpu_exit_desc(vcpu));
	return false;
}

static void test_window(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_with_vcpu(&vcpu, guest_window);
	struct hvm_run *run = vcpu->run;
	bool ok;
	int e;

	vm_install_handler(vm, 0x40, irq_handler);

	ok = expect_sync4(vcpu, 1, 0, 0, 0);
	ksft_test_result(ok && run->if_flag == 0 && run->ready_for_interrupt_injection == 0,
			 "guest with IF=0: if_flag 0, ready_for_interrupt_injection 0 (got %u, %u)",
			 run->if_flag, run->ready_for_interrupt_injection);

	run->request_interrupt_window = 1;
	ok = ok && expect_sync4(vcpu, 2, 0, 0, 0);
	ksft_test_result(ok, "request_interrupt_window gives no exit while IF=0");

	ok = ok && (vcpu_run(vcpu), run->exit_reason == HVM_EXIT_IRQ_WINDOW_OPEN);
	ksft_test_result(ok && run->ready_for_interrupt_injection == 1 && run->if_flag == 1,
			 "after sti: HVM_EXIT_IRQ_WINDOW_OPEN with ready_for_interrupt_injection 1, if_flag 1 (%s; %u, %u)",
			 vcpu_exit_desc(vcpu), run->ready_for_interrupt_injection, run->if_flag);

	run->request_interrupt_window = 0;
	e = ok ? interrupt(vcpu, 0x40, 0) : -1;
	ok = !e && expect_sync4(vcpu, 3, 0x40, 3, 1);
	ksft_test_result(ok, "HVM_INTERRUPT 0x40 reaches the guest's vector 0x40 handler once (errno %d)", e);

	ok = ok && expect_sync4(vcpu, 4, X86_RFLAGS_IF, 0, 0) && vcpu_run_expect_done(vcpu);
	ksft_test_result(ok, "IRETQ from the handler restores IF and the guest completes");
	vm_free(vm);
}

static void test_queued(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_with_vcpu(&vcpu, guest_queued);
	int e0, e1, e2;
	bool ok;

	vm_install_handler(vm, 0x41, irq_handler);
	vm_install_handler(vm, 0x42, irq_handler);
	ok = expect_sync4(vcpu, 1, 0, 0, 0);

	e0 = interrupt(vcpu, 256, 0);
	e1 = interrupt(vcpu, 0xffffffff, 0);
	e2 = interrupt(vcpu, 0x41, 1);
	ksft_test_result(e0 == EINVAL && e1 == EINVAL && e2 == EINVAL,
			 "HVM_INTERRUPT with vector 256, 0xffffffff or flags 1 fails with EINVAL (errno %d, %d, %d)",
			 e0, e1, e2);

	e0 = interrupt(vcpu, 0x41, 0);
	e1 = interrupt(vcpu, 0x42, 0);
	ksft_test_result(!e0 && e1 == EBUSY,
			 "a second HVM_INTERRUPT while one is queued fails with EBUSY (errno %d, %d)",
			 e0, e1);

	ok = ok && expect_sync4(vcpu, 2, 0, 0, 0);
	e1 = interrupt(vcpu, 0x42, 0);
	ksft_test_result(ok && e1 == EBUSY,
			 "the queued interrupt is held while the guest has IF=0 (still EBUSY: errno %d)",
			 e1);

	ok = ok && expect_sync4(vcpu, 3, 0x41, 3, 1);
	ksft_test_result(ok, "the queued interrupt is delivered after sti, to vector 0x41");

	e0 = ok ? interrupt(vcpu, 0x42, 0) : -1;
	ok = ok && !e0 && expect_sync4(vcpu, 4, 0x42, 3, 2) && vcpu_run_expect_done(vcpu);
	ksft_test_result(ok, "after delivery the queue is free: vector 0x42 is queued and delivered (errno %d)",
			 e0);
	vm_free(vm);
}

int main(void)
{
	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(10);

	test_window();
	test_queued();
	ksft_finished();
}
