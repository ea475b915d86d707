// SPDX-License-Identifier: GPL-2.0
/*
 * x2APIC mode of the in-kernel local APIC (HVM_CAP_X2APIC): IA32_APIC_BASE
 * bit 10 and its illegal transitions (#GP), the ID and cluster LDR the vCPU
 * id gives, self-IPIs through the SELF IPI MSR and the 64-bit ICR in
 * physical and logical destination mode, the timer through MSRs, #GP for
 * registers x2APIC mode does not have or cannot write, the xAPIC page gone
 * to userspace; INIT and SIPI to vCPU 1 by x2APIC ID, and IPIs back by ID
 * and by cluster.
 */
#include "hvm_util.h"
#include "guest.h"

#define APIC_GVA		0xfee00000ul
#define MSR_APIC_BASE		0x1b
#define APIC_BASE_BSP		(1ull << 8)
#define APIC_BASE_EXTD		(1ull << 10)
#define APIC_BASE_EN		(1ull << 11)
#define X2APIC(off)		(0x800 + ((off) >> 4))
#define X2_ID			X2APIC(0x20)
#define X2_LVR			X2APIC(0x30)
#define X2_TPR			X2APIC(0x80)
#define X2_EOI			X2APIC(0xb0)
#define X2_LDR			X2APIC(0xd0)
#define X2_DFR			X2APIC(0xe0)
#define X2_SVR			X2APIC(0xf0)
#define X2_ICR			X2APIC(0x300)
#define X2_ICR2			X2APIC(0x310)
#define X2_LVTT			X2APIC(0x320)
#define X2_TMICT		X2APIC(0x380)
#define X2_TMCCT		X2APIC(0x390)
#define X2_TDCR			X2APIC(0x3e0)
#define X2_SELF_IPI		X2APIC(0x3f0)
#define ICR_LOGICAL		(1u << 11)
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define AP_START		0x8000ul	/* the SIPI vector's page */
#define AP_PORT			0x77

static volatile uint64_t counts[256], gp_count;

static __guest_code void gp_handler(struct ex_regs *regs)
{
	gp_count++;
	regs->rip += 2;		/* RDMSR and WRMSR are two bytes */
}

static __guest_code void irq_handler(struct ex_regs *regs)
{
	counts[regs->vector & 0xff]++;
	guest_wrmsr(X2_EOI, 0);
}

static __guest_code void open_window(void)
{
	asm volatile("sti; nop; nop; cli" ::: "memory");
}

