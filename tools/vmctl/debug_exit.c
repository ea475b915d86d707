// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's isa-debug-exit device, at port 0xf4 (iosize 4): a write of value
 * ends the VM with exit status (value << 1) | 1, so a test guest can say
 * pass or fail without a console to parse. (The shell sees the status
 * modulo 256; the status can never be 0, which stays vmctl's "the guest
 * powered off or reset".)
 */
#include <stdio.h>

#include "vmctl.h"

#define DEBUG_EXIT_PORT	0xf4

static uint32_t debug_exit_in(void *opaque, uint16_t port, uint8_t size)
{
	(void)opaque, (void)port, (void)size;
	return 0xffffffff;
}

static void debug_exit_out(void *opaque, uint16_t port, uint8_t size,
			   uint32_t val)
{
	static char reason[80];
	struct vm *vm = opaque;

	(void)port;
	if (size < 4)
		val &= (1u << (size * 8)) - 1;
	snprintf(reason, sizeof(reason),
		 "the guest wrote %#x to the debug-exit port", val);
	vm_stop(vm, (int)((val << 1) | 1), reason);
}

static struct io_device debug_exit_dev = {
	.name = "debug-exit", .base = DEBUG_EXIT_PORT, .len = 4,
	.in = debug_exit_in, .out = debug_exit_out,
};

void debug_exit_create(struct vm *vm)
{
	debug_exit_dev.opaque = vm;
	ioport_register(&debug_exit_dev);
}
