// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of memory slots: the ABI's rules for a region
 * (hvm_memslot_check), lookup by guest-physical address, and what
 * hvm_vm_set_memory_region() accepts: free slot numbers, no overlap in
 * guest-physical space, deletion that unmaps.
 */
#include <linux/sizes.h>

#include "hvm_kunit.h"

#define UADDR	0x7f0000000000UL

static struct hvm_memory_region region(u32 slot, u64 gpa, u64 size)
{
	return (struct hvm_memory_region){
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = UADDR + gpa % SZ_1G,
	};
}

static void memslot_exit(struct kunit *test)
{
	hvm_kunit_vm_destroy(test->priv);
	test->priv = NULL;
}

/* As the ioctl layer calls it: under the VM's lock. */
static int set_region(struct hvm_kunit_vm *t, const struct hvm_memory_region *r)
{
	int rc;

	mutex_lock(&t->vm->lock);
	rc = hvm_vm_set_memory_region(t->vm, r);
	mutex_unlock(&t->vm->lock);
	return rc;
}

static struct hvm_kunit_vm *memslot_setup(struct kunit *test)
{
	struct hvm_npt_format fmt;

	hvm_kunit_npt_format(&hvm_kunit_npt_params[0], &fmt);
	return hvm_kunit_vm_create(test, &fmt);
}

static void memslot_check_accepts_valid(struct kunit *test)
{
	struct hvm_memory_region r = region(0, 0, SZ_4K);

	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), 0);
	r = region(HVM_MAX_MEMSLOTS - 1, SZ_1G, SZ_2M);
	r.flags = HVM_MEM_READONLY;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), 0);
	/* Up to the last guest-physical page. */
	r = region(3, HVM_MAX_GPA - SZ_1M, SZ_1M);
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), 0);
	r = region(3, 0, HVM_MAX_GPA);
	r.userspace_addr = SZ_4K;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), 0);
}

static void memslot_check_reserved(struct kunit *test)
{
	struct hvm_memory_region r = region(0, 0, SZ_4K);

	r.reserved[0] = 1;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r.reserved[0] = 0;
	r.reserved[1] = 1ULL << 63;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	/* A deletion too. */
	r.memory_size = 0;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
}

static void memslot_check_slot_and_flags(struct kunit *test)
{
	struct hvm_memory_region r = region(HVM_MAX_MEMSLOTS, 0, SZ_4K);
	int bit;

	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r.slot = U32_MAX;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r.memory_size = 0;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);

	r = region(1, 0, SZ_4K);
	for (bit = 1; bit < 32; bit++) {
		r.flags = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, hvm_memslot_check(&r), -EINVAL,
				    "flag bit %d", bit);
	}
}

static void memslot_check_alignment(struct kunit *test)
{
	struct hvm_memory_region r = region(0, SZ_1M, SZ_64K);

	r.guest_phys_addr += 1;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r.guest_phys_addr += SZ_2K - 1;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r = region(0, SZ_1M, SZ_64K + 8);
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r = region(0, SZ_1M, SZ_64K);
	r.userspace_addr += SZ_512;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
}

/* A deletion names a slot: the other fields are not looked at. */
static void memslot_check_delete_ignores_range(struct kunit *test)
{
	struct hvm_memory_region r = region(7, 123, 0);

	r.userspace_addr = ~0ULL;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), 0);
}

static void memslot_check_guest_range(struct kunit *test)
{
	struct hvm_memory_region r = region(0, HVM_MAX_GPA - SZ_1M, SZ_2M);

	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r = region(0, HVM_MAX_GPA, SZ_4K);
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	/* Wraps around 2^64. */
	r = region(0, 0xfffffffffffff000ULL, SZ_8K);
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r = region(0, SZ_4K, 0xfffffffffffff000ULL);
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
}

static void memslot_check_user_range(struct kunit *test)
{
	struct hvm_memory_region r = region(0, 0, SZ_64K);

	/* Kernel memory is not user memory. */
	r.userspace_addr = PAGE_OFFSET;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r.userspace_addr = 0xfffffffffffff000ULL;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	/* Ends past the top of user space. */
	r.userspace_addr = (TASK_SIZE_MAX & PAGE_MASK) - SZ_4K;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), -EINVAL);
	r.memory_size = SZ_4K;
	KUNIT_EXPECT_EQ(test, hvm_memslot_check(&r), 0);
}