static __guest_code void guest_code(void)
{
	uint64_t base = guest_rdmsr(MSR_APIC_BASE), gp;

	/* xAPIC mode, CPUID without x2APIC: no MSRs, no switch. */
	guest_rdmsr(X2_ID);
	guest_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	GUEST_SYNC4(1, base, gp_count, guest_rdmsr(MSR_APIC_BASE));

	/* The host has set CPUID with x2APIC now. */
	guest_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	GUEST_SYNC4(2, guest_rdmsr(MSR_APIC_BASE), guest_rdmsr(X2_ID),
		    guest_rdmsr(X2_LDR) << 32 | (uint32_t)guest_rdmsr(X2_LVR));

	guest_wrmsr(X2_SVR, 0x1ff);
	guest_wrmsr(X2_SELF_IPI, 0x50);
	open_window();
	guest_wrmsr(X2_ICR, 0ull << 32 | 0x51);			/* physical, ID 0 */
	open_window();
	guest_wrmsr(X2_ICR, 1ull << 32 | ICR_LOGICAL | 0x52);	/* cluster 0, bit 0 */
	open_window();
	guest_wrmsr(X2_ICR, 0x10001ull << 32 | ICR_LOGICAL | 0x53); /* cluster 1 */
	open_window();
	GUEST_SYNC4(3, counts[0x50] | counts[0x51] << 8 | counts[0x52] << 16,
		    counts[0x53], guest_rdmsr(X2_ICR));

	guest_wrmsr(X2_TDCR, 0xb);		/* divide by 1 */
	guest_wrmsr(X2_LVTT, 0x54);		/* one-shot */
	guest_wrmsr(X2_TMICT, 1000000);		/* 1 ms */
	while (!counts[0x54])
		asm volatile("sti; hlt; cli" ::: "memory");
	GUEST_SYNC4(4, counts[0x54], guest_rdmsr(X2_TMCCT), gp_count);

	gp = gp_count;
	guest_rdmsr(X2_EOI);			/* write-only */
	guest_rdmsr(X2_SELF_IPI);		/* write-only */
	guest_rdmsr(X2_ICR2);			/* not in x2APIC mode */
	guest_rdmsr(X2_DFR);			/* not in x2APIC mode */
	guest_wrmsr(X2_ID, 5);			/* read-only */
	guest_wrmsr(X2_LDR, 5);			/* read-only */
	guest_wrmsr(X2_EOI, 1);			/* only 0 */
	guest_wrmsr(X2_TPR, 1ull << 32);	/* reserved upper half */
	GUEST_SYNC4(5, gp_count - gp, guest_rdmsr(X2_ID), guest_rdmsr(X2_TPR));

	/* The xAPIC page is not the APIC's any more: an MMIO exit. */
	GUEST_SYNC4(6, *(volatile uint32_t *)(APIC_GVA + 0x30), 0, 0);

	gp = gp_count;
	guest_wrmsr(MSR_APIC_BASE, base);	/* x2APIC -> xAPIC: illegal */
	guest_wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	guest_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD); /* disabled -> x2APIC */
	guest_wrmsr(MSR_APIC_BASE, base);	/* disabled -> xAPIC: fine */
	GUEST_SYNC4(7, gp_count - gp, guest_rdmsr(MSR_APIC_BASE),
		    *(volatile uint32_t *)(APIC_GVA + 0xf0));	/* SVR at reset */
	GUEST_DONE();
}

/* vCPU 0 starts vCPU 1 with INIT and SIPI through the x2APIC ICR. */
static __guest_code void guest_bsp(void)
{
	guest_wrmsr(MSR_APIC_BASE, guest_rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
	guest_wrmsr(X2_SVR, 0x1ff);
	guest_wrmsr(X2_ICR, 1ull << 32 | 0x4500);			/* INIT */
	guest_wrmsr(X2_ICR, 1ull << 32 | 0x4600 | AP_START >> 12);	/* SIPI */
	GUEST_SYNC4(1, 0, 0, 0);
	open_window();
	GUEST_SYNC4(2, counts[0x60], counts[0x61], counts[0x62]);
	GUEST_DONE();
}

static void set_x2apic_cpuid(struct hvm_vcpu *vcpu, bool on)
{
	struct hvm_cpuid *c = host_cpuid_table();
	u32 i;

	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function != 1)
			continue;
		if (on)
			c->entries[i].ecx |= CPUID_1_ECX_X2APIC;
		else
			c->entries[i].ecx &= ~CPUID_1_ECX_X2APIC;
	}
	vcpu_set_cpuid(vcpu, c);
	free(c);
}

static void test_host_checks(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_sregs sregs;
	struct hvm_vm *vm;
	int r1, r2;

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	vcpu_get_sregs(vcpu, &sregs);
	sregs.apic_base = 0xfee00000 | APIC_BASE_EXTD;		/* x2APIC, disabled */
	r1 = ioctl(vcpu->fd, HVM_SET_SREGS, &sregs) ? errno : 0;
	r2 = __vcpu_set_msr(vcpu, MSR_APIC_BASE, 0xfee00000 | APIC_BASE_EXTD);
	ksft_test_result(r1 == EINVAL && r2 == 0,
			 "x2APIC without the enable bit: HVM_SET_SREGS EINVAL, HVM_SET_MSRS sets none (errno %d, %d set)",
			 r1, r2);
	r2 = __vcpu_set_msr(vcpu, MSR_APIC_BASE,
			    0xfee00000 | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP);
	ksft_test_result(r2 == 1 && vcpu_get_msr(vcpu, X2_ID) == 0 &&
			 vcpu_get_msr(vcpu, X2_LDR) == 1,
			 "the host may set x2APIC mode: ID and LDR follow (%d set)", r2);
	vm_free(vm);
}

