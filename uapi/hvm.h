/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvm ABI: the contract between /dev/hvm and the userspace VMM.
 *
 * Rules that hold for every structure in this file:
 *  - sizes are fixed and padding is explicit; the layout is the same for
 *    32-bit and 64-bit userspace;
 *  - every field named "reserved" or "padding" must be zero on input (the
 *    ioctl fails with -EINVAL otherwise) and is zero on output;
 *  - the ABI is append-only: new behaviour comes behind a capability
 *    (HVM_CHECK_CAP) and never changes what an existing call does.
 *
 * File descriptors: /dev/hvm -> HVM_CREATE_VM -> a VM fd -> HVM_CREATE_VCPU
 * -> a vCPU fd whose first page (HVM_GET_VCPU_MMAP_SIZE bytes) is mmap-able
 * and holds struct hvm_run. A VM lives until its fd and all its vCPU fds
 * are closed.
 *
 * Errors: malformed input gets -EINVAL (bad value, reserved bit, wrong fd
 * type), -EFAULT (bad pointer), -E2BIG (array longer than the limit the
 * capability reports) or -EBUSY (the resource is in use, or another
 * hypervisor owns the virtualization hardware). A call that waits for
 * another thread of the VM returns -EINTR on a fatal signal. Calls that
 * need more say so: -ENXIO (no in-kernel LAPIC), -ENOENT (no such
 * binding), -ENOSPC (a per-VM limit), -EBADF (an fd that is not open).
 */
#ifndef _UAPI_HVM_H
#define _UAPI_HVM_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define HVM_API_VERSION		1

#define HVMIO			0xAF

/* ------------------------------------------------------------------ */
/* /dev/hvm (system) ioctls                                           */
/* ------------------------------------------------------------------ */

/* Returns HVM_API_VERSION. */
#define HVM_GET_API_VERSION	_IO(HVMIO, 0x00)
/* arg: enum hvm_cap. Returns the capability's value, 0 if unknown. */
#define HVM_CHECK_CAP		_IO(HVMIO, 0x01)
/* arg: 0 (machine type; none other defined). Returns a VM fd. */
#define HVM_CREATE_VM		_IO(HVMIO, 0x02)
/* Returns the size of the vCPU fd mapping that holds struct hvm_run. */
#define HVM_GET_VCPU_MMAP_SIZE	_IO(HVMIO, 0x03)

enum hvm_cap {
	HVM_CAP_NESTED_PAGING = 1,	/* 1: guest memory is nested-paged */
	HVM_CAP_NR_MEMSLOTS = 2,	/* number of memory slots */
	HVM_CAP_MAX_VCPUS = 3,		/* vCPUs per VM */
	HVM_CAP_READONLY_MEM = 4,	/* 1: HVM_MEM_READONLY works */
	HVM_CAP_IMMEDIATE_EXIT = 5,	/* 1: hvm_run.immediate_exit works */
	HVM_CAP_VENDOR = 6,		/* enum hvm_vendor of this host */
	HVM_CAP_MAX_CPUID_ENTRIES = 7,	/* limit of hvm_cpuid.nent */
	HVM_CAP_MAX_MSR_ENTRIES = 8,	/* limit of hvm_msrs.nmsrs */
	HVM_CAP_GUEST_PHYS_BITS = 9,	/* guest ranges end at or below 1 << n */
	HVM_CAP_LAPIC = 10,		/* 1: HVM_CREATE_LAPIC works */
	HVM_CAP_X2APIC = 11,		/* 1: that LAPIC has x2APIC mode */
	HVM_CAP_NMI = 12,		/* 1: HVM_NMI works, NMIs are delivered */
	HVM_CAP_MSI = 13,		/* 1: HVM_SIGNAL_MSI works */
	HVM_CAP_IRQFD = 14,		/* irqfds per VM (HVM_IRQFD), 0: none */
	HVM_CAP_IOEVENTFD = 15,		/* HVM_IOEVENTFD: registrations per VM */
	HVM_CAP_EOI_EXIT = 16,		/* 1: HVM_SET_EOI_EXITS, HVM_EXIT_EOI */
};

enum hvm_vendor {
	HVM_VENDOR_NONE = 0,
	HVM_VENDOR_AMD_SVM = 1,
	HVM_VENDOR_INTEL_VMX = 2,
};

