/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvm core: the vendor-neutral objects (VM, vCPU, memory slots, nested page
 * tables) and the ops table a vendor backend implements.
 */
#ifndef _HVM_CORE_H
#define _HVM_CORE_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/mmu_notifier.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/wait.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "hvm.h"		/* uapi */
#include "insn_decode.h"
#include "lapic.h"

#define HVM_MAX_VCPUS		64
#define HVM_MAX_MEMSLOTS	32
#define HVM_MAX_CPUID_ENTRIES	256
#define HVM_MAX_MSR_ENTRIES	256
/* Guest-physical limit: 4-level nested paging covers 48 bits. */
#define HVM_GUEST_PHYS_BITS	46
#define HVM_MAX_GPA		(1ULL << HVM_GUEST_PHYS_BITS)

/* Index of each general register in hvm_vcpu.regs: x86 encoding order. */
enum hvm_reg {
	HVM_RAX, HVM_RCX, HVM_RDX, HVM_RBX, HVM_RSP, HVM_RBP, HVM_RSI, HVM_RDI,
	HVM_R8, HVM_R9, HVM_R10, HVM_R11, HVM_R12, HVM_R13, HVM_R14, HVM_R15,
	HVM_NR_REGS,
};

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

struct hvm_lapic;

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
	struct hvm_memslot memslots[HVM_MAX_MEMSLOTS];
	struct hvm_vcpu *vcpus[HVM_MAX_VCPUS];
	u64 *npt_root;
	unsigned long npt_pages;	/* table pages, root included */
	unsigned long mapped_pages;	/* present leaf entries */
	/* Faults retry while an invalidation runs or ran since they began. */
	unsigned long mmu_seq;
	unsigned int mmu_invalidating;
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
	u64 dr[4];			/* DR0-3, swapped around each entry */
	u32 pkru, host_pkru;		/* PKRU, swapped likewise */

	struct fpu_guest guest_fpu;

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
};

extern const struct hvm_vendor_ops *hvm_ops;
extern const struct hvm_vendor_ops hvm_svm_ops;
extern const struct hvm_vendor_ops hvm_vmx_ops;

/* main.c */
int hvm_hardware_get(void);
void hvm_hardware_put(void);
extern atomic_t hvm_live_vms, hvm_live_vcpus;
/* 2 MiB nested leaves installed since load, all VMs (debugfs). */
extern atomic_long_t hvm_npt_large_maps;

/* dev.c: the ioctl layer */
int hvm_dev_init(void);
void hvm_dev_exit(void);

/* abi.c: the ABI's rules for what userspace passes in */
bool hvm_sregs_valid(const struct hvm_sregs *s);
bool hvm_cpuid_entry_valid(const struct hvm_cpuid_entry *e);
bool hvm_msr_entry_valid(const struct hvm_msr_entry *e);
bool hvm_interrupt_valid(const struct hvm_interrupt *irq);

/* vm.c */
int hvm_vm_create_lapic(struct hvm_vm *vm);
struct hvm_vm *hvm_vm_create(void);
void hvm_vm_put(struct hvm_vm *vm);
int hvm_vm_set_memory_region(struct hvm_vm *vm,
			     const struct hvm_memory_region *region);
struct hvm_vcpu *hvm_vm_create_vcpu(struct hvm_vm *vm, u32 id);
void hvm_vm_flush_tlbs(struct hvm_vm *vm, bool may_sleep);

/* vcpu.c */
void hvm_vcpu_init_preempt(struct hvm_vcpu *vcpu);
void hvm_vcpu_load(struct hvm_vcpu *vcpu);
void hvm_vcpu_put(struct hvm_vcpu *vcpu);
void hvm_vcpu_destroy(struct hvm_vcpu *vcpu);
void hvm_load_guest_extra(struct hvm_vcpu *vcpu);
void hvm_put_guest_extra(struct hvm_vcpu *vcpu);
int hvm_vcpu_run(struct hvm_vcpu *vcpu);
void hvm_vcpu_get_regs(struct hvm_vcpu *vcpu, struct hvm_regs *regs);
void hvm_vcpu_set_regs(struct hvm_vcpu *vcpu, const struct hvm_regs *regs);
void hvm_vcpu_get_sregs(struct hvm_vcpu *vcpu, struct hvm_sregs *sregs);
int hvm_vcpu_set_sregs(struct hvm_vcpu *vcpu, const struct hvm_sregs *sregs);
int hvm_vcpu_set_cpuid(struct hvm_vcpu *vcpu, u32 nent,
		       struct hvm_cpuid_entry *entries);
void hvm_vcpu_kick(struct hvm_vcpu *vcpu);
void hvm_host_machine_check(void);
int hvm_vcpu_halt(struct hvm_vcpu *vcpu);
int hvm_vcpu_interrupt(struct hvm_vcpu *vcpu, u32 vector);
void hvm_vcpu_nmi(struct hvm_vcpu *vcpu);
int hvm_exit_pio(struct hvm_vcpu *vcpu, u16 port, u8 size, bool in,
		 u64 next_rip);
int hvm_exit_hypercall(struct hvm_vcpu *vcpu, u8 insn_len);
int hvm_exit_internal(struct hvm_vcpu *vcpu, u32 suberror, int ndata,
		      const u64 *data);

