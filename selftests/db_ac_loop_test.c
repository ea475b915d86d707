// SPDX-License-Identifier: GPL-2.0
/*
 * A guest whose #DB or #AC is raised again by its own delivery does not
 * keep the host CPU. On hardware such a loop never leaves microcode and no
 * interrupt gets through (CVE-2015-8104 for #DB, CVE-2015-5307 for #AC);
 * hvm intercepts both, so each delivery is an exit the host can interrupt,
 * and reflects them. Two guests arm such a loop:
 *  - #DB, long mode: #DB has a stack of its own (IST1), and a data
 *    breakpoint on that stack's top, which every #DB delivery writes;
 *  - #AC, 32-bit protected mode at CPL 3 with CR0.AM and EFLAGS.AC: a
 *    misaligned stack, onto which every #AC delivery pushes.
 * Each must still be looping (many exits on the vector) when a signal ends
 * HVM_RUN after LOOP_MS, and the vCPU's state stays readable. A CPU model
 * that raises no such exception (QEMU's TCG checks no alignment) lets the
 * guest reach its OUT to DONE_PORT; one whose delivery does not raise it
 * again reaches the handler's OUT to HANDLER_PORT: those cases are skipped
 * with the reason.
 */
#include <time.h>

#include "hvm_util.h"
#include "guest.h"

#define CODE_GPA	0x1000
#define GDT_GPA		0x3000
#define IDT_GPA		0x4000
#define HANDLER_GPA	0x5000
#define DONE_PORT	0x10
#define HANDLER_PORT	0x11
#define LOOP_MS		500
#define MIN_LOOPS	100
#define SVM_EXIT_EXCP_BASE	0x40
#define VMX_EXIT_EXCEPTION	0

#define DB_VECTOR	1
#define AC_VECTOR	17
#define TSS_IST1	0x24	/* offset of IST1 in the 64-bit TSS */
#define DR7_L0_W8	(1ul << 0 | 1ul << 16 | 2ul << 18) /* DR0: writes, 8 bytes */

static volatile uint64_t db_count;

/* Runs only where the CPU does not raise #DB again on the delivery. */
static __guest_code void db_handler(struct ex_regs *regs)
{
	db_count++;
	asm volatile("mov %0, %%dr7" :: "r"(0ul));
	regs->rflags &= ~X86_RFLAGS_TF;
}

/*
 * DR0 on the word of the #DB stack that every delivery writes first (SS),
 * then a single step: its #DB is delivered onto that stack, which raises
 * the next #DB, and so on.
 */
static __guest_code void db_loop_guest(uint64_t ist_top)
{
	asm volatile("mov %0, %%dr0" :: "r"(ist_top - 8));
	asm volatile("mov %0, %%dr7" :: "r"(DR7_L0_W8));
	asm volatile("pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n\t"
		     "nop" ::: "memory");
	GUEST_SYNC4(1, db_count, 0, 0);
}

/* CPL 3, AC and AM: a misaligned read; the #AC handler is never reached. */
asm(".pushsection .rodata\n"
    ".code32\n"
    "ac_loop_code:\n"
    "	mov 0x3001, %eax\n"
    "	mov $0xac, %al\n"
    "	out %al, $0x10\n"
    "1:	jmp 1b\n"
    "ac_loop_end:\n"
    "ac_handler_code:\n"
    "	mov $0xac, %al\n"
    "	out %al, $0x11\n"
    "2:	jmp 2b\n"
    "ac_handler_end:\n"
    ".code64\n"
    ".popsection\n");

extern const u8 ac_loop_code[], ac_loop_end[];
extern const u8 ac_handler_code[], ac_handler_end[];

/* Where the guest got to if it did not loop. */
enum loop_result { LOOPING, NO_EXCEPTION, NO_LOOP, OTHER };

static u64 exit_code(int vector)
{
	return host_cpu_is_amd() ? SVM_EXIT_EXCP_BASE + vector : VMX_EXIT_EXCEPTION;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Runs until a signal LOOP_MS from now ends HVM_RUN; LOOPING if it did,
 * with the vector's exits since the start in *loops.
 */
static enum loop_result run_loop(struct hvm_vcpu *vcpu, int vector,
				 long long *loops, double *ms)
{
	long long before = hvm_exit_count(exit_code(vector));
	struct hvm_run *run = vcpu->run;
	struct hvm_regs regs;
	struct ucall uc;
	double t0 = now_ms();
	int r, e;

	ualarm(LOOP_MS * 1000, 0);
	r = __vcpu_run(vcpu);
	e = errno;
	ualarm(0, 0);
	*ms = now_ms() - t0;
	*loops = hvm_exit_count(exit_code(vector)) - before;
	vcpu_get_regs(vcpu, &regs);	/* the vCPU is still usable */
	if (r == -1 && e == EINTR && run->exit_reason == HVM_EXIT_INTR)
		return LOOPING;
	if (!r && get_ucall(vcpu, &uc) == UCALL_SYNC)
		return uc.args[1] ? NO_LOOP : NO_EXCEPTION;
	if (!r && run->exit_reason == HVM_EXIT_IO && run->io.port == DONE_PORT)
		return NO_EXCEPTION;
	if (!r && run->exit_reason == HVM_EXIT_IO && run->io.port == HANDLER_PORT)
		return NO_LOOP;
	if (r)
		ksft_print_msg("HVM_RUN: %s\n", strerror(e));
	return OTHER;
}

static void report(const char *what, int vector, enum loop_result res,
		   long long loops, double ms, struct hvm_vcpu *vcpu)
{
	if (res == NO_EXCEPTION || res == NO_LOOP) {
		ksft_test_result_skip("%s: this CPU model %s\n", what,
				      res == NO_EXCEPTION ?
				      "raised no exception (the guest reached its OUT)" :
				      "delivered it once (its handler ran)");
		return;
	}
	ksft_test_result(res == LOOPING && loops >= MIN_LOOPS,
			 "%s: a signal ends HVM_RUN after %.0f ms with the loop still going (%lld exits on vector %d; %s)",
			 what, ms, loops, vector, vcpu_exit_desc(vcpu));
}

/* QEMU's TCG, whose CPU model names itself so in /proc/cpuinfo. */
static bool cpu_is_qemu_tcg(void)
{
	char line[256];
	bool tcg = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && !tcg && fgets(line, sizeof(line), f))
		tcg = !strncmp(line, "model name", 10) && strstr(line, "QEMU TCG");
	if (f)
		fclose(f);
	return tcg;
}

