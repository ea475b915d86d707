// SPDX-License-Identifier: GPL-2.0
/*
 * Guest hypercalls (VMMCALL on AMD, VMCALL on Intel): the exit carries
 * RAX = nr and RBX, RCX, RDX, RSI = args; the guest resumes past the
 * instruction with RAX = the ret the host wrote, other registers intact.
 */
#include "hvm_util.h"
#include "guest.h"

#define NR2	0x8000000000000001ull
#define RET2	0xfedcba9876543210ull
static const uint64_t args2[4] = {
	0xffffffffffffffffull, 0x8000000000000000ull, 0x0123456789abcdefull, 0x5555aaaa5555aaaaull,
};

static __guest_code void guest_code(void)
{
	uint64_t b = args2[0], c = args2[1], d = args2[2], s = args2[3], ret;

	GUEST_SYNC(guest_hypercall(7, 1, 2, 3, 4));

	/* The argument registers must come back unchanged. */
	if (guest_is_amd)
		asm volatile(".byte 0x0f, 0x01, 0xd9"
			     : "=a"(ret), "+b"(b), "+c"(c), "+d"(d), "+S"(s)
			     : "a"(NR2) : "memory");
	else
		asm volatile(".byte 0x0f, 0x01, 0xc1"
			     : "=a"(ret), "+b"(b), "+c"(c), "+d"(d), "+S"(s)
			     : "a"(NR2) : "memory");
	GUEST_SYNC(ret);
	GUEST_SYNC4(b, c, d, s);
	GUEST_DONE();
}

static bool check_hypercall(struct hvm_vcpu *vcpu, u64 nr, const u64 *args)
{
	struct hvm_run *run = vcpu->run;
	u64 hw = host_cpu_is_amd() ? 0x81 /* SVM_EXIT_VMMCALL */ : 18 /* VMCALL */;
	int i;

	if (run->exit_reason != HVM_EXIT_HYPERCALL || run->hypercall.nr != nr) {
		ksft_print_msg("expected hypercall %#lx, got %s", (unsigned long)nr,
			       vcpu_exit_desc(vcpu));
		return false;
	}
	for (i = 0; i < 4; i++) {
		if (run->hypercall.args[i] != args[i]) {
			ksft_print_msg("arg %d: %#lx, want %#lx", i,
				       (unsigned long)run->hypercall.args[i],
				       (unsigned long)args[i]);
			return false;
		}
	}
	if (run->hardware_exit_reason != hw) {
		ksft_print_msg("hardware_exit_reason %#lx, want %#lx",
			       (unsigned long)run->hardware_exit_reason, (unsigned long)hw);
		return false;
	}
	return true;
}

int main(void)
{
	static const u64 args1[4] = { 1, 2, 3, 4 };
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(6);

	vm = vm_create_with_vcpu(&vcpu, guest_code);

	vcpu_run(vcpu);
	ok = check_hypercall(vcpu, 7, args1);
	ksft_test_result(ok, "HVM_EXIT_HYPERCALL with nr 7, args 1, 2, 3, 4");

	vcpu->run->hypercall.ret = 0x1234;
	ok = ok && vcpu_run_expect_sync(vcpu, 0x1234);
	ksft_test_result(ok, "guest resumes past the hypercall once, with RAX = ret 0x1234");

	ok = ok && (vcpu_run(vcpu), check_hypercall(vcpu, NR2, args2));
	ksft_test_result(ok, "64-bit nr and args reach the host intact");

	if (ok)
		vcpu->run->hypercall.ret = RET2;
	ok = ok && vcpu_run_expect_sync(vcpu, RET2);
	ksft_test_result(ok, "64-bit ret reaches the guest intact");

	ok = ok && vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC &&
	     !memcmp(uc.args, args2, sizeof(args2));
	ksft_test_result(ok, "RBX, RCX, RDX, RSI are unchanged across the hypercall (%s)",
			 vcpu_exit_desc(vcpu));
	ksft_test_result(vcpu_run_expect_done(vcpu), "guest completes");
	vm_free(vm);
	ksft_finished();
}
