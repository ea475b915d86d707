// SPDX-License-Identifier: GPL-2.0
/*
 * Guest state the hardware refuses to enter ends in HVM_EXIT_FAIL_ENTRY
 * with the hardware's reason (VMEXIT_INVALID, -1, on AMD), not in a hang or
 * a host problem; the vCPU runs again once its state is valid. A state no
 * CPU can be in never gets that far: HVM_SET_SREGS refuses it.
 */
#include "hvm_util.h"
#include "guest.h"

#define SVM_EXIT_INVALID	(~0ull)

static __guest_code void guest_code(void)
{
	GUEST_SYNC(0x600d);
	GUEST_DONE();
}

static void expect_fail_entry(struct hvm_vcpu *vcpu, const struct hvm_sregs *bad,
			      const char *what)
{
	struct hvm_run *run = vcpu->run;
	long ncpus = sysconf(_SC_NPROCESSORS_CONF);
	bool ok;
	int r;

	if (__vcpu_ioctl(vcpu, HVM_SET_SREGS, (void *)bad)) {
		ksft_test_result_fail("%s: HVM_SET_SREGS refused it (%s), want a failed entry",
				      what, strerror(errno));
		return;
	}
	r = __vcpu_run(vcpu);
	ok = !r && run->exit_reason == HVM_EXIT_FAIL_ENTRY &&
	     run->fail_entry.hardware_entry_failure_reason != 0 &&
	     run->fail_entry.cpu < ncpus;
	if (host_cpu_is_amd())
		ok &= run->fail_entry.hardware_entry_failure_reason == SVM_EXIT_INVALID &&
		      run->hardware_exit_reason == SVM_EXIT_INVALID;
	ksft_test_result(ok, "%s: HVM_EXIT_FAIL_ENTRY with the hardware's reason (rc %d, %s)",
			 what, r, vcpu_exit_desc(vcpu));
}

int main(void)
{
	struct hvm_sregs good, bad;
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(4);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	vcpu_get_sregs(vcpu, &good);

	bad = good;
	bad.cs.db = 1;
	expect_fail_entry(vcpu, &bad, "long mode with CS.L and CS.D both set");

	/* No CPU can be in these states: hvm refuses them before any entry. */
	bad = good;
	bad.cr4 &= ~X86_CR4_PAE;
	ksft_test_result(__vcpu_ioctl(vcpu, HVM_SET_SREGS, &bad) == -1 &&
			 errno == EINVAL,
			 "EFER.LME/LMA and CR0.PG with CR4.PAE clear: HVM_SET_SREGS fails with EINVAL");

	bad = good;
	bad.cr0 |= X86_CR0_NW;
	bad.cr0 &= ~X86_CR0_CD;
	ksft_test_result(__vcpu_ioctl(vcpu, HVM_SET_SREGS, &bad) == -1 &&
			 errno == EINVAL,
			 "CR0.NW set with CR0.CD clear: HVM_SET_SREGS fails with EINVAL");

	vcpu_set_sregs(vcpu, &good);
	ksft_test_result(vcpu_run_expect_sync(vcpu, 0x600d),
			 "with valid state restored the vCPU runs its guest");
	vm_free(vm);
	ksft_finished();
}
