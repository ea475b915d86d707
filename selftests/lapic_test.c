// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (HVM_CREATE_LAPIC): the xAPIC page answers in
 * the kernel; its timer fires in one-shot, periodic and TSC-deadline
 * modes into the guest's IDT while the guest halts with STI; HLT then
 * waits in the kernel (the vCPU thread sleeps) instead of exiting; TPR
 * holds back a self-IPI until it is lowered; HLT with IF clear still
 * exits; a signal ends a halt. INIT and SIPI start a second vCPU, which
 * waits in HVM_RUN until then. And the ioctl's argument checks.
 */
#define _GNU_SOURCE	/* RUSAGE_THREAD */
#include <sys/resource.h>
#include <time.h>

#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define MSR_TSC_DEADLINE	0x6e0
#define AP_START	0x8000ul	/* the SIPI vector's page, below 1 MiB */
#define AP_PORT		0x77

/* Interrupts taken, by vector: a periodic tick may still be due when masked. */
static volatile uint64_t counts[256], last_vector, tsc_at_irq;

static __guest_code void timer_handler(struct ex_regs *regs)
{
	tsc_at_irq = guest_rdtsc();
	counts[regs->vector & 0xff]++;
	last_vector = regs->vector;
	apic_write(APIC_EOI, 0);
}

/* Halts with interrupts on until vector v came n times. */
static __guest_code void halt_until(uint8_t v, uint64_t n)
{
	while (counts[v] < n)
		asm volatile("sti; hlt; cli" ::: "memory");
}

static __guest_code void guest_code(void)
{
	uint64_t irr, deadline;

	GUEST_SYNC4(1, apic_read(APIC_ID), apic_read(APIC_LVR),
		    apic_read(APIC_SPIV));
	apic_write(APIC_SPIV, 0x1ff);		/* enabled, spurious 0xff */
	apic_write(APIC_TDCR, 0xb);		/* divide by 1: 1 ns a tick */

	apic_write(APIC_LVTT, 0x40);		/* one-shot */
	apic_write(APIC_TMICT, 2000000);	/* 2 ms */
	halt_until(0x40, 1);
	GUEST_SYNC4(2, counts[0x40], last_vector, apic_read(APIC_TMCCT));

	apic_write(APIC_LVTT, 0x41 | LVT_PERIODIC);
	apic_write(APIC_TMICT, 1000000);	/* 1 ms */
	halt_until(0x41, 5);
	apic_write(APIC_LVTT, LVT_MASKED);
	/* A tick raised before the mask is still delivered (SDM 11.5.1). */
	asm volatile("sti; nop; nop; cli" ::: "memory");
	GUEST_SYNC4(3, counts[0x41], last_vector, 0);

	apic_write(APIC_LVTT, 0x42 | LVT_TSCDEADLINE);
	deadline = guest_rdtsc() + 2000000;
	guest_wrmsr(MSR_TSC_DEADLINE, deadline);
	halt_until(0x42, 1);
	/* Not before the deadline, on the guest's own (offset) TSC. */
	GUEST_SYNC4(4, counts[0x42], last_vector,
		    guest_rdmsr(MSR_TSC_DEADLINE) | (tsc_at_irq < deadline) << 1);

	apic_write(APIC_TPR, 0x50);
	apic_write(APIC_ICR, 0x45 | ICR_SELF);	/* class 4: below TPR */
	asm volatile("sti; nop; nop; cli" ::: "memory");
	irr = apic_read(APIC_IRR + 0x45 / 32 * 0x10) & (1u << (0x45 % 32));
	GUEST_SYNC4(5, counts[0x45], irr, 0);
	apic_write(APIC_TPR, 0);
	asm volatile("sti; nop; nop; cli" ::: "memory");
	GUEST_SYNC4(6, counts[0x45], last_vector, 0);

	asm volatile("hlt");			/* IF clear: to userspace */
	/* Timer far away, masked: only the host's signal ends this halt. */
	asm volatile("sti; hlt; cli" ::: "memory");
	GUEST_SYNC4(7, counts[0x42], 0, 0);
	GUEST_DONE();
}