/* ------------------------------------------------------------------ */
/* VM ioctls                                                          */
/* ------------------------------------------------------------------ */

/*
 * Adds (memory_size != 0) or deletes (memory_size == 0) the memory slot
 * "slot". guest_phys_addr, memory_size and userspace_addr are page aligned;
 * neither range may wrap, and the guest range ends at or below
 * 1 << HVM_CAP_GUEST_PHYS_BITS. Adding to an occupied slot, or a guest range that
 * overlaps another slot, fails with -EBUSY; deleting an empty slot with
 * -EINVAL. Guest writes to a HVM_MEM_READONLY slot exit as MMIO writes.
 */
#define HVM_SET_MEMORY_REGION	_IOW(HVMIO, 0x10, struct hvm_memory_region)
/* arg: vCPU id, below HVM_CAP_MAX_VCPUS and unused. Returns a vCPU fd. */
#define HVM_CREATE_VCPU		_IO(HVMIO, 0x11)
/*
 * arg: 0. Gives every vCPU created after it a local APIC in the kernel
 * (HVM_CAP_LAPIC): the xAPIC page at the APIC base (0xfee00000 at reset,
 * MMIO the kernel handles), its timer in one-shot, periodic and
 * TSC-deadline modes (IA32_TSC_DEADLINE) with a 1 GHz bus clock, EOI,
 * TPR, IPIs (INIT and SIPI too). With HVM_CAP_X2APIC, IA32_APIC_BASE bit
 * 10 switches it to x2APIC mode (if the guest's CPUID has x2APIC): MSRs
 * 0x800-0x8ff, x2APIC ID = vCPU id, cluster logical destinations. HLT
 * with RFLAGS.IF set then waits in the kernel until an interrupt is due,
 * a signal comes or immediate_exit is set (HVM_EXIT_INTR; RIP is past the
 * HLT); HLT with IF clear still exits as HVM_EXIT_HLT, and HLT while
 * request_interrupt_window is set ends at once in HVM_EXIT_IRQ_WINDOW_OPEN
 * (the window userspace waits for is open). HVM_INTERRUPT still
 * injects a vector directly (an 8259A PIC in userspace, ExtINT). -EBUSY
 * once a vCPU exists or if called twice; -EINVAL for arg != 0.
 */
#define HVM_CREATE_LAPIC	_IO(HVMIO, 0x12)
/*
 * Delivers one MSI (struct hvm_msi) to the in-kernel local APICs
 * (HVM_CAP_MSI), as the SDM's "Message Signalled Interrupts" (Vol. 3,
 * 11.11) defines the message:
 *  - address_lo: 0xfee in bits 31:20, destination ID in 19:12,
 *    redirection hint (RH) in 3, destination mode in 2 (1: logical);
 *    bits 11:4 and 1:0 are reserved (0). address_hi must be 0 (no
 *    extended destination: vCPU ids fit 8 bits).
 *  - data: vector in 7:0, delivery mode in 10:8, level in 14, trigger
 *    mode in 15 (1: level); bits 31:16 and 13:11 are reserved (0).
 * Destination: 0xff is every LAPIC. Physical mode names the APIC ID (an
 * x2APIC's is its vCPU id). Logical mode reads each LAPIC's LDR in the
 * flat or cluster model its DFR selects; to a LAPIC in x2APIC mode the
 * destination is cluster 0 with bit n naming vCPU n (vCPUs 0-7).
 * Delivery modes: fixed (0), lowest priority (1), NMI (4), INIT (5) and
 * 6, which the SDM reserves for MSIs and hvm takes as the ICR's Start-Up
 * (SIPI, vector = page), so a VMM can start an AP. Lowest priority, and
 * fixed with RH set, go to one LAPIC of the destination: the one with the
 * lowest processor priority (PPR), the lowest vCPU id among equals.
 * Edge-triggered messages always assert. A level-triggered one with level
 * 1 (assert) is delivered and, for fixed and lowest priority, sets the
 * vector's TMR bit (an edge one clears it); with level 0 (deassert) it
 * delivers nothing and returns 0. A halted vCPU that gets an interrupt
 * it can take wakes.
 * Returns the number of LAPICs the message was delivered to (0: none
 * matched). -EINVAL: an address outside 0xfee00000-0xfeefffff, address_hi
 * not 0, a reserved bit, delivery mode SMI (2), 3 or ExtINT (7), flags or
 * reserved not 0. -ENXIO: the VM has no in-kernel LAPIC
 * (HVM_CREATE_LAPIC not called).
 */
