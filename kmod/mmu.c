// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page tables, built on demand from the process's own memory.
 *
 * Policy: a nested-page fault looks the page up with get_user_pages_fast(),
 * maps it, and drops the reference at once, as KVM does: pages are not
 * pinned. What keeps the guest from touching a page the process no longer
 * maps is the MMU notifier: every invalidation of the process's page tables
 * (munmap, mprotect, swap-out, migration, COW, exit) zaps the nested entries
 * of that range and flushes the guest TLBs before the kernel may reuse the
 * page. A fault that raced with an invalidation (mmu_seq moved, or one is
 * in progress) drops its page and retries.
 *
 * Where the process maps a 2 MiB-aligned stretch of a slot with one PMD
 * (a transparent huge page, or hugetlbfs), the guest gets one 2 MiB leaf
 * for it. Any invalidation inside such a leaf zaps all of it.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched/signal.h>

#include "hvm_core.h"

#define HVM_NPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define HVM_NPT_LARGE_SIZE	(1ULL << (PAGE_SHIFT + 9))
#define HVM_NPT_LARGE_PAGES	512

/* A leaf above level 1: a 2 MiB page. */
static bool hvm_npt_is_large(const struct hvm_npt_format *fmt, u64 entry,
			     int level)
{
	return level == 2 && fmt->large && (entry & fmt->large);
}

static unsigned int hvm_npt_shift(int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static u64 *hvm_npt_next(u64 entry)
{
	return __va(entry & HVM_NPT_ADDR_MASK);
}

int hvm_mmu_init(struct hvm_vm *vm)
{
	vm->npt_root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->npt_root)
		return -ENOMEM;
	vm->npt_pages = 1;
	return 0;
}

static void hvm_npt_free_table(u64 *table, int level)
{
	const struct hvm_npt_format *fmt = hvm_ops->npt;
	int i;

	if (level > 1) {
		for (i = 0; i < 512; i++)
			if ((table[i] & fmt->present) &&
			    !hvm_npt_is_large(fmt, table[i], level))
				hvm_npt_free_table(hvm_npt_next(table[i]),
						   level - 1);
	}
	free_page((unsigned long)table);
}

void hvm_mmu_destroy(struct hvm_vm *vm)
{
	hvm_npt_free_table(vm->npt_root, hvm_ops->npt->levels);
	vm->npt_root = NULL;
}

/* Fill the vCPU's page cache so that a fault never allocates under lock. */
int hvm_npt_cache_topup(struct hvm_vcpu *vcpu)
{
	while (vcpu->npt_cache_n < hvm_ops->npt->levels - 1) {
		void *page = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

		if (!page)
			return -ENOMEM;
		vcpu->npt_cache[vcpu->npt_cache_n++] = page;
	}
	return 0;
}

void hvm_npt_cache_free(struct hvm_vcpu *vcpu)
{
	while (vcpu->npt_cache_n)
		free_page((unsigned long)vcpu->npt_cache[--vcpu->npt_cache_n]);
}

/* The leaf entry that maps the page at pa, in the vendor's format. */
u64 hvm_npt_leaf(const struct hvm_npt_format *fmt, phys_addr_t pa,
		 bool writable)
{
	return pa | fmt->leaf | fmt->leaf_exec |
	       (writable ? fmt->leaf_write : 0);
}

/*
 * Install a leaf at level 1 (4 KiB) or 2 (2 MiB; leaf has fmt->large and a
 * 2 MiB-aligned address). Where a table already holds 4 KiB entries, a
 * 2 MiB leaf goes in as the one 4 KiB leaf gpa needs: the table stays, so
 * no hardware walker can be left reading a freed page. A 4 KiB leaf under
 * a 2 MiB one replaces it by a table; then the caller flushes the TLBs
 * (returns true). Caller holds mmu_lock and topped up the cache.
 */
bool hvm_npt_map(struct hvm_vcpu *vcpu, u64 gpa, u64 leaf, int level)
{
	const struct hvm_npt_format *fmt = hvm_ops->npt;
	struct hvm_vm *vm = vcpu->vm;
	u64 *table = vm->npt_root;
	bool flush = false;
	unsigned int idx;
	int l;

	for (l = fmt->levels; l > level; l--) {
		idx = (gpa >> hvm_npt_shift(l)) & 511;
		if (hvm_npt_is_large(fmt, table[idx], l)) {
			WRITE_ONCE(table[idx], 0);
			vm->mapped_pages -= HVM_NPT_LARGE_PAGES;
			flush = true;
		}
		if (!(table[idx] & fmt->present)) {
			void *page = vcpu->npt_cache[--vcpu->npt_cache_n];

			WRITE_ONCE(table[idx], __pa(page) | fmt->dir);
			vm->npt_pages++;
		}
		table = hvm_npt_next(table[idx]);
	}
	idx = (gpa >> hvm_npt_shift(level)) & 511;
	if (level == 2 && (table[idx] & fmt->present) &&
	    !hvm_npt_is_large(fmt, table[idx], level)) {
		leaf = (leaf & ~fmt->large) +
		       (gpa & (HVM_NPT_LARGE_SIZE - 1) & PAGE_MASK);
		table = hvm_npt_next(table[idx]);
		idx = (gpa >> PAGE_SHIFT) & 511;
		level = 1;
	}
	if (!(table[idx] & fmt->present))
		vm->mapped_pages += level == 2 ? HVM_NPT_LARGE_PAGES : 1;
	if (level == 2)
		atomic_long_inc(&hvm_npt_large_maps);
	WRITE_ONCE(table[idx], leaf);
	return flush;
}

