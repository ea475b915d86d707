// SPDX-License-Identifier: GPL-2.0
/*
 * INIT and SIPI reach an AP that sleeps in an in-kernel HLT: vCPU 0 starts
 * vCPU 1 at one SIPI page, where it halts with interrupts on (`sti; hlt`,
 * the idle loop of every kernel), then sends INIT and a SIPI to a second
 * page, as a guest does to take a CPU offline and online again. The AP must
 * leave its halt, wait for and take the SIPI, and run the second page's
 * code, without a signal from userspace. (The halt's wakeup used to look
 * only for interrupts: the INIT was lost until a signal came.)
 */
#include "apic.h"
#include "hvm_util.h"
#include "guest.h"
#include "vcpu_thread.h"

#define AP_IDLE		0x8000ul	/* first SIPI: sti; hlt; jmp back */
#define AP_RESTART	0x9000ul	/* second SIPI: out AP_PORT; hlt */
#define AP_PORT		0x77
#define AP_TIMEOUT_S	10

static __guest_code void send_init_sipi(unsigned long page)
{
	apic_write(APIC_ICR2, 1u << 24);
	apic_write(APIC_ICR, 0x4500);			/* INIT, assert */
	apic_write(APIC_ICR2, 1u << 24);
	apic_write(APIC_ICR, 0x4600 | (page >> 12));	/* SIPI */
}

static __guest_code void guest_bsp(void)
{
	apic_write(APIC_SPIV, 0x1ff);
	send_init_sipi(AP_IDLE);
	GUEST_SYNC(1);		/* the host lets the AP go to sleep */
	send_init_sipi(AP_RESTART);
	GUEST_DONE();
}

int main(void)
{
	/* Real mode: sti; hlt; jmp back to the sti. */
	static const u8 idle_code[] = { 0xfb, 0xf4, 0xeb, 0xfc };
	/* Real mode: mov al, 0x5a; out AP_PORT, al; hlt */
	static const u8 restart_code[] = { 0xb0, 0x5a, 0xe6, AP_PORT, 0xf4 };
	struct hvm_vcpu *bsp, *ap;
	struct hvm_vm *vm;
	struct vcpu_thread ap_thread;
	struct hvm_sregs sregs;
	u64 ap_cs_base = 0;
	bool done;

	ksft_print_header();
	open_hvm_or_skip();
	require_lapic_or_skip();
	ksft_set_plan(3);

	vm = vm_create_with_lapic();
	bsp = vm_vcpu_add(vm, 0, guest_bsp);
	ap = vm_vcpu_add_raw(vm, 1);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	memcpy(addr_gpa2hva(vm, AP_IDLE), idle_code, sizeof(idle_code));
	memcpy(addr_gpa2hva(vm, AP_RESTART), restart_code, sizeof(restart_code));
	vcpu_thread_start(&ap_thread, ap);

	ksft_test_result(vcpu_run_expect_sync(bsp, 1),
			 "vCPU 0 sends INIT and SIPI to the idle page");
	usleep(200 * 1000);	/* the AP reaches its HLT and sleeps */
	ksft_test_result(vcpu_run_expect_done(bsp),
			 "vCPU 0 sends INIT and SIPI to the restart page");

	done = vcpu_thread_wait(&ap_thread, AP_TIMEOUT_S);
	if (done) {
		vcpu_get_sregs(ap, &sregs);
		ap_cs_base = sregs.cs.base;
	}
	ksft_test_result(done && !ap_thread.err && ap_thread.port == AP_PORT &&
			 ap_cs_base == AP_RESTART,
			 "the halted AP takes INIT and SIPI and runs at %#lx (%s within %d s: %s, port %#x, CS base %#llx, %d runs)",
			 AP_RESTART, done ? "done" : "still asleep", AP_TIMEOUT_S,
			 ap_thread.err ? strerror(ap_thread.err) : "no error",
			 ap_thread.port, (unsigned long long)ap_cs_base,
			 ap_thread.runs);
	vcpu_thread_stop(&ap_thread);	/* a lost halt ends with a signal */
	vm_free(vm);
	ksft_finished();
}