/* memslot.c */
int hvm_memslot_check(const struct hvm_memory_region *region);
const struct hvm_memslot *hvm_memslot_find(struct hvm_vm *vm, u64 gpa);
int hvm_read_guest_phys(struct hvm_vcpu *vcpu, u64 gpa, void *buf,
			unsigned int len);
int hvm_write_guest_phys(struct hvm_vcpu *vcpu, u64 gpa, const void *buf,
			 unsigned int len);

/* mmu.c: nested page tables, vendor-neutral */
int hvm_mmu_init(struct hvm_vm *vm);
void hvm_mmu_destroy(struct hvm_vm *vm);
int hvm_mmu_page_fault(struct hvm_vcpu *vcpu, u64 gpa, bool write,
		       bool no_emulate, const u8 *insn_bytes,
		       unsigned int insn_len);
void hvm_mmu_zap_range(struct hvm_vm *vm, u64 gpa, u64 size);
int hvm_npt_cache_topup(struct hvm_vcpu *vcpu);
void hvm_npt_cache_free(struct hvm_vcpu *vcpu);
u64 hvm_npt_leaf(const struct hvm_npt_format *fmt, phys_addr_t pa,
		 bool writable);
bool hvm_npt_map(struct hvm_vcpu *vcpu, u64 gpa, u64 leaf, int level);
extern const struct mmu_notifier_ops hvm_mmu_notifier_ops;

/* emulate.c: MMIO via instruction decode */
int hvm_emulate_mmio(struct hvm_vcpu *vcpu, u64 gpa, bool write,
		     const u8 *insn_bytes, unsigned int insn_len);
void hvm_complete_mmio_read(struct hvm_vcpu *vcpu);
int hvm_mmio_pending_write(struct hvm_vcpu *vcpu);
bool hvm_next_insn_is_hlt(struct hvm_vcpu *vcpu);
unsigned int hvm_exit_insn_length(struct hvm_vcpu *vcpu, const u8 *opcode,
				  unsigned int oplen);
int hvm_ud_hypercall(struct hvm_vcpu *vcpu);
unsigned int hvm_exit_mov_to_cr(struct hvm_vcpu *vcpu, u8 *cr, u8 *gpr);
unsigned int hvm_exit_cr0_write(struct hvm_vcpu *vcpu, u8 *gpr, bool *lmsw);

/* cr.c: CR0, CR4 and EFER writes checked against the architecture and CPUID */
u64 hvm_cr4_host_reserved(void);
u64 hvm_cr4_guest_reserved(struct hvm_vcpu *vcpu);
u64 hvm_efer_host_reserved(void);
u64 hvm_efer_guest_reserved(struct hvm_vcpu *vcpu);
bool hvm_cr0_write_valid(const struct hvm_paging *cur, u64 cr0);
bool hvm_cr4_write_valid(const struct hvm_paging *cur, u64 cr4, u64 reserved);
bool hvm_efer_write_valid(const struct hvm_paging *cur, u64 efer,
			  u64 reserved);
bool hvm_sregs_state_valid(const struct hvm_sregs *s, u64 cr4_reserved,
			   u64 efer_reserved);
int hvm_set_cr0(struct hvm_vcpu *vcpu, u64 cr0);
int hvm_set_cr4(struct hvm_vcpu *vcpu, u64 cr4);
int hvm_set_efer(struct hvm_vcpu *vcpu, u64 efer, bool host);
int hvm_emulate_mov_to_cr(struct hvm_vcpu *vcpu, unsigned int cr,
			  unsigned int gpr);
int hvm_emulate_lmsw(struct hvm_vcpu *vcpu, u16 msw);

/* cpuid.c */
void hvm_cpuid(struct hvm_vcpu *vcpu, u32 function, u32 index, u64 cr4,
	       u32 out[4]);
u32 hvm_xsave_size(struct hvm_vcpu *vcpu, u64 xcr0);
bool hvm_guest_has_x2apic(struct hvm_vcpu *vcpu);
void hvm_emulate_cpuid(struct hvm_vcpu *vcpu, u64 cr4);

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

/* msr.c */
int hvm_get_msr(struct hvm_vcpu *vcpu, u32 index, u64 *data);
int hvm_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data, bool host);
bool hvm_xcr0_valid(u64 xcr0);
bool hvm_apic_base_valid(u64 base);
bool hvm_pat_valid(u64 pat);
/* RDMSR, WRMSR, XSETBV from the guest's registers: false means #GP. */
bool hvm_emulate_rdmsr(struct hvm_vcpu *vcpu);
bool hvm_emulate_wrmsr(struct hvm_vcpu *vcpu);
bool hvm_emulate_xsetbv(struct hvm_vcpu *vcpu);

static inline bool hvm_is_canonical(u64 addr)
{
	return (u64)((s64)addr << 16 >> 16) == addr;
}
extern u64 hvm_host_xcr0;		/* 0: the host does not use XSAVE */

/* XCR0 is switched around guest entry only where both sides differ. */
static inline bool hvm_xcr0_differs(const struct hvm_vcpu *vcpu)
{
	return hvm_host_xcr0 && vcpu->xcr0 != hvm_host_xcr0;
}

#endif /* _HVM_CORE_H */
