// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the nested page tables (kmod/mmu.c), on SVM's format at 4
 * and 5 levels and on VMX's EPT: construction, what a walk finds,
 * zapping ranges, teardown, and the MMU notifier's zaps and TLB flushes.
 * The tables are checked by an independent walker (kunit/hvm_kunit.c), not
 * by the code under test. Leaves point at made-up addresses that nothing
 * dereferences: hvm only follows directory entries.
 */
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sizes.h>

#include "hvm_kunit.h"

KUNIT_ARRAY_PARAM(npt, hvm_kunit_npt_params, hvm_kunit_npt_param_desc);

/* The format of this run: the parameter's, or SVM's 4-level one. */
static struct hvm_kunit_vm *mmu_setup(struct kunit *test)
{
	const struct hvm_kunit_npt_param *p = test->param_value;
	struct hvm_npt_format fmt;

	hvm_kunit_npt_format(p ? p : &hvm_kunit_npt_params[0], &fmt);
	return hvm_kunit_vm_create(test, &fmt);
}

static void mmu_exit(struct kunit *test)
{
	hvm_kunit_vm_destroy(test->priv);
	test->priv = NULL;
}

/* A host physical address for the page at gpa: made up, never touched. */
static u64 fake_pa(u64 gpa)
{
	return (gpa + SZ_4G) & HVM_KUNIT_NPT_ADDR;
}

static u64 leaf_for(struct hvm_kunit_vm *t, u64 gpa, bool writable)
{
	return hvm_npt_leaf(&t->npt, fake_pa(gpa), writable);
}

static void npt_format_is_sane(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	const struct hvm_npt_format *f = &t->npt;
	u64 flags = f->present | f->dir | f->leaf | f->leaf_write |
		    f->leaf_exec | f->leaf_noexec;

	KUNIT_EXPECT_TRUE(test, f->levels == 4 || f->levels == 5);
	/* No flag may land in the address field. */
	KUNIT_EXPECT_EQ(test, flags & HVM_KUNIT_NPT_ADDR, 0);
	KUNIT_EXPECT_NE(test, f->dir & f->present, 0);
	KUNIT_EXPECT_NE(test, f->leaf & f->present, 0);
	/* Read-only leaves must lack every write bit. */
	KUNIT_EXPECT_EQ(test, f->leaf & f->leaf_write, 0);
	KUNIT_EXPECT_NE(test, f->leaf_write, 0);
	KUNIT_EXPECT_EQ(test, f->leaf_exec & f->leaf_noexec, 0);
	KUNIT_EXPECT_EQ(test, f->leaf & f->leaf_noexec, 0);
}

/* SVM: nested walks are user accesses, so U/S is set everywhere. */
static void npt_svm_format_bits(struct kunit *test)
{
	const struct hvm_npt_format *f = hvm_svm_ops.npt;

	KUNIT_EXPECT_EQ(test, f->present, _PAGE_PRESENT);
	KUNIT_EXPECT_EQ(test, f->dir, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
			_PAGE_ACCESSED);
	KUNIT_EXPECT_EQ(test, f->leaf & (_PAGE_PRESENT | _PAGE_USER),
			_PAGE_PRESENT | _PAGE_USER);
	KUNIT_EXPECT_EQ(test, f->leaf_write & (_PAGE_RW | _PAGE_DIRTY),
			_PAGE_RW | _PAGE_DIRTY);
	KUNIT_EXPECT_EQ(test, f->leaf_noexec, _PAGE_NX);
	KUNIT_EXPECT_EQ(test, (f->leaf | f->leaf_exec) & _PAGE_NX, 0);
}

/* VMX: EPT entries are present when readable, writable or executable. */
static void npt_vmx_format_bits(struct kunit *test)
{
	const struct hvm_npt_format *f = hvm_vmx_ops.npt;

	KUNIT_EXPECT_EQ(test, f->present, 7);			/* R, W, X */
	KUNIT_EXPECT_EQ(test, f->dir, 7);
	KUNIT_EXPECT_EQ(test, f->leaf & 7, 1);			/* R */
	KUNIT_EXPECT_EQ(test, (f->leaf >> 3) & 7, 6);		/* memory type WB */
	KUNIT_EXPECT_EQ(test, f->leaf_write, 2);		/* W */
	KUNIT_EXPECT_EQ(test, f->leaf_exec, 4);			/* X */
	KUNIT_EXPECT_EQ(test, f->leaf_noexec, 0);
	KUNIT_EXPECT_EQ(test, f->levels, 4);
}

