// SPDX-License-Identifier: GPL-2.0
/*
 * A failed entry leaves the vCPU as interruptible as before: after
 * HVM_EXIT_FAIL_ENTRY (here CR3 with bit 63 set in long mode), a guest
 * that spins with interrupts off (`cli; jmp .`) must still leave the CPU
 * for a signal. QEMU's SVM (the lab's) writes its own int_ctl into the
 * VMCB on a failed VMRUN, which cleared V_INTR_MASKING: the host's
 * interrupts then waited for the guest's IF, and a guest with IF clear
 * kept the CPU for good (hvmfuzz finding F1: an RCU stall, an HVM_RUN
 * that never returned).
 */
#include <time.h>

#include "hvm_util.h"
#include "guest.h"

#define RUNS	3

static __guest_code void guest_code(void)
{
	guest_cli();
	for (;;)
		asm volatile("" ::: "memory");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(void)
{
	struct hvm_sregs good, bad;
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	double t0, ms;
	int i, r, e;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(1 + RUNS);
	alarm_ends_runs();

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	vcpu_get_sregs(vcpu, &good);
	bad = good;
	bad.cr3 |= 1ull << 63;
	vcpu_set_sregs(vcpu, &bad);
	r = __vcpu_run(vcpu);
	ksft_test_result(!r && vcpu->run->exit_reason == HVM_EXIT_FAIL_ENTRY,
			 "CR3 bit 63 in long mode: a failed entry (%s)",
			 vcpu_exit_desc(vcpu));

	vcpu_set_sregs(vcpu, &good);
	for (i = 0; i < RUNS; i++) {
		t0 = now_ms();
		ualarm(100000, 0);
		r = __vcpu_run(vcpu);
		e = errno;
		ms = now_ms() - t0;
		ksft_test_result(r == -1 && e == EINTR &&
				 vcpu->run->exit_reason == HVM_EXIT_INTR,
				 "then `cli; jmp .` leaves the CPU for a signal after %.0f ms (%s)",
				 ms, vcpu_exit_desc(vcpu));
	}
	vm_free(vm);
	ksft_finished();
}
