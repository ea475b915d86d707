// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPUs of a VM read one TSC: vCPU 1, created 200 ms after vCPU 0,
 * must not read a TSC behind what vCPU 0 read before it (each vCPU's offset
 * used to be taken when it was created, so a guest saw its TSCs 200 ms
 * apart and its clock went backwards between CPUs). Writes of IA32_TSC
 * follow kmod/tsc.c: the same value written to each vCPU in turn keeps
 * them in step; a vCPU that writes again sets its own clock.
 */
#include <x86intrin.h>

#include "hvm_util.h"
#include "guest.h"

#define TSC_MSR		0x10

static __guest_code void guest_read_tsc(void)
{
	for (;;)
		GUEST_SYNC4(1, guest_rdtsc(), 0, 0);
}

/* The guest TSC a vCPU reads in the guest, or 0 if it did not report. */
static u64 guest_tsc(struct hvm_vcpu *vcpu)
{
	struct ucall uc;

	return vcpu_run_expect_sync4(vcpu, 1, &uc) ? uc.args[1] : 0;
}

/*
 * vCPU 0 then vCPU 1 read their TSCs: the second reading must not be
 * behind the first, nor ahead by more than the host's ticks around both.
 */
static void check_in_step(struct hvm_vcpu *v0, struct hvm_vcpu *v1,
			  const char *what)
{
	u64 before = __rdtsc(), t0 = guest_tsc(v0), t1 = guest_tsc(v1);
	u64 elapsed = __rdtsc() - before;

	ksft_test_result(t0 && t1 && t1 >= t0 && t1 - t0 <= elapsed,
			 "%s: vCPU 0 read %#llx, then vCPU 1 %#llx (%+lld ticks, host ticks around both %llu)",
			 what, (unsigned long long)t0, (unsigned long long)t1,
			 (long long)(t1 - t0), (unsigned long long)elapsed);
}

int main(void)
{
	const u64 value = 1ULL << 40;
	struct hvm_vcpu *v0, *v1;
	struct hvm_vm *vm;
	u64 r0, r1;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(3);

	vm = vm_create();
	v0 = vm_vcpu_add(vm, 0, guest_read_tsc);
	usleep(200 * 1000);
	v1 = vm_vcpu_add(vm, 1, guest_read_tsc);
	check_in_step(v0, v1, "vCPU 1 made 200 ms after vCPU 0");

	vcpu_set_msr(v0, TSC_MSR, value);
	usleep(20 * 1000);
	vcpu_set_msr(v1, TSC_MSR, value);
	check_in_step(v0, v1, "IA32_TSC = 2^40 written to vCPU 0, then 20 ms later to vCPU 1");

	/* vCPU 0 writes the value again: its TSC goes back, vCPU 1's does not. */
	usleep(100 * 1000);
	vcpu_set_msr(v0, TSC_MSR, value);
	r0 = vcpu_get_msr(v0, TSC_MSR);
	r1 = vcpu_get_msr(v1, TSC_MSR);
	ksft_test_result(r0 >= value && r0 < r1,
			 "vCPU 0 writes 2^40 again 100 ms later: its own clock (vCPU 0 %#llx, vCPU 1 %#llx)",
			 (unsigned long long)r0, (unsigned long long)r1);

	vm_free(vm);
	ksft_finished();
}