static bool hvm_npt_zap(struct hvm_vm *vm, u64 *table, int level, u64 start,
			u64 end)
{
	const struct hvm_npt_format *fmt = hvm_ops->npt;
	u64 present = fmt->present;
	u64 span = 1ULL << hvm_npt_shift(level);
	bool zapped = false;
	u64 addr, next;

	for (addr = start; addr < end; addr = next) {
		unsigned int idx = (addr >> hvm_npt_shift(level)) & 511;

		next = (addr & ~(span - 1)) + span;
		if (!(table[idx] & present))
			continue;
		if (level == 1) {
			WRITE_ONCE(table[idx], 0);
			vm->mapped_pages--;
			zapped = true;
		} else if (hvm_npt_is_large(fmt, table[idx], level)) {
			/* Part of a 2 MiB leaf changed: all of it goes. */
			WRITE_ONCE(table[idx], 0);
			vm->mapped_pages -= HVM_NPT_LARGE_PAGES;
			zapped = true;
		} else {
			zapped |= hvm_npt_zap(vm, hvm_npt_next(table[idx]),
					      level - 1, addr, min(next, end));
		}
	}
	return zapped;
}

/*
 * Unmap [gpa, gpa + size). Caller holds mmu_lock, and calls
 * hvm_vm_flush_tlbs() after dropping it. Faults in flight retry.
 */
void hvm_mmu_zap_range(struct hvm_vm *vm, u64 gpa, u64 size)
{
	vm->mmu_seq++;
	hvm_npt_zap(vm, vm->npt_root, hvm_ops->npt->levels, gpa, gpa + size);
}

/*
 * Does the process map hva with a leaf of 2 MiB or more (writable if
 * writable)? Read locklessly as GUP-fast does: with interrupts off no page
 * table can be freed under us; a change races with mmu_seq, which the
 * caller checks after.
 */
static bool hvm_host_maps_large(struct mm_struct *mm, unsigned long hva,
				bool writable)
{
	unsigned long flags;
	bool large = false;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;

	local_irq_save(flags);
	pgd = READ_ONCE(*pgd_offset(mm, hva));
	if (!pgd_present(pgd))
		goto out;
	p4d = READ_ONCE(*p4d_offset(&pgd, hva));
	if (!p4d_present(p4d))
		goto out;
	pud = READ_ONCE(*pud_offset(&p4d, hva));
	if (!pud_present(pud))
		goto out;
	if (pud_leaf(pud)) {
		large = !writable || pud_write(pud);
		goto out;
	}
	pmd = READ_ONCE(*pmd_offset(&pud, hva));
	large = pmd_present(pmd) && pmd_leaf(pmd) &&
		(!writable || pmd_write(pmd));
out:
	local_irq_restore(flags);
	return large;
}

/* The level (1 or 2) of the leaf that may map gpa, backed by page at hva. */
static int hvm_mmu_leaf_level(const struct hvm_memslot *slot, u64 gpa,
			      unsigned long hva, struct page *page,
			      bool writable)
{
	u64 start = ALIGN_DOWN(gpa, HVM_NPT_LARGE_SIZE);

	if (!hvm_ops->npt->large || start < slot->gpa ||
	    start + HVM_NPT_LARGE_SIZE > slot->gpa + slot->size)
		return 1;
	/* gpa, hva and the physical page at the same offset in 2 MiB */
	if ((slot->uaddr - slot->gpa) & (HVM_NPT_LARGE_SIZE - 1) ||
	    (page_to_pfn(page) & (HVM_NPT_LARGE_PAGES - 1)) !=
	    ((hva >> PAGE_SHIFT) & (HVM_NPT_LARGE_PAGES - 1)))
		return 1;
	/* A PMD maps a compound page only: spare 4 KiB pages the walk. */
	if (!PageCompound(page))
		return 1;
	return hvm_host_maps_large(current->mm, hva, writable) ? 2 : 1;
}

static int hvm_exit_memory_error(struct hvm_vcpu *vcpu, u64 gpa, u64 hva)
{
	u64 data[2] = { gpa, hva };

	return hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_MEMORY, 2, data);
}

/*
 * A nested-page fault at gpa: map the slot's page, or hand the access to
 * the MMIO emulator unless no_emulate (an instruction fetch, or a guest
 * page-table walk, from where no memory is). Returns HVM_REENTER,
 * HVM_EXIT_TO_USER or a negative errno.
 */
