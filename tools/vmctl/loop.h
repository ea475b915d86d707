/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl's event loop. Two halves, each behind a few calls:
 *  - waiting: vCPU 0's thread, when its guest halts, sleeps until a
 *    registered fd is readable or the timer's deadline passes, and runs
 *    their callbacks (loop_add_fd, loop_set_timer, loop_wait);
 *  - signals: the same deadline kicks vCPU 0 out of the guest while it
 *    runs, console input (SIGIO) and other vCPU threads kick it too, and
 *    SIGINT, SIGTERM, SIGHUP ask vmctl to end.
 * Only the vCPU loops (vcpu.c) use it.
 */
#ifndef VMCTL_LOOP_H
#define VMCTL_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;
struct accel_vcpu;

typedef void loop_fn(void *opaque);

/* Signal handlers, the kick timer; vm->vcpu is the vCPU the kicks stop. */
void loop_init(struct vm *vm);
void loop_fini(void);

/* fn(opaque) runs in loop_wait() when fd is readable (or hung up); a handle. */
int loop_add_fd(int fd, loop_fn *fn, void *opaque);
/* Whether loop_wait() watches it (a device may have no room for input). */
void loop_watch_fd(int handle, bool on);
/*
 * The timer: fn(opaque) runs in loop_wait() once deadline (CLOCK_MONOTONIC
 * ns, 0: none) has passed; while vCPU 0 runs, the deadline kicks it out.
 */
void loop_set_timer(uint64_t deadline, loop_fn *fn, void *opaque);
/* Sleeps until a watched fd, the timer or a signal; runs the callbacks due. */
void loop_wait(void);

/* The signal that asked vmctl to end, or 0. */
int loop_quit_signal(void);
/* Was vCPU 0 kicked since the last call? */
bool loop_take_kick(void);
/* From another thread: vCPU 0 has something to look at. */
void loop_kick_main(struct vm *vm);
/* A vCPU thread, started with the process's signals blocked (they are vCPU 0's). */
int loop_start_thread(pthread_t *thread, void *(*fn)(void *), void *arg);
/* Called by a vCPU thread: its kick signal stops vcpu. */
void loop_vcpu_thread(struct accel_vcpu *vcpu);
void loop_kick_thread(pthread_t thread);

#endif
