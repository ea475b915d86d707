/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM: its limits, memory slots and nested page tables (vm.c, memslot.c,
 * mmu.c).
 */
#ifndef _HVM_VM_H
#define _HVM_VM_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "hvm.h"		/* uapi */

#define HVM_MAX_VCPUS		64
#define HVM_MAX_MEMSLOTS	32
#define HVM_MAX_CPUID_ENTRIES	256
#define HVM_MAX_MSR_ENTRIES	256
/* Guest-physical limit: 4-level nested paging covers 48 bits. */
#define HVM_GUEST_PHYS_BITS	46
#define HVM_MAX_GPA		(1ULL << HVM_GUEST_PHYS_BITS)
/* HVM_IOEVENTFD registrations per VM, both spaces (HVM_CAP_IOEVENTFD). */
#define HVM_MAX_IOEVENTFDS	512

struct hvm_memslot {
	u64 gpa;
	u64 size;		/* 0: the slot is empty */
	unsigned long uaddr;
	u32 flags;		/* HVM_MEM_* */
};

/*
 * The shape of a vendor's nested page tables: radix trees of 512 8-byte
 * entries, 4 or 5 levels deep; the vendors differ in the bits.
 */
struct hvm_npt_format {
	unsigned int levels;
	u64 present;		/* any of these bits: the entry is present */
	u64 dir;		/* bits of a non-leaf entry */
	u64 leaf;		/* bits of every leaf (readable) */
	u64 leaf_write;		/* added when writable */
	u64 leaf_exec;		/* added when executable */
	u64 leaf_noexec;	/* added when not executable */
	u64 large;		/* added to a 2 MiB leaf; 0: 4 KiB leaves only */
};

struct hvm_vcpu;
struct eventfd_ctx;

/* One HVM_IOEVENTFD registration (ioeventfd.c). */
struct hvm_ioevent {
	u64 addr;
	u64 datamatch;
	u32 len;		/* 0: any length */
	u32 flags;		/* HVM_IOEVENTFD_FLAG_PIO and _DATAMATCH */
	struct eventfd_ctx *ctx;
};

/* A VM's registrations in hvm_ioevent_cmp() order; replaced whole. */
struct hvm_ioevent_table {
	unsigned int n;
	struct hvm_ioevent e[];
};

struct hvm_vm {
	struct kref ref;
	bool lapic;			/* HVM_CREATE_LAPIC: vCPUs get one */
	struct mm_struct *mm;		/* the address space backing memory */
	struct mmu_notifier mn;

	struct mutex lock;		/* serializes VM ioctls */

	/*
	 * mmu_lock protects the nested page tables, memslots[] and vcpus[]
	 * against the MMU notifier. Writers of memslots[] and vcpus[] hold
	 * both lock and mmu_lock.
	 */
	spinlock_t mmu_lock;
	/*
	 * irq_lock (IRQ-safe, inside mmu_lock) is what interrupt delivery
	 * holds to walk vcpus[] from any context (hvm_lapic_deliver_irq);
	 * writers of vcpus[] hold it too.
	 */
	spinlock_t irq_lock;
	struct hvm_memslot memslots[HVM_MAX_MEMSLOTS];
	/* Every slot in use is below this: lookups scan no further. */
	unsigned int memslots_used;
	struct hvm_vcpu *vcpus[HVM_MAX_VCPUS];
	u64 *npt_root;
	unsigned long npt_pages;	/* table pages, root included */
	unsigned long mapped_pages;	/* present leaf entries */
	/* Faults retry while an invalidation runs or ran since they began. */
	unsigned long mmu_seq;
	unsigned int mmu_invalidating;

	/*
	 * The guest TSC (tsc.c): the clock the last IA32_TSC write set,
	 * value tsc_write_value at host TSC tsc_write_host, by vCPU
	 * tsc_writer (-1: the VM's creation, value 0).
	 */
	spinlock_t tsc_lock;
	u64 tsc_write_value, tsc_write_host;
	int tsc_writer;

