// SPDX-License-Identifier: GPL-2.0
/*
 * HVM_SET_EOI_EXITS: the guest's EOI of a vector in the VMM's bitmap
 * exits to userspace with HVM_EXIT_EOI and that vector, after the EOI:
 * RIP is right past the EOI write and (x2APIC, where the host can read
 * the ISR through HVM_GET_MSRS) the vector is no longer in service. A
 * vector not in the bitmap exits nothing; after an all-zero bitmap no
 * vector does. In xAPIC mode (MOV to the EOI register) and x2APIC mode
 * (WRMSR 0x80b), and the guest goes on correctly after each exit. And
 * the ioctl's argument checks.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_EXTD		(1ull << 10)
#define X2_SVR			0x80f
#define X2_ISR			0x810	/* ISR bits 31:0; + n for bits 32n+31:32n */
#define X2_SELF_IPI		0x83f
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define V_EXIT			0x40	/* in the bitmap */
#define V_QUIET			0x41	/* not in it */
#define V_HIGH			0xe5	/* in it, in bitmap[3] */

/*
 * The EOI writes, at known addresses: the exit must leave RIP at the
 * *_done label. xAPIC: a MOV to the EOI register; x2APIC: WRMSR.
 */
extern char eoi_xapic[], eoi_xapic_done[], eoi_x2apic[], eoi_x2apic_done[];
asm(".pushsection .text\n"
    ".global eoi_xapic, eoi_xapic_done, eoi_x2apic, eoi_x2apic_done\n"
    "eoi_xapic:\n"
    "	mov $0xfee000b0, %rax\n"
    "	movl $0, (%rax)\n"
    "eoi_xapic_done:\n"
    "	ret\n"
    "eoi_x2apic:\n"
    "	mov $0x80b, %ecx\n"
    "	xor %eax, %eax\n"
    "	xor %edx, %edx\n"
    "	wrmsr\n"
    "eoi_x2apic_done:\n"
    "	ret\n"
    ".popsection\n");

static volatile uint64_t counts[256], x2apic_mode;

static __guest_code void irq_handler(struct ex_regs *regs)
{
	counts[regs->vector & 0xff]++;
	if (x2apic_mode)
		asm volatile("call eoi_x2apic" ::: "rax", "rcx", "rdx", "memory");
	else
		asm volatile("call eoi_xapic" ::: "rax", "memory");
}

static __guest_code void self_ipi(uint8_t v)
{
	if (x2apic_mode)
		guest_wrmsr(X2_SELF_IPI, v);
	else
		apic_write(APIC_ICR, v | ICR_SELF);
	asm volatile("sti; nop; nop; cli" ::: "memory");
}

static __guest_code uint64_t isr_bit(uint8_t v)
{
	if (x2apic_mode)
		return guest_rdmsr(X2_ISR + v / 32) >> (v % 32) & 1;
	return apic_read(0x100 + v / 32 * 0x10) >> (v % 32) & 1;
}

/* Each vector in turn: its handler's EOI, then a report of the count. */
static __guest_code void guest_round(uint64_t round)
{
	self_ipi(V_EXIT);
	GUEST_SYNC4(round, counts[V_EXIT], isr_bit(V_EXIT), 0x40);
	self_ipi(V_QUIET);
	GUEST_SYNC4(round, counts[V_QUIET], isr_bit(V_QUIET), 0x41);
	self_ipi(V_HIGH);
	GUEST_SYNC4(round, counts[V_HIGH], isr_bit(V_HIGH), 0xe5);
}

