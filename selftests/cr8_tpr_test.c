// SPDX-License-Identifier: GPL-2.0
/*
 * With an in-kernel LAPIC, CR8 is TPR[7:4] (SDM 11.8.6.1): a MOV to CR8
 * shows in the TPR register and a TPR write in CR8, HVM_GET_SREGS reports
 * it as cr8; an interrupt that TPR holds back comes as soon as a MOV to
 * CR8 lowers it (on SVM the guest writes CR8 without an exit, so hvm must
 * ask to exit then); and CPUID.1:EDX.APIC follows IA32_APIC_BASE.EN.
 */
#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EN	(1ul << 11)
#define CPUID_1_EDX_APIC (1u << 9)
#define VECTOR		0x40

static volatile uint64_t count;

static __guest_code void irq_handler(struct ex_regs *regs)
{
	(void)regs;
	count++;
	apic_write(APIC_EOI, 0);
}

static __guest_code uint64_t read_cr8(void)
{
	uint64_t v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static __guest_code void write_cr8(uint64_t v)
{
	asm volatile("mov %0, %%cr8" :: "r"(v) : "memory");
}

static __guest_code uint32_t cpuid_1_edx(void)
{
	uint32_t a, b, c, d;

	guest_cpuid(1, 0, &a, &b, &c, &d);
	return d;
}

static __guest_code void guest_code(void)
{
	uint64_t held, after, base;

	apic_write(APIC_SPIV, 0x1ff);
	write_cr8(0xf);
	GUEST_SYNC4(1, apic_read(APIC_TPR), 0, 0);
	apic_write(APIC_TPR, 0x50);
	GUEST_SYNC4(2, read_cr8(), 0, 0);

	guest_cli();
	write_cr8(0xf);
	apic_write(APIC_ICR, VECTOR | ICR_SELF);	/* held back by TPR */
	asm volatile("sti; nop; nop; nop" ::: "memory");
	held = count;
	/* Nothing but what hvm makes of the MOV may let it in before cli. */
	asm volatile("mov %1, %%cr8\n\t"
		     "nop; nop; nop\n\t"
		     "mov %2, %0\n\t"
		     "cli"
		     : "=&r"(after) : "r"(0ul), "m"(count) : "memory");
	GUEST_SYNC4(3, held, after, 0);

	base = guest_rdmsr(MSR_APIC_BASE);
	GUEST_SYNC4(4, cpuid_1_edx() & CPUID_1_EDX_APIC, 0, 0);
	guest_wrmsr(MSR_APIC_BASE, base & ~APIC_BASE_EN);
	GUEST_SYNC4(5, cpuid_1_edx() & CPUID_1_EDX_APIC, 0, 0);
	guest_wrmsr(MSR_APIC_BASE, base);
	GUEST_SYNC4(6, cpuid_1_edx() & CPUID_1_EDX_APIC, 0, 0);
	GUEST_DONE();
}

int main(void)
{
	struct hvm_sregs sregs;
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	require_lapic_or_skip();
	ksft_set_plan(7);

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	vm_install_handler(vm, VECTOR, irq_handler);

	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	ksft_test_result(ok && uc.args[1] == 0xf0, "MOV $0xf to CR8: TPR reads %#llx",
			 (unsigned long long)uc.args[1]);
	vcpu_get_sregs(vcpu, &sregs);
	ksft_test_result(sregs.cr8 == 0xf, "HVM_GET_SREGS: cr8 %llu",
			 (unsigned long long)sregs.cr8);
	ok = vcpu_run_expect_sync4(vcpu, 2, &uc);
	ksft_test_result(ok && uc.args[1] == 5, "TPR 0x50: CR8 reads %llu",
			 (unsigned long long)uc.args[1]);
	ok = vcpu_run_expect_sync4(vcpu, 3, &uc);
	ksft_test_result(ok && uc.args[1] == 0 && uc.args[2] == 1,
			 "an interrupt TPR holds back comes as a MOV to CR8 lowers it (%llu taken before, %llu just after)",
			 (unsigned long long)uc.args[1], (unsigned long long)uc.args[2]);
	ok = vcpu_run_expect_sync4(vcpu, 4, &uc) && uc.args[1];
	ok = ok && vcpu_run_expect_sync4(vcpu, 5, &uc) && !uc.args[1];
	ksft_test_result(ok, "CPUID.1:EDX.APIC is clear once IA32_APIC_BASE.EN is");
	ok = vcpu_run_expect_sync4(vcpu, 6, &uc) && uc.args[1];
	ksft_test_result(ok, "and set again with EN");
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	vm_free(vm);
	ksft_finished();
}
