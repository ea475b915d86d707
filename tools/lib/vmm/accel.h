/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM library's accelerator interface, shared by vmctl and hvmbench:
 * the one place that knows which hypervisor device runs the guest.
 * accel_hvm.c describes /dev/hvm, accel_kvm.c /dev/kvm; accel.c drives
 * either, since hvm's ABI has KVM's shape (accel_abi.h). Callers see the
 * neutral structures below and the accel_* functions only.
 *
 * Order of use: accel_open (the device), accel_vm_create (a VM; a device
 * may hold several), accel_vm_set_memory, accel_vcpu_create, then
 * accel_vcpu_set_cpuid before the registers (kvm refuses EFER.LME unless
 * the CPUID table says long mode).
 *
 * Functions return 0 (or a count) on success and -errno on failure.
 */
#ifndef VMM_ACCEL_H
#define VMM_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuid.h"

struct x86_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};

/* A segment register with its hidden part (base, limit with G applied). */
struct x86_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl, unusable;
};

struct x86_dtable {
	uint64_t base;
	uint16_t limit;
};

struct x86_sregs {
	struct x86_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct x86_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer, apic_base;
};

enum accel_exit_reason {
	ACCEL_EXIT_UNKNOWN,		/* 0: an exit the library does not know */
	ACCEL_EXIT_IO,			/* port I/O: io */
	ACCEL_EXIT_MMIO,		/* access to unbacked memory: mmio */
	ACCEL_EXIT_HLT,			/* HLT; RIP is past it */
	ACCEL_EXIT_IRQ_WINDOW,		/* the guest can take an interrupt */
	ACCEL_EXIT_INTR,		/* a signal or a kick ended the run */
	ACCEL_EXIT_HYPERCALL,		/* VMMCALL/VMCALL: hypercall */
	ACCEL_EXIT_SHUTDOWN,		/* triple fault */
	ACCEL_EXIT_FAIL_ENTRY,		/* the hardware refused the state */
	ACCEL_EXIT_INTERNAL_ERROR,	/* the accelerator cannot go on */
	ACCEL_NR_EXITS
};

/*
 * One exit. The data pointers point into the accelerator's shared run
 * area: for an IN or an MMIO read, write the result there before the next
 * accel_vcpu_run; for a hypercall, store the return value through *ret.
 */
struct accel_exit {
	enum accel_exit_reason reason;
	uint32_t raw_reason;		/* the accelerator's own exit_reason */
	uint64_t hw_reason;		/* the vendor's exit code, if known */
	bool if_flag;			/* the guest's RFLAGS.IF at the exit */
	union {
		struct {
			uint16_t port;
			uint8_t size;	/* 1, 2 or 4 */
			bool out;
			uint32_t count;
			uint8_t *data;	/* count * size bytes */
		} io;
		struct {
			uint64_t addr;
			uint32_t len;	/* 1, 2, 4 or 8 */
			bool write;
			uint8_t *data;
		} mmio;
		struct {
			uint64_t nr, args[4];
			uint64_t *ret;
		} hypercall;
	};
	/* A one-line description of an exit the caller may not handle. */
	char detail[192];
};

struct accel_ops;		/* one per accelerator: accel_abi.h */
struct accel_vcpu;		/* opaque */

/* An open device. */
struct accel {
	const struct accel_ops *ops;
	int fd;
	size_t run_size;		/* bytes of a vCPU's shared run area */
	unsigned int max_cpuid_entries;	/* 0: no limit known */
};

#define ACCEL_MAX_SLOTS	8

/* One VM, and the memory slots given to it (for accel_gpa_to_hva). */
struct accel_vm {
	struct accel *accel;
	int fd;
	bool x2apic;			/* create_lapic's APICs have x2APIC mode */
	bool tsc_deadline;		/* ... and the TSC-deadline timer */
	struct accel_slot {
		uint64_t gpa, size;
		uint8_t *hva;
	} slots[ACCEL_MAX_SLOTS];
};

extern const struct accel_ops accel_hvm_ops, accel_kvm_ops;

const char *accel_name(const struct accel_ops *ops);	/* "hvm", "kvm" */
const char *accel_dev_path(const struct accel_ops *ops);

/*
 * Opens the device and checks its ABI. -ENOENT (or -ENODEV, -ENXIO): no
 * device; -EPROTO: not the ABI this library speaks (with immediate_exit).
 */
int accel_open(struct accel *a, const struct accel_ops *ops);
void accel_close(struct accel *a);
/*
 * The CPUID leaves the accelerator can give a guest, with the feature
 * bits it supports set: at most max entries into e[]. Returns their number.
 */