static void npt_leaf_permissions(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	const struct hvm_npt_format *f = &t->npt;
	u64 pa = 0x123456000ULL, rw, ro;

	rw = hvm_npt_leaf(f, pa, true);
	ro = hvm_npt_leaf(f, pa, false);
	KUNIT_EXPECT_EQ(test, rw & HVM_KUNIT_NPT_ADDR, pa);
	KUNIT_EXPECT_EQ(test, ro & HVM_KUNIT_NPT_ADDR, pa);
	KUNIT_EXPECT_EQ(test, rw & f->leaf_write, f->leaf_write);
	KUNIT_EXPECT_EQ(test, ro & f->leaf_write, 0);
	KUNIT_EXPECT_EQ(test, rw & f->leaf, f->leaf);
	KUNIT_EXPECT_EQ(test, ro & f->leaf, f->leaf);
	/* Guest memory is executable. */
	KUNIT_EXPECT_EQ(test, ro & f->leaf_exec, f->leaf_exec);
	KUNIT_EXPECT_EQ(test, (rw | ro) & f->leaf_noexec, 0);
	KUNIT_EXPECT_EQ(test, rw & ~(HVM_KUNIT_NPT_ADDR | f->leaf | f->leaf_write |
				     f->leaf_exec), 0);
}

static void npt_init_makes_empty_root(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t->vm->npt_root);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(t->vm->npt_root));
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, 1);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 0);
	for (i = 0; i < 512; i++)
		KUNIT_EXPECT_EQ(test, t->vm->npt_root[i], 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, 0), 0);
}

/* The page cache holds one table per level below the root, no more. */
static void npt_cache_topup_and_free(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);

	KUNIT_EXPECT_EQ(test, hvm_npt_cache_topup(t->vcpu), 0);
	KUNIT_EXPECT_EQ(test, t->vcpu->npt_cache_n, t->npt.levels - 1);
	KUNIT_EXPECT_EQ(test, hvm_npt_cache_topup(t->vcpu), 0);
	KUNIT_EXPECT_EQ(test, t->vcpu->npt_cache_n, t->npt.levels - 1);
	KUNIT_EXPECT_LE(test, t->vcpu->npt_cache_n, HVM_NPT_CACHE_PAGES);
	hvm_npt_cache_free(t->vcpu);
	KUNIT_EXPECT_EQ(test, t->vcpu->npt_cache_n, 0);
}

/* One page: a table per level, a leaf a walk finds, nothing around it. */
static void npt_map_one_page(struct kunit *test)
{
	static const u64 gpas[] = {
		0, SZ_4K, SZ_2M - SZ_4K, SZ_2M, SZ_1G, SZ_1G + SZ_2M + SZ_4K,
		0x8000000000ULL, HVM_MAX_GPA - SZ_4K,
	};
	struct hvm_kunit_vm *t;
	int i;

	for (i = 0; i < ARRAY_SIZE(gpas); i++) {
		u64 gpa = gpas[i], leaf;

		t = mmu_setup(test);
		leaf = leaf_for(t, gpa, i & 1);
		hvm_kunit_map(test, t, gpa, leaf);
		KUNIT_EXPECT_EQ_MSG(test, hvm_kunit_walk(test, t->vm, gpa), leaf,
				    "gpa %#llx", gpa);
		KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 1);
		KUNIT_EXPECT_EQ(test, t->vm->npt_pages, t->npt.levels);
		KUNIT_EXPECT_EQ(test, t->vcpu->npt_cache_n, 0);
		if (gpa)
			KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa - SZ_4K), 0);
		if (gpa + SZ_4K < HVM_MAX_GPA)
			KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa + SZ_4K), 0);
		KUNIT_EXPECT_EQ(test, hvm_kunit_table_pages(t->vm, NULL, 0),
				t->vm->npt_pages);
		mmu_exit(test);
	}
}

