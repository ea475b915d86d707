// SPDX-License-Identifier: GPL-2.0
/*
 * Intercepted instructions with prefixes resume after their last byte:
 * CPUID with an operand-size prefix and with 12 redundant prefixes (14
 * bytes), RDMSR and WRMSR with a segment prefix, a prefixed hypercall
 * (VMMCALL or VMCALL) and a prefixed HLT, both of which exit to
 * userspace. Without NRIP-save (the SVM lab) hvm must read the length from
 * the instruction's bytes: skipping the opcode's length alone resumes
 * inside the instruction, and the guest runs the rest as code.
 */
#include "hvm_util.h"
#include "guest.h"

#define MSR_LSTAR	0xc0000082u
#define HYPERCALL_NR	0x77
#define LSTAR_VALUE	0xffffffff81234560ull

static __guest_code void guest_code(void)
{
	uint32_t a, b, c, d;
	uint64_t r;

	asm volatile(".byte 0x66; cpuid"
		     : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	GUEST_SYNC4(1, a, 0, 0);
	/* es cs ss ds fs gs rep repne ds cs data16 addr32: 12 prefixes */
	asm volatile(".byte 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf3, 0xf2, 0x3e, 0x2e, 0x66, 0x67\n\t"
		     "cpuid"
		     : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	GUEST_SYNC4(2, a, 0, 0);
	asm volatile(".byte 0x2e; wrmsr"
		     :: "a"((uint32_t)LSTAR_VALUE), "d"((uint32_t)(LSTAR_VALUE >> 32)),
		     "c"(MSR_LSTAR));
	asm volatile(".byte 0x3e; rdmsr" : "=a"(a), "=d"(d) : "c"(MSR_LSTAR));
	GUEST_SYNC4(3, (uint64_t)d << 32 | a, 0, 0);
	if (guest_is_amd)
		asm volatile(".byte 0x2e, 0x0f, 0x01, 0xd9"	/* cs vmmcall */
			     : "=a"(r) : "a"(HYPERCALL_NR) : "memory");
	else
		asm volatile(".byte 0x2e, 0x0f, 0x01, 0xc1"	/* cs vmcall */
			     : "=a"(r) : "a"(HYPERCALL_NR) : "memory");
	GUEST_SYNC4(4, r, 0, 0);
	asm volatile(".byte 0x3e; hlt" ::: "memory");	/* IF clear: exits */
	GUEST_SYNC4(5, 0, 0, 0);
	GUEST_DONE();
}

static void check(struct hvm_vcpu *vcpu, u64 n, const char *what)
{
	struct ucall uc;

	ksft_test_result(vcpu_run_expect_sync4(vcpu, n, &uc),
			 "%s, then the next instruction runs", what);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(6);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	check(vcpu, 1, "66 CPUID (3 bytes)");
	check(vcpu, 2, "CPUID after 12 prefixes (14 bytes)");
	ok = vcpu_run_expect_sync4(vcpu, 3, &uc);
	ksft_test_result(ok && uc.args[1] == LSTAR_VALUE &&
			 vcpu_get_msr(vcpu, MSR_LSTAR) == LSTAR_VALUE,
			 "CS WRMSR and DS RDMSR of LSTAR (3 bytes each): %#llx",
			 (unsigned long long)uc.args[1]);

	vcpu_run(vcpu);
	ok = vcpu->run->exit_reason == HVM_EXIT_HYPERCALL &&
	     vcpu->run->hypercall.nr == HYPERCALL_NR;
	vcpu->run->hypercall.ret = 0x1234;
	ok = vcpu_run_expect_sync4(vcpu, 4, &uc) && ok && uc.args[1] == 0x1234;
	ksft_test_result(ok, "CS hypercall (4 bytes) exits, and its result lands (%#llx)",
			 (unsigned long long)uc.args[1]);

	vcpu_run(vcpu);
	ok = vcpu->run->exit_reason == HVM_EXIT_HLT;
	ksft_test_result(ok && vcpu_run_expect_sync4(vcpu, 5, &uc),
			 "DS HLT (2 bytes) exits with IF clear, and the guest goes on after it");
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	vm_free(vm);
	ksft_finished();
}
