// SPDX-License-Identifier: GPL-2.0
/*
 * Memory slots: validation of the ABI's rules, lookup by guest-physical
 * address, and reads of guest memory through the slot's user mapping.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "hvm_core.h"

int hvm_memslot_check(const struct hvm_memory_region *r)
{
	u64 gpa_end, uaddr_end;

	if (r->reserved[0] || r->reserved[1])
		return -EINVAL;
	if (r->slot >= HVM_MAX_MEMSLOTS || r->flags & ~HVM_MEM_READONLY)
		return -EINVAL;
	if (!r->memory_size)
		return 0;	/* a delete: only the slot number matters */
	if (!PAGE_ALIGNED(r->guest_phys_addr) ||
	    !PAGE_ALIGNED(r->memory_size) || !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (check_add_overflow(r->guest_phys_addr, r->memory_size, &gpa_end) ||
	    gpa_end > HVM_MAX_GPA)
		return -EINVAL;
	if (check_add_overflow(r->userspace_addr, r->memory_size, &uaddr_end) ||
	    !access_ok((void __user *)(unsigned long)r->userspace_addr,
		       r->memory_size))
		return -EINVAL;
	return 0;
}

static bool hvm_memslot_has(const struct hvm_memslot *slot, u64 gpa)
{
	return slot->size && gpa >= slot->gpa && gpa - slot->gpa < slot->size;
}

/*
 * Caller holds vm->mmu_lock, or vm->lock for a stable answer. Every MMIO
 * exit and every step of a guest page-table walk looks a slot up: scan
 * only the slots in use (a VMM uses few).
 */
const struct hvm_memslot *hvm_memslot_find(struct hvm_vm *vm, u64 gpa)
{
	unsigned int i, used = READ_ONCE(vm->memslots_used);

	for (i = 0; i < used; i++)
		if (hvm_memslot_has(&vm->memslots[i], gpa))
			return &vm->memslots[i];
	return NULL;
}

/*
 * The user address of [gpa, gpa + len), which must lie within one page of
 * a slot (a writable one for a write). -EINVAL: it crosses a page;
 * -ENOENT: no such slot backs it (MMIO).
 */
static int hvm_guest_phys_hva(struct hvm_vcpu *vcpu, u64 gpa,
			      unsigned int len, bool write, unsigned long *hva)
{
	struct hvm_vm *vm = vcpu->vm;
	const struct hvm_memslot *slot;

	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return -EINVAL;
	spin_lock(&vm->mmu_lock);
	slot = hvm_memslot_find(vm, gpa);
	if (slot && write && (slot->flags & HVM_MEM_READONLY))
		slot = NULL;
	if (slot)
		*hva = slot->uaddr + (gpa - slot->gpa);
	spin_unlock(&vm->mmu_lock);
	return slot ? 0 : -ENOENT;
}

/*
 * Copies guest memory that lies within one page. -ENOENT: no slot backs
 * the address (MMIO); -EFAULT: the slot's user memory is not there.
 */
int hvm_read_guest_phys(struct hvm_vcpu *vcpu, u64 gpa, void *buf,
			unsigned int len)
{
	unsigned long hva;
	int r = hvm_guest_phys_hva(vcpu, gpa, len, false, &hva);

	if (r)
		return r;
	if (len == sizeof(u64)) {
		/* A page-table entry, at each level of a walk: one load. */
		u64 v;

		if (get_user(v, (u64 __user *)hva))
			return -EFAULT;
		memcpy(buf, &v, sizeof(v));
		return 0;
	}
	if (copy_from_user(buf, (void __user *)hva, len))
		return -EFAULT;
	return 0;
}

/*
 * Copies into guest memory that lies within one page of a writable slot.
 * -ENOENT: no slot, or a read-only one, backs the address (MMIO);
 * -EFAULT: the slot's user memory is not there. len 0 only checks.
 */
int hvm_write_guest_phys(struct hvm_vcpu *vcpu, u64 gpa, const void *buf,
			 unsigned int len)
{
	unsigned long hva;
	int r = hvm_guest_phys_hva(vcpu, gpa, len, true, &hva);

	if (r)
		return r;
	if (len && copy_to_user((void __user *)hva, buf, len))
		return -EFAULT;
	return 0;
}
