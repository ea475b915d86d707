// SPDX-License-Identifier: GPL-2.0
/*
 * NMIs reach the guest (SDM 6.7.1, 11.6.1, 11.5.1): an NMI IPI the guest
 * sends itself is delivered with IF clear; NMIs that come while its
 * handler runs are blocked until the handler's IRET, and two of them
 * become one; HVM_NMI asserts LINT1, which LVT LINT1 turns into an NMI,
 * into a fixed interrupt, or into nothing when masked; and an NMI ends a
 * HLT with IF clear, the handler returning past it.
 */
#include <errno.h>

#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define APIC_LVT1	0x360
#define DM_NMI		(4u << 8)	/* delivery mode NMI */
#define LINT1_VECTOR	0x50

static volatile uint64_t nmis, nested, in_nmi, resend, irqs;

static __guest_code void self_nmi(void)
{
	apic_write(APIC_ICR2, 0);		/* physical destination: APIC ID 0 */
	apic_write(APIC_ICR, DM_NMI);
}

static __guest_code void nmi_handler(struct ex_regs *regs)
{
	int i;

	(void)regs;
	if (in_nmi)
		nested++;	/* an NMI came before the last one's IRET */
	in_nmi = 1;
	nmis++;
	if (resend) {
		resend = 0;
		self_nmi();
		self_nmi();
		for (i = 0; i < 200; i++)
			asm volatile("pause");
	}
	in_nmi = 0;
}

static __guest_code void irq_handler(struct ex_regs *regs)
{
	(void)regs;
	irqs++;
	apic_write(APIC_EOI, 0);
}

static __guest_code void guest_code(void)
{
	int i;

	apic_write(APIC_SPIV, 0x1ff);
	guest_cli();
	self_nmi();
	GUEST_SYNC4(1, nmis, nested, 0);

	resend = 1;
	self_nmi();
	for (i = 0; i < 200; i++)
		asm volatile("pause");
	GUEST_SYNC4(2, nmis, nested, 0);

	apic_write(APIC_LVT1, DM_NMI);
	GUEST_SYNC(3);				/* the host: HVM_NMI */
	GUEST_SYNC4(4, nmis, 0, 0);

	apic_write(APIC_LVT1, LVT_MASKED | DM_NMI);
	GUEST_SYNC(5);				/* the host: HVM_NMI */
	GUEST_SYNC4(6, nmis, irqs, 0);

	apic_write(APIC_LVT1, LINT1_VECTOR);
	GUEST_SYNC(7);				/* the host: HVM_NMI */
	asm volatile("sti; nop; nop; cli" ::: "memory");
	GUEST_SYNC4(8, nmis, irqs, 0);

	apic_write(APIC_LVT1, DM_NMI);
	asm volatile("hlt" ::: "memory");	/* IF clear: only an NMI ends it */
	GUEST_SYNC4(9, nmis, 0, 0);
	GUEST_DONE();
}

static bool nmi_ioctl(struct hvm_vcpu *vcpu)
{
	return __vcpu_ioctl(vcpu, HVM_NMI, NULL) == 0;
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	require_lapic_or_skip();
	ksft_set_plan(9);

	ksft_test_result(hvm_check_cap(HVM_CAP_NMI) == 1, "HVM_CAP_NMI is 1");

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	vm_install_handler(vm, 2, nmi_handler);
	vm_install_handler(vm, LINT1_VECTOR, irq_handler);

	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == 0,
			 "an NMI IPI to itself is delivered with IF clear (NMIs: %llu)",
			 (unsigned long long)uc.args[1]);

	ok = vcpu_run_expect_sync4(vcpu, 2, &uc);
	ksft_test_result(ok && uc.args[1] == 3 && uc.args[2] == 0,
			 "two NMIs sent in the handler: one runs after its IRET (NMIs: %llu, want 3; nested: %llu)",
			 (unsigned long long)uc.args[1], (unsigned long long)uc.args[2]);

	ok = vcpu_run_expect_sync(vcpu, 3) && nmi_ioctl(vcpu) &&
	     vcpu_run_expect_sync4(vcpu, 4, &uc);
	ksft_test_result(ok && uc.args[1] == 4,
			 "HVM_NMI with LVT LINT1 in NMI mode: an NMI (NMIs: %llu, want 4)",
			 (unsigned long long)uc.args[1]);

	ok = vcpu_run_expect_sync(vcpu, 5) && nmi_ioctl(vcpu) &&
	     vcpu_run_expect_sync4(vcpu, 6, &uc);
	ksft_test_result(ok && uc.args[1] == 4 && uc.args[2] == 0,
			 "HVM_NMI with LVT LINT1 masked: nothing (NMIs: %llu, interrupts: %llu)",
			 (unsigned long long)uc.args[1], (unsigned long long)uc.args[2]);

	ok = vcpu_run_expect_sync(vcpu, 7) && nmi_ioctl(vcpu) &&
	     vcpu_run_expect_sync4(vcpu, 8, &uc);
	ksft_test_result(ok && uc.args[1] == 4 && uc.args[2] == 1,
			 "HVM_NMI with LVT LINT1 fixed: vector %#x (NMIs: %llu, interrupts: %llu)",
			 LINT1_VECTOR, (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2]);

	vcpu_run(vcpu);
	ok = vcpu->run->exit_reason == HVM_EXIT_HLT;
	ok = ok && nmi_ioctl(vcpu) && vcpu_run_expect_sync4(vcpu, 9, &uc);
	ksft_test_result(ok && uc.args[1] == 5,
			 "an NMI ends a HLT with IF clear (NMIs: %llu, want 5)",
			 (unsigned long long)uc.args[1]);

	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	errno = 0;
	ksft_test_result(__vcpu_ioctl(vcpu, HVM_NMI, (void *)1) == -1 && errno == EINVAL,
			 "HVM_NMI with an argument: EINVAL");
	vm_free(vm);
	ksft_finished();
}
