// SPDX-License-Identifier: GPL-2.0
/*
 * The port I/O bus and the default for addresses no device claims: as on a
 * PC, reads return all ones and writes are dropped (--debug logs them, the
 * first few per port or page). Also the POST/delay port 0x80, which Linux
 * writes for short delays (outb_p): claimed so that it stays quiet.
 */
#include <string.h>

#include "vmctl.h"

#define UNCLAIMED_LOG_LIMIT	8

static struct io_device *port_map[65536];
static uint8_t unclaimed_logged[65536];
static uint32_t port_exits[65536];	/* --debug only: its report at exit */

void ioport_register(struct io_device *dev)
{
	unsigned int p;

	for (p = dev->base; p < (unsigned int)dev->base + dev->len; p++) {
		if (port_map[p])
			die("ports %#x: claimed by both %s and %s", p,
			    port_map[p]->name, dev->name);
		port_map[p] = dev;
	}
}

static void log_unclaimed(struct vm *vm, uint16_t port, uint8_t size, bool out,
			  uint32_t val)
{
	if (!vm->opt.debug || unclaimed_logged[port] > UNCLAIMED_LOG_LIMIT)
		return;
	if (++unclaimed_logged[port] > UNCLAIMED_LOG_LIMIT) {
		debug(vm, "port %#06x: more accesses, not logged", port);
		return;
	}
	if (out)
		debug(vm, "port %#06x: unclaimed write%u %#x dropped", port,
		      size * 8, val);
	else
		debug(vm, "port %#06x: unclaimed read%u, all ones", port,
		      size * 8);
}

void ioport_access(struct vm *vm, uint16_t port, uint8_t size, bool out,
		   uint8_t *data, uint32_t count)
{
	struct io_device *dev = port_map[port];
	uint32_t i, val;

	if (vm->opt.debug)
		__atomic_fetch_add(&port_exits[port], 1, __ATOMIC_RELAXED);
	for (i = 0; i < count; i++, data += size) {
		val = 0;
		if (out) {
			memcpy(&val, data, size);
			if (dev)
				dev->out(dev->opaque, port, size, val);
			else
				log_unclaimed(vm, port, size, true, val);
		} else {
			if (dev) {
				val = dev->in(dev->opaque, port, size);
			} else {
				val = 0xffffffff;
				log_unclaimed(vm, port, size, false, 0);
			}
			memcpy(data, &val, size);
		}
	}
}

/*
 * --debug: the ports the guest left for most often, busiest first. Each one
 * reported is zeroed, so the next pass finds the next busiest.
 */
void ioport_report(struct vm *vm)
{
	char line[256];
	unsigned long long total = 0;
	unsigned int p, n, best;
	uint32_t most;
	int len;

	if (!vm->opt.debug)
		return;
	for (p = 0; p < 65536; p++)
		total += port_exits[p];
	len = snprintf(line, sizeof(line), "%llu in all", total);
	for (n = 0; n < 8; n++) {
		best = 0;
		most = 0;
		for (p = 0; p < 65536; p++) {
			if (port_exits[p] > most) {
				best = p;
				most = port_exits[p];
			}
		}
		if (!most)
			break;
		port_exits[best] = 0;
		len += snprintf(line + len, sizeof(line) - len, ", %#x %u",
				best, most);
	}
	debug(vm, "port I/O exits: %s", line);
}

void mmio_access(struct vm *vm, uint64_t addr, uint32_t len, bool write,
		 uint8_t *data)
{
	static uint64_t last_page = ~0ull;
	static unsigned int page_logged;
	uint64_t val = 0;

	/* No MMIO device yet: a hole in the memory map. */
	if (write) {
		memcpy(&val, data, len < 8 ? len : 8);
	} else {
		memset(data, 0xff, len < 8 ? len : 8);
	}
	if (!vm->opt.debug)
		return;
	if ((addr >> 12) != last_page) {
		last_page = addr >> 12;
		page_logged = 0;
	}
	if (page_logged++ >= UNCLAIMED_LOG_LIMIT)
		return;
	if (write)
		debug(vm, "mmio %#llx: unclaimed write%u %#llx dropped",
		      (unsigned long long)addr, len * 8, (unsigned long long)val);
	else
		debug(vm, "mmio %#llx: unclaimed read%u, all ones",
		      (unsigned long long)addr, len * 8);
}

/* Port 0x80: POST codes, and the delay port of outb_p(). */
static uint32_t post_in(void *opaque, uint16_t port, uint8_t size)
{
	(void)opaque, (void)port, (void)size;
	return 0xffffffff;
}

static void post_out(void *opaque, uint16_t port, uint8_t size, uint32_t val)
{
	(void)opaque, (void)port, (void)size, (void)val;
}

static struct io_device post_dev = {
	.name = "post", .base = 0x80, .len = 1, .in = post_in, .out = post_out,
};

void post_port_create(struct vm *vm)
{
	(void)vm;
	ioport_register(&post_dev);
}
