// SPDX-License-Identifier: GPL-2.0
/*
 * #DB as the guest sees it now that hvm intercepts and reflects it: a data
 * breakpoint (a trap after the write, DR6.B0), a single step (DR6.BS), a
 * debug-register access with DR7.GD set (a fault at the MOV, DR6.BD, and
 * GD clear in the handler) and ICEBP (INT1: a trap after the instruction).
 * The handler records DR6, DR7 and the return RIP of each, once. A case
 * the CPU model does not raise (QEMU's TCG has no DR7.GD and makes ICEBP
 * #UD) is skipped, if hvm saw no #DB either (its exit counts).
 */
#include "hvm_util.h"
#include "guest.h"

#define DB_VECTOR	1
#define SVM_EXIT_EXCP_DB	0x41
#define VMX_EXIT_EXCEPTION	0
#define DR6_CLEAR	0xffff0ff0ul	/* DR6 with no event recorded */
#define DR6_B0		(1ul << 0)
#define DR6_BD		(1ul << 13)
#define DR6_BS		(1ul << 14)
#define DR7_L0		(1ul << 0)
#define DR7_GD		(1ul << 13)
#define DR7_W0_LEN8	(1ul << 16 | 2ul << 18)	/* DR0: writes, 8 bytes */

static volatile uint64_t db_count, db_dr6, db_dr7, db_rip, ud_count;
static volatile uint64_t watched;

static __guest_code void ud_handler(struct ex_regs *regs)
{
	ud_count++;
	regs->rip += 1;		/* past the one-byte ICEBP */
}

static __guest_code void db_handler(struct ex_regs *regs)
{
	uint64_t dr6, dr7;

	asm volatile("mov %%dr6, %0" : "=r"(dr6));
	asm volatile("mov %%dr7, %0" : "=r"(dr7));
	db_count++;
	db_dr6 = dr6;
	db_dr7 = dr7;
	db_rip = regs->rip;
	asm volatile("mov %0, %%dr6" :: "r"(DR6_CLEAR));
	regs->rflags &= ~X86_RFLAGS_TF;
	if (dr6 & DR6_BD)
		regs->rip += 3;		/* past the MOV from DR0, a fault */
}

static __guest_code void reset_record(void)
{
	db_count = 0;
	db_dr6 = 0;
	db_dr7 = 0;
	db_rip = 0;
	ud_count = 0;
}

static __guest_code void guest_code(void)
{
	uint64_t expect;

	/* Data breakpoint: the #DB comes after the write. */
	reset_record();
	asm volatile("mov %0, %%dr0" :: "r"(&watched));
	asm volatile("mov %0, %%dr7" :: "r"(DR7_L0 | DR7_W0_LEN8));
	asm volatile("movq $1, (%1)\n\t"
		     "1: lea 1b(%%rip), %0"
		     : "=r"(expect) : "r"(&watched) : "memory");
	asm volatile("mov %0, %%dr7" :: "r"(0ul));
	GUEST_SYNC4(1, db_count, db_dr6, db_rip - expect);

	/* Single step over one instruction after POPF sets TF. */
	reset_record();
	asm volatile("pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n\t"
		     "nop\n\t"
		     "1: lea 1b(%%rip), %0"
		     : "=r"(expect) :: "memory");
	GUEST_SYNC4(2, db_count, db_dr6, db_rip - expect);

	/* General detect: the MOV faults, and the delivery clears GD. */
	reset_record();
	asm volatile("mov %0, %%dr7" :: "r"(DR7_GD));
	asm volatile("lea 1f(%%rip), %0\n\t"
		     "1: mov %%dr0, %%rax"	/* 3 bytes: 0f 21 c0 */
		     : "=r"(expect) :: "rax", "memory");
	asm volatile("mov %0, %%dr7" :: "r"(0ul));	/* if GD was ignored */
	GUEST_SYNC4(3, db_count, db_dr6 | (db_dr7 & DR7_GD) << 32,
		    db_rip - expect);

	/* ICEBP: a trap after the one-byte instruction. */
	reset_record();
	asm volatile(".byte 0xf1\n\t"
		     "1: lea 1b(%%rip), %0"
		     : "=r"(expect) :: "memory");
	GUEST_SYNC4(4, db_count | ud_count << 32, db_dr6, db_rip - expect);
	GUEST_DONE();
}

static u64 db_exits(void)
{
	return hvm_exit_count(host_cpu_is_amd() ? SVM_EXIT_EXCP_DB :
			      VMX_EXIT_EXCEPTION);
}

static void check(struct hvm_vcpu *vcpu, u64 n, const char *what,
		  u64 dr6_bits)
{
	long long exits = db_exits();
	struct ucall uc;
	bool ok = vcpu_run_expect_sync4(vcpu, n, &uc);
	u64 count = uc.args[1] & 0xffffffff, uds = uc.args[1] >> 32;

	exits = db_exits() - exits;
	if (ok && !count && (uds || !exits)) {
		ksft_test_result_skip("%s: this CPU model raises no #DB for it (%s)\n",
				      what, uds ? "#UD instead" : "no #DB exit either");
		return;
	}
	ok = ok && count == 1 && (uc.args[2] & dr6_bits) == dr6_bits &&
	     !(uc.args[2] >> 32) && uc.args[3] == 0;
	ksft_test_result(ok, "%s: %llu #DB (%lld exits), DR6 %#llx (needs %#llx%s), return RIP %+lld from the expected",
			 what, (unsigned long long)count, exits,
			 (unsigned long long)(uc.args[2] & 0xffffffff),
			 (unsigned long long)dr6_bits,
			 uc.args[2] >> 32 ? ", DR7.GD still set" : "",
			 (long long)uc.args[3]);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(5);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	vm_install_handler(vm, DB_VECTOR, db_handler);
	vm_install_handler(vm, UD_VECTOR, ud_handler);
	check(vcpu, 1, "data breakpoint on a write (a trap after it)", DR6_B0);
	check(vcpu, 2, "single step after POPF sets TF", DR6_BS);
	check(vcpu, 3, "MOV from DR0 with DR7.GD (a fault; GD cleared)", DR6_BD);
	check(vcpu, 4, "ICEBP (a trap after it)", 0);
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
	vm_free(vm);
	ksft_finished();
}
