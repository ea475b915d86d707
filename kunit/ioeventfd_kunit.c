// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the ioeventfd lookup (kmod/ioeventfd.c): tables built by
 * add and del stay sorted, conflicts and the limit are refused, a write
 * finds exactly the registrations it matches (checked against a linear
 * scan on random tables), and the ABI's rules for HVM_IOEVENTFD. The
 * eventfd pointers are tokens: nothing here signals them.
 */
#include <linux/err.h>
#include <linux/random.h>

#include "hvm_kunit.h"

#define PIO	HVM_IOEVENTFD_FLAG_PIO
#define DM	HVM_IOEVENTFD_FLAG_DATAMATCH

static struct eventfd_ctx *token(unsigned long n)
{
	return (struct eventfd_ctx *)(0x1000 + n * 8);
}

static struct hvm_ioevent ev(u32 flags, u64 addr, u32 len, u64 dm,
			     unsigned long tok)
{
	return (struct hvm_ioevent){
		.flags = flags, .addr = addr, .len = len, .datamatch = dm,
		.ctx = token(tok),
	};
}

/* Adds e to *t (replacing it, as the ioctl does); returns the errno. */
static int add(struct hvm_ioevent_table **t, struct hvm_ioevent e)
{
	struct hvm_ioevent_table *n = hvm_ioevent_table_add(*t, &e);

	if (IS_ERR(n))
		return PTR_ERR(n);
	kvfree(*t);
	*t = n;
	return 0;
}

static int del(struct hvm_ioevent_table **t, struct hvm_ioevent e,
	       struct hvm_ioevent *removed)
{
	struct hvm_ioevent_table *n = hvm_ioevent_table_del(*t, &e, removed);

	if (IS_ERR(n))
		return PTR_ERR(n);
	kvfree(*t);
	*t = n;
	return 0;
}

/* The tokens of what a write matches, as a bit mask of token numbers. */
static u64 hits(const struct hvm_ioevent_table *t, bool pio, u64 addr,
		unsigned int len, u64 data)
{
	const struct hvm_ioevent *e;
	int pos = -1;
	u64 mask = 0;

	if (!t)
		return 0;
	while ((e = hvm_ioevent_next(t, &pos, pio, addr, len, data)))
		mask |= BIT_ULL(((unsigned long)e->ctx - 0x1000) / 8);
	return mask;
}

static void expect_sorted(struct kunit *test, const struct hvm_ioevent_table *t)
{
	unsigned int i;

	for (i = 1; t && i < t->n; i++) {
		const struct hvm_ioevent *a = &t->e[i - 1], *b = &t->e[i];
		bool ap = a->flags & PIO, bp = b->flags & PIO;

		KUNIT_EXPECT_TRUE_MSG(test, ap < bp || (ap == bp && a->addr <= b->addr),
				      "entries %u and %u out of order", i - 1, i);
	}
}

