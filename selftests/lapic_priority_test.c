// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel LAPIC delivers the highest pending vector first, also when
 * both came while the guest had interrupts off: an interrupt is accepted
 * (moved from IRR to ISR) when it is delivered, not at the next entry
 * (SDM 11.8.4). The guest sends itself vector 0x40, then 0x80, with IF
 * clear, then opens a window: 0x80 must come first, then 0x40 once 0x80's
 * handler ends with an EOI. And with TPR at class 8, 0x80 waits while 0x90
 * goes.
 */
#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define LOW	0x40
#define HIGH	0x80
#define HIGHER	0x90

static volatile uint64_t order[4], taken;

static __guest_code void irq_handler(struct ex_regs *regs)
{
	if (taken < 4)
		order[taken] = regs->vector;
	taken++;
	apic_write(APIC_EOI, 0);
}

static __guest_code void open_window(void)
{
	asm volatile("sti; nop; nop; nop; nop; cli" ::: "memory");
}

static __guest_code void guest_code(void)
{
	apic_write(APIC_SPIV, 0x1ff);
	guest_cli();
	apic_write(APIC_ICR, LOW | ICR_SELF);
	apic_write(APIC_ICR, HIGH | ICR_SELF);
	open_window();
	GUEST_SYNC4(1, taken, order[0], order[1]);

	taken = 0;
	apic_write(APIC_TPR, 0x80);	/* class 8 and below wait */
	apic_write(APIC_ICR, HIGH | ICR_SELF);
	apic_write(APIC_ICR, HIGHER | ICR_SELF);
	open_window();
	GUEST_SYNC4(2, taken, order[0], 0);
	apic_write(APIC_TPR, 0);
	open_window();
	GUEST_SYNC4(3, taken, order[1], 0);
	GUEST_DONE();
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
	ksft_set_plan(4);

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	vm_install_handler(vm, LOW, irq_handler);
	vm_install_handler(vm, HIGH, irq_handler);
	vm_install_handler(vm, HIGHER, irq_handler);

	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	ksft_test_result(ok && uc.args[1] == 2 && uc.args[2] == HIGH && uc.args[3] == LOW,
			 "two self-IPIs sent with IF clear: %#x first, then %#x (took %llu: %#llx, %#llx)",
			 HIGH, LOW, (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2], (unsigned long long)uc.args[3]);
	ok = vcpu_run_expect_sync4(vcpu, 2, &uc);
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == HIGHER,
			 "with TPR at class 8, only %#x comes (took %llu, first %#llx)",
			 HIGHER, (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2]);
	ok = vcpu_run_expect_sync4(vcpu, 3, &uc);
	ksft_test_result(ok && uc.args[1] == 2 && uc.args[2] == HIGH,
			 "TPR lowered: %#x follows (took %llu, second %#llx)",
			 HIGH, (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2]);
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	vm_free(vm);
	ksft_finished();
}