static void memslot_find_boundaries(struct kunit *test)
{
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region r = region(4, SZ_1M, SZ_64K);

	KUNIT_ASSERT_EQ(test, set_region(t, &r), 0);
	KUNIT_EXPECT_PTR_EQ(test, hvm_memslot_find(t->vm, SZ_1M),
			    &t->vm->memslots[4]);
	KUNIT_EXPECT_PTR_EQ(test, hvm_memslot_find(t->vm, SZ_1M + SZ_64K - 1),
			    &t->vm->memslots[4]);
	KUNIT_EXPECT_NULL(test, hvm_memslot_find(t->vm, SZ_1M - 1));
	KUNIT_EXPECT_NULL(test, hvm_memslot_find(t->vm, SZ_1M + SZ_64K));
	KUNIT_EXPECT_NULL(test, hvm_memslot_find(t->vm, 0));
	KUNIT_EXPECT_NULL(test, hvm_memslot_find(t->vm, ~0ULL));
}

/* Every slot in use, each found by its own range. */
static void memslot_find_all_slots(struct kunit *test)
{
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region r;
	int i;

	for (i = 0; i < HVM_MAX_MEMSLOTS; i++) {
		r = region(i, (u64)(HVM_MAX_MEMSLOTS - i) * SZ_2M, SZ_2M);
		KUNIT_ASSERT_EQ(test, set_region(t, &r), 0);
	}
	for (i = 0; i < HVM_MAX_MEMSLOTS; i++) {
		u64 gpa = (u64)(HVM_MAX_MEMSLOTS - i) * SZ_2M;

		KUNIT_EXPECT_PTR_EQ(test, hvm_memslot_find(t->vm, gpa),
				    &t->vm->memslots[i]);
		KUNIT_EXPECT_PTR_EQ(test, hvm_memslot_find(t->vm, gpa + SZ_1M),
				    &t->vm->memslots[i]);
	}
	KUNIT_EXPECT_NULL(test, hvm_memslot_find(t->vm, SZ_1M));
	KUNIT_EXPECT_NULL(test, hvm_memslot_find(t->vm, (HVM_MAX_MEMSLOTS + 1) * SZ_2M));
}

/*
 * Lookups scan only up to the highest slot in use: a slot added above the
 * others is found, and deleting the top slot leaves the lower ones found.
 */
static void memslot_find_after_top_changes(struct kunit *test)
{
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region low = region(2, SZ_1M, SZ_64K);
	struct hvm_memory_region top = region(HVM_MAX_MEMSLOTS - 1, SZ_4M, SZ_64K);
	struct hvm_memory_region gone = region(HVM_MAX_MEMSLOTS - 1, 0, 0);

	KUNIT_ASSERT_EQ(test, set_region(t, &low), 0);
	KUNIT_EXPECT_EQ(test, t->vm->memslots_used, 3);
	KUNIT_ASSERT_EQ(test, set_region(t, &top), 0);
	KUNIT_EXPECT_EQ(test, t->vm->memslots_used, HVM_MAX_MEMSLOTS);
	KUNIT_EXPECT_PTR_EQ(test, hvm_memslot_find(t->vm, SZ_4M + SZ_4K),
			    &t->vm->memslots[HVM_MAX_MEMSLOTS - 1]);
	KUNIT_ASSERT_EQ(test, set_region(t, &gone), 0);
	KUNIT_EXPECT_EQ(test, t->vm->memslots_used, 3);
	KUNIT_EXPECT_NULL(test, hvm_memslot_find(t->vm, SZ_4M + SZ_4K));
	KUNIT_EXPECT_PTR_EQ(test, hvm_memslot_find(t->vm, SZ_1M),
			    &t->vm->memslots[2]);
	/* The last slot gone: nothing is scanned, nothing found. */
	gone.slot = 2;
	KUNIT_ASSERT_EQ(test, set_region(t, &gone), 0);
	KUNIT_EXPECT_EQ(test, t->vm->memslots_used, 0);
	KUNIT_EXPECT_NULL(test, hvm_memslot_find(t->vm, SZ_1M));
}

