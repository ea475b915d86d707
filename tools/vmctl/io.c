// SPDX-License-Identifier: GPL-2.0
/*
 * The port I/O and MMIO buses of io.h, and the default for addresses no
 * device claims.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io.h"
#include "vm.h"

#define UNCLAIMED_LOG_LIMIT	8

static uint8_t unclaimed_logged[65536];
static uint32_t port_exits[65536];	/* --debug only: its report at exit */

/* what: "ports" or "MMIO", for the message. */
static void bus_register(struct bus *bus, const char *what, uint64_t base,
			 uint64_t len, const char *name,
			 const struct bus_ops *ops, void *opaque)
{
	const struct bus_range *other;
	int r = bus_insert(bus, base, len, name, ops, opaque, &other);

	if (r == -EEXIST)
		die("%s %#llx-%#llx of %s: overlaps %#llx-%#llx of %s", what,
		    (unsigned long long)base, (unsigned long long)(base + len - 1), name,
		    (unsigned long long)other->base,
		    (unsigned long long)(other->base + other->len - 1), other->name);
	if (r)
		die("%s %#llx (+%#llx) of %s: %s", what, (unsigned long long)base,
		    (unsigned long long)len, name, strerror(-r));
}

void pio_register(struct vm *vm, uint16_t base, uint16_t len, const char *name,
		  const struct bus_ops *ops, void *opaque)
{
	/* Ports end at 0xffff: a range past it is refused like a wrapping one. */
	if ((uint32_t)base + len > 0x10000)
		die("ports %#x (+%#x) of %s: past port 0xffff", base, len, name);
	bus_register(&vm->pio, "ports", base, len, name, ops, opaque);
}

void mmio_register(struct vm *vm, uint64_t base, uint64_t len, const char *name,
		   const struct bus_ops *ops, void *opaque)
{
	bus_register(&vm->mmio, "MMIO", base, len, name, ops, opaque);
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

void pio_access(struct vm *vm, uint16_t port, uint8_t size, bool out,
		uint8_t *data, uint32_t count)
{
	uint64_t offset = 0;
	const struct bus_range *dev = bus_find(&vm->pio, port, &offset);
	uint32_t i, val;

	if (vm->opt.debug)
		__atomic_fetch_add(&port_exits[port], 1, __ATOMIC_RELAXED);
	for (i = 0; i < count; i++, data += size) {
		val = 0;
		if (out) {
			memcpy(&val, data, size);
			if (dev)
				dev->ops->write(dev->opaque, offset, size, val);
			else
				log_unclaimed(vm, port, size, true, val);
		} else {
			if (dev) {
				val = (uint32_t)dev->ops->read(dev->opaque, offset, size);
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
void pio_report(struct vm *vm)
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

static void log_unclaimed_mmio(struct vm *vm, uint64_t addr, uint32_t len,
			       bool write, uint64_t val)
{
	static uint64_t last_page = ~0ull;
	static unsigned int page_logged;

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

void mmio_access(struct vm *vm, uint64_t addr, uint32_t len, bool write,
		 uint8_t *data)
{
	uint64_t offset = 0, val = 0;
	const struct bus_range *dev = bus_find(&vm->mmio, addr, &offset);
	unsigned int size = len < 8 ? len : 8;

	if (write) {
		memcpy(&val, data, size);
		if (dev)
			dev->ops->write(dev->opaque, offset, size, val);
		else
			log_unclaimed_mmio(vm, addr, len, true, val);
		return;
	}
	if (dev) {
		val = dev->ops->read(dev->opaque, offset, size);
		memcpy(data, &val, size);
	} else {
		memset(data, 0xff, size);
		log_unclaimed_mmio(vm, addr, len, false, 0);
	}
}