/* vCPU 0 starts vCPU 1 (APIC ID 1) the way a PC's BIOS or OS does. */
static __guest_code void guest_bsp(void)
{
	apic_write(APIC_SPIV, 0x1ff);
	apic_write(APIC_ICR2, 1u << 24);
	apic_write(APIC_ICR, 0x4500);				/* INIT, assert */
	apic_write(APIC_ICR2, 1u << 24);
	apic_write(APIC_ICR, 0x4600 | (AP_START >> 12));	/* SIPI */
	GUEST_DONE();
}

static void test_init_sipi(void)
{
	/* Real mode at AP_START: mov al, 0x5a; out AP_PORT, al; hlt */
	static const u8 ap_code[] = { 0xb0, 0x5a, 0xe6, AP_PORT, 0xf4 };
	struct hvm_vcpu *bsp, *ap;
	struct hvm_sregs sregs;
	struct hvm_vm *vm;
	bool ok;
	int r;

	vm = vm_create_with_lapic();
	bsp = vm_vcpu_add(vm, 0, guest_bsp);
	ap = vm_vcpu_add_raw(vm, 1);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	memcpy(addr_gpa2hva(vm, AP_START), ap_code, sizeof(ap_code));

	ualarm(100000, 0);
	r = __vcpu_run(ap);
	ksft_test_result(r == -1 && errno == EINTR && ap->run->exit_reason == HVM_EXIT_INTR,
			 "an AP waits in HVM_RUN for its SIPI: a signal ends the wait (%s)",
			 vcpu_exit_desc(ap));

	ok = vcpu_run_expect_done(bsp);
	r = __vcpu_run(ap);
	vcpu_get_sregs(ap, &sregs);
	ok = ok && !r && ap->run->exit_reason == HVM_EXIT_IO && ap->run->io.port == AP_PORT &&
	     *(u8 *)vcpu_io_data(ap) == 0x5a && sregs.cs.selector == AP_START >> 4 &&
	     sregs.cs.base == AP_START;
	ksft_test_result(ok, "INIT and SIPI from vCPU 0 start vCPU 1 in real mode at %#lx (CS %#x base %#llx, %s)",
			 AP_START, sregs.cs.selector, (unsigned long long)sregs.cs.base,
			 vcpu_exit_desc(ap));
	vm_free(vm);
}

