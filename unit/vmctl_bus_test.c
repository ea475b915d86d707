// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace TAP test for vmctl's bus (tools/vmctl/bus.c), the range map
 * behind its port I/O and MMIO: inserting, the overlap cases (at either
 * end, containment both ways, the same range), adjacent ranges, empty and
 * wrapping ranges, lookups at the edges of a range, and the offset a
 * device is handed. Run by `make check-unit`.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bus.h"

static int failed;
static unsigned int test_no;

static void report(bool ok, const char *name)
{
	printf("%sok %u - %s\n", ok ? "" : "not ", ++test_no, name);
	if (!ok)
		failed = 1;
}

/* A device that remembers the offset it was handed. */
struct probe {
	uint64_t offset;
	unsigned int size;
	uint64_t written;
};

static uint64_t probe_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct probe *p = opaque;

	p->offset = offset;
	p->size = size;
	return 0x1234;
}

static void probe_write(void *opaque, uint64_t offset, unsigned int size,
			uint64_t val)
{
	struct probe *p = opaque;

	p->offset = offset;
	p->size = size;
	p->written = val;
}

static const struct bus_ops probe_ops = { probe_read, probe_write };

static int insert(struct bus *b, uint64_t base, uint64_t len, const char *name)
{
	return bus_insert(b, base, len, name, &probe_ops, NULL, NULL);
}

/* Is addr claimed, by the range called name? */
static bool found_by(const struct bus *b, uint64_t addr, const char *name)
{
	uint64_t off;
	const struct bus_range *r = bus_find(b, addr, &off);

	return r && !strcmp(r->name, name);
}

static bool unclaimed(const struct bus *b, uint64_t addr)
{
	uint64_t off;

	return !bus_find(b, addr, &off);
}

static void test_insert_and_overlap(void)
{
	struct bus b = { 0 };
	const struct bus_range *conflict;
	int r;

	report(unclaimed(&b, 0) && unclaimed(&b, ~0ull), "an empty bus claims nothing");
	report(insert(&b, 0x40, 4, "pit") == 0, "insert 0x40-0x43");
	report(insert(&b, 0x3e, 3, "low") == -EEXIST,
	       "a range whose end overlaps the start of one is refused");
	report(insert(&b, 0x43, 2, "high") == -EEXIST,
	       "a range whose start overlaps the end of one is refused");
	report(insert(&b, 0x41, 2, "inside") == -EEXIST,
	       "a range inside another is refused");
	report(insert(&b, 0x30, 0x20, "around") == -EEXIST,
	       "a range around another is refused");
	report(insert(&b, 0x40, 4, "same") == -EEXIST, "the same range twice is refused");
	r = bus_insert(&b, 0x42, 1, "one", &probe_ops, NULL, &conflict);
	report(r == -EEXIST && conflict && !strcmp(conflict->name, "pit") &&
	       conflict->base == 0x40 && conflict->len == 4,
	       "an overlap names the range it hit");
	report(insert(&b, 0x3c, 4, "below") == 0 && insert(&b, 0x44, 4, "above") == 0,
	       "ranges adjacent at either end are allowed");
	report(b.nr == 3 && b.ranges[0].base == 0x3c && b.ranges[1].base == 0x40 &&
	       b.ranges[2].base == 0x44, "ranges are kept sorted whatever the order of insertion");
	report(insert(&b, 0x100, 0, "empty") == -EINVAL, "an empty range is refused");
	report(insert(&b, ~0ull - 3, 8, "wraps") == -EINVAL,
	       "a range that wraps past 2^64 - 1 is refused");
	report(insert(&b, ~0ull - 3, 4, "top") == 0 && found_by(&b, ~0ull, "top"),
	       "a range that ends at 2^64 - 1 is allowed");
	report(insert(&b, 0, ~0ull, "all") == -EEXIST,
	       "a range over the whole bus overlaps what is there");
	report(b.nr == 4, "refused ranges leave the bus as it was");
	bus_free(&b);
}

static void test_lookup(void)
{
	struct bus b = { 0 };
	struct probe dev = { 0 };
	const struct bus_range *r;
	uint64_t off = 99;
	unsigned int i;
	bool ok = true;

	bus_insert(&b, 0x3f8, 8, "serial", &probe_ops, &dev, NULL);
	bus_insert(&b, 0x400, 1, "next", &probe_ops, NULL, NULL);
	report(unclaimed(&b, 0x3f7), "the address below a range is not claimed");
	r = bus_find(&b, 0x3f8, &off);
	report(r && r->opaque == &dev && off == 0, "the first address of a range is its offset 0");
	r = bus_find(&b, 0x3ff, &off);
	report(r && r->opaque == &dev && off == 7, "the last address of a range is its offset len - 1");
	report(found_by(&b, 0x400, "next") && unclaimed(&b, 0x401),
	       "the address after a range belongs to the next one, or to nobody");
	r = bus_find(&b, 0x3fd, &off);
	report(r && r->ops->read(r->opaque, off, 1) == 0x1234 && dev.offset == 5 && dev.size == 1,
	       "the device is handed the offset into its range, not the address");
	r->ops->write(r->opaque, off, 2, 0xbeef);
	report(dev.offset == 5 && dev.size == 2 && dev.written == 0xbeef,
	       "a write reaches the device with its offset, size and value");

	/* Many ranges: every address finds its own. */
	for (i = 0; i < 200; i++)
		bus_insert(&b, 0x10000 + 16ull * (199 - i), 8, "many", &probe_ops, NULL, NULL);
	for (i = 0; i < 200 && ok; i++) {
		r = bus_find(&b, 0x10000 + 16ull * i + 7, &off);
		ok = r && r->base == 0x10000 + 16ull * i && off == 7 &&
		     unclaimed(&b, 0x10000 + 16ull * i + 8);
	}
	report(ok, "200 ranges: each address finds its range, the gaps none");
	bus_free(&b);
}

int main(void)
{
	printf("TAP version 13\n");
	test_insert_and_overlap();
	test_lookup();
	printf("1..%u\n", test_no);
	return failed;
}