/* 512 pages of one 2 MiB region share their tables. */
static void npt_map_shares_tables(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	u64 base = 3ULL * SZ_1G + 5 * SZ_2M, gpa;

	for (gpa = base; gpa < base + SZ_2M; gpa += SZ_4K)
		hvm_kunit_map(test, t, gpa, leaf_for(t, gpa, true));
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 512);
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, t->npt.levels);
	for (gpa = base; gpa < base + SZ_2M; gpa += SZ_4K)
		KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa),
				leaf_for(t, gpa, true));
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, base - SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, base + SZ_2M), 0);
}

/* Crossing a 2 MiB, 1 GiB, 512 GiB boundary costs one more level each. */
static void npt_map_new_table_per_level(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	unsigned long pages = t->npt.levels;

	hvm_kunit_map(test, t, 0, leaf_for(t, 0, true));
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, pages);
	hvm_kunit_map(test, t, SZ_2M, leaf_for(t, SZ_2M, true));
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, pages + 1);
	hvm_kunit_map(test, t, SZ_1G, leaf_for(t, SZ_1G, true));
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, pages + 3);
	hvm_kunit_map(test, t, 0x8000000000ULL, leaf_for(t, 0x8000000000ULL, true));
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, pages + 6);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 4);
	KUNIT_EXPECT_EQ(test, hvm_kunit_table_pages(t->vm, NULL, 0), pages + 6);
}

/* Mapping a mapped page replaces the leaf and counts it once. */
static void npt_remap_replaces_leaf(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	u64 gpa = SZ_1G + SZ_4K;

	hvm_kunit_map(test, t, gpa, leaf_for(t, gpa, true));
	hvm_kunit_map(test, t, gpa, hvm_npt_leaf(&t->npt, SZ_2G, false));
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa),
			hvm_npt_leaf(&t->npt, SZ_2G, false));
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 1);
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, t->npt.levels);
}

static void map_range(struct kunit *test, struct hvm_kunit_vm *t, u64 start,
		      u64 size)
{
	u64 gpa;

	for (gpa = start; gpa < start + size; gpa += SZ_4K)
		hvm_kunit_map(test, t, gpa, leaf_for(t, gpa, true));
}

/* Zapping across a 2 MiB boundary clears exactly the range. */
static void npt_zap_exact_range(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	u64 start = SZ_2M - 32 * SZ_4K, zs = SZ_2M - 8 * SZ_4K, ze = SZ_2M + 8 * SZ_4K;
	unsigned long seq, tables;
	u64 gpa;

	map_range(test, t, start, 64 * SZ_4K);
	seq = t->vm->mmu_seq;
	tables = t->vm->npt_pages;
	hvm_kunit_zap(t, zs, ze - zs);
	for (gpa = start; gpa < start + 64 * SZ_4K; gpa += SZ_4K)
		KUNIT_EXPECT_EQ_MSG(test, hvm_kunit_walk(test, t->vm, gpa),
				    gpa >= zs && gpa < ze ? 0 : leaf_for(t, gpa, true),
				    "gpa %#llx", gpa);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 48);
	KUNIT_EXPECT_EQ(test, t->vm->mmu_seq, seq + 1);
	/* Zapping frees no table: teardown does. */
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, tables);
	KUNIT_EXPECT_EQ(test, hvm_kunit_table_pages(t->vm, NULL, 0), tables);
}

/*
 * 2 MiB leaves. SVM's format always has them; the VMX backend adds bit 7
 * when EPT supports 2 MiB pages, as the lab's CPUs do: these tests do too.
 */
static struct hvm_kunit_vm *large_setup(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);

	if (!t->npt.large)
		t->npt.large = BIT_ULL(7);
	return t;
}

static u64 large_leaf(struct hvm_kunit_vm *t, u64 pa, bool writable)
{
	return hvm_npt_leaf(&t->npt, pa, writable) | t->npt.large;
}