static double thread_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_ioctl_checks(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	int e1, e2, e3;

	ksft_test_result(hvm_check_cap(HVM_CAP_LAPIC) == 1,
			 "HVM_CHECK_CAP(LAPIC) == 1");
	vm = vm_create();
	e1 = ioctl(vm->fd, HVM_CREATE_LAPIC, 1ul) ? errno : 0;
	e2 = ioctl(vm->fd, HVM_CREATE_LAPIC, 0ul) ? errno : 0;
	e3 = ioctl(vm->fd, HVM_CREATE_LAPIC, 0ul) ? errno : 0;
	ksft_test_result(e1 == EINVAL && !e2 && e3 == EBUSY,
			 "HVM_CREATE_LAPIC: arg 1 EINVAL, then 0 works, then twice EBUSY (errno %d, %d, %d)",
			 e1, e2, e3);
	vm_free(vm);

	vm = vm_create_with_vcpu(&vcpu, NULL);
	e1 = ioctl(vm->fd, HVM_CREATE_LAPIC, 0ul) ? errno : 0;
	ksft_test_result(e1 == EBUSY,
			 "HVM_CREATE_LAPIC after a vCPU exists fails with EBUSY (errno %d)", e1);
	vm_free(vm);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_run *run;
	struct hvm_vm *vm;
	double t0, c0, wall, cpu;
	struct ucall uc;
	bool ok;
	int r;

	ksft_print_header();
	require_lapic_or_skip();
	ksft_set_plan(16);
	alarm_ends_runs();
	test_ioctl_checks();
	test_init_sipi();

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	run = vcpu->run;
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	vm_install_handler(vm, 0x40, timer_handler);
	vm_install_handler(vm, 0x41, timer_handler);
	vm_install_handler(vm, 0x42, timer_handler);
	vm_install_handler(vm, 0x45, timer_handler);

	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	ksft_test_result(ok && uc.args[1] == 0 && (uc.args[2] & 0xff) == 0x14 &&
			 uc.args[3] == 0xff,
			 "the APIC page reads in the kernel: ID %#lx, version %#lx, SVR %#lx at reset",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2],
			 (unsigned long)uc.args[3]);

	t0 = now_s();
	c0 = thread_cpu_s();
	ok = vcpu_run_expect_sync4(vcpu, 2, &uc);
	wall = now_s() - t0;
	cpu = thread_cpu_s() - c0;
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == 0x40 && uc.args[3] == 0,
			 "one-shot timer: one interrupt, vector %#lx, current count %lu after it",
			 (unsigned long)uc.args[2], (unsigned long)uc.args[3]);
	ksft_test_result(ok && wall >= 0.0015,
			 "the one-shot 2 ms count took its time (%.1f ms between exits)",
			 wall * 1e3);
	ksft_print_msg("vCPU thread CPU %.1f ms in %.1f ms", cpu * 1e3, wall * 1e3);

	ok = vcpu_run_expect_sync4(vcpu, 3, &uc);
	ksft_test_result(ok && uc.args[1] >= 5 && uc.args[1] <= 6 && uc.args[2] == 0x41,
			 "periodic timer: five interrupts (a sixth if due at the mask), vector %#lx (%lu)",
			 (unsigned long)uc.args[2], (unsigned long)uc.args[1]);

	ok = vcpu_run_expect_sync4(vcpu, 4, &uc);
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == 0x42 && uc.args[3] == 0,
			 "TSC-deadline timer: one interrupt, not before the deadline, vector %#lx, IA32_TSC_DEADLINE %#lx after it (2: early)",
			 (unsigned long)uc.args[2], (unsigned long)uc.args[3]);

	ok = vcpu_run_expect_sync4(vcpu, 5, &uc);
	ksft_test_result(ok && uc.args[1] == 0 && uc.args[2],
			 "a self-IPI below TPR waits in IRR (taken %lu times, IRR bit %#lx)",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2]);
	ok = vcpu_run_expect_sync4(vcpu, 6, &uc);
	ksft_test_result(ok && uc.args[1] == 1 && uc.args[2] == 0x45,
			 "lowering TPR delivers it (vector %#lx)", (unsigned long)uc.args[2]);

	r = __vcpu_run(vcpu);
	ksft_test_result(!r && run->exit_reason == HVM_EXIT_HLT,
			 "HLT with IF clear exits to userspace (%s)", vcpu_exit_desc(vcpu));

	/* The guest halts with IF set and nothing due: a signal ends it. */
	t0 = now_s();
	c0 = thread_cpu_s();
	ualarm(300000, 0);
	r = __vcpu_run(vcpu);
	wall = now_s() - t0;
	cpu = thread_cpu_s() - c0;
	ksft_test_result(r == -1 && errno == EINTR && run->exit_reason == HVM_EXIT_INTR,
			 "a signal ends the halt: HVM_RUN fails with EINTR, exit INTR (%s)",
			 vcpu_exit_desc(vcpu));
	ksft_test_result(wall >= 0.25 && cpu < wall / 2,
			 "the halted vCPU thread sleeps: %.1f ms of CPU in %.1f ms",
			 cpu * 1e3, wall * 1e3);

	ok = vcpu_run_expect_sync4(vcpu, 7, &uc) && vcpu_run_expect_done(vcpu);
	ksft_test_result(ok, "the guest goes on after the halt and finishes");

	vm_free(vm);
	ksft_finished();
}
