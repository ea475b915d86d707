// SPDX-License-Identifier: GPL-2.0
/* vmctl's messages, die() and the exit hooks of log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "vm.h"

#define MAX_EXIT_HOOKS	8

static struct {
	void (*fn)(void *opaque);
	void *opaque;
} exit_hooks[MAX_EXIT_HOOKS];
static unsigned int nr_exit_hooks;
static bool crlf;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void log_add_exit_hook(void (*fn)(void *opaque), void *opaque)
{
	if (nr_exit_hooks == MAX_EXIT_HOOKS)
		die("more than %d exit hooks", MAX_EXIT_HOOKS);
	exit_hooks[nr_exit_hooks].fn = fn;
	exit_hooks[nr_exit_hooks].opaque = opaque;
	nr_exit_hooks++;
}

void log_run_exit_hooks(void)
{
	unsigned int i;

	for (i = 0; i < nr_exit_hooks; i++)
		exit_hooks[i].fn(exit_hooks[i].opaque);
}

void log_set_crlf(bool on)
{
	crlf = on;
}

void die(const char *fmt, ...)
{
	va_list ap;

	log_run_exit_hooks();
	fputs("vmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_VMCTL_ERROR);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	fputs("vmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(crlf ? "\r\n" : "\n", stderr);
}

void debug(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (!vm->opt.debug)
		return;
	fprintf(stderr, "vmctl: [%8.3f] ", (now_ns() - vm->start_ns) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(crlf ? "\r\n" : "\n", stderr);
}
