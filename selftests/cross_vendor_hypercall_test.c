// SPDX-License-Identifier: GPL-2.0
/*
 * VMCALL and VMMCALL are both the hypercall, on either vendor: guests
 * moved between vendors, and some hypercall users, emit the other one,
 * which the CPU answers with #UD. hvm takes that #UD and makes the
 * hypercall exit of it; any other #UD (UD2) still reaches the guest.
 */
#include "hvm_util.h"
#include "guest.h"

static volatile uint64_t ud_count;

static __guest_code void ud_handler(struct ex_regs *regs)
{
	ud_count++;
	regs->rip += 2;		/* past the UD2 */
}

static __guest_code void guest_code(void)
{
	uint64_t r;

	asm volatile(".byte 0x0f, 0x01, 0xc1"		/* VMCALL */
		     : "=a"(r) : "a"(0x11), "b"(1) : "memory");
	GUEST_SYNC4(1, r, ud_count, 0);
	asm volatile(".byte 0x0f, 0x01, 0xd9"		/* VMMCALL */
		     : "=a"(r) : "a"(0x22), "b"(2) : "memory");
	GUEST_SYNC4(2, r, ud_count, 0);
	asm volatile("ud2" ::: "memory");
	GUEST_SYNC4(3, ud_count, 0, 0);
	GUEST_DONE();
}

static void check_call(struct hvm_vcpu *vcpu, u64 n, u64 nr, u64 arg,
		       const char *what)
{
	struct hvm_run *run = vcpu->run;
	struct ucall uc;
	bool ok;

	vcpu_run(vcpu);
	ok = run->exit_reason == HVM_EXIT_HYPERCALL && run->hypercall.nr == nr &&
	     run->hypercall.args[0] == arg;
	if (!ok)
		ksft_print_msg("%s: %s\n", what, vcpu_exit_desc(vcpu));
	run->hypercall.ret = nr + 0x100;
	ok = vcpu_run_expect_sync4(vcpu, n, &uc) && ok &&
	     uc.args[1] == nr + 0x100 && uc.args[2] == 0;
	ksft_test_result(ok, "%s exits as hypercall %#llx, returns %#llx, no #UD in the guest (%llu)",
			 what, (unsigned long long)nr, (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2]);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(4);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	vm_install_handler(vm, UD_VECTOR, ud_handler);
	check_call(vcpu, 1, 0x11, 1, "VMCALL");
	check_call(vcpu, 2, 0x22, 2, "VMMCALL");
	ok = vcpu_run_expect_sync4(vcpu, 3, &uc);
	ksft_test_result(ok && uc.args[1] == 1, "UD2 still raises #UD in the guest (%llu)",
			 (unsigned long long)uc.args[1]);
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	vm_free(vm);
	ksft_finished();
}