#define HVM_SIGNAL_MSI		_IOW(HVMIO, 0x13, struct hvm_msi)
/*
 * Binds an eventfd to an MSI (HVM_CAP_IRQFD gives the most per VM): every
 * signal of the eventfd delivers the message as HVM_SIGNAL_MSI would,
 * from the eventfd's wakeup, without a call into hvm. Signals that come
 * before the guest takes the vector merge with it, as edges do; the
 * eventfd's count is consumed by each delivery. A count the eventfd holds
 * when it is assigned delivers the MSI once (and is consumed with the next
 * signal). flags:
 *  - 0: assign fd with msi. -EBUSY if the eventfd is already bound in
 *    this VM, -ENOSPC beyond HVM_CAP_IRQFD bindings.
 *  - HVM_IRQFD_FLAG_UPDATE: give fd's binding a new msi, in place (the
 *    guest reprogrammed its MSI-X vector); the next signal uses it.
 *  - HVM_IRQFD_FLAG_DEASSIGN: remove fd's binding (msi is not read); no
 *    delivery from it once the call returns.
 * A binding also ends when the eventfd's last file reference is closed,
 * and with the VM. -EINVAL: unknown flags or both, reserved not 0, an msi
 * HVM_SIGNAL_MSI would refuse; -EBADF: fd is not open; -EINVAL: fd is not
 * an eventfd; -ENOENT: update or deassign of an fd not bound; -ENXIO: the
 * VM has no in-kernel LAPIC.
 */
#define HVM_IRQFD		_IOW(HVMIO, 0x14, struct hvm_irqfd)
/*
 * (HVM_CAP_IOEVENTFD) Binds an eventfd to guest writes of one port or
 * guest-physical address: a write that matches is completed in the kernel
 * (RIP moves past the instruction) and signals the eventfd, with no exit
 * to userspace. Without HVM_IOEVENTFD_FLAG_DEASSIGN it registers:
 *  - HVM_IOEVENTFD_FLAG_PIO: port I/O, port addr, by OUT (INS/OUTS and
 *    REP forms still exit); otherwise MMIO at guest-physical addr, by any
 *    write that exits as HVM_EXIT_MMIO (an unbacked address, or a write to
 *    a HVM_MEM_READONLY slot; a write to memory is no exit at all). The
 *    in-kernel xAPIC page takes precedence.
 *  - A write matches when it is at addr itself, of len bytes (len 0: any
 *    length), and, with HVM_IOEVENTFD_FLAG_DATAMATCH, its value (zero-
 *    extended from len bytes) is datamatch. A write that matches none
 *    exits as before. A write that matches several (one with datamatch,
 *    one without) signals each.
 *  - Two registrations conflict when they are in the same space, their
 *    ranges [addr, addr + max(len, 1)) intersect, and both have no
 *    datamatch or both the same datamatch: -EEXIST.
 * With HVM_IOEVENTFD_FLAG_DEASSIGN it removes the registration with the
 * same flags (less DEASSIGN), addr, len and datamatch, whose eventfd is
 * fd, or any eventfd if fd is -1; -ENOENT if there is none.
 * The eventfd is held until the registration goes (deassign, or the VM
 * is freed): closing the fd does not end it.
 * Errors: -EINVAL for an unknown flag, non-zero padding or reserved
 * fields, len not 0, 1, 2, 4 or 8 (8 not for PIO), DATAMATCH with len 0,
 * datamatch non-zero without DATAMATCH or wider than len bytes, a range
 * that wraps past 2^64 (MMIO) or 0x10000 (PIO), or an fd that is not an
 * eventfd; -EBADF for an fd that is not open (-1 when registering);
 * -EEXIST (conflict above); -ENOSPC with HVM_CAP_IOEVENTFD registrations
 * already in the VM; -ENOENT (deassign, nothing matches).
 */