/* One 2 MiB leaf maps all 512 pages, one table level fewer; a zap of one page takes all. */
static void npt_large_map_and_zap(struct kunit *test)
{
	struct hvm_kunit_vm *t = large_setup(test);
	u64 gpa = SZ_1G + 3 * SZ_2M, leaf = large_leaf(t, SZ_4G + SZ_2M, true);
	u64 off;

	KUNIT_EXPECT_FALSE(test, hvm_kunit_map_large(test, t, gpa + 5 * SZ_4K, leaf));
	for (off = 0; off < SZ_2M; off += 97 * SZ_4K)
		KUNIT_EXPECT_EQ_MSG(test, hvm_kunit_walk(test, t->vm, gpa + off),
				    leaf, "offset %#llx", off);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa - SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa + SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 512);
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, t->npt.levels - 1);
	KUNIT_EXPECT_EQ(test, hvm_kunit_table_pages(t->vm, NULL, 0),
			t->vm->npt_pages);

	hvm_kunit_zap(t, gpa + 100 * SZ_4K, SZ_4K);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa), 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa + SZ_2M - SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 0);
}

/* A 4 KiB map under a 2 MiB leaf replaces it by a table, and asks for a flush. */
static void npt_large_split_by_small(struct kunit *test)
{
	struct hvm_kunit_vm *t = large_setup(test);
	u64 gpa = 7 * SZ_2M, small = leaf_for(t, gpa + SZ_4K, false);

	hvm_kunit_map_large(test, t, gpa, large_leaf(t, SZ_4G, true));
	KUNIT_ASSERT_EQ(test, hvm_npt_cache_topup(t->vcpu), 0);
	spin_lock(&t->vm->mmu_lock);
	KUNIT_EXPECT_TRUE(test, hvm_npt_map(t->vcpu, gpa + SZ_4K, small, 1));
	spin_unlock(&t->vm->mmu_lock);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa + SZ_4K), small);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa), 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa + 2 * SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 1);
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, t->npt.levels);
	KUNIT_EXPECT_EQ(test, hvm_kunit_table_pages(t->vm, NULL, 0),
			t->vm->npt_pages);
}

/*
 * Where a table of 4 KiB entries exists, a 2 MiB leaf goes in as the one
 * 4 KiB leaf the fault needs, at the right address, and the table stays.
 */
static void npt_large_over_table_maps_small(struct kunit *test)
{
	struct hvm_kunit_vm *t = large_setup(test);
	u64 gpa = 9 * SZ_2M, pa = SZ_4G + 4 * SZ_2M;
	unsigned long tables;

	hvm_kunit_map(test, t, gpa, leaf_for(t, gpa, true));
	hvm_kunit_zap(t, gpa, SZ_2M);
	tables = t->vm->npt_pages;
	KUNIT_EXPECT_FALSE(test, hvm_kunit_map_large(test, t, gpa + 7 * SZ_4K,
						     large_leaf(t, pa, true)));
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa + 7 * SZ_4K),
			hvm_npt_leaf(&t->npt, pa + 7 * SZ_4K, true));
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, gpa + 6 * SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 1);
	KUNIT_EXPECT_EQ(test, t->vm->npt_pages, tables);
}

/* Teardown with 2 MiB leaves frees the tables and never follows a leaf. */
static void npt_large_destroy(struct kunit *test)
{
	struct hvm_kunit_vm *t = large_setup(test);
	int i;

	for (i = 0; i < 8; i++)
		hvm_kunit_map_large(test, t, (u64)i * SZ_1G + SZ_2M,
				    large_leaf(t, SZ_4G + i * SZ_2M, i & 1));
	hvm_kunit_map(test, t, SZ_1G + 4 * SZ_2M, leaf_for(t, 0, true));
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 8 * 512 + 1);
	KUNIT_EXPECT_EQ(test, hvm_kunit_table_pages(t->vm, NULL, 0),
			t->vm->npt_pages);
	hvm_mmu_destroy(t->vm);
	KUNIT_EXPECT_NULL(test, t->vm->npt_root);
}

