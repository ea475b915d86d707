// SPDX-License-Identifier: GPL-2.0
/*
 * An exception the guest cannot deliver escalates to a triple fault, which
 * ends in HVM_EXIT_SHUTDOWN. First a sanity check that the same #UD is
 * delivered normally with a working IDT.
 */
#include "hvm_util.h"
#include "guest.h"

#define UNMAPPED_GVA	0x7ff000000000ul

static __guest_code void ud_handler(struct ex_regs *regs)
{
	GUEST_SYNC4(regs->vector, regs->rip, regs->cs, 0);
	regs->rip += 2;		/* skip the ud2 */
}

static __guest_code void guest_ud2(void)
{
	asm volatile("ud2");
	GUEST_DONE();
}

static __guest_code void guest_write_unmapped(void)
{
	*(volatile uint64_t *)UNMAPPED_GVA = 1;
	GUEST_DONE();
}

static u64 hw_shutdown(void)
{
	return host_cpu_is_amd() ? 0x7f /* SVM_EXIT_SHUTDOWN */ : 2 /* triple fault */;
}

static void expect_shutdown(struct hvm_vcpu *vcpu, const char *what)
{
	int r = __vcpu_run(vcpu);

	ksft_test_result(!r && vcpu->run->exit_reason == HVM_EXIT_SHUTDOWN &&
			 vcpu->run->hardware_exit_reason == hw_shutdown(),
			 "%s: HVM_EXIT_SHUTDOWN (rc %d, %s)", what, r, vcpu_exit_desc(vcpu));
}

static void break_idt(struct hvm_vcpu *vcpu)
{
	struct hvm_sregs sregs;

	vcpu_get_sregs(vcpu, &sregs);
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	vcpu_set_sregs(vcpu, &sregs);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_regs regs;
	struct hvm_vm *vm;
	struct ucall uc;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(5);

	/* Sanity: with the IDT, ud2 reaches the #UD handler and continues. */
	vm = vm_create_with_vcpu(&vcpu, guest_ud2);
	vm_install_handler(vm, UD_VECTOR, ud_handler);
	ok = vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == UD_VECTOR &&
	     uc.args[1] - (u64)(uintptr_t)guest_ud2 < 16 && uc.args[2] == GUEST_CS_SEL;
	ksft_test_result(ok, "with an IDT, ud2 is delivered to the guest's #UD handler (%s)",
			 vcpu_exit_desc(vcpu));
	ksft_test_result(ok && vcpu_run_expect_done(vcpu),
			 "the guest continues after its handler");
	vm_free(vm);

	vm = vm_create_with_vcpu(&vcpu, guest_ud2);
	break_idt(vcpu);
	expect_shutdown(vcpu, "ud2 with an IDT limit of 0");
	vm_free(vm);

	vm = vm_create_with_vcpu(&vcpu, guest_write_unmapped);
	break_idt(vcpu);
	expect_shutdown(vcpu, "write to an unmapped address with an IDT limit of 0");
	vm_free(vm);

	/* A working IDT but an unmapped stack: nothing can be pushed. */
	vm = vm_create_with_vcpu(&vcpu, guest_ud2);
	vcpu_get_regs(vcpu, &regs);
	regs.rsp = UNMAPPED_GVA + 0x1000;
	vcpu_set_regs(vcpu, &regs);
	expect_shutdown(vcpu, "ud2 with an unmapped stack");
	vm_free(vm);
	ksft_finished();
}
