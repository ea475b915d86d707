/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU run on a thread of its own until it writes to a port, for tests
 * in which another vCPU wakes it (INIT/SIPI, IPIs, NMIs) and the test must
 * see the wakeup happen without help from userspace: the thread never
 * signals or kicks the vCPU itself. A test that gives up stops it with a
 * signal (vcpu_thread_stop).
 */
#ifndef HVM_SELFTEST_VCPU_THREAD_H
#define HVM_SELFTEST_VCPU_THREAD_H

#include <pthread.h>
#include <stdbool.h>

#include "hvm_util.h"

struct vcpu_thread {
	struct hvm_vcpu *vcpu;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;		/* the vCPU exited to a port, or HVM_RUN failed */
	int runs;		/* HVM_RUNs made (each signal ends one) */
	int err;		/* errno of the HVM_RUN that failed, else 0 */
	u16 port;		/* the port written, when err is 0 */
	u32 value;		/* the value written there */
};

/* Starts running vcpu on a new thread. */
void vcpu_thread_start(struct vcpu_thread *t, struct hvm_vcpu *vcpu);
/* Waits up to seconds for the thread to be done; true if it is. */
bool vcpu_thread_wait(struct vcpu_thread *t, int seconds);
/* Ends the thread (a signal ends a vCPU still running) and joins it. */
void vcpu_thread_stop(struct vcpu_thread *t);

#endif