/* Scattered pages; the zap spans 1 GiB and 512 GiB boundaries. */
static void npt_zap_sparse(struct kunit *test)
{
	static const u64 gpas[] = {
		0, SZ_4K, SZ_2M, SZ_1G - SZ_4K, SZ_1G, 0x8000000000ULL - SZ_4K,
		0x8000000000ULL, 0x8000000000ULL + SZ_4K, HVM_MAX_GPA - SZ_4K,
	};
	const u64 zs = SZ_1G, ze = 0x8000000000ULL + SZ_4K;
	struct hvm_kunit_vm *t = mmu_setup(test);
	unsigned long left = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(gpas); i++)
		hvm_kunit_map(test, t, gpas[i], leaf_for(t, gpas[i], false));
	hvm_kunit_zap(t, zs, ze - zs);
	for (i = 0; i < ARRAY_SIZE(gpas); i++) {
		bool gone = gpas[i] >= zs && gpas[i] < ze;

		KUNIT_EXPECT_EQ_MSG(test, hvm_kunit_walk(test, t->vm, gpas[i]),
				    gone ? 0 : leaf_for(t, gpas[i], false),
				    "gpa %#llx", gpas[i]);
		left += !gone;
	}
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, left);
}

/* A zap where nothing is mapped changes no entry but still counts. */
static void npt_zap_unmapped(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	unsigned long seq;

	map_range(test, t, SZ_1G, 4 * SZ_4K);
	seq = t->vm->mmu_seq;
	hvm_kunit_zap(t, SZ_2G, SZ_1G);
	hvm_kunit_zap(t, SZ_1G + 4 * SZ_4K, SZ_4K);
	hvm_kunit_zap(t, SZ_1G, 0);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 4);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, SZ_1G + 3 * SZ_4K),
			leaf_for(t, SZ_1G + 3 * SZ_4K, true));
	/* Faults in flight must retry after any zap. */
	KUNIT_EXPECT_EQ(test, t->vm->mmu_seq, seq + 3);
}

static void npt_zap_everything(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);

	map_range(test, t, 0, 16 * SZ_4K);
	map_range(test, t, SZ_1G - 8 * SZ_4K, 16 * SZ_4K);
	hvm_kunit_map(test, t, HVM_MAX_GPA - SZ_4K, leaf_for(t, HVM_MAX_GPA - SZ_4K, true));
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 33);
	hvm_kunit_zap(t, 0, HVM_MAX_GPA);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, 0), 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, SZ_1G), 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, HVM_MAX_GPA - SZ_4K), 0);
}

/*
 * Teardown frees every table page: the walker lists them all (as many as
 * npt_pages says), and once hvm_mmu_destroy() returns each one has no
 * reference left. Interrupts are off in between, so no one on this CPU
 * can have been given one of the pages again.
 */
static void npt_destroy_frees_every_table(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	unsigned long n, i, flags, still_used = 0;
	u64 **pages;

	map_range(test, t, 0, 8 * SZ_4K);
	map_range(test, t, SZ_1G + SZ_2M, 4 * SZ_4K);
	hvm_kunit_map(test, t, 0x8000000000ULL, leaf_for(t, 0x8000000000ULL, true));
	hvm_kunit_map(test, t, HVM_MAX_GPA - SZ_4K, leaf_for(t, HVM_MAX_GPA - SZ_4K, true));
	hvm_kunit_zap(t, SZ_1G, SZ_1G);	/* empty tables are freed too */

	pages = kunit_kcalloc(test, 64, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	n = hvm_kunit_table_pages(t->vm, pages, 64);
	KUNIT_ASSERT_LE(test, n, 64);
	KUNIT_EXPECT_EQ(test, n, t->vm->npt_pages);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, page_ref_count(virt_to_page(pages[i])), 1);

	local_irq_save(flags);
	hvm_mmu_destroy(t->vm);
	for (i = 0; i < n; i++)
		still_used += page_ref_count(virt_to_page(pages[i])) != 0;
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, still_used, 0);
	KUNIT_EXPECT_NULL(test, t->vm->npt_root);
}

/* ---- The MMU notifier ------------------------------------------------ */

#define UADDR	0x7f0000000000UL

static void add_slot(struct hvm_kunit_vm *t, int i, u64 gpa, u64 size,
		     unsigned long uaddr)
{
	spin_lock(&t->vm->mmu_lock);
	t->vm->memslots[i] = (struct hvm_memslot){
		.gpa = gpa, .size = size, .uaddr = uaddr,
	};
	spin_unlock(&t->vm->mmu_lock);
}

