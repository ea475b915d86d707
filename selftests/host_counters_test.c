// SPDX-License-Identifier: GPL-2.0
/*
 * A guest reads none of the host's counters or CPU identity: RDPRU raises
 * #UD, RDPMC #GP (the guest has no PMU), and RDTSCP and RDPID raise #UD
 * or read the guest's TSC_AUX, 0, not the host's (Linux keeps the CPU
 * number there): SVM cannot intercept RDPID, nor QEMU's SVM RDTSCP. The test thread runs on the last CPU, whose number is not 0,
 * and checks after each HVM_RUN that its own RDTSCP reads its CPU again.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "hvm_util.h"
#include "guest.h"

#define NO_FAULT	0xff

static volatile uint64_t fault_vector, insn_len;

static __guest_code void skip_handler(struct ex_regs *regs)
{
	fault_vector = regs->vector;
	regs->rip += insn_len;
}

#define GUEST_TRY(len, insn, ...)					\
({									\
	fault_vector = NO_FAULT;					\
	insn_len = (len);						\
	asm volatile(insn ::: "memory", __VA_ARGS__);			\
	fault_vector;							\
})

static __guest_code void guest_code(void)
{
	uint64_t v, aux = 0;

	fault_vector = NO_FAULT;
	insn_len = 3;
	asm volatile("xor %%ecx, %%ecx\n\t"
		     "rdtscp"
		     : "=c"(aux) :: "rax", "rdx", "memory");
	GUEST_SYNC4(1, fault_vector, aux, 0);
	v = GUEST_TRY(2, "xor %%ecx, %%ecx; rdpmc", "rax", "rcx", "rdx");
	/* xor is 2 bytes before the RDPMC: the fault RIP is at RDPMC. */
	GUEST_SYNC4(2, v, 0, 0);
	v = GUEST_TRY(3, "xor %%ecx, %%ecx; .byte 0x0f, 0x01, 0xfd",
		      "rax", "rcx", "rdx");			/* RDPRU */
	GUEST_SYNC4(3, v, 0, 0);
	fault_vector = NO_FAULT;
	insn_len = 4;
	asm volatile("xor %%eax, %%eax\n\t"
		     ".byte 0xf3, 0x0f, 0xc7, 0xf8"		/* RDPID %rax */
		     : "=a"(aux) :: "memory");
	GUEST_SYNC4(4, fault_vector, aux, 0);
	GUEST_DONE();
}

static unsigned int host_rdtscp_cpu(void)
{
	unsigned int lo, hi, aux;

	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return aux & 0xfff;	/* Linux: node << 12 | CPU */
}

static bool host_has(u32 leaf, u32 sub, int reg, int bit)
{
	u32 r[4];

	host_cpuid(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
	return r[reg] >> bit & 1;
}

/* One step: the guest's result, then the host's TSC_AUX is its own again. */
static void check(struct hvm_vcpu *vcpu, u64 n, const char *what,
		  u64 want_vector, int cpu, bool rdtscp)
{
	struct ucall uc;
	bool ok = vcpu_run_expect_sync4(vcpu, n, &uc);
	unsigned int host = rdtscp ? host_rdtscp_cpu() : (unsigned int)cpu;

	ksft_test_result(ok && uc.args[1] == want_vector && host == (unsigned int)cpu,
			 "%s: vector %#llx (wants %#llx); the host's RDTSCP then reads CPU %u (runs on %d)",
			 what, (unsigned long long)uc.args[1],
			 (unsigned long long)want_vector, host, cpu);
}

int main(void)
{
	bool rdtscp = host_has(0x80000001, 0, 3, 27);
	bool rdpid = host_has(7, 0, 2, 22);
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	cpu_set_t set;
	int cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(5);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(set), &set), "pin to CPU %d", cpu);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	vm_install_handler(vm, UD_VECTOR, skip_handler);
	vm_install_handler(vm, GP_VECTOR, skip_handler);
	ok = vcpu_run_expect_sync4(vcpu, 1, &uc);
	ksft_test_result(ok && (uc.args[1] == UD_VECTOR ||
				(uc.args[1] == NO_FAULT && uc.args[2] == 0)) &&
			 (!rdtscp || host_rdtscp_cpu() == (unsigned int)cpu),
			 "RDTSCP raises #UD or reads the guest's TSC_AUX 0, not the host's CPU %d (vector %#llx, TSC_AUX %#llx)",
			 cpu, (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2]);
	check(vcpu, 2, "RDPMC raises #GP", GP_VECTOR, cpu, rdtscp);
	check(vcpu, 3, "RDPRU raises #UD", UD_VECTOR, cpu, rdtscp);

	ok = vcpu_run_expect_sync4(vcpu, 4, &uc);
	if (!rdpid) {
		ksft_test_result(ok && uc.args[1] == UD_VECTOR,
				 "RDPID, which this CPU lacks, raises #UD (vector %#llx)",
				 (unsigned long long)uc.args[1]);
	} else {
		ksft_test_result(ok && (uc.args[1] == UD_VECTOR ||
					(uc.args[1] == NO_FAULT && uc.args[2] == 0)),
				 "RDPID reads the guest's TSC_AUX 0 or raises #UD, not the host's CPU %d (vector %#llx, value %#llx)",
				 cpu, (unsigned long long)uc.args[1],
				 (unsigned long long)uc.args[2]);
	}
	ksft_test_result(vcpu_run_expect_done(vcpu) &&
			 (!rdtscp || host_rdtscp_cpu() == (unsigned int)cpu),
			 "the guest finishes; the host's TSC_AUX is its own");
	vm_free(vm);
	ksft_finished();
}
