// SPDX-License-Identifier: GPL-2.0
/*
 * Port 0x80: POST codes, and the delay port of outb_p(), which Linux
 * writes for short delays. Claimed so that --debug does not log it as
 * unclaimed; reads return all ones, as an unclaimed port would.
 */
#include "devices.h"
#include "io.h"
#include "vm.h"

#define POST_PORT	0x80

static uint64_t post_read(void *opaque, uint64_t offset, unsigned int size)
{
	(void)opaque, (void)offset, (void)size;
	return 0xffffffff;
}

static void post_write(void *opaque, uint64_t offset, unsigned int size,
		       uint64_t val)
{
	(void)opaque, (void)offset, (void)size, (void)val;
}

static const struct bus_ops post_ops = { .read = post_read, .write = post_write };

void post_port_create(struct vm *vm)
{
	pio_register(vm, POST_PORT, 1, "post", &post_ops, NULL);
}
