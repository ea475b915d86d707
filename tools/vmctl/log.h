/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl's ground floor: messages and failure. die() ends vmctl with a
 * message; warn() says something on stderr; debug() only with --debug.
 * What must happen before vmctl's last words (the guest's console output
 * flushed, the terminal back in its mode) is registered by the layer that
 * owns it, as an exit hook: this floor knows none of them.
 */
#ifndef VMCTL_LOG_H
#define VMCTL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

/* vmctl's exit status when vmctl itself fails (guests choose their own). */
#define EXIT_VMCTL_ERROR	1
#define EXIT_USAGE		2

/* CLOCK_MONOTONIC in ns. */
uint64_t now_ns(void);

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* With --debug only: the time since vmctl started, then the message. */
void debug(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * fn(opaque) runs, in the order registered, before die()'s message and
 * whenever log_run_exit_hooks() is called (before a report on stderr that
 * ends the VM). A hook may run more than once: it must be idempotent.
 */
void log_add_exit_hook(void (*fn)(void *opaque), void *opaque);
void log_run_exit_hooks(void);
/* A raw terminal wants "\r\n" at the end of a debug line (term.c says). */
void log_set_crlf(bool crlf);

#endif