static void ioeventfd_lookup_basic(struct kunit *test)
{
	struct hvm_ioevent_table *t = NULL;

	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0xd0000000, 4, 0, 1)), 0);
	KUNIT_EXPECT_EQ(test, add(&t, ev(PIO, 0x10, 1, 0, 2)), 0);
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0xc0000000, 0, 0, 3)), 0);
	KUNIT_EXPECT_EQ(test, add(&t, ev(DM, 0xe0000000, 2, 0x1234, 4)), 0);
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0x10, 8, 0, 5)), 0);	/* MMIO 0x10 */
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, t->n, 5U);
	expect_sorted(test, t);

	/* Exact address and length; any length for len 0. */
	KUNIT_EXPECT_EQ(test, hits(t, false, 0xd0000000, 4, 7), BIT_ULL(1));
	KUNIT_EXPECT_EQ(test, hits(t, false, 0xd0000000, 2, 7), 0ULL);
	KUNIT_EXPECT_EQ(test, hits(t, false, 0xd0000001, 1, 7), 0ULL);
	KUNIT_EXPECT_EQ(test, hits(t, false, 0xc0000000, 1, 0), BIT_ULL(3));
	KUNIT_EXPECT_EQ(test, hits(t, false, 0xc0000000, 8, ~0ULL), BIT_ULL(3));
	/* Spaces apart: port 0x10 is not MMIO 0x10. */
	KUNIT_EXPECT_EQ(test, hits(t, true, 0x10, 1, 0), BIT_ULL(2));
	KUNIT_EXPECT_EQ(test, hits(t, false, 0x10, 8, 0), BIT_ULL(5));
	KUNIT_EXPECT_EQ(test, hits(t, true, 0x10, 2, 0), 0ULL);
	/* Datamatch. */
	KUNIT_EXPECT_EQ(test, hits(t, false, 0xe0000000, 2, 0x1234), BIT_ULL(4));
	KUNIT_EXPECT_EQ(test, hits(t, false, 0xe0000000, 2, 0x1235), 0ULL);
	/* Addresses in no registration, before, between and after. */
	KUNIT_EXPECT_EQ(test, hits(t, false, 0, 4, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, hits(t, false, 0xcfffffff, 1, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, hits(t, true, 0xffff, 1, 0), 0ULL);
	kvfree(t);
}

static void ioeventfd_conflicts(struct kunit *test)
{
	struct hvm_ioevent_table *t = NULL;

	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0x1000, 4, 0, 1)), 0);
	/* Intersecting ranges, both match any value. */
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0x1000, 4, 0, 2)), -EEXIST);
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0x1002, 2, 0, 2)), -EEXIST);
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0xffe, 4, 0, 2)), -EEXIST);
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0x1003, 0, 0, 2)), -EEXIST);
	/* Adjacent, another space, or a datamatch: no conflict. */
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0x1004, 4, 0, 2)), 0);
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0xffc, 4, 0, 3)), 0);
	KUNIT_EXPECT_EQ(test, add(&t, ev(PIO, 0x1000, 4, 0, 4)), 0);
	KUNIT_EXPECT_EQ(test, add(&t, ev(DM, 0x1000, 4, 5, 5)), 0);
	/* The same datamatch conflicts; another one does not. */
	KUNIT_EXPECT_EQ(test, add(&t, ev(DM, 0x1000, 2, 5, 6)), -EEXIST);
	KUNIT_EXPECT_EQ(test, add(&t, ev(DM, 0x1000, 2, 6, 6)), 0);
	KUNIT_EXPECT_EQ(test, t->n, 6U);
	expect_sorted(test, t);
	/* A write of 5 matches the match-any and the datamatch one. */
	KUNIT_EXPECT_EQ(test, hits(t, false, 0x1000, 4, 5), BIT_ULL(1) | BIT_ULL(5));
	KUNIT_EXPECT_EQ(test, hits(t, false, 0x1000, 4, 6), BIT_ULL(1));
	KUNIT_EXPECT_EQ(test, hits(t, false, 0x1000, 2, 6), BIT_ULL(6));
	/* The top of the address space: a range ending at 2^64 is fine. */
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, ~0ULL - 7, 8, 0, 7)), 0);
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, ~0ULL, 1, 0, 8)), -EEXIST);
	kvfree(t);
}

