/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the VMM library: what an accelerator file tells accel.c. hvm's
 * ABI (uapi/hvm.h) has the shape of KVM's: the same file descriptors, the
 * same register, segment, memory-region and CPUID-entry layouts, the same
 * head of the run page. accel.c drives that shape once, through the raw_*
 * mirrors below; an accelerator gives its ioctl numbers, its exit numbers,
 * the two run-page offsets that differ, and hooks for what is its own
 * (capabilities, the local APIC, its supported CPUID, exit details).
 * ACCEL_ASSERT_KVM_SHAPE checks at compile time that its uapi matches.
 */
#ifndef VMM_ACCEL_ABI_H
#define VMM_ACCEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "accel.h"

struct accel_vcpu {
	struct accel_vm *vm;
	int fd;
	void *run;			/* the mmap'd run area */
};

/* The layouts hvm and kvm share (accel.c reads and writes only these). */
struct raw_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl, unusable, padding;
};

struct raw_dtable {
	uint64_t base;
	uint16_t limit, padding[3];
};

/* The head of hvm_sregs and kvm_sregs; the tails differ and stay zero. */
struct raw_sregs {
	struct raw_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct raw_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer, apic_base;
};
#define RAW_SREGS_MAX	512		/* room for either whole structure */

struct raw_memory_region {
	uint32_t slot, flags;
	uint64_t guest_phys_addr, memory_size, userspace_addr;
	uint64_t reserved[2];		/* hvm's tail; kvm's ioctl reads less */
};

/* An entry's head; entry_size says how far apart they are. */
struct raw_cpuid_entry {
	uint32_t function, index, flags, eax, ebx, ecx, edx;
};
#define RAW_CPUID_FLAG_SIGNIFICANT_INDEX	(1u << 0)	/* both ABIs' bit 0 */

struct raw_cpuid {
	uint32_t nent, flags;		/* kvm: nent, padding */
	/* entries follow */
};

/* The first 16 bytes of hvm_run and kvm_run. */
struct raw_run_head {
	uint8_t request_interrupt_window, immediate_exit, padding1[6];
	uint32_t exit_reason;
	uint8_t ready_for_interrupt_injection, if_flag;
	uint16_t padding2;
};

/* kvm's data_offset has 64 bits, hvm's 32 and 32 of zero padding. */
struct raw_run_io {
	uint8_t direction, size;
	uint16_t port;
	uint32_t count;
	uint32_t data_offset;
};
#define RAW_EXIT_IO_OUT		1

struct raw_run_mmio {
	uint64_t phys_addr;
	uint8_t data[8];
	uint32_t len;
	uint8_t is_write;
};

struct raw_run_hypercall {
	uint64_t nr, args[4];		/* ret: at ops->run_hypercall_ret */
};

#define ACCEL_RAW_EXITS	64

struct accel_ops {
	const char *name, *dev_path;
	int api_version;
	struct {
		unsigned long get_api_version, get_vcpu_mmap_size, create_vm,
			set_memory, create_vcpu, run, get_regs, set_regs,
			get_sregs, set_sregs, set_cpuid, interrupt;
	} ioc;
	/* The run page: where the exit's data starts, where a hypercall's answer goes. */
	size_t run_exit_data, run_hypercall_ret;
	size_t cpuid_entry_size;
	/* The accelerator's exit_reason to ours (unlisted: UNKNOWN). */
	uint8_t exits[ACCEL_RAW_EXITS];

	/* After the version check: read the capabilities, -EPROTO if one is missing. */
	int (*open)(struct accel *a);
	/* After the VM exists (kvm: its TSS on Intel). */
	int (*vm_init)(struct accel_vm *vm);
	int (*create_lapic)(struct accel_vm *vm);
	int (*enable_hypercall_exit)(struct accel_vm *vm);
	int (*ioeventfd)(struct accel_vm *vm, const struct accel_ioeventfd *io,
			 bool deassign);
	int (*supported_cpuid)(struct accel *a, struct x86_cpuid_entry *e,
			       unsigned int max);
	/* hw_reason and detail for the exits only this accelerator describes. */
	void (*exit_detail)(const void *run, struct accel_exit *exit);
	/* Optional. */
	int (*stats)(struct accel_vcpu *vcpu, char *buf, size_t len);
};

/* accel.c, for the accelerator files. */
int accel_neg_errno(void);
int accel_cpuid_from_raw(const struct accel_ops *ops, const void *raw,
			 unsigned int n, struct x86_cpuid_entry *e);

