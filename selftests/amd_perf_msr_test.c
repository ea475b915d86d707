// SPDX-License-Identifier: GPL-2.0
/*
 * AMD's legacy performance-counter MSRs (PerfEvtSel0-3 at 0xc0010000-3,
 * PerfCtr0-3 at 0xc0010004-7) exist on every AMD64 CPU with no CPUID bit,
 * so guests write them at start without asking (zeroing the counters):
 * they must not #GP. hvm gives a PMU that counts nothing: reads are 0 and
 * writes are dropped, from the guest and from HVM_GET/SET_MSRS alike.
 */
#include "hvm_util.h"
#include "guest.h"

#define MSR_K7_EVNTSEL0	0xc0010000u
#define NR_PERF_MSRS	8

static volatile uint64_t gp_count;

static __guest_code void gp_handler(struct ex_regs *regs)
{
	gp_count++;
	regs->rip += 2;		/* past the RDMSR/WRMSR */
}

static __guest_code void guest_code(void)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < NR_PERF_MSRS; i++)
		guest_wrmsr(MSR_K7_EVNTSEL0 + i, 0);
	for (i = 0; i < NR_PERF_MSRS; i++)
		guest_wrmsr(MSR_K7_EVNTSEL0 + i, 0x530076 + i);
	for (i = 0; i < NR_PERF_MSRS; i++)
		sum |= guest_rdmsr(MSR_K7_EVNTSEL0 + i);
	GUEST_SYNC4(1, gp_count, sum, 0);
	GUEST_DONE();
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	u64 v = 1;
	int i, bad = 0;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	if (!host_cpu_is_amd())
		ksft_exit_skip("AMD's legacy counters: an AMD host only\n");
	ksft_set_plan(3);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	vm_install_handler(vm, GP_VECTOR, gp_handler);
	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	ksft_test_result(ok && uc.args[1] == 0 && uc.args[2] == 0,
			 "the guest writes and reads PerfEvtSel0-3 and PerfCtr0-3 without #GP (%llu #GP), reading 0 (%#llx)",
			 (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2]);
	for (i = 0; i < NR_PERF_MSRS; i++) {
		if (__vcpu_set_msr(vcpu, MSR_K7_EVNTSEL0 + i, 0x1234) != 1 ||
		    __vcpu_get_msr(vcpu, MSR_K7_EVNTSEL0 + i, &v) != 1 || v)
			bad++;
	}
	ksft_test_result(!bad, "HVM_SET_MSRS and HVM_GET_MSRS take them too, reading 0 (%d of %d wrong)",
			 bad, NR_PERF_MSRS);
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	vm_free(vm);
	ksft_finished();
}