static void ioeventfd_deassign(struct kunit *test)
{
	struct hvm_ioevent_table *t = NULL;
	struct hvm_ioevent removed = {}, key;

	KUNIT_EXPECT_EQ(test, del(&t, ev(0, 0x1000, 4, 0, 1), &removed), -ENOENT);
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0x1000, 4, 0, 1)), 0);
	KUNIT_EXPECT_EQ(test, add(&t, ev(DM, 0x1000, 4, 9, 2)), 0);
	/* The key must be exact: length, flags, datamatch, the eventfd. */
	KUNIT_EXPECT_EQ(test, del(&t, ev(0, 0x1000, 2, 0, 1), &removed), -ENOENT);
	KUNIT_EXPECT_EQ(test, del(&t, ev(DM, 0x1000, 4, 8, 2), &removed), -ENOENT);
	KUNIT_EXPECT_EQ(test, del(&t, ev(PIO, 0x1000, 4, 0, 1), &removed), -ENOENT);
	KUNIT_EXPECT_EQ(test, del(&t, ev(0, 0x1000, 4, 0, 3), &removed), -ENOENT);
	KUNIT_EXPECT_EQ(test, del(&t, ev(DM, 0x1000, 4, 9, 2), &removed), 0);
	KUNIT_EXPECT_PTR_EQ(test, removed.ctx, token(2));
	KUNIT_EXPECT_EQ(test, t->n, 1U);
	KUNIT_EXPECT_EQ(test, hits(t, false, 0x1000, 4, 9), BIT_ULL(1));
	/* No eventfd named (fd -1): any. The last one leaves no table. */
	key = ev(0, 0x1000, 4, 0, 0);
	key.ctx = NULL;
	KUNIT_EXPECT_EQ(test, del(&t, key, &removed), 0);
	KUNIT_EXPECT_PTR_EQ(test, removed.ctx, token(1));
	KUNIT_EXPECT_NULL(test, t);
	kvfree(t);
}

static void ioeventfd_limit(struct kunit *test)
{
	struct hvm_ioevent_table *t = NULL;
	unsigned int i;

	for (i = 0; i < HVM_MAX_IOEVENTFDS; i++)
		if (add(&t, ev(i & 1 ? PIO : 0, (i / 2) * 4, 4, 0, 1))) {
			KUNIT_FAIL(test, "registration %u refused", i);
			break;
		}
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0x100000, 4, 0, 1)), -ENOSPC);
	/* A conflict is reported as such, full or not. */
	KUNIT_EXPECT_EQ(test, add(&t, ev(0, 0, 4, 0, 1)), -EEXIST);
	expect_sorted(test, t);
	KUNIT_EXPECT_EQ(test, hits(t, true, 0x3fc, 4, 0), BIT_ULL(1));
	KUNIT_EXPECT_EQ(test, hits(t, true, 0x400, 4, 0), 0ULL);
	kvfree(t);
}

/* Random tables: the binary search finds what a linear scan finds. */
static void ioeventfd_random(struct kunit *test)
{
	struct hvm_ioevent_table *t = NULL;
	unsigned int round, i;
	static const u32 lens[] = { 0, 1, 2, 4, 8 };

	for (round = 0; round < 200; round++) {
		u32 flags = (get_random_u32() & 1 ? PIO : 0) |
			    (get_random_u32() & 1 ? DM : 0);
		u32 len = lens[get_random_u32_below(5)];
		u64 addr = get_random_u32_below(64);

		if ((flags & DM) && !len)
			len = 4;
		if ((flags & PIO) && len == 8)
			len = 4;
		add(&t, ev(flags, addr, len, flags & DM ? get_random_u32_below(3) : 0,
			   get_random_u32_below(64)));
	}
	KUNIT_ASSERT_NOT_NULL(test, t);
	expect_sorted(test, t);
	for (round = 0; round < 2000; round++) {
		bool pio = get_random_u32() & 1;
		u64 addr = get_random_u32_below(72);
		u32 len = lens[1 + get_random_u32_below(4)];
		u64 data = get_random_u32_below(3), want = 0;

		for (i = 0; i < t->n; i++) {
			const struct hvm_ioevent *e = &t->e[i];

			if (!!(e->flags & PIO) == pio && e->addr == addr &&
			    hvm_ioevent_matches(e, len, data))
				want |= BIT_ULL(((unsigned long)e->ctx - 0x1000) / 8);
		}
		KUNIT_EXPECT_EQ_MSG(test, hits(t, pio, addr, len, data), want,
				    "pio %d addr %llu len %u data %llu", pio, addr, len, data);
	}
	/* And no two registrations conflict. */
	for (i = 0; i < t->n; i++) {
		struct hvm_ioevent_table *t2;
		unsigned int j;

		for (j = i + 1; j < t->n; j++) {
			struct hvm_ioevent_table *single;

			single = kvzalloc(struct_size(single, e, 1), GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, single);
			single->n = 1;
			single->e[0] = t->e[i];
			t2 = hvm_ioevent_table_add(single, &t->e[j]);
			KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(t2), "entries %u and %u conflict", i, j);
			if (!IS_ERR(t2))
				kvfree(t2);
			kvfree(single);
		}
	}
	kvfree(t);
}

