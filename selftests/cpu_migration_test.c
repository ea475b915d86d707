// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU whose thread moves between CPUs keeps its state (on VMX the VMCS
 * must be cleared on one CPU and loaded on the next), and a CPU that goes
 * offline and comes back while a VM exists runs guests again (hvm turns
 * virtualization on in CPUs that come online).
 */
#define _GNU_SOURCE
#include <sched.h>

#include "hvm_util.h"
#include "guest.h"

#define ROUNDS	200
#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"

/* Each round the guest reports a running sum that depends on all before. */
static __guest_code void guest_code(void)
{
	uint64_t sum = 0, i;

	for (i = 1;; i++) {
		sum = sum * 31 + i;
		GUEST_SYNC(sum);
	}
}

static bool pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

static bool set_online(bool on)
{
	FILE *f = fopen(CPU1_ONLINE, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(on ? "1" : "0", f) >= 0;
	return fclose(f) == 0 && ok;
}

/* Runs n rounds, pinned to cpu (or the cpus alternating when cpu < 0). */
static bool run_rounds(struct hvm_vcpu *vcpu, u64 *sum, u64 *i, int n, int cpu)
{
	int k;

	for (k = 0; k < n; k++) {
		int want = cpu >= 0 ? cpu : k & 1;

		if (!pin_to(want) || sched_getcpu() != want) {
			ksft_print_msg("cannot move to CPU %d", want);
			return false;
		}
		*i += 1;
		*sum = *sum * 31 + *i;
		if (!vcpu_run_expect_sync(vcpu, *sum))
			return false;
	}
	return true;
}

int main(void)
{
	struct hvm_vcpu *vcpu, *vcpu2;
	struct hvm_vm *vm, *vm2;
	u64 sum = 0, i = 0, sum2 = 0, i2 = 0;
	bool offline;

	ksft_print_header();
	open_hvm_or_skip();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		ksft_exit_skip("needs two online CPUs");
	ksft_set_plan(5);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	ksft_test_result(run_rounds(vcpu, &sum, &i, ROUNDS, -1),
			 "%d runs alternating between CPU 0 and CPU 1 keep the guest's state",
			 ROUNDS);

	offline = set_online(false);
	ksft_test_result(offline && run_rounds(vcpu, &sum, &i, 20, 0),
			 "CPU 1 goes offline under a live VM and the guest runs on CPU 0");

	ksft_test_result(set_online(true) && run_rounds(vcpu, &sum, &i, 20, 1),
			 "CPU 1 comes back online and runs the same guest");

	vm2 = vm_create_with_vcpu(&vcpu2, guest_code);
	ksft_test_result(run_rounds(vcpu2, &sum2, &i2, 20, -1),
			 "a VM created after the hotplug runs on both CPUs");
	vm_free(vm2);

	ksft_test_result(run_rounds(vcpu, &sum, &i, 20, -1),
			 "the first VM still runs on both CPUs");
	vm_free(vm);
	pin_to(0);
	ksft_finished();
}