#define HVM_IOEVENTFD		_IOW(HVMIO, 0x15, struct hvm_ioeventfd)
/*
 * (HVM_CAP_EOI_EXIT) The vectors whose EOI the VMM wants to see: an
 * I/O APIC in userspace learns so that the guest is done with a
 * level-triggered interrupt it routed (KVM's split irqchip). When the
 * guest's EOI (the xAPIC EOI register, or the x2APIC EOI MSR) retires a
 * vector whose bit is set in bitmap (vector v: bit v % 64 of bitmap[v /
 * 64]), the vCPU exits with HVM_EXIT_EOI and run->eoi.vector, after the
 * EOI is done in its LAPIC and with RIP past the write. Replaces the
 * whole set; all zero turns the exits off (the state at creation). Takes
 * effect for EOIs from the next guest write on, in any vCPU of the VM;
 * has effect only with an in-kernel LAPIC (HVM_CREATE_LAPIC). -EINVAL for
 * flags or padding other than 0, or a bit of vectors 0-15 (which no
 * LAPIC accepts).
 */
#define HVM_SET_EOI_EXITS	_IOW(HVMIO, 0x16, struct hvm_eoi_exits)

#define HVM_MEM_READONLY	(1u << 0)

struct hvm_memory_region {
	__u32 slot;
	__u32 flags;			/* HVM_MEM_* */
	__u64 guest_phys_addr;
	__u64 memory_size;		/* 0 deletes the slot */
	__u64 userspace_addr;		/* start of the backing memory */
	__u64 reserved[2];
};

struct hvm_msi {
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
	__u32 flags;			/* none defined: must be 0 */
	__u32 reserved[4];
};

#define HVM_IRQFD_FLAG_DEASSIGN	(1u << 0)
#define HVM_IRQFD_FLAG_UPDATE	(1u << 1)

struct hvm_irqfd {
	__s32 fd;			/* an eventfd */
	__u32 flags;			/* HVM_IRQFD_FLAG_* */
	struct hvm_msi msi;
	__u64 reserved[2];
};

#define HVM_IOEVENTFD_FLAG_DATAMATCH	(1u << 0)
#define HVM_IOEVENTFD_FLAG_PIO		(1u << 1)
#define HVM_IOEVENTFD_FLAG_DEASSIGN	(1u << 2)

struct hvm_ioeventfd {
	__u64 datamatch;		/* with HVM_IOEVENTFD_FLAG_DATAMATCH */
	__u64 addr;			/* port or guest-physical address */
	__u32 len;			/* 1, 2, 4 or 8 bytes; 0: any */
	__s32 fd;			/* an eventfd */
	__u32 flags;			/* HVM_IOEVENTFD_FLAG_* */
	__u32 padding;
	__u64 reserved[2];
};

struct hvm_eoi_exits {
	__u32 flags;			/* none defined: must be 0 */
	__u32 padding;
	__u64 bitmap[4];		/* vectors 0-255, 0-15 must be 0 */
};

/* ------------------------------------------------------------------ */
/* vCPU ioctls                                                        */
/* ------------------------------------------------------------------ */

/*
 * Runs the vCPU until an exit userspace must handle; the exit is described
 * in struct hvm_run. Returns 0, or -EINTR with exit_reason HVM_EXIT_INTR
 * when a signal is pending or immediate_exit was set. The exit that
 * preceded the call (I/O in, MMIO read, hypercall) is completed first,
 * from the data userspace wrote into hvm_run.
 */
#define HVM_RUN			_IO(HVMIO, 0x20)
#define HVM_GET_REGS		_IOR(HVMIO, 0x21, struct hvm_regs)
#define HVM_SET_REGS		_IOW(HVMIO, 0x22, struct hvm_regs)
#define HVM_GET_SREGS		_IOR(HVMIO, 0x23, struct hvm_sregs)
/*
 * -EINVAL for a state no x86 CPU can be in, or that this host cannot run:
 * a reserved or unsupported bit of CR0 (bits 63:32), CR4 or EFER (SVME
 * included), CR0.PG without CR0.PE, CR0.NW without CR0.CD, EFER.LMA other
 * than EFER.LME and CR0.PG together, IA-32e paging without CR4.PAE, and
 * CR4.PCIDE outside IA-32e mode. The guest's CPUID is not consulted here
 * (it may be set later); the guest's own writes of CR0, CR4 and EFER are,
 * and get #GP(0) where the architecture or its CPUID does not allow them.
 */
#define HVM_SET_SREGS		_IOW(HVMIO, 0x24, struct hvm_sregs)
/*
 * The CPUID table the guest sees. struct hvm_cpuid is followed by nent
 * entries (nent <= HVM_CAP_MAX_CPUID_ENTRIES, else -E2BIG). A leaf absent
 * from the table reads as zeros. Whatever the table says, the guest never
 * sees SVM or VMX, and OSXSAVE follows the guest's CR4.
 */
