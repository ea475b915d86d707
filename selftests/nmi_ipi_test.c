// SPDX-License-Identifier: GPL-2.0
/*
 * An NMI IPI reaches another vCPU and wakes it from an in-kernel HLT, as
 * Linux's backtrace of all CPUs and its NMI watchdog need: vCPU 0 starts
 * vCPU 1 in real mode, where it idles (`sti; hlt` in a loop, no interrupt
 * ever coming), then sends it an NMI. The AP's NMI handler (IVT vector 2)
 * sets a flag and returns; the idle loop then writes the flag to a port:
 * that exit must come without a signal from userspace. (The handler ends
 * with its IRET before the exit: Bochs carries a vCPU's NMI blocking over
 * to the next VMCS it enters, docs/lab.md.)
 */
#include "apic.h"
#include "hvm_util.h"
#include "guest.h"
#include "vcpu_thread.h"

#define AP_IDLE		0x8000ul	/* SIPI page: idle until the flag is set */
#define AP_NMI		0x8100ul	/* vector 2: set the flag; iret */
#define AP_FLAG		0x8200ul
#define AP_PORT		0x77
#define AP_MAGIC	0x22
#define AP_TIMEOUT_S	10

static __guest_code void guest_bsp(void)
{
	apic_write(APIC_SPIV, 0x1ff);
	apic_write(APIC_ICR2, 1u << 24);
	apic_write(APIC_ICR, 0x4500);			/* INIT, assert */
	apic_write(APIC_ICR2, 1u << 24);
	apic_write(APIC_ICR, 0x4600 | (AP_IDLE >> 12));	/* SIPI */
	GUEST_SYNC(1);		/* the host lets the AP go to sleep */
	apic_write(APIC_ICR2, 1u << 24);
	apic_write(APIC_ICR, 0x400);			/* NMI to APIC ID 1 */
	GUEST_DONE();
}

int main(void)
{
	/*
	 * Real mode, DS base 0: 1: sti; hlt; mov al, [AP_FLAG]; test al, al;
	 * jz 1b; out AP_PORT, al; hlt; jmp .
	 */
	static const u8 idle_code[] = {
		0xfb, 0xf4, 0xa0, AP_FLAG & 0xff, AP_FLAG >> 8, 0x84, 0xc0,
		0x74, 0xf7, 0xe6, AP_PORT, 0xf4, 0xeb, 0xfe,
	};
	/* Real mode: mov byte [AP_FLAG], AP_MAGIC; iret */
	static const u8 nmi_code[] = {
		0xc6, 0x06, AP_FLAG & 0xff, AP_FLAG >> 8, AP_MAGIC, 0xcf,
	};
	/* IVT entry 2 (at 0x8): offset 0x0100, segment 0x0800. */
	static const u8 ivt_nmi[] = { 0x00, 0x01, 0x00, 0x08 };
	struct hvm_vcpu *bsp, *ap;
	struct hvm_vm *vm;
	struct vcpu_thread ap_thread;
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
	memcpy(addr_gpa2hva(vm, AP_NMI), nmi_code, sizeof(nmi_code));
	*(u8 *)addr_gpa2hva(vm, AP_FLAG) = 0;
	memcpy(addr_gpa2hva(vm, 2 * 4), ivt_nmi, sizeof(ivt_nmi));
	vcpu_thread_start(&ap_thread, ap);

	ksft_test_result(vcpu_run_expect_sync(bsp, 1),
			 "vCPU 0 starts vCPU 1 at its idle loop");
	usleep(200 * 1000);	/* the AP reaches its HLT and sleeps */
	ksft_test_result(vcpu_run_expect_done(bsp), "vCPU 0 sends vCPU 1 an NMI");

	done = vcpu_thread_wait(&ap_thread, AP_TIMEOUT_S);
	ksft_test_result(done && !ap_thread.err && ap_thread.port == AP_PORT && ap_thread.value == AP_MAGIC,
			 "the halted vCPU 1 wakes and runs its NMI handler (%s within %d s: %s, port %#x value %#x, %d runs)",
			 done ? "done" : "still asleep", AP_TIMEOUT_S,
			 ap_thread.err ? strerror(ap_thread.err) : "no error",
			 ap_thread.port, ap_thread.value,
			 ap_thread.runs);
	vcpu_thread_stop(&ap_thread);	/* a lost halt ends with a signal */
	vm_free(vm);
	ksft_finished();
}
