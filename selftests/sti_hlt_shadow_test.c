// SPDX-License-Identifier: GPL-2.0
/*
 * An interrupt due at `sti; hlt` (the idle of most kernels) is taken
 * after the HLT, with the HLT complete: the STI's shadow covers the HLT.
 * The guest calls, with IF clear, an `sti; hlt` whose HLT opens a page
 * that only now gets its nested mapping, so that fetching it exits in the
 * shadow. Taken before the HLT, the interrupt's wakeup would be spent and
 * the HLT would sleep on. Two sources: a self-IPI of the in-kernel LAPIC
 * (a backstop timer 200 ms on ends a wrong sleep), and an interrupt
 * userspace injects at the window it asked for (the window would open at
 * the HLT, and the HLT then exit). In the SVM lab with the 6.12 kernel the
 * exit in the shadow is that nested page fault; with 6.1, QEMU takes the
 * window inside the shadow, before the fetch.
 */
#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define IRQ_VECTOR	0x50
#define TIMER_VECTOR	0x51
/* The HLT's page: a slot of its own, so no mapping of slot 0 covers it. */
#define HLT_SLOT	1
#define HLT_GPA		0x10000000ul

static volatile uint64_t irq_count, irq_rip, timer_count, sti_hlt_gva;

static __guest_code void lapic_irq_handler(struct ex_regs *regs)
{
	irq_count++;
	irq_rip = regs->rip;
	apic_write(APIC_EOI, 0);
}

static __guest_code void timer_handler(struct ex_regs *regs)
{
	(void)regs;
	timer_count++;
	apic_write(APIC_EOI, 0);
}

static __guest_code void guest_lapic(void)
{
	void (*sti_hlt)(void) = (void (*)(void))sti_hlt_gva;

	apic_write(APIC_SPIV, 0x1ff);
	apic_write(APIC_TDCR, 0xb);			/* 1 ns a tick */
	apic_write(APIC_LVTT, TIMER_VECTOR);		/* one-shot */
	apic_write(APIC_TMICT, 200000000);		/* the backstop */
	apic_write(APIC_ICR, IRQ_VECTOR | ICR_SELF);	/* due; IF is clear */
	sti_hlt();
	apic_write(APIC_TMICT, 0);
	GUEST_SYNC4(1, irq_count, irq_rip, timer_count);
	GUEST_DONE();
}

static __guest_code void user_irq_handler(struct ex_regs *regs)
{
	irq_count++;
	irq_rip = regs->rip;
}

static __guest_code void guest_user(void)
{
	void (*sti_hlt)(void) = (void (*)(void))sti_hlt_gva;

	sti_hlt();
	GUEST_SYNC4(1, irq_count, irq_rip, 0);
	GUEST_DONE();
}

/* STI is the last byte of one page; HLT; CLI; RET open the next. */
static u64 map_sti_hlt(struct hvm_vm *vm)
{
	u64 gva = vm->vaddr_next, gpa = vm_phys_alloc(vm, 1);
	u8 *code = addr_gpa2hva(vm, gpa);

	vm->vaddr_next += 3 * PAGE_SIZE;
	code[PAGE_SIZE - 1] = 0xfb;
	virt_map(vm, gva, gpa, 1);
	vm_mem_add(vm, HLT_SLOT, 0, HLT_GPA, PAGE_SIZE, NULL);
	code = addr_gpa2hva(vm, HLT_GPA);
	code[0] = 0xf4;
	code[1] = 0xfa;
	code[2] = 0xc3;
	virt_map(vm, gva + PAGE_SIZE, HLT_GPA, 1);
	*(volatile u64 *)addr_gva2hva(vm, (u64)&sti_hlt_gva) = gva + PAGE_SIZE - 1;
	return gva + PAGE_SIZE;
}

static void test_lapic(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	u64 hlt;
	bool ok;

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_lapic);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	vm_install_handler(vm, IRQ_VECTOR, lapic_irq_handler);
	vm_install_handler(vm, TIMER_VECTOR, timer_handler);
	hlt = map_sti_hlt(vm);

	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == hlt + 1,
			 "in-kernel LAPIC: the self-IPI due at `sti; hlt` is taken once, after the HLT, though an exit came in the STI shadow (%lu taken, return RIP %#lx, HLT at %#lx)",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2],
			 (unsigned long)hlt);
	ksft_test_result(ok && uc.args[3] == 0,
			 "in-kernel LAPIC: the HLT did not sleep until the backstop timer (%lu timer interrupts)",
			 (unsigned long)uc.args[3]);
	ksft_test_result(vcpu_run_expect_done(vcpu), "in-kernel LAPIC: the guest finishes");
	vm_free(vm);
}

static void test_user_window(void)
{
	struct hvm_interrupt irq = { .vector = IRQ_VECTOR };
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	u32 reason;
	u64 hlt;
	bool ok;

	vm = vm_create_with_vcpu(&vcpu, guest_user);
	vm_install_handler(vm, IRQ_VECTOR, user_irq_handler);
	hlt = map_sti_hlt(vm);

	/* Hardware halts first (HLT exit); the window exit is right too. */
	vcpu->run->request_interrupt_window = 1;
	vcpu_run(vcpu);
	reason = vcpu->run->exit_reason;
	vcpu->run->request_interrupt_window = 0;
	ksft_test_result((reason == HVM_EXIT_IRQ_WINDOW_OPEN || reason == HVM_EXIT_HLT) &&
			 vcpu_get_rip(vcpu) == hlt + 1 &&
			 vcpu->run->ready_for_interrupt_injection,
			 "userspace window: the exit comes after the HLT, ready for the interrupt (%s, RIP %#lx, HLT at %#lx)",
			 vcpu_exit_desc(vcpu), (unsigned long)vcpu_get_rip(vcpu),
			 (unsigned long)hlt);

	TEST_ASSERT(__vcpu_ioctl(vcpu, HVM_INTERRUPT, &irq) == 0, "HVM_INTERRUPT");
	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == hlt + 1,
			 "userspace window: the interrupt is taken once, after the HLT (%lu taken, return RIP %#lx)",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2]);
	ksft_test_result(vcpu_run_expect_done(vcpu), "userspace window: the guest finishes");
	vm_free(vm);
}

int main(void)
{
	ksft_print_header();
	require_lapic_or_skip();
	ksft_set_plan(6);
	test_lapic();
	test_user_window();
	ksft_finished();
}
