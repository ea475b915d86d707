// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's isa-debug-exit device, at port 0xf4 (iosize 4): a write of value
 * ends the VM with exit status (value << 1) | 1, so a test guest can say
 * pass or fail without a console to parse. (The shell sees the status
 * modulo 256; the status can never be 0, which stays vmctl's "the guest
 * powered off or reset".)
 */
#include <stdio.h>

#include "devices.h"
#include "io.h"
#include "vm.h"

#define DEBUG_EXIT_PORT	0xf4

static uint64_t debug_exit_read(void *opaque, uint64_t offset, unsigned int size)
{
	(void)opaque, (void)offset, (void)size;
	return 0xffffffff;
}

static void debug_exit_write(void *opaque, uint64_t offset, unsigned int size,
			     uint64_t value)
{
	static char reason[80];
	struct vm *vm = opaque;
	uint32_t val = (uint32_t)value;

	(void)offset;
	if (size < 4)
		val &= (1u << (size * 8)) - 1;
	snprintf(reason, sizeof(reason),
		 "the guest wrote %#x to the debug-exit port", val);
	vm_stop(vm, (int)((val << 1) | 1), reason);
}

static const struct bus_ops debug_exit_ops = {
	.read = debug_exit_read, .write = debug_exit_write,
};

void debug_exit_create(struct vm *vm)
{
	pio_register(vm, DEBUG_EXIT_PORT, 4, "debug-exit", &debug_exit_ops, vm);
}