#define HVM_SET_CPUID		_IOW(HVMIO, 0x25, struct hvm_cpuid)
/*
 * struct hvm_msrs is followed by nmsrs entries (nmsrs <=
 * HVM_CAP_MAX_MSR_ENTRIES, else -E2BIG). Returns how many entries, from
 * the first, were read or written; it stops at the first MSR the vCPU does
 * not implement or whose value is invalid.
 */
#define HVM_GET_MSRS		_IOWR(HVMIO, 0x26, struct hvm_msrs)
#define HVM_SET_MSRS		_IOW(HVMIO, 0x27, struct hvm_msrs)
/*
 * Queues an external interrupt; it is delivered when the guest can take it
 * (RFLAGS.IF set, no interrupt shadow). -EBUSY if one is already queued.
 */
#define HVM_INTERRUPT		_IOW(HVMIO, 0x28, struct hvm_interrupt)
/*
 * Asserts the vCPU's LINT1 pin, where boards wire the NMI button and the
 * chipset's NMI (HVM_CAP_NMI). With a LAPIC that is enabled, LVT LINT1
 * says what it becomes: an NMI (delivery mode NMI), an interrupt (fixed)
 * or nothing (masked, or another mode); otherwise it is an NMI. An NMI,
 * from here or an IPI, is delivered once the guest is out of the handler
 * of the last one (its IRET) and of any interrupt shadow; one that comes
 * meanwhile is held, and the ones after it are merged with it.
 */
#define HVM_NMI			_IO(HVMIO, 0x29)

struct hvm_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* A segment register with its hidden part, as the hardware caches it. */
struct hvm_segment {
	__u64 base;
	__u32 limit;			/* in bytes, granularity applied */
	__u16 selector;
	__u8 type;			/* descriptor type field, 4 bits */
	__u8 present;
	__u8 dpl;
	__u8 db;
	__u8 s;
	__u8 l;
	__u8 g;
	__u8 avl;
	__u8 unusable;			/* a null selector was loaded */
	__u8 padding;
};

struct hvm_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

struct hvm_sregs {
	struct hvm_segment cs, ds, es, fs, gs, ss;
	struct hvm_segment tr, ldt;
	struct hvm_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 reserved[8];
};

#define HVM_CPUID_FLAG_SIGNIFICANT_INDEX	(1u << 0)

struct hvm_cpuid_entry {
	__u32 function;			/* EAX on entry to CPUID */
	__u32 index;			/* ECX on entry, if significant */
	__u32 flags;			/* HVM_CPUID_FLAG_* */
	__u32 eax, ebx, ecx, edx;
	__u32 reserved;
};

struct hvm_cpuid {
	__u32 nent;
	__u32 flags;			/* none defined: must be 0 */
	struct hvm_cpuid_entry entries[];
};

struct hvm_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

struct hvm_msrs {
	__u32 nmsrs;
	__u32 padding;
	struct hvm_msr_entry entries[];
};

struct hvm_interrupt {
	__u32 vector;			/* 0..255 */
	__u32 flags;			/* none defined: must be 0 */
};

/* ------------------------------------------------------------------ */
/* The run structure, at offset 0 of the vCPU fd mapping              */
/* ------------------------------------------------------------------ */

enum hvm_exit_reason {
	HVM_EXIT_UNKNOWN = 0,
	HVM_EXIT_IO = 1,		/* port I/O: run->io */
	HVM_EXIT_MMIO = 2,		/* access to unbacked memory: run->mmio */
	HVM_EXIT_HYPERCALL = 3,		/* VMMCALL/VMCALL: run->hypercall */
	HVM_EXIT_HLT = 4,		/* HLT, RIP is past it */
	HVM_EXIT_SHUTDOWN = 5,		/* triple fault; vCPU state undefined */
	HVM_EXIT_IRQ_WINDOW_OPEN = 6,	/* request_interrupt_window granted */
	/*
	 * The hardware refused the guest state. Segments, control registers
	 * and the MSRs the hardware switches (EFER, PAT, the SYSCALL and
	 * SYSENTER MSRs, the segment bases) are undefined: set them again
	 * (HVM_SET_SREGS, HVM_SET_MSRS) before the next HVM_RUN. General
	 * registers, RIP, RFLAGS, the MSRs hvm emulates (APIC base,
	 * MISC_ENABLE, MTRRs, TSC deadline) and the local APIC are kept.
	 */
	HVM_EXIT_FAIL_ENTRY = 7,
	HVM_EXIT_INTERNAL_ERROR = 8,	/* hvm cannot go on: run->internal */
	HVM_EXIT_INTR = 9,		/* RUN returned -EINTR */
	HVM_EXIT_EOI = 10,		/* an EOI HVM_SET_EOI_EXITS asked for: run->eoi */
};