static void ioeventfd_abi(struct kunit *test)
{
	struct hvm_ioeventfd ok = { .addr = 0xd0000000, .len = 4, .fd = 3 };
	struct hvm_ioeventfd a;
	int bit;

	KUNIT_EXPECT_TRUE(test, hvm_ioeventfd_valid(&ok));
	a = ok;
	a.flags = PIO;
	a.addr = 0xfffc;
	KUNIT_EXPECT_TRUE(test, hvm_ioeventfd_valid(&a));
	a.addr = 0xfffd;	/* past port 0xffff */
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
	a.addr = 0xffff;
	a.len = 0;
	KUNIT_EXPECT_TRUE(test, hvm_ioeventfd_valid(&a));
	a.len = 8;		/* no 8-byte port I/O */
	a.addr = 0;
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
	for (bit = 3; bit < 32; bit++) {
		a = ok;
		a.flags = BIT(bit);
		KUNIT_EXPECT_FALSE_MSG(test, hvm_ioeventfd_valid(&a), "flag %d", bit);
	}
	a = ok;
	a.flags = HVM_IOEVENTFD_FLAG_DEASSIGN;
	KUNIT_EXPECT_TRUE(test, hvm_ioeventfd_valid(&a));
	a = ok;
	a.padding = 1;
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
	a = ok;
	a.reserved[1] = 1;
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
	a = ok;
	a.len = 3;
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
	a.len = 16;
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
	a = ok;
	a.addr = ~0ULL - 2;	/* addr + len wraps */
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
	a.addr = ~0ULL - 3;	/* ends at 2^64: fine */
	KUNIT_EXPECT_TRUE(test, hvm_ioeventfd_valid(&a));
	a = ok;
	a.datamatch = 1;	/* without the flag */
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
	a.flags = DM;
	KUNIT_EXPECT_TRUE(test, hvm_ioeventfd_valid(&a));
	a.datamatch = 1ULL << 32;	/* wider than len */
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
	a.len = 8;
	a.datamatch = ~0ULL;
	KUNIT_EXPECT_TRUE(test, hvm_ioeventfd_valid(&a));
	a.len = 0;		/* a datamatch needs a width */
	a.datamatch = 0;
	KUNIT_EXPECT_FALSE(test, hvm_ioeventfd_valid(&a));
}

static void ioeventfd_eoi_exits_abi(struct kunit *test)
{
	struct hvm_eoi_exits e = { .bitmap = { 0xffffffffffff0000ULL, ~0ULL, ~0ULL, ~0ULL } };

	KUNIT_EXPECT_TRUE(test, hvm_eoi_exits_valid(&e));
	e.bitmap[0] |= BIT_ULL(15);
	KUNIT_EXPECT_FALSE(test, hvm_eoi_exits_valid(&e));
	e.bitmap[0] = 0;
	e.flags = 1;
	KUNIT_EXPECT_FALSE(test, hvm_eoi_exits_valid(&e));
	e.flags = 0;
	e.padding = 1;
	KUNIT_EXPECT_FALSE(test, hvm_eoi_exits_valid(&e));
}

static struct kunit_case ioeventfd_cases[] = {
	KUNIT_CASE(ioeventfd_lookup_basic),
	KUNIT_CASE(ioeventfd_conflicts),
	KUNIT_CASE(ioeventfd_deassign),
	KUNIT_CASE(ioeventfd_limit),
	KUNIT_CASE(ioeventfd_random),
	KUNIT_CASE(ioeventfd_abi),
	KUNIT_CASE(ioeventfd_eoi_exits_abi),
	{}
};

static struct kunit_suite ioeventfd_suite = {
	.name = "hvm_ioeventfd",
	.test_cases = ioeventfd_cases,
};

kunit_test_suites(&ioeventfd_suite);