	/*
	 * irqfds (irqfd.c): the list and its count change under irqfds_lock
	 * (IRQ-safe: an eventfd's wakeup takes it); assign, deassign and
	 * update also hold lock.
	 */
	spinlock_t irqfds_lock;
	struct list_head irqfds;
	unsigned int nr_irqfds;
	/* HVM_IOEVENTFD: written under lock, read under RCU on exits. */
	struct hvm_ioevent_table __rcu *ioevents;
	/* HVM_SET_EOI_EXITS: vectors whose EOI exits to userspace. */
	u64 eoi_exits[4];
};

/* vm.c */
int hvm_vm_create_lapic(struct hvm_vm *vm);
struct hvm_vm *hvm_vm_create(void);
void hvm_vm_put(struct hvm_vm *vm);
int hvm_vm_set_memory_region(struct hvm_vm *vm,
			     const struct hvm_memory_region *region);
struct hvm_vcpu *hvm_vm_create_vcpu(struct hvm_vm *vm, u32 id);
void hvm_vm_flush_tlbs(struct hvm_vm *vm, bool may_sleep);

/* tsc.c */
void hvm_tsc_init_vm(struct hvm_vm *vm);
u64 hvm_tsc_vm_offset(struct hvm_vm *vm);
bool hvm_tsc_write_matches(u64 last_value, u64 last_host, u64 value, u64 now,
			   u64 window);

/* memslot.c */
int hvm_memslot_check(const struct hvm_memory_region *region);
const struct hvm_memslot *hvm_memslot_find(struct hvm_vm *vm, u64 gpa);
int hvm_read_guest_phys(struct hvm_vcpu *vcpu, u64 gpa, void *buf,
			unsigned int len);
int hvm_write_guest_phys(struct hvm_vcpu *vcpu, u64 gpa, const void *buf,
			 unsigned int len);

/* ioeventfd.c */
struct hvm_ioevent_table *
hvm_ioevent_table_add(const struct hvm_ioevent_table *old,
		      const struct hvm_ioevent *e);
struct hvm_ioevent_table *
hvm_ioevent_table_del(const struct hvm_ioevent_table *old,
		      const struct hvm_ioevent *e, struct hvm_ioevent *removed);
unsigned int hvm_ioevent_first(const struct hvm_ioevent_table *t, bool pio,
			       u64 addr);
bool hvm_ioevent_matches(const struct hvm_ioevent *e, unsigned int len,
			 u64 data);
const struct hvm_ioevent *
hvm_ioevent_next(const struct hvm_ioevent_table *t, int *pos, bool pio,
		 u64 addr, unsigned int len, u64 data);
bool __hvm_ioeventfd_write(struct hvm_vm *vm, bool pio, u64 addr,
			   unsigned int len, u64 data);

/*
 * A guest write: signal what it matches; true if any (the write is done).
 * Inline for the exits of VMs without registrations, most of them: a
 * call and its return cost tens of instructions with return thunks.
 */
static inline bool hvm_ioeventfd_write(struct hvm_vm *vm, bool pio, u64 addr,
				       unsigned int len, u64 data)
{
	if (!rcu_access_pointer(vm->ioevents))
		return false;
	return __hvm_ioeventfd_write(vm, pio, addr, len, data);
}
int hvm_vm_ioeventfd(struct hvm_vm *vm, const struct hvm_ioeventfd *args);
void hvm_vm_ioeventfd_free(struct hvm_vm *vm);
void hvm_vm_set_eoi_exits(struct hvm_vm *vm, const struct hvm_eoi_exits *args);

/* mmu.c: nested page tables, vendor-neutral */
int hvm_mmu_init(struct hvm_vm *vm);
void hvm_mmu_destroy(struct hvm_vm *vm);
void hvm_mmu_zap_range(struct hvm_vm *vm, u64 gpa, u64 size);
int hvm_npt_cache_topup(struct hvm_vcpu *vcpu);
void hvm_npt_cache_free(struct hvm_vcpu *vcpu);
u64 hvm_npt_leaf(const struct hvm_npt_format *fmt, phys_addr_t pa,
		 bool writable);
bool hvm_npt_map(struct hvm_vcpu *vcpu, u64 gpa, u64 leaf, int level);
extern const struct mmu_notifier_ops hvm_mmu_notifier_ops;

#endif /* _HVM_VM_H */