int accel_supported_cpuid(struct accel *a, struct x86_cpuid_entry *e,
			  unsigned int max);

/* -EBUSY: another hypervisor holds the virtualization hardware. */
int accel_vm_create(struct accel *a, struct accel_vm *vm);
void accel_vm_destroy(struct accel_vm *vm);
/*
 * A local APIC per vCPU in the kernel, for every vCPU created after this
 * call; the PIC stays the VMM's (accel_vcpu_interrupt injects its vectors
 * as ExtINT). HLT then sleeps in the kernel; vCPUs other than 0 wait for
 * INIT-SIPI from vCPU 0. -EOPNOTSUPP: the accelerator has none.
 */
int accel_vm_create_lapic(struct accel_vm *vm);
/*
 * Makes the guest's hypercall 12 (KVM_HC_MAP_GPA_RANGE) exit to
 * userspace; hvm hands it every hypercall anyway. -EOPNOTSUPP if the
 * accelerator cannot.
 */
int accel_vm_enable_hypercall_exit(struct accel_vm *vm);
/*
 * An ioeventfd: guest writes at addr (a port if pio, else a guest-physical
 * address no memory slot backs) of len bytes (1, 2, 4 or 8; 0: any
 * length) and, if match, of the value datamatch, are completed in the
 * kernel and signal the eventfd efd, without an exit to the VMM.
 */
struct accel_ioeventfd {
	uint64_t addr, datamatch;
	uint32_t len;
	bool pio, match;
	int efd;
};

/*
 * Registers io, or with deassign removes the registration io describes.
 * -EOPNOTSUPP: the accelerator has none; -EEXIST: one that overlaps with
 * the same match is there; -ENOENT (deassign): none is.
 */
int accel_vm_ioeventfd(struct accel_vm *vm, const struct accel_ioeventfd *io,
		       bool deassign);
/* gpa, size and hva page aligned; slots numbered from 0. */
int accel_vm_set_memory(struct accel_vm *vm, uint32_t slot, uint64_t gpa,
			uint64_t size, void *hva);
/* Host pointer to guest-physical [gpa, gpa + len) if one slot holds it all. */
void *accel_gpa_to_hva(const struct accel_vm *vm, uint64_t gpa, uint64_t len);

/* Creates vCPU id and maps its run area. */
int accel_vcpu_create(struct accel_vm *vm, uint32_t id,
		      struct accel_vcpu **vcpu);
void accel_vcpu_destroy(struct accel_vcpu *vcpu);
int accel_vcpu_set_cpuid(struct accel_vcpu *vcpu,
			 const struct x86_cpuid_entry *e, unsigned int n);
int accel_vcpu_get_regs(struct accel_vcpu *vcpu, struct x86_regs *regs);
int accel_vcpu_set_regs(struct accel_vcpu *vcpu, const struct x86_regs *regs);
int accel_vcpu_get_sregs(struct accel_vcpu *vcpu, struct x86_sregs *sregs);
int accel_vcpu_set_sregs(struct accel_vcpu *vcpu,
			 const struct x86_sregs *sregs);

/*
 * Runs until an exit the VMM must handle. An exit that ends the run early
 * (signal, kick) is ACCEL_EXIT_INTR, not an error.
 */
int accel_vcpu_run(struct accel_vcpu *vcpu, struct accel_exit *exit);
/*
 * Interrupt injection without an in-kernel interrupt controller:
 * interrupt_ready says whether the guest can take one now (as of the last
 * exit); interrupt queues the vector; request_window asks for
 * ACCEL_EXIT_IRQ_WINDOW as soon as the guest can take one.
 */
bool accel_vcpu_interrupt_ready(struct accel_vcpu *vcpu);
int accel_vcpu_interrupt(struct accel_vcpu *vcpu, uint8_t vector);
void accel_vcpu_request_window(struct accel_vcpu *vcpu, bool on);
/*
 * Makes the current or the next run return ACCEL_EXIT_INTR at once.
 * Async-signal-safe: a kick signal's handler may call it.
 */
void accel_vcpu_kick(struct accel_vcpu *vcpu);
/*
 * The accelerator's own counters of this vCPU and its VM, as
 * " name=value ..." in buf; -EOPNOTSUPP if it keeps none.
 */
int accel_vcpu_stats(struct accel_vcpu *vcpu, char *buf, size_t len);

const char *accel_exit_name(enum accel_exit_reason reason);

#endif