/*
 * vCPU 1 in real mode, at the SIPI's page: x2APIC mode on, reports its
 * ID and LDR through port AP_PORT, sends vCPU 0 a fixed IPI by ID, one by
 * cluster, and one to a cluster bit nobody has, then halts.
 */
static const u8 ap_code[] = {
	0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00,		/* mov ecx, 0x1b */
	0x0f, 0x32,					/* rdmsr */
	0x66, 0x0d, 0x00, 0x04, 0x00, 0x00,		/* or eax, 0x400 */
	0x0f, 0x30,					/* wrmsr */
	0x66, 0xb9, 0x0f, 0x08, 0x00, 0x00,		/* mov ecx, 0x80f (SVR) */
	0x66, 0xb8, 0xff, 0x01, 0x00, 0x00,		/* mov eax, 0x1ff */
	0x66, 0x31, 0xd2,				/* xor edx, edx */
	0x0f, 0x30,					/* wrmsr */
	0x66, 0xb9, 0x02, 0x08, 0x00, 0x00,		/* mov ecx, 0x802 (ID) */
	0x0f, 0x32,					/* rdmsr */
	0xe6, AP_PORT,					/* out AP_PORT, al */
	0x66, 0xb9, 0x0d, 0x08, 0x00, 0x00,		/* mov ecx, 0x80d (LDR) */
	0x0f, 0x32,					/* rdmsr */
	0xe6, AP_PORT,					/* out AP_PORT, al */
	0x66, 0xb9, 0x30, 0x08, 0x00, 0x00,		/* mov ecx, 0x830 (ICR) */
	0x66, 0xb8, 0x60, 0x00, 0x00, 0x00,		/* mov eax, 0x60 */
	0x66, 0x31, 0xd2,				/* xor edx, edx: ID 0 */
	0x0f, 0x30,					/* wrmsr */
	0x66, 0xb8, 0x61, 0x08, 0x00, 0x00,		/* mov eax, 0x861: logical */
	0x66, 0xba, 0x01, 0x00, 0x00, 0x00,		/* mov edx, 1: cluster 0 bit 0 */
	0x0f, 0x30,					/* wrmsr */
	0x66, 0xb8, 0x62, 0x08, 0x00, 0x00,		/* mov eax, 0x862: logical */
	0x66, 0xba, 0x04, 0x00, 0x00, 0x00,		/* mov edx, 4: bit 2, nobody */
	0x0f, 0x30,					/* wrmsr */
	0xf4,						/* hlt */
};

static bool ap_reports(struct hvm_vcpu *ap, u8 *val)
{
	struct hvm_run *run = ap->run;

	if (__vcpu_run(ap) || run->exit_reason != HVM_EXIT_IO || run->io.port != AP_PORT) {
		ksft_print_msg("vCPU 1: %s", vcpu_exit_desc(ap));
		return false;
	}
	*val = *(u8 *)vcpu_io_data(ap);
	return true;
}