/*
 * Where the MMIO emulator may write guest memory (a MOVS from MMIO): a
 * writable slot only, within one page; len 0 checks without copying.
 */
static void memslot_write_guest_phys_slots(struct kunit *test)
{
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region rw = region(1, SZ_1M, SZ_64K);
	struct hvm_memory_region ro = region(2, SZ_2M, SZ_64K);
	u64 v = 0;

	ro.flags = HVM_MEM_READONLY;
	KUNIT_ASSERT_EQ(test, set_region(t, &rw), 0);
	KUNIT_ASSERT_EQ(test, set_region(t, &ro), 0);
	KUNIT_EXPECT_EQ(test, hvm_write_guest_phys(t->vcpu, SZ_1M, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, hvm_write_guest_phys(t->vcpu, SZ_1M + SZ_64K - 1,
						   NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, hvm_write_guest_phys(t->vcpu, SZ_2M, NULL, 0),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, hvm_write_guest_phys(t->vcpu, SZ_1M + SZ_64K,
						   NULL, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, hvm_write_guest_phys(t->vcpu, 0, NULL, 0), -ENOENT);
	/* An element across a page is never copied. */
	KUNIT_EXPECT_EQ(test, hvm_write_guest_phys(t->vcpu, SZ_1M + 0xffc, &v, 8),
			-EINVAL);
}

static void memslot_set_stores_region(struct kunit *test)
{
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region r = region(9, SZ_2G, SZ_1M);
	const struct hvm_memslot *s = &t->vm->memslots[9];

	r.flags = HVM_MEM_READONLY;
	r.userspace_addr = UADDR + SZ_16M;
	KUNIT_ASSERT_EQ(test, set_region(t, &r), 0);
	KUNIT_EXPECT_EQ(test, s->gpa, SZ_2G);
	KUNIT_EXPECT_EQ(test, s->size, SZ_1M);
	KUNIT_EXPECT_EQ(test, s->uaddr, UADDR + SZ_16M);
	KUNIT_EXPECT_EQ(test, s->flags, HVM_MEM_READONLY);
}

/* Guest ranges against a slot at [1 MiB, 2 MiB). */
struct overlap_case {
	const char *name;
	u64 gpa, size;
	int rc;
};

static const struct overlap_case overlap_cases[] = {
	{ "same range", SZ_1M, SZ_1M, -EBUSY },
	{ "inside", SZ_1M + SZ_4K, SZ_4K, -EBUSY },
	{ "covers it", 0, SZ_4M, -EBUSY },
	{ "straddles the start", SZ_1M - SZ_4K, SZ_8K, -EBUSY },
	{ "straddles the end", SZ_2M - SZ_4K, SZ_8K, -EBUSY },
	{ "first page only", SZ_1M, SZ_4K, -EBUSY },
	{ "last page only", SZ_2M - SZ_4K, SZ_4K, -EBUSY },
	{ "adjacent below", 0, SZ_1M, 0 },
	{ "adjacent above", SZ_2M, SZ_1M, 0 },
	{ "far above", SZ_1G, SZ_1M, 0 },
};

static void overlap_desc(const struct overlap_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(overlap, overlap_cases, overlap_desc);

static void memslot_set_overlap_rule(struct kunit *test)
{
	const struct overlap_case *c = test->param_value;
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region r = region(0, SZ_1M, SZ_1M);

	KUNIT_ASSERT_EQ(test, set_region(t, &r), 0);
	r = region(1, c->gpa, c->size);
	KUNIT_EXPECT_EQ(test, set_region(t, &r), c->rc);
	KUNIT_EXPECT_EQ(test, t->vm->memslots[1].size, c->rc ? 0 : c->size);
	/* The slot in place is untouched either way. */
	KUNIT_EXPECT_EQ(test, t->vm->memslots[0].gpa, SZ_1M);
	KUNIT_EXPECT_EQ(test, t->vm->memslots[0].size, SZ_1M);
}

/* Overlap is about guest-physical space: one buffer may back two slots. */
static void memslot_set_shared_backing(struct kunit *test)
{
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region a = region(0, 0, SZ_1M), b = region(1, SZ_1G, SZ_1M);

	b.userspace_addr = a.userspace_addr;
	KUNIT_EXPECT_EQ(test, set_region(t, &a), 0);
	KUNIT_EXPECT_EQ(test, set_region(t, &b), 0);
}

static void memslot_set_occupied_slot(struct kunit *test)
{
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region r = region(2, 0, SZ_64K);

	KUNIT_ASSERT_EQ(test, set_region(t, &r), 0);
	r = region(2, SZ_1G, SZ_64K);
	KUNIT_EXPECT_EQ(test, set_region(t, &r), -EBUSY);
	KUNIT_EXPECT_EQ(test, t->vm->memslots[2].gpa, 0);
}

static void memslot_delete_empty_slot(struct kunit *test)
{
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region r = region(6, 0, 0);

	KUNIT_EXPECT_EQ(test, set_region(t, &r), -EINVAL);
	r = region(6, 0, SZ_64K);
	KUNIT_ASSERT_EQ(test, set_region(t, &r), 0);
	r.memory_size = 0;
	KUNIT_EXPECT_EQ(test, set_region(t, &r), 0);
	KUNIT_EXPECT_EQ(test, set_region(t, &r), -EINVAL);
}

/*
 * Deleting a slot unmaps what the guest had of it, asks every vCPU to
 * flush its TLB, and frees the range for another slot.
 */
static void memslot_delete_unmaps(struct kunit *test)
{
	struct hvm_kunit_vm *t = memslot_setup(test);
	struct hvm_memory_region r = region(0, SZ_1M, SZ_64K);
	struct hvm_memory_region other = region(1, SZ_2M, SZ_4K);
	u64 gpa;

	KUNIT_ASSERT_EQ(test, set_region(t, &r), 0);
	KUNIT_ASSERT_EQ(test, set_region(t, &other), 0);
	for (gpa = SZ_1M; gpa < SZ_1M + SZ_64K; gpa += SZ_4K)
		hvm_kunit_map(test, t, gpa, hvm_npt_leaf(&t->npt, SZ_4G + gpa, true));
	hvm_kunit_map(test, t, SZ_2M, hvm_npt_leaf(&t->npt, SZ_4G, true));
	clear_bit(HVM_REQ_TLB_FLUSH, &t->vcpu->requests);

	r.memory_size = 0;
	KUNIT_ASSERT_EQ(test, set_region(t, &r), 0);
	KUNIT_EXPECT_EQ(test, t->vm->memslots[0].size, 0);
	KUNIT_EXPECT_NULL(test, hvm_memslot_find(t->vm, SZ_1M));
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 1);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, SZ_1M), 0);
	KUNIT_EXPECT_NE(test, hvm_kunit_walk(test, t->vm, SZ_2M), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(HVM_REQ_TLB_FLUSH, &t->vcpu->requests));

	/* The range is free again, for any slot. */
	r = region(5, SZ_1M, SZ_1M);
	KUNIT_EXPECT_EQ(test, set_region(t, &r), 0);
}

static struct kunit_case memslot_cases[] = {
	KUNIT_CASE(memslot_check_accepts_valid),
	KUNIT_CASE(memslot_check_reserved),
	KUNIT_CASE(memslot_check_slot_and_flags),
	KUNIT_CASE(memslot_check_alignment),
	KUNIT_CASE(memslot_check_delete_ignores_range),
	KUNIT_CASE(memslot_check_guest_range),
	KUNIT_CASE(memslot_check_user_range),
	KUNIT_CASE(memslot_find_boundaries),
	KUNIT_CASE(memslot_find_all_slots),
	KUNIT_CASE(memslot_find_after_top_changes),
	KUNIT_CASE(memslot_write_guest_phys_slots),
	KUNIT_CASE(memslot_set_stores_region),
	KUNIT_CASE_PARAM(memslot_set_overlap_rule, overlap_gen_params),
	KUNIT_CASE(memslot_set_shared_backing),
	KUNIT_CASE(memslot_set_occupied_slot),
	KUNIT_CASE(memslot_delete_empty_slot),
	KUNIT_CASE(memslot_delete_unmaps),
	{}
};

static struct kunit_suite memslot_suite = {
	.name = "hvm_memslot",
	.exit = memslot_exit,
	.test_cases = memslot_cases,
};

kunit_test_suites(&memslot_suite);
