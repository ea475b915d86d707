/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU: the guest state the core owns, the exit in progress, events,
 * requests from other threads (vcpu.c).
 */
#ifndef _HVM_VCPU_H
#define _HVM_VCPU_H

#include <linux/preempt.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <asm/fpu/types.h>

#include "compat.h"
#include "hvm.h"		/* uapi */
#include "insn_decode.h"
#include "vm.h"

/* Index of each general register in hvm_vcpu.regs: x86 encoding order. */
enum hvm_reg {
	HVM_RAX, HVM_RCX, HVM_RDX, HVM_RBX, HVM_RSP, HVM_RBP, HVM_RSI, HVM_RDI,
	HVM_R8, HVM_R9, HVM_R10, HVM_R11, HVM_R12, HVM_R13, HVM_R14, HVM_R15,
	HVM_NR_REGS,
};

enum hvm_vcpu_mode {
	HVM_OUTSIDE_GUEST,
	HVM_IN_GUEST,
};

/* An exit to userspace that the next HVM_RUN must finish. */
enum hvm_completion {
	HVM_COMPLETE_NONE,
	HVM_COMPLETE_PIO_IN,
	HVM_COMPLETE_MMIO_READ,
	HVM_COMPLETE_HYPERCALL,
};

/* A ready-to-use page-table-page cache: faults allocate before locking. */
#define HVM_NPT_CACHE_PAGES	4	/* levels - 1 */

struct hvm_vcpu {
	struct hvm_vm *vm;
	u32 id;
	struct mutex mutex;		/* serializes vCPU ioctls */
	struct hvm_run *run;		/* the shared page */

	/* Guest registers the core owns; the backend syncs them per entry. */
	u64 regs[HVM_NR_REGS];
	u64 rip;
	u64 rflags;

	u64 apic_base;
	u64 xcr0;
	u64 misc_enable;
	u64 mtrr_def_type;
	u64 tsc_offset;			/* guest TSC - host TSC (tsc.c) */
	u64 dr[4];			/* DR0-3, swapped around each entry */
	u32 pkru, host_pkru;		/* PKRU, swapped likewise */

	struct hvm_guest_fpu guest_fpu;
	struct hvm_host_debugregs host_dr;	/* while the guest's DR0-3 are loaded */

	/* Exit in progress in userspace. */
	enum hvm_completion completion;
	u64 completion_rip;		/* RIP once it is finished */
	u8 pio_size;			/* for port reads: 1, 2 or 4 */
	/* The MMIO access being emulated (emulate.c). */
	struct hvm_insn mmio_insn;
	u64 mmio_gpa;			/* the MMIO side */
	u64 mmio_ram_gpa;		/* MOVS from MMIO: the RAM destination */
	u64 mmio_data;			/* the value read, for the write half */
	/* A read-modify-write's read is done; its write exit comes next. */
	bool mmio_write_pending;

	/* Interrupt queued by HVM_INTERRUPT or taken from the LAPIC. */
	bool irq_pending;
	u8 irq_vector;
	/* The LAPIC has one the guest cannot take yet: open the window. */
	bool lapic_window;
	/* An NMI to deliver when the guest is not blocking NMIs. */
	bool nmi_pending;
	/* An EOI of a vector in vm->eoi_exits: exit with it before entry. */
	bool eoi_exit_pending;
	u8 eoi_exit_vector;

	struct hvm_lapic *lapic;	/* in-kernel local APIC, or NULL */
	/* With a LAPIC: an AP waits for INIT-SIPI before it runs at all. */
	bool wait_sipi;
	bool init_pending, sipi_pending;
	u8 sipi_vector;
	wait_queue_head_t wq;		/* a halted vCPU waits here */

	/* Requests from other threads, and where this vCPU runs. */
	int mode;			/* enum hvm_vcpu_mode */
	int cpu;			/* valid while mode is HVM_IN_GUEST */
	unsigned long requests;		/* HVM_REQ_* bits */

	int cpuid_nent;
	struct hvm_cpuid_entry *cpuid;	/* cpuid_nent entries or NULL */

	void *npt_cache[HVM_NPT_CACHE_PAGES];
	int npt_cache_n;

	/* Backends with per-CPU vCPU state follow the thread across CPUs. */
	struct preempt_notifier preempt_notifier;

	void *vendor;			/* the backend's per-vCPU state */
};

#define HVM_REQ_TLB_FLUSH	0
#define HVM_REQ_EVENT		1	/* an interrupt came: do not enter */

/* vcpu.c */
void hvm_vcpu_init_preempt(struct hvm_vcpu *vcpu);
void hvm_vcpu_load(struct hvm_vcpu *vcpu);
void hvm_vcpu_put(struct hvm_vcpu *vcpu);
void hvm_vcpu_destroy(struct hvm_vcpu *vcpu);
int hvm_vcpu_run(struct hvm_vcpu *vcpu);
void hvm_vcpu_get_regs(struct hvm_vcpu *vcpu, struct hvm_regs *regs);
void hvm_vcpu_set_regs(struct hvm_vcpu *vcpu, const struct hvm_regs *regs);
void hvm_vcpu_get_sregs(struct hvm_vcpu *vcpu, struct hvm_sregs *sregs);
int hvm_vcpu_set_sregs(struct hvm_vcpu *vcpu, const struct hvm_sregs *sregs);
int hvm_vcpu_set_cpuid(struct hvm_vcpu *vcpu, u32 nent,
		       struct hvm_cpuid_entry *entries);
void hvm_vcpu_kick(struct hvm_vcpu *vcpu);
int hvm_vcpu_interrupt(struct hvm_vcpu *vcpu, u32 vector);
void hvm_vcpu_nmi(struct hvm_vcpu *vcpu);

#endif /* _HVM_VCPU_H */
