// SPDX-License-Identifier: GPL-2.0
/*
 * run->if_flag and run->ready_for_interrupt_injection, by which a
 * userspace interrupt controller decides to call HVM_INTERRUPT, are
 * current on every return from HVM_RUN: also one that a signal ends
 * (EINTR) after the in-kernel LAPIC got an interrupt. The guest exits
 * once with IF set (ready), then sends itself an IPI with IF clear and
 * spins; a signal ends the run. Ready must now read 0. The LAPIC's vector
 * waits in its IRR until the guest can take it (it is accepted only then),
 * so HVM_INTERRUPT can still queue a vector for that window, one deep: a
 * second call fails with EBUSY.
 */
#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define IPI_VECTOR	0x50

static __guest_code void guest_code(void)
{
	apic_write(APIC_SPIV, 0x1ff);
	asm volatile("sti" ::: "memory");
	GUEST_SYNC(1);
	asm volatile("cli" ::: "memory");
	apic_write(APIC_ICR, IPI_VECTOR | ICR_SELF);
	for (;;)
		asm volatile("pause" ::: "memory");
}

int main(void)
{
	struct hvm_interrupt irq = { .vector = 0x60 };
	struct hvm_vcpu *vcpu;
	struct hvm_run *run;
	struct hvm_vm *vm;
	struct ucall uc;
	int r, e, e2;

	ksft_print_header();
	require_lapic_or_skip();
	ksft_set_plan(3);
	alarm_ends_runs();

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	run = vcpu->run;
	virt_map(vm, APIC_GVA, APIC_GVA, 1);

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 1,
		    "first exit: %s", vcpu_exit_desc(vcpu));
	ksft_test_result(run->if_flag && run->ready_for_interrupt_injection,
			 "an exit with IF set: if_flag %u, ready_for_interrupt_injection %u",
			 run->if_flag, run->ready_for_interrupt_injection);

	ualarm(200000, 0);
	r = __vcpu_run(vcpu);
	e = errno;
	ksft_test_result(r == -1 && e == EINTR && !run->if_flag &&
			 !run->ready_for_interrupt_injection,
			 "a signal ends the run after the LAPIC queued an interrupt with IF clear: EINTR, if_flag %u, ready_for_interrupt_injection %u (%s)",
			 run->if_flag, run->ready_for_interrupt_injection,
			 vcpu_exit_desc(vcpu));

	e = __vcpu_ioctl(vcpu, HVM_INTERRUPT, &irq) ? errno : 0;
	e2 = __vcpu_ioctl(vcpu, HVM_INTERRUPT, &irq) ? errno : 0;
	ksft_test_result(!e && e2 == EBUSY,
			 "HVM_INTERRUPT then queues a vector for the window (errno %d), a second fails with EBUSY (errno %d)",
			 e, e2);
	vm_free(vm);
	ksft_finished();
}