static void invalidate(struct hvm_kunit_vm *t, unsigned long start,
		       unsigned long end, bool and_end)
{
	struct mmu_notifier_range range = { .start = start, .end = end };

	hvm_mmu_notifier_ops.invalidate_range_start(&t->vm->mn, &range);
	if (and_end)
		hvm_mmu_notifier_ops.invalidate_range_end(&t->vm->mn, &range);
}

static bool flush_requested(struct hvm_kunit_vm *t)
{
	return test_and_clear_bit(HVM_REQ_TLB_FLUSH, &t->vcpu->requests);
}

/* A process range maps to guest ranges through each slot's offset. */
static void mn_invalidate_zaps_slot_pages(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	unsigned long seq;

	add_slot(t, 0, 0, SZ_1M, UADDR);
	add_slot(t, 5, SZ_1G, SZ_64K, UADDR + SZ_1M);
	map_range(test, t, 0, SZ_1M);
	map_range(test, t, SZ_1G, SZ_64K);
	seq = t->vm->mmu_seq;

	/* The last page of slot 0 and the first two of slot 5. */
	invalidate(t, UADDR + SZ_1M - SZ_4K, UADDR + SZ_1M + 2 * SZ_4K, false);
	KUNIT_EXPECT_EQ(test, t->vm->mmu_invalidating, 1);
	KUNIT_EXPECT_TRUE(test, flush_requested(t));
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, SZ_1M - SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, SZ_1G), 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, SZ_1G + SZ_4K), 0);
	KUNIT_EXPECT_NE(test, hvm_kunit_walk(test, t->vm, SZ_1M - 2 * SZ_4K), 0);
	KUNIT_EXPECT_NE(test, hvm_kunit_walk(test, t->vm, SZ_1G + 2 * SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 256 + 16 - 3);

	hvm_mmu_notifier_ops.invalidate_range_end(&t->vm->mn,
		&(struct mmu_notifier_range){ .start = UADDR, .end = UADDR + 1 });
	KUNIT_EXPECT_EQ(test, t->vm->mmu_invalidating, 0);
	/* Both ends move the sequence: a fault that began in between retries. */
	KUNIT_EXPECT_EQ(test, t->vm->mmu_seq, seq + 2);
}

/* Memory no slot uses: no zap, no TLB flush. */
static void mn_invalidate_elsewhere(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);

	add_slot(t, 0, 0, SZ_64K, UADDR);
	map_range(test, t, 0, SZ_64K);
	invalidate(t, UADDR + SZ_64K, UADDR + SZ_1M, true);
	invalidate(t, 0, UADDR, true);
	KUNIT_EXPECT_FALSE(test, flush_requested(t));
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 16);
	KUNIT_EXPECT_EQ(test, t->vm->mmu_invalidating, 0);
}

/* A slot's memory that the guest never touched: nothing to flush. */
static void mn_invalidate_unmapped_slot(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);

	add_slot(t, 0, 0, SZ_64K, UADDR);
	add_slot(t, 1, SZ_1M, SZ_64K, UADDR + SZ_1M);
	map_range(test, t, 0, SZ_64K);
	invalidate(t, UADDR + SZ_1M, UADDR + SZ_1M + SZ_64K, true);
	KUNIT_EXPECT_FALSE(test, flush_requested(t));
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 16);
}

/* Two slots backed by the same memory: both guest ranges go. */
static void mn_invalidate_aliases(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);

	add_slot(t, 0, 0, SZ_64K, UADDR);
	add_slot(t, 1, SZ_1G, SZ_64K, UADDR);
	map_range(test, t, 0, SZ_64K);
	map_range(test, t, SZ_1G, SZ_64K);
	invalidate(t, UADDR + SZ_4K, UADDR + 2 * SZ_4K, true);
	KUNIT_EXPECT_TRUE(test, flush_requested(t));
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, SZ_1G + SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 30);
}

