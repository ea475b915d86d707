// SPDX-License-Identifier: GPL-2.0
/*
 * The range map of bus.h: a sorted array of disjoint ranges, found by
 * binary search. Devices register before the vCPUs run, so inserting may
 * move entries; lookups, on every exit, only read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

/* The index of the first range whose base is above addr (0 .. nr). */
static size_t first_above(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is addr inside r? Written so that base + len never overflows. */
static int holds(const struct bus_range *r, uint64_t addr)
{
	return addr >= r->base && addr - r->base < r->len;
}

int bus_insert(struct bus *bus, uint64_t base, uint64_t len, const char *name,
	       const struct bus_ops *ops, void *opaque,
	       const struct bus_range **conflict)
{
	struct bus_range *r;
	size_t i;

	if (conflict)
		*conflict = NULL;
	/* The last byte, base + len - 1, must not pass 2^64 - 1. */
	if (!len || base + (len - 1) < base)
		return -EINVAL;
	i = first_above(bus, base);
	/* The range before may reach base; the one after may start by the end. */
	if (i > 0 && holds(&bus->ranges[i - 1], base)) {
		if (conflict)
			*conflict = &bus->ranges[i - 1];
		return -EEXIST;
	}
	if (i < bus->nr && bus->ranges[i].base - base < len) {
		if (conflict)
			*conflict = &bus->ranges[i];
		return -EEXIST;
	}
	if (bus->nr == bus->cap) {
		size_t cap = bus->cap ? 2 * bus->cap : 16;

		r = realloc(bus->ranges, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		bus->ranges = r;
		bus->cap = cap;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i],
		(bus->nr - i) * sizeof(*bus->ranges));
	bus->ranges[i] = (struct bus_range){
		.base = base, .len = len, .name = name, .ops = ops,
		.opaque = opaque,
	};
	bus->nr++;
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr,
				 uint64_t *offset)
{
	size_t i = first_above(bus, addr);
	const struct bus_range *r;

	if (!i)
		return NULL;
	r = &bus->ranges[i - 1];
	if (!holds(r, addr))
		return NULL;
	*offset = addr - r->base;
	return r;
}

void bus_free(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nr = bus->cap = 0;
}
