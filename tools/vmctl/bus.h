/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl: a bus, the range map behind port I/O and MMIO (one type, two
 * instances in struct vm). A device claims [base, base + len) with its
 * handlers; an access at an address inside the range reaches the device
 * as an offset from base, so a device does not know where it sits. Ranges
 * may not overlap; adjacent ones may. The ranges are kept sorted by base,
 * and a lookup is a binary search.
 *
 * Pure data structure: no struct vm, no logging, so that the host unit
 * test (unit/vmctl_bus_test.c) links it alone.
 */
#ifndef VMCTL_BUS_H
#define VMCTL_BUS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A device's handlers. size is the access width in bytes (port I/O: 1, 2
 * or 4; MMIO: 1, 2, 4 or 8), val little-endian in the low size bytes. An
 * access that starts in the range goes to the device whole, as on a PC
 * bus; the device decides what its bytes past the end mean.
 */
struct bus_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned int size);
	void (*write)(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t val);
};

struct bus_range {
	uint64_t base, len;
	const char *name;
	const struct bus_ops *ops;
	void *opaque;
};

struct bus {
	struct bus_range *ranges;	/* sorted by base, disjoint */
	size_t nr, cap;
};

/*
 * Claims [base, base + len) for a device. 0, or -EINVAL for an empty range
 * or one that wraps past 2^64 - 1, -EEXIST if it overlaps a range already
 * there (then *conflict, if not NULL, points at that range), -ENOMEM.
 */
int bus_insert(struct bus *bus, uint64_t base, uint64_t len, const char *name,
	       const struct bus_ops *ops, void *opaque,
	       const struct bus_range **conflict);

/* The range that holds addr, with addr's offset in it; NULL if none does. */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr,
				 uint64_t *offset);

void bus_free(struct bus *bus);

#endif
