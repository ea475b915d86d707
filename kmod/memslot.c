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

/* Caller holds vm->mmu_lock, or vm->lock for a stable answer. */
const struct hvm_memslot *hvm_memslot_find(struct hvm_vm *vm, u64 gpa)
{
	int i;

	for (i = 0; i < HVM_MAX_MEMSLOTS; i++) {
		const struct hvm_memslot *slot = &vm->memslots[i];

		if (slot->size && gpa >= slot->gpa &&
		    gpa - slot->gpa < slot->size)
			return slot;
	}
	return NULL;
}

/*
 * Copies guest memory that lies within one page. -ENOENT: no slot backs
 * the address (MMIO); -EFAULT: the slot's user memory is not there.
 */
int hvm_read_guest_phys(struct hvm_vcpu *vcpu, u64 gpa, void *buf,
			unsigned int len)
{
	struct hvm_vm *vm = vcpu->vm;
	const struct hvm_memslot *slot;
	unsigned long hva;

	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return -EINVAL;
	spin_lock(&vm->mmu_lock);
	slot = hvm_memslot_find(vm, gpa);
	hva = slot ? slot->uaddr + (gpa - slot->gpa) : 0;
	spin_unlock(&vm->mmu_lock);
	if (!slot)
		return -ENOENT;
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
	struct hvm_vm *vm = vcpu->vm;
	const struct hvm_memslot *slot;
	unsigned long hva;

	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return -EINVAL;
	spin_lock(&vm->mmu_lock);
	slot = hvm_memslot_find(vm, gpa);
	if (slot && (slot->flags & HVM_MEM_READONLY))
		slot = NULL;
	hva = slot ? slot->uaddr + (gpa - slot->gpa) : 0;
	spin_unlock(&vm->mmu_lock);
	if (!slot)
		return -ENOENT;
	if (len && copy_to_user((void __user *)hva, buf, len))
		return -EFAULT;
	return 0;
}