/* Nested invalidations: the count goes back to zero only at the last end. */
static void mn_invalidate_nests(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);

	invalidate(t, UADDR, UADDR + SZ_4K, false);
	invalidate(t, UADDR + SZ_1M, UADDR + SZ_2M, false);
	KUNIT_EXPECT_EQ(test, t->vm->mmu_invalidating, 2);
	hvm_mmu_notifier_ops.invalidate_range_end(&t->vm->mn,
		&(struct mmu_notifier_range){ .start = UADDR, .end = UADDR + SZ_4K });
	KUNIT_EXPECT_EQ(test, t->vm->mmu_invalidating, 1);
	hvm_mmu_notifier_ops.invalidate_range_end(&t->vm->mn,
		&(struct mmu_notifier_range){ .start = UADDR + SZ_1M, .end = UADDR + SZ_2M });
	KUNIT_EXPECT_EQ(test, t->vm->mmu_invalidating, 0);
}

/* The process's memory is going away: nothing stays mapped. */
static void mn_release_zaps_everything(struct kunit *test)
{
	struct hvm_kunit_vm *t = mmu_setup(test);
	unsigned long seq;

	add_slot(t, 0, 0, SZ_64K, UADDR);
	add_slot(t, 31, HVM_MAX_GPA - SZ_64K, SZ_64K, UADDR + SZ_1G);
	map_range(test, t, 0, SZ_64K);
	map_range(test, t, HVM_MAX_GPA - SZ_64K, SZ_64K);
	seq = t->vm->mmu_seq;
	hvm_mmu_notifier_ops.release(&t->vm->mn, NULL);
	KUNIT_EXPECT_EQ(test, t->vm->mapped_pages, 0);
	KUNIT_EXPECT_TRUE(test, flush_requested(t));
	KUNIT_EXPECT_GT(test, t->vm->mmu_seq, seq);
	KUNIT_EXPECT_EQ(test, hvm_kunit_walk(test, t->vm, HVM_MAX_GPA - SZ_4K), 0);
}

static struct kunit_case mmu_cases[] = {
	KUNIT_CASE_PARAM(npt_format_is_sane, npt_gen_params),
	KUNIT_CASE(npt_svm_format_bits),
	KUNIT_CASE(npt_vmx_format_bits),
	KUNIT_CASE_PARAM(npt_leaf_permissions, npt_gen_params),
	KUNIT_CASE_PARAM(npt_init_makes_empty_root, npt_gen_params),
	KUNIT_CASE_PARAM(npt_cache_topup_and_free, npt_gen_params),
	KUNIT_CASE_PARAM(npt_map_one_page, npt_gen_params),
	KUNIT_CASE_PARAM(npt_map_shares_tables, npt_gen_params),
	KUNIT_CASE_PARAM(npt_map_new_table_per_level, npt_gen_params),
	KUNIT_CASE_PARAM(npt_remap_replaces_leaf, npt_gen_params),
	KUNIT_CASE_PARAM(npt_zap_exact_range, npt_gen_params),
	KUNIT_CASE_PARAM(npt_zap_sparse, npt_gen_params),
	KUNIT_CASE_PARAM(npt_zap_unmapped, npt_gen_params),
	KUNIT_CASE_PARAM(npt_zap_everything, npt_gen_params),
	KUNIT_CASE_PARAM(npt_destroy_frees_every_table, npt_gen_params),
	KUNIT_CASE_PARAM(npt_large_map_and_zap, npt_gen_params),
	KUNIT_CASE_PARAM(npt_large_split_by_small, npt_gen_params),
	KUNIT_CASE_PARAM(npt_large_over_table_maps_small, npt_gen_params),
	KUNIT_CASE_PARAM(npt_large_destroy, npt_gen_params),
	KUNIT_CASE(mn_invalidate_zaps_slot_pages),
	KUNIT_CASE(mn_invalidate_elsewhere),
	KUNIT_CASE(mn_invalidate_unmapped_slot),
	KUNIT_CASE(mn_invalidate_aliases),
	KUNIT_CASE(mn_invalidate_nests),
	KUNIT_CASE(mn_release_zaps_everything),
	{}
};

static struct kunit_suite mmu_suite = {
	.name = "hvm_npt",
	.exit = mmu_exit,
	.test_cases = mmu_cases,
};

kunit_test_suites(&mmu_suite);
