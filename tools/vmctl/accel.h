/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl's accelerator interface: the one place that knows which hypervisor
 * device runs the guest. accel_hvm.c implements it on /dev/hvm, accel_kvm.c
 * on /dev/kvm (vmctl run --accel kvm, for side-by-side runs). Everything
 * else in vmctl (boot loaders, devices, the run loop) talks to struct
 * accel_ops only, with the neutral register structures below.
 *
 * Functions return 0 (or a count) on success and -errno on failure.
 */
#ifndef VMCTL_ACCEL_H
#define VMCTL_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct x86_cpuid_entry {
	uint32_t function, index;
	bool index_significant;
	uint32_t eax, ebx, ecx, edx;
};

enum accel_exit_reason {
	ACCEL_EXIT_IO,			/* port I/O: io */
	ACCEL_EXIT_MMIO,		/* access to unbacked memory: mmio */
	ACCEL_EXIT_HLT,			/* HLT; RIP is past it */
	ACCEL_EXIT_IRQ_WINDOW,		/* the guest can take an interrupt */
	ACCEL_EXIT_INTR,		/* a signal or a kick ended the run */
	ACCEL_EXIT_HYPERCALL,		/* VMMCALL/VMCALL: hypercall */
	ACCEL_EXIT_SHUTDOWN,		/* triple fault */
	ACCEL_EXIT_FAIL_ENTRY,		/* the hardware refused the state */
	ACCEL_EXIT_INTERNAL_ERROR,	/* the accelerator cannot go on */
	ACCEL_EXIT_UNKNOWN,
};

/*
 * One exit. The data pointers point into the accelerator's shared run
 * area: for an IN or an MMIO read, write the result there before the next
 * vcpu_run; for a hypercall, store the return value through *ret.
 */
struct accel_exit {
	enum accel_exit_reason reason;
	uint64_t hw_reason;		/* the vendor's exit code */
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
	/* A one-line description of an exit vmctl cannot handle. */
	char detail[192];
};

struct accel_vcpu;

struct accel {
	const struct accel_ops *ops;
	int sys_fd, vm_fd;
	size_t run_size;
	unsigned int max_cpuid_entries;
	bool x2apic;			/* create_lapic's APICs have x2APIC mode */
	bool tsc_deadline;		/* ... and the TSC-deadline timer */
};

struct accel_ops {
	const char *name;
	const char *dev_path;
	/*
	 * Opens the device and creates the VM. -ENOENT: no device node;
	 * -EBUSY: another hypervisor holds the virtualization hardware.
	 */
	int (*create_vm)(struct accel *a);
	void (*destroy_vm)(struct accel *a);
	/*
	 * A local APIC per vCPU in the kernel, for every vCPU created after
	 * this call; the PIC stays vmctl's (interrupt() injects its vectors
	 * as ExtINT). HLT then sleeps in the kernel; vCPUs other than 0 wait
	 * for INIT-SIPI from vCPU 0. -EOPNOTSUPP: the accelerator has none.
	 */
	int (*create_lapic)(struct accel *a);
	/* gpa, size and hva page aligned; slots numbered from 0. */
	int (*set_memory)(struct accel *a, uint32_t slot, uint64_t gpa,
			  uint64_t size, void *hva);

	int (*vcpu_create)(struct accel *a, uint32_t id,
			   struct accel_vcpu **vcpu);
	void (*vcpu_destroy)(struct accel_vcpu *vcpu);
	/*
	 * The CPUID leaves the accelerator can give a guest, with the
	 * feature bits it supports set: at most max entries into e[].
	 * Returns their number.
	 */
	int (*supported_cpuid)(struct accel *a, struct x86_cpuid_entry *e,
			       unsigned int max);
	int (*set_cpuid)(struct accel_vcpu *vcpu,
			 const struct x86_cpuid_entry *e, unsigned int n);
	int (*get_regs)(struct accel_vcpu *vcpu, struct x86_regs *regs);
	int (*set_regs)(struct accel_vcpu *vcpu, const struct x86_regs *regs);
	int (*get_sregs)(struct accel_vcpu *vcpu, struct x86_sregs *sregs);
	int (*set_sregs)(struct accel_vcpu *vcpu, const struct x86_sregs *sregs);

	/*
	 * Runs until an exit vmctl must handle. An exit that ends the run
	 * early (signal, kick) is ACCEL_EXIT_INTR, not an error.
	 */
	int (*run)(struct accel_vcpu *vcpu, struct accel_exit *exit);
	/*
	 * Interrupt injection without an in-kernel interrupt controller:
	 * interrupt_ready says whether the guest can take one now (as of
	 * the last exit); interrupt queues the vector; request_window asks
	 * for ACCEL_EXIT_IRQ_WINDOW as soon as the guest can take one.
	 */
	bool (*interrupt_ready)(struct accel_vcpu *vcpu);
	int (*interrupt)(struct accel_vcpu *vcpu, uint8_t vector);
	void (*request_window)(struct accel_vcpu *vcpu, bool on);
	/*
	 * Makes the current or the next run return ACCEL_EXIT_INTR at once.
	 * Async-signal-safe: the kick signal's handler calls it.
	 */
	void (*kick)(struct accel_vcpu *vcpu);
};

extern const struct accel_ops accel_hvm_ops, accel_kvm_ops;

/* The host's own CPUID leaves (cpuid.c), as accel_supported_cpuid wants. */
int cpuid_host_leaves(struct x86_cpuid_entry *e, unsigned int max);

#endif
