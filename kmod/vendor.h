/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the core and a vendor backend (kmod/svm/, kmod/vmx/):
 * the ops table a backend fills, and all a backend may use of the core.
 * A backend includes this header alone (plus its own and the kernel's).
 */
#ifndef _HVM_VENDOR_H
#define _HVM_VENDOR_H

#include <linux/types.h>

#include "compat.h"
#include "lapic.h"
#include "vcpu.h"

/* Values a backend's exit handler returns to the core's run loop. */
#define HVM_EXIT_TO_USER	0
#define HVM_REENTER		1

/* Debug-register bits the exits touch (SDM 18.2.3, 18.2.4). */
#define HVM_DR6_BD		BIT(13)	/* a debug-register access */
#define HVM_DR6_BS		BIT(14)	/* single step */
#define HVM_DR6_RTM		BIT(16)	/* active low: 0 inside an RTM region */
#define HVM_DR7_GD		BIT(13)	/* cleared as #DB is delivered */

/*
 * CR4 bits of every x86-64 CPU, which no CPUID bit gates (nor in KVM) and
 * whose rules the hardware checks itself: a backend may let the guest
 * write them without an exit. Writes of any other bit go to hvm_set_cr4().
 */
#define HVM_CR4_GUEST_BITS	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
				 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
				 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
				 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

/* A guest's paging state, as the instruction fetcher needs it. */
struct hvm_paging {
	u64 cr0, cr3, cr4, efer;
	u64 cs_base;
	bool cs_l, cs_db;
};

/*
 * The whole contract between the core and a vendor backend. The core never
 * names a vendor; each backend fills one of these.
 */
struct hvm_vendor_ops {
	const char *name;
	u32 vendor;				/* enum hvm_vendor */
	const char *busy_msg;			/* why enable_cpu said -EBUSY */
	const char *kvm_module;			/* kvm's module for this hardware */
	const struct hvm_npt_format *npt;	/* set by init() */
	/*
	 * XSETBV always exits (VMX), so XCR0 after an exit is what the core
	 * loaded. SVM's is an intercept bit, which QEMU's SVM ignores.
	 */
	bool xsetbv_always_exits;

	/* Module load/unload: is the hardware there, global state. */
	int (*init)(void);
	void (*exit)(void);
	/* On each CPU, with preemption disabled. -EBUSY if owned by another. */
	int (*enable_cpu)(void);
	void (*disable_cpu)(void);

	/* Optional: refuse a VM the hardware cannot run (-EOPNOTSUPP). */
	int (*vm_check)(void);
	int (*vcpu_create)(struct hvm_vcpu *vcpu);
	void (*vcpu_destroy)(struct hvm_vcpu *vcpu);
	/*
	 * Optional: make the vCPU's state current on this CPU, and undo it.
	 * Called with preemption disabled around every vCPU ioctl and from
	 * the scheduler when the vCPU thread is preempted or resumes.
	 */
	void (*vcpu_load)(struct hvm_vcpu *vcpu, int cpu);
	void (*vcpu_put)(struct hvm_vcpu *vcpu);
	/*
	 * One entry, in three steps around the core's handshake
	 * (hvm_vcpu_enter_guest()). prepare_entry: events and registers into
	 * the control block; false to return to userspace instead (its
	 * interrupt window is open, exit_reason set). enter: IRQs and
	 * preemption off, the vCPU marked in the guest, pending requests
	 * seen; run the guest once (flush_tlb: its TLB entries first).
	 * complete_exit: IRQs on; registers back, then the exit's handling:
	 * HVM_REENTER or HVM_EXIT_TO_USER.
	 */
	bool (*prepare_entry)(struct hvm_vcpu *vcpu);
	void (*enter)(struct hvm_vcpu *vcpu, bool flush_tlb);
	int (*complete_exit)(struct hvm_vcpu *vcpu);
	/* Could an interrupt be injected now (IF, no shadow, none queued)? */
	bool (*interrupt_allowed)(struct hvm_vcpu *vcpu);

	void (*get_sregs)(struct hvm_vcpu *vcpu, struct hvm_sregs *sregs);
	int (*set_sregs)(struct hvm_vcpu *vcpu, const struct hvm_sregs *sregs);
	void (*get_paging)(struct hvm_vcpu *vcpu, struct hvm_paging *paging);
	/*
	 * CR0, CR4 and EFER values the core checked (cr.c), to apply as
	 * they are: a CR0 write that turns paging on or off comes with the
	 * EFER whose LMA follows it.
	 */
	void (*set_cr0)(struct hvm_vcpu *vcpu, u64 cr0);
	void (*set_cr4)(struct hvm_vcpu *vcpu, u64 cr4);
	void (*set_efer)(struct hvm_vcpu *vcpu, u64 efer);
	/* MSRs the backend keeps in its control block: 0, -ENOENT, -EINVAL. */
	int (*get_msr)(struct hvm_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct hvm_vcpu *vcpu, u32 index, u64 data, bool host);
	void (*inject_gp)(struct hvm_vcpu *vcpu);
	/* Guest TSC = host TSC + offset (the core keeps vcpu->tsc_offset). */
	void (*set_tsc_offset)(struct hvm_vcpu *vcpu, u64 offset);
};

extern const struct hvm_vendor_ops *hvm_ops;
extern const struct hvm_vendor_ops hvm_svm_ops;
extern const struct hvm_vendor_ops hvm_vmx_ops;

/* ---- What a backend may call ------------------------------------------ */

/* vcpu.c: exits the core finishes for every vendor, and state switching */
void hvm_load_guest_extra(struct hvm_vcpu *vcpu);
void hvm_put_guest_extra(struct hvm_vcpu *vcpu);
void hvm_host_machine_check(void);
int hvm_vcpu_halt(struct hvm_vcpu *vcpu);
int hvm_exit_pio(struct hvm_vcpu *vcpu, u16 port, u8 size, bool in,
		 u64 next_rip);
int hvm_exit_hypercall(struct hvm_vcpu *vcpu, u8 insn_len);
int hvm_exit_internal(struct hvm_vcpu *vcpu, u32 suberror, int ndata,
		      const u64 *data);

/* mmu.c */
int hvm_mmu_page_fault(struct hvm_vcpu *vcpu, u64 gpa, bool write,
		       bool no_emulate, const u8 *insn_bytes,
		       unsigned int insn_len);

/* emulate.c: instructions read from guest memory */
bool hvm_next_insn_is_hlt(struct hvm_vcpu *vcpu);
unsigned int hvm_exit_insn_length(struct hvm_vcpu *vcpu, const u8 *opcode,
				  unsigned int oplen);
int hvm_ud_hypercall(struct hvm_vcpu *vcpu);
unsigned int hvm_exit_mov_to_cr(struct hvm_vcpu *vcpu, u8 *cr, u8 *gpr);
unsigned int hvm_exit_cr0_write(struct hvm_vcpu *vcpu, u8 *gpr, bool *lmsw);

/* cr.c: control-register writes, checked */
int hvm_set_cr4(struct hvm_vcpu *vcpu, u64 cr4);
int hvm_emulate_mov_to_cr(struct hvm_vcpu *vcpu, unsigned int cr,
			  unsigned int gpr);
int hvm_emulate_lmsw(struct hvm_vcpu *vcpu, u16 msw);

/* cpuid.c, msr.c: RDMSR, WRMSR, XSETBV from the guest's registers: false means #GP */
void hvm_emulate_cpuid(struct hvm_vcpu *vcpu, u64 cr4);
bool hvm_pat_valid(u64 pat);
bool hvm_emulate_rdmsr(struct hvm_vcpu *vcpu);
bool hvm_emulate_wrmsr(struct hvm_vcpu *vcpu);
bool hvm_emulate_xsetbv(struct hvm_vcpu *vcpu);

static inline bool hvm_is_canonical(u64 addr)
{
	return (u64)((s64)addr << 16 >> 16) == addr;
}

/*
 * Exits by hardware exit code, per CPU, for debugfs "exits" (main.c). The
 * last slot counts the codes above the others. Allocated at load: static
 * per-CPU data of modules has to fit in a few KiB for all of them.
 */
#define HVM_EXIT_STAT_SLOTS	0x402
extern u64 __percpu *hvm_exit_counts;

static inline void hvm_count_exit(u64 code)
{
	this_cpu_inc(hvm_exit_counts[min_t(u64, code,
					   HVM_EXIT_STAT_SLOTS - 1)]);
}

#endif /* _HVM_VENDOR_H */