#define HVM_EXIT_IO_IN		0
#define HVM_EXIT_IO_OUT		1

enum hvm_internal_error {
	/* An MMIO access by an instruction hvm does not decode. */
	HVM_INTERNAL_ERROR_EMULATION = 1,
	/* An exit hvm has no handler for: data[0] is the hardware's code. */
	HVM_INTERNAL_ERROR_UNEXPECTED_EXIT = 2,
	/* String or REP port I/O (INS/OUTS), not supported in ABI v1. */
	HVM_INTERNAL_ERROR_STRING_IO = 3,
	/* A nested-page fault hvm could not resolve: data[0] = GPA. */
	HVM_INTERNAL_ERROR_MEMORY = 4,
};

/*
 * For HVM_EXIT_IO, count items of size bytes each are at data_offset
 * from the start of this structure: written by the guest (OUT) or to be
 * filled by userspace before the next HVM_RUN (IN).
 */
struct hvm_run_io {
	__u8 direction;			/* HVM_EXIT_IO_IN or _OUT */
	__u8 size;			/* 1, 2 or 4 */
	__u16 port;
	__u32 count;
	__u32 data_offset;
	__u32 padding;
};

/*
 * For reads, userspace writes the len bytes of data before HVM_RUN. One
 * access per exit: a read-modify-write instruction (ADD, XCHG, CMPXCHG...)
 * exits to read, then, from the HVM_RUN that completes the read, to write;
 * REP MOVS/STOS exit once per element.
 */
struct hvm_run_mmio {
	__u64 phys_addr;
	__u8 data[8];
	__u32 len;			/* 1, 2, 4 or 8 */
	__u8 is_write;
	__u8 padding[3];
};

/* Guest RAX = nr, RBX, RCX, RDX, RSI = args; RAX := ret on resume. */
struct hvm_run_hypercall {
	__u64 nr;
	__u64 args[4];
	__u64 ret;
};

struct hvm_run_fail_entry {
	__u64 hardware_entry_failure_reason;	/* VMEXIT code / VM-instr. error */
	__u64 qualification;			/* exit qualification, or 0 */
	__u32 cpu;
	__u32 padding;
};

struct hvm_run_internal {
	__u32 suberror;			/* enum hvm_internal_error */
	__u32 ndata;			/* valid entries of data[] */
	__u64 data[6];
	__u8 insn_len;			/* valid bytes of insn_bytes[] */
	__u8 insn_bytes[15];
};

/*
 * HVM_EXIT_EOI: the guest's EOI retired vector (its ISR bit is clear and
 * RIP is past the EOI write). Nothing to complete: HVM_RUN goes on.
 */
struct hvm_run_eoi {
	__u8 vector;
	__u8 padding[7];
};

struct hvm_run {
	/* in: set by userspace */
	__u8 request_interrupt_window;
	__u8 immediate_exit;
	__u8 padding1[6];

	/* out: set by hvm */
	__u32 exit_reason;		/* enum hvm_exit_reason */
	/* Both current on every return from HVM_RUN, an EINTR too. */
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;
	__u16 padding2;
	__u64 hardware_exit_reason;	/* the vendor's exit code, always */

	union {
		struct hvm_run_io io;
		struct hvm_run_mmio mmio;
		struct hvm_run_hypercall hypercall;
		struct hvm_run_fail_entry fail_entry;
		struct hvm_run_internal internal;
		struct hvm_run_eoi eoi;
		__u8 padding[256];
	};
};

/* Where HVM_EXIT_IO data lives in the mapping (io.data_offset says so too). */
#define HVM_RUN_IO_DATA_OFFSET	1024
#define HVM_RUN_IO_DATA_SIZE	1024

#endif /* _UAPI_HVM_H */