static void test_db_loop(void)
{
	enum loop_result res;
	struct hvm_vcpu *vcpu;
	struct hvm_sregs sregs;
	u64 ist, ist_top;
	long long loops;
	struct hvm_vm *vm;
	u8 *gate;
	double ms;

	/*
	 * QEMU 7.2's TCG aborts (qemu_mutex_lock_iothread: assertion failed)
	 * when a data breakpoint hits during an event's delivery, with hvm's
	 * intercept or without: the lab's emulator cannot run this guest.
	 */
	if (cpu_is_qemu_tcg()) {
		ksft_test_result_skip("#DB raised by its own delivery: QEMU's TCG aborts on a data breakpoint hit during event delivery\n");
		return;
	}
	vm = vm_create_with_vcpu(&vcpu, db_loop_guest);
	vm_install_handler(vm, DB_VECTOR, db_handler);
	ist = vm_vaddr_alloc(vm, PAGE_SIZE);
	ist_top = ist + PAGE_SIZE;
	vcpu_get_sregs(vcpu, &sregs);
	vm_write_guest(vm, sregs.tr.base + TSS_IST1, &ist_top, sizeof(ist_top));
	gate = addr_gva2hva(vm, sregs.idt.base + 16 * DB_VECTOR);
	gate[4] = 1;		/* the gate's IST field: IST1 */
	vcpu_args_set(vcpu, ist_top, 0);
	res = run_loop(vcpu, DB_VECTOR, &loops, &ms);
	report("#DB raised by its own delivery (a breakpoint on its IST stack)",
	       DB_VECTOR, res, loops, ms, vcpu);
	vm_free(vm);
}

/* Flat 32-bit segments of DPL 3: code 0x0b, data 0x13 (GDT entries 1, 2). */
static void setup_cpl3_protected_mode(struct hvm_vm *vm, struct hvm_vcpu *vcpu,
				      u32 esp)
{
	static const u64 gdt[] = {
		0, 0x00cffa000000ffffull, 0x00cff2000000ffffull,
	};
	struct hvm_segment code = {
		.limit = 0xffffffff, .selector = 0x0b, .type = 0xb, .present = 1,
		.dpl = 3, .db = 1, .s = 1, .g = 1,
	};
	struct hvm_segment data = code;
	struct hvm_sregs sregs;
	struct hvm_regs regs = {};
	u32 *idt = addr_gpa2hva(vm, IDT_GPA);
	int v;

	memcpy(addr_gpa2hva(vm, GDT_GPA), gdt, sizeof(gdt));
	/* Every vector: a DPL-3 32-bit interrupt gate to HANDLER_GPA. */
	for (v = 0; v < 32; v++) {
		idt[v * 2] = (HANDLER_GPA & 0xffff) | 0x0b << 16;
		idt[v * 2 + 1] = (HANDLER_GPA & 0xffff0000) | 0xee00;
	}
	data.selector = 0x13;
	data.type = 3;
	vcpu_get_sregs(vcpu, &sregs);
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.gdt = (struct hvm_dtable){ .base = GDT_GPA, .limit = sizeof(gdt) - 1 };
	sregs.idt = (struct hvm_dtable){ .base = IDT_GPA, .limit = 32 * 8 - 1 };
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_AM;
	vcpu_set_sregs(vcpu, &sregs);
	regs.rip = CODE_GPA;
	regs.rsp = esp;
	/* AC on, IOPL 3 so that the OUT works at CPL 3. */
	regs.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_AC | 3 << 12;
	vcpu_set_regs(vcpu, &regs);
}

static void test_ac_loop(void)
{
	enum loop_result res;
	struct hvm_vcpu *vcpu;
	long long loops;
	struct hvm_vm *vm;
	double ms;

	vm = vm_create_real_mode(&vcpu, ac_loop_code, ac_loop_end - ac_loop_code,
				 CODE_GPA);
	memcpy(addr_gpa2hva(vm, HANDLER_GPA), ac_handler_code,
	       ac_handler_end - ac_handler_code);
	/* A stack the pushes of every delivery misalign. */
	setup_cpl3_protected_mode(vm, vcpu, 0x8003);
	res = run_loop(vcpu, AC_VECTOR, &loops, &ms);
	report("#AC raised by its own delivery (CPL 3, misaligned stack)", AC_VECTOR,
	       res, loops, ms, vcpu);
	vm_free(vm);
}

int main(void)
{
	struct hvm_objects o;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(3);
	alarm_ends_runs();
	TEST_ASSERT(hvm_exit_count(0) >= 0, "no %s", HVM_DEBUGFS_EXITS);

	test_db_loop();
	test_ac_loop();
	ok = hvm_read_objects(&o) && !o.vms && !o.vcpus;
	ksft_test_result(ok, "both VMs are gone (vms %ld, vcpus %ld)", o.vms,
			 o.vcpus);
	ksft_finished();
}
