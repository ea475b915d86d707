/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl: running the vCPUs. vCPU 0 runs in the calling thread, which also
 * drives the devices' timers and the console and delivers the PIC's
 * interrupts; vCPUs 1..N-1 get a thread each. Every exit, of any vCPU,
 * goes through the one dispatcher, vcpu_handle_exit(), under vm->lock.
 */
#ifndef VMCTL_VCPU_H
#define VMCTL_VCPU_H

#include "vmm/accel.h"

struct vm;

/* What an exit leaves the vCPU's loop to do. */
enum vcpu_exit_result {
	VCPU_CONTINUE,		/* handled: run the vCPU again */
	VCPU_HALTED,		/* HLT: wait for an interrupt (exit->if_flag: can one come?) */
	VCPU_STOPPED,		/* the VM stops: vm->stop is set */
};

/* Handles one exit of vCPU id; the caller holds vm->lock. */
enum vcpu_exit_result vcpu_handle_exit(struct vm *vm, struct accel_vcpu *vcpu,
				       unsigned int id, const struct accel_exit *exit);

/* Runs the VM until it stops (vm->stop, vm->exit_status). */
void vcpu_run_all(struct vm *vm);

#endif