static __guest_code void guest_code(void)
{
	apic_write(APIC_SPIV, 0x1ff);
	guest_round(1);			/* xAPIC, bitmap {0x40, 0xe5} */
	guest_round(2);			/* xAPIC, bitmap empty */
	guest_wrmsr(MSR_APIC_BASE, guest_rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
	x2apic_mode = 1;
	guest_wrmsr(X2_SVR, 0x1ff);
	guest_round(3);			/* x2APIC, bitmap {0x40, 0xe5} */
	GUEST_DONE();
}

static int set_eoi_exits(struct hvm_vm *vm, u32 flags, u32 padding,
			 u64 b0, u64 b1, u64 b2, u64 b3)
{
	struct hvm_eoi_exits e = {
		.flags = flags, .padding = padding, .bitmap = { b0, b1, b2, b3 },
	};

	return ioctl(vm->fd, HVM_SET_EOI_EXITS, &e) ? errno : 0;
}

/* Expects the guest's report (round, count, ISR bit, vector). */
static bool expect_report(struct hvm_vcpu *vcpu, u64 round, u64 v, u64 count)
{
	struct ucall uc;

	if (!vcpu_run_expect_sync4(vcpu, round, &uc))
		return false;
	if (uc.args[1] != count || uc.args[2] != 0 || uc.args[3] != v) {
		ksft_print_msg("round %lu vector %#lx: count %lu (want %lu), ISR bit %lu\n",
			       (unsigned long)round, (unsigned long)uc.args[3],
			       (unsigned long)uc.args[1], (unsigned long)count,
			       (unsigned long)uc.args[2]);
		return false;
	}
	return true;
}

/* An EOI exit for v at the done label; the ISR bit clear (x2APIC). */
static bool expect_eoi_exit(struct hvm_vcpu *vcpu, u8 v, bool x2)
{
	struct hvm_run *run = vcpu->run;
	u64 want_rip = (u64)(uintptr_t)(x2 ? eoi_x2apic_done : eoi_xapic_done);
	u64 rip, isr = 0;

	vcpu_run(vcpu);
	rip = vcpu_get_rip(vcpu);
	if (x2)
		isr = vcpu_get_msr(vcpu, X2_ISR + v / 32) >> (v % 32) & 1;
	if (run->exit_reason != HVM_EXIT_EOI || run->eoi.vector != v ||
	    rip != want_rip || isr) {
		ksft_print_msg("want an EOI exit for %#x at %#lx: %s, vector %#x, RIP %#lx, ISR bit %lu\n",
			       v, (unsigned long)want_rip, vcpu_exit_desc(vcpu),
			       run->eoi.vector, (unsigned long)rip, (unsigned long)isr);
		return false;
	}
	return true;
}

static void set_x2apic_cpuid(struct hvm_vcpu *vcpu)
{
	struct hvm_cpuid *c = host_cpuid_table();
	u32 i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= CPUID_1_ECX_X2APIC;
	vcpu_set_cpuid(vcpu, c);
	free(c);
}

static void test_args(struct hvm_vm *vm)
{
	int r[6];

	r[0] = set_eoi_exits(vm, 1, 0, 0, 0, 0, 0);
	r[1] = set_eoi_exits(vm, 1u << 31, 0, 0, 0, 0, 0);
	r[2] = set_eoi_exits(vm, 0, 1, 0, 0, 0, 0);
	r[3] = set_eoi_exits(vm, 0, 0, 1, 0, 0, 0);		/* vector 0 */
	r[4] = set_eoi_exits(vm, 0, 0, 1ull << 15, 0, 0, 0);	/* vector 15 */
	r[5] = ioctl(vm->fd, HVM_SET_EOI_EXITS, (void *)8) ? errno : 0;
	ksft_test_result(r[0] == EINVAL && r[1] == EINVAL && r[2] == EINVAL &&
			 r[3] == EINVAL && r[4] == EINVAL && r[5] == EFAULT,
			 "HVM_SET_EOI_EXITS: flags, padding, vectors 0-15: EINVAL; bad pointer: EFAULT (%d %d %d %d %d %d)",
			 r[0], r[1], r[2], r[3], r[4], r[5]);
	r[0] = set_eoi_exits(vm, 0, 0, 1ull << 16, 0, 0, 1ull << 63);
	r[1] = set_eoi_exits(vm, 0, 0, 0, 0, 0, 0);
	ksft_test_result(!r[0] && !r[1], "vectors 16 and 255, and none, are accepted (%d %d)",
			 r[0], r[1]);
}

int main(void)
{
	const u64 bits1 = 1ull << (V_EXIT - 64), bits3 = 1ull << (V_HIGH - 192);
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	require_lapic_or_skip();
	ksft_set_plan(12);
	/* Not a skip: this tree's module has it. */
	ksft_test_result(hvm_check_cap(HVM_CAP_EOI_EXIT) == 1, "HVM_CAP_EOI_EXIT is 1");

	vm = vm_create_with_lapic();
	test_args(vm);
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	set_x2apic_cpuid(vcpu);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	vm_install_handler(vm, V_EXIT, irq_handler);
	vm_install_handler(vm, V_QUIET, irq_handler);
	vm_install_handler(vm, V_HIGH, irq_handler);
	TEST_ASSERT(!set_eoi_exits(vm, 0, 0, 0, bits1, 0, bits3), "HVM_SET_EOI_EXITS");

	ok = expect_eoi_exit(vcpu, V_EXIT, false) && expect_report(vcpu, 1, V_EXIT, 1);
	ksft_test_result(ok, "xAPIC: EOI of %#x (in the bitmap) exits with it, RIP past the write; the guest goes on", V_EXIT);
	ok = ok && expect_report(vcpu, 1, V_QUIET, 1);
	ksft_test_result(ok, "xAPIC: EOI of %#x (not in the bitmap) does not exit", V_QUIET);
	ok = ok && expect_eoi_exit(vcpu, V_HIGH, false) && expect_report(vcpu, 1, V_HIGH, 1);
	ksft_test_result(ok, "xAPIC: EOI of %#x (in bitmap[3]) exits with it", V_HIGH);

	TEST_ASSERT(!set_eoi_exits(vm, 0, 0, 0, 0, 0, 0), "HVM_SET_EOI_EXITS");
	ok = ok && expect_report(vcpu, 2, V_EXIT, 2) && expect_report(vcpu, 2, V_QUIET, 2) &&
	     expect_report(vcpu, 2, V_HIGH, 2);
	ksft_test_result(ok, "an empty bitmap: no EOI exits");

	TEST_ASSERT(!set_eoi_exits(vm, 0, 0, 0, bits1, 0, bits3), "HVM_SET_EOI_EXITS");
	ok = ok && expect_eoi_exit(vcpu, V_EXIT, true);
	ksft_test_result(ok, "x2APIC: EOI of %#x exits with it, RIP past the WRMSR, ISR bit clear", V_EXIT);
	ok = ok && expect_report(vcpu, 3, V_EXIT, 3);
	ksft_test_result(ok, "x2APIC: the guest goes on after the exit");
	ok = ok && expect_report(vcpu, 3, V_QUIET, 3);
	ksft_test_result(ok, "x2APIC: EOI of %#x (not in the bitmap) does not exit", V_QUIET);
	ok = ok && expect_eoi_exit(vcpu, V_HIGH, true) && expect_report(vcpu, 3, V_HIGH, 3);
	ksft_test_result(ok, "x2APIC: EOI of %#x exits with it", V_HIGH);
	ksft_test_result(ok && vcpu_run_expect_done(vcpu), "the guest runs to its end");
	vm_free(vm);
	ksft_finished();
}
