/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvmbench: the accelerator interface. One implementation per accelerator
 * (accel_hvm.c for /dev/hvm, accel_kvm.c for /dev/kvm); the benchmark itself
 * (hvmbench.c) only talks to struct accel_ops, so both accelerators run the
 * same guest bytes from the same VMM code.
 *
 * Every function returns 0 (or a count) on success and -errno on failure.
 * Order of a 64-bit vCPU's setup: vcpu_set_cpuid, then vcpu_set_long_mode
 * (kvm refuses EFER.LME unless the CPUID table says long mode).
 */
#ifndef HVMBENCH_ACCEL_H
#define HVMBENCH_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct accel {
	const struct accel_ops *ops;
	int sys_fd;			/* /dev/hvm or /dev/kvm */
	size_t run_size;		/* bytes of the vCPU's shared run area */
	uint64_t hypercall_exit_mask;	/* kvm: KVM_CAP_EXIT_HYPERCALL's value */
};

struct accel_vm {
	struct accel *accel;
	int fd;
};

struct accel_vcpu {
	struct accel_vm *vm;
	int fd;
	void *run;			/* the mmap'd run area */
	bool hypercall_pending;		/* last exit was a hypercall */
};

enum accel_exit_reason {
	ACCEL_EXIT_IO,
	ACCEL_EXIT_MMIO,
	ACCEL_EXIT_HYPERCALL,
	ACCEL_EXIT_HLT,
	ACCEL_EXIT_SHUTDOWN,
	ACCEL_EXIT_OTHER,		/* anything else: see raw_reason */
};

/* What userspace learns from one exit; filled by vcpu_run. */
struct accel_exit {
	enum accel_exit_reason reason;
	uint32_t raw_reason;		/* the accelerator's own exit_reason */
	uint64_t hw_reason;		/* the vendor's exit code, if known */
	uint16_t io_port;
	uint8_t io_size;
	bool io_out;
	bool mmio_write;
	uint32_t mmio_len;
	uint64_t mmio_addr;
	uint64_t hypercall_nr;
};

/* One CPUID leaf, the same for both accelerators. */
struct accel_cpuid_entry {
	uint32_t function, index;
	bool index_significant;
	uint32_t eax, ebx, ecx, edx;
};

/*
 * Flat 64-bit state: CS = 0x08 (64-bit code), DS/ES/SS/FS/GS = 0x10 (flat
 * data), TR = 0x18 (64-bit busy TSS at tss_base), no LDT, paging with CR3,
 * CR0 = PE|MP|ET|NE|WP|PG, CR4 = PAE, EFER = LME|LMA. The GDT at gdt_base
 * must hold those descriptors (the guest never reloads them, but they are
 * what the hidden parts say).
 */
struct accel_long_mode {
	uint64_t cr3;
	uint64_t gdt_base, idt_base, tss_base;
	uint16_t gdt_limit, idt_limit;
	uint64_t rip, rsp, rdi, rsi;
};

struct accel_ops {
	const char *name;
	/* Opens the device; -ENOENT (or -ENODEV, -ENXIO) when it is absent. */
	int (*open)(struct accel *a);
	void (*close)(struct accel *a);

	int (*vm_create)(struct accel *a, struct accel_vm *vm);
	/* gpa, size and hva page aligned; slot numbers from 0. */
	int (*vm_add_memory)(struct accel_vm *vm, uint32_t slot, uint64_t gpa,
			     uint64_t size, void *hva);
	/*
	 * Makes the guest's hypercall (RAX = 12, KVM_HC_MAP_GPA_RANGE, with
	 * RBX page aligned, RCX != 0) exit to userspace; -EOPNOTSUPP if the
	 * accelerator cannot.
	 */
	int (*vm_enable_hypercall_exit)(struct accel_vm *vm);
	void (*vm_destroy)(struct accel_vm *vm);

	/* Creates vCPU id and maps its run area. */
	int (*vcpu_create)(struct accel_vm *vm, uint32_t id,
			   struct accel_vcpu *vcpu);
	int (*vcpu_set_cpuid)(struct accel_vcpu *vcpu,
			      const struct accel_cpuid_entry *e, unsigned int n);
	int (*vcpu_set_long_mode)(struct accel_vcpu *vcpu,
				  const struct accel_long_mode *lm);
	/* Real mode from RESET state, but CS = cs (base cs << 4), IP = ip. */
	int (*vcpu_set_real_mode)(struct accel_vcpu *vcpu, uint16_t cs,
				  uint16_t ip);
	/* Sets RIP and RDI (a guest program's entry and its count). */
	int (*vcpu_set_rip_rdi)(struct accel_vcpu *vcpu, uint64_t rip,
				uint64_t rdi);
	/*
	 * Runs to the next exit to userspace. A hypercall exit is completed
	 * with return value 0 on the next call; port OUT and MMIO writes need
	 * no completion (the benchmark does no IN or MMIO read).
	 */
	int (*vcpu_run)(struct accel_vcpu *vcpu, struct accel_exit *exit);
	void (*vcpu_destroy)(struct accel_vcpu *vcpu);
	/*
	 * Optional (NULL if the accelerator keeps none): the accelerator's
	 * own counters of this vCPU and its VM, as "name=value ..." in buf.
	 */
	int (*stats)(struct accel_vcpu *vcpu, char *buf, size_t len);
};

extern const struct accel_ops accel_hvm_ops;
extern const struct accel_ops accel_kvm_ops;

#endif