#define ACCEL_SAME(t1, t2, f) \
	_Static_assert(offsetof(t1, f) == offsetof(t2, f) && \
		       sizeof(((t1 *)0)->f) == sizeof(((t2 *)0)->f), \
		       #t1 "." #f " is not where accel_abi.h expects it")

/*
 * What accel.c assumes of an accelerator's uapi:
 * the structures' names differ, the field names are KVM's in both.
 */
#define ACCEL_ASSERT_KVM_SHAPE(run, regs, segment, sregs, region, entry) \
	_Static_assert(sizeof(regs) == sizeof(struct x86_regs), #regs); \
	ACCEL_SAME(regs, struct x86_regs, rflags); \
	_Static_assert(sizeof(segment) == sizeof(struct raw_segment), #segment); \
	ACCEL_SAME(segment, struct raw_segment, unusable); \
	ACCEL_SAME(sregs, struct raw_sregs, ldt); \
	ACCEL_SAME(sregs, struct raw_sregs, idt); \
	ACCEL_SAME(sregs, struct raw_sregs, apic_base); \
	_Static_assert(sizeof(sregs) <= RAW_SREGS_MAX, #sregs); \
	ACCEL_SAME(region, struct raw_memory_region, userspace_addr); \
	_Static_assert(sizeof(region) <= sizeof(struct raw_memory_region), #region); \
	ACCEL_SAME(entry, struct raw_cpuid_entry, edx); \
	ACCEL_SAME(run, struct raw_run_head, immediate_exit); \
	ACCEL_SAME(run, struct raw_run_head, exit_reason); \
	ACCEL_SAME(run, struct raw_run_head, if_flag); \
	_Static_assert(offsetof(run, io) == offsetof(run, mmio) && \
		       offsetof(run, io) == offsetof(run, hypercall), #run); \
	_Static_assert(offsetof(run, io.data_offset) - offsetof(run, io) == \
		       offsetof(struct raw_run_io, data_offset), #run); \
	_Static_assert(offsetof(run, mmio.is_write) - offsetof(run, mmio) == \
		       offsetof(struct raw_run_mmio, is_write), #run); \
	_Static_assert(offsetof(run, hypercall.args) - offsetof(run, hypercall) == \
		       offsetof(struct raw_run_hypercall, args), #run)

/*
 * The accel_ops fields every KVM-shaped accelerator fills alike, from its
 * prefix P (HVM, KVM): its ioctls and exits have KVM's names behind the
 * prefix, but for the two ioctls given.
 */
#define ACCEL_KVM_SHAPED_OPS(P, run_t, entry_t, set_memory_ioc, set_cpuid_ioc) \
	.api_version = P##_API_VERSION, \
	.ioc = { \
		.get_api_version = P##_GET_API_VERSION, \
		.get_vcpu_mmap_size = P##_GET_VCPU_MMAP_SIZE, \
		.create_vm = P##_CREATE_VM, \
		.set_memory = set_memory_ioc, \
		.create_vcpu = P##_CREATE_VCPU, \
		.run = P##_RUN, \
		.get_regs = P##_GET_REGS, .set_regs = P##_SET_REGS, \
		.get_sregs = P##_GET_SREGS, .set_sregs = P##_SET_SREGS, \
		.set_cpuid = set_cpuid_ioc, \
		.interrupt = P##_INTERRUPT, \
	}, \
	.run_exit_data = offsetof(run_t, io), \
	.run_hypercall_ret = offsetof(run_t, hypercall.ret), \
	.cpuid_entry_size = sizeof(entry_t), \
	.exits = { \
		[P##_EXIT_IO] = ACCEL_EXIT_IO, \
		[P##_EXIT_MMIO] = ACCEL_EXIT_MMIO, \
		[P##_EXIT_HYPERCALL] = ACCEL_EXIT_HYPERCALL, \
		[P##_EXIT_HLT] = ACCEL_EXIT_HLT, \
		[P##_EXIT_SHUTDOWN] = ACCEL_EXIT_SHUTDOWN, \
		[P##_EXIT_IRQ_WINDOW_OPEN] = ACCEL_EXIT_IRQ_WINDOW, \
		[P##_EXIT_FAIL_ENTRY] = ACCEL_EXIT_FAIL_ENTRY, \
		[P##_EXIT_INTERNAL_ERROR] = ACCEL_EXIT_INTERNAL_ERROR, \
		[P##_EXIT_INTR] = ACCEL_EXIT_INTR, \
	}

#endif