static void test_ipi(void)
{
	struct hvm_vcpu *bsp, *ap;
	struct hvm_vm *vm;
	struct ucall uc;
	u8 id = 0xff, ldr = 0xff;
	bool ok;

	vm = vm_create_with_lapic();
	bsp = vm_vcpu_add(vm, 0, guest_bsp);
	ap = vm_vcpu_add_raw(vm, 1);
	set_x2apic_cpuid(bsp, true);
	set_x2apic_cpuid(ap, true);
	memcpy(addr_gpa2hva(vm, AP_START), ap_code, sizeof(ap_code));
	vm_install_handler(vm, 0x60, irq_handler);
	vm_install_handler(vm, 0x61, irq_handler);
	vm_install_handler(vm, 0x62, irq_handler);

	ok = vcpu_run_expect_sync4(bsp, 1, &uc) && ap_reports(ap, &id) && ap_reports(ap, &ldr);
	ksft_test_result(ok && id == 1 && ldr == 2,
			 "INIT and SIPI by x2APIC ID start vCPU 1; in x2APIC mode it has ID %u, LDR %#x (cluster 0, bit 1)",
			 id, ldr);
	ok = __vcpu_run(ap) == 0 && ap->run->exit_reason == HVM_EXIT_HLT &&
	     vcpu_run_expect_sync4(bsp, 2, &uc) && vcpu_run_expect_done(bsp);
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == 1 && uc.args[3] == 0,
			 "IPIs from vCPU 1 by x2APIC ID and by cluster reach vCPU 0 (%lu, %lu), one to bit 2 does not (%lu)",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2],
			 (unsigned long)uc.args[3]);
	vm_free(vm);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	u64 base;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	if (hvm_check_cap(HVM_CAP_X2APIC) != 1)
		ksft_exit_skip("no x2APIC mode in the kernel (HVM_CAP_X2APIC)");
	ksft_set_plan(12);
	test_host_checks();
	test_ipi();

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	set_x2apic_cpuid(vcpu, false);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	vm_install_handler(vm, GP_VECTOR, gp_handler);
	vm_install_handler(vm, 0x50, irq_handler);
	vm_install_handler(vm, 0x51, irq_handler);
	vm_install_handler(vm, 0x52, irq_handler);
	vm_install_handler(vm, 0x53, irq_handler);
	vm_install_handler(vm, 0x54, irq_handler);

	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	base = uc.args[1];
	ksft_test_result(ok && base == (0xfee00000 | APIC_BASE_EN | APIC_BASE_BSP) &&
			 uc.args[2] == 2 && uc.args[3] == base,
			 "xAPIC mode: x2APIC MSRs #GP, and so does bit 10 when CPUID lacks x2APIC (%lu #GP)",
			 (unsigned long)uc.args[2]);

	set_x2apic_cpuid(vcpu, true);
	ok = vcpu_run_expect_sync4(vcpu, 2, &uc);
	ksft_test_result(ok && uc.args[1] == (base | APIC_BASE_EXTD) && uc.args[2] == 0 &&
			 uc.args[3] >> 32 == 1 && (uc.args[3] & 0xff) == 0x14,
			 "x2APIC mode: APIC base %#lx, ID %lu, LDR %#lx, version %#lx",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2],
			 (unsigned long)(uc.args[3] >> 32), (unsigned long)(uc.args[3] & 0xffffffff));

	ok = vcpu_run_expect_sync4(vcpu, 3, &uc);
	ksft_test_result(ok && uc.args[1] == 0x010101 && uc.args[2] == 0 &&
			 uc.args[3] == (0x10001ull << 32 | ICR_LOGICAL | 0x53),
			 "self-IPIs: SELF IPI MSR, ICR to own ID, ICR to own cluster bit; none to cluster 1 (%#lx, %lu, ICR %#lx)",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2],
			 (unsigned long)uc.args[3]);

	ok = vcpu_run_expect_sync4(vcpu, 4, &uc);
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == 0 && uc.args[3] == 2,
			 "the timer through MSRs: one interrupt, current count %lu after it",
			 (unsigned long)uc.args[2]);

	ok = vcpu_run_expect_sync4(vcpu, 5, &uc);
	ksft_test_result(ok && uc.args[1] == 8 && uc.args[2] == 0 && uc.args[3] == 0,
			 "8 accesses x2APIC mode forbids #GP and change nothing (%lu #GP, ID %lu, TPR %lu)",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2],
			 (unsigned long)uc.args[3]);

	ok = __vcpu_run(vcpu) == 0 && vcpu_check_mmio(vcpu, APIC_GVA + 0x30, 4, false, 0);
	if (ok)
		vcpu_mmio_complete_read(vcpu, 0x12345678);
	ok = ok && vcpu_run_expect_sync4(vcpu, 6, &uc) && uc.args[1] == 0x12345678;
	ksft_test_result(ok, "in x2APIC mode the xAPIC page is MMIO for userspace (%s)",
			 vcpu_exit_desc(vcpu));

	ok = vcpu_run_expect_sync4(vcpu, 7, &uc);
	ksft_test_result(ok && uc.args[1] == 2 && uc.args[2] == base && uc.args[3] == 0xff,
			 "x2APIC to xAPIC and disabled to x2APIC #GP (%lu); disabled to xAPIC resets (base %#lx, SVR %#lx)",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2],
			 (unsigned long)uc.args[3]);
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	vm_free(vm);
	ksft_finished();
}