int hvm_mmu_page_fault(struct hvm_vcpu *vcpu, u64 gpa, bool write,
		       bool no_emulate, const u8 *insn_bytes,
		       unsigned int insn_len)
{
	const struct hvm_npt_format *fmt = hvm_ops->npt;
	struct hvm_vm *vm = vcpu->vm;
	const struct hvm_memslot *found;
	struct hvm_memslot slot;
	unsigned long hva, seq;
	struct page *page;
	bool writable, flush;
	phys_addr_t pa;
	int r, level;

again:
	seq = READ_ONCE(vm->mmu_seq);
	smp_rmb();	/* read mmu_seq before the slot and the process PTE */

	spin_lock(&vm->mmu_lock);
	found = hvm_memslot_find(vm, gpa);
	if (found)
		slot = *found;
	spin_unlock(&vm->mmu_lock);

	if (!found || (write && (slot.flags & HVM_MEM_READONLY))) {
		if (no_emulate)
			return hvm_exit_memory_error(vcpu, gpa, 0);
		return hvm_emulate_mmio(vcpu, gpa, write, insn_bytes,
					insn_len);
	}

	r = hvm_npt_cache_topup(vcpu);
	if (r)
		return r;

	hva = slot.uaddr + ((gpa & PAGE_MASK) - slot.gpa);
	writable = !(slot.flags & HVM_MEM_READONLY);
	r = get_user_pages_fast(hva, 1, writable ? FOLL_WRITE : 0, &page);
	if (r != 1 && writable && !write) {
		/* A read of memory the process maps read-only. */
		writable = false;
		r = get_user_pages_fast(hva, 1, 0, &page);
	}
	if (r != 1)
		return hvm_exit_memory_error(vcpu, gpa, hva);
	if (writable)
		set_page_dirty_lock(page);
	level = hvm_mmu_leaf_level(&slot, gpa, hva, page, writable);
	pa = page_to_phys(page);
	if (level == 2)
		pa = ALIGN_DOWN(pa, HVM_NPT_LARGE_SIZE);

	spin_lock(&vm->mmu_lock);
	if (vm->mmu_invalidating || vm->mmu_seq != seq) {
		spin_unlock(&vm->mmu_lock);
		put_page(page);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		goto again;
	}
	flush = hvm_npt_map(vcpu, gpa, hvm_npt_leaf(fmt, pa, writable) |
			    (level == 2 ? fmt->large : 0), level);
	spin_unlock(&vm->mmu_lock);
	put_page(page);
	if (flush)
		hvm_vm_flush_tlbs(vm, true);
	return HVM_REENTER;
}

/* Zap what the slots map of [start, end) in the process. mmu_lock held. */
static bool hvm_zap_hva_range(struct hvm_vm *vm, unsigned long start,
			      unsigned long end)
{
	bool zapped = false;
	int i;

	for (i = 0; i < HVM_MAX_MEMSLOTS; i++) {
		const struct hvm_memslot *slot = &vm->memslots[i];
		unsigned long s, e;

		if (!slot->size)
			continue;
		s = max(start, slot->uaddr);
		e = min(end, (unsigned long)(slot->uaddr + slot->size));
		if (s >= e)
			continue;
		zapped |= hvm_npt_zap(vm, vm->npt_root, hvm_ops->npt->levels,
				      slot->gpa + (s - slot->uaddr),
				      slot->gpa + (e - slot->uaddr));
	}
	return zapped;
}

static int hvm_mn_invalidate_range_start(struct mmu_notifier *mn,
					 const struct mmu_notifier_range *range)
{
	struct hvm_vm *vm = container_of(mn, struct hvm_vm, mn);
	bool zapped;

	spin_lock(&vm->mmu_lock);
	vm->mmu_invalidating++;
	vm->mmu_seq++;
	zapped = hvm_zap_hva_range(vm, range->start, range->end);
	spin_unlock(&vm->mmu_lock);
	if (zapped)
		hvm_vm_flush_tlbs(vm, mmu_notifier_range_blockable(range));
	return 0;
}

static void hvm_mn_invalidate_range_end(struct mmu_notifier *mn,
					const struct mmu_notifier_range *range)
{
	struct hvm_vm *vm = container_of(mn, struct hvm_vm, mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	vm->mmu_invalidating--;
	spin_unlock(&vm->mmu_lock);
}

/* The process's address space is going away: nothing may stay mapped. */
static void hvm_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hvm_vm *vm = container_of(mn, struct hvm_vm, mn);
	bool zapped;

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	zapped = hvm_zap_hva_range(vm, 0, ULONG_MAX);
	spin_unlock(&vm->mmu_lock);
	if (zapped)
		hvm_vm_flush_tlbs(vm, true);
}

const struct mmu_notifier_ops hvm_mmu_notifier_ops = {
	.invalidate_range_start	= hvm_mn_invalidate_range_start,
	.invalidate_range_end	= hvm_mn_invalidate_range_end,
	.release		= hvm_mn_release,
};
