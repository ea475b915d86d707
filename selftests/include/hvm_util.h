/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvm selftest library: host side.
 *
 * A VM made by vm_create() has one memory slot (slot 0, HVM_SLOT0_SIZE bytes
 * at guest-physical 0) and 4-level page tables that map this test binary's
 * loaded segments at the same virtual addresses as in the host process, so
 * guest code is ordinary C compiled into the test (see guest.h). Guest
 * virtual addresses of binary symbols are therefore host pointers too: to
 * reach the guest's copy of a global use addr_gva2hva() or the
 * sync_global_*() macros. The binary is copied when the VM is created.
 *
 * Everything that is not expected to fail aborts the test with a TAP
 * "Bail out!" (TEST_ASSERT); functions starting with "__" return the raw
 * ioctl result instead so tests can check errors.
 */
#ifndef HVM_SELFTEST_UTIL_H
#define HVM_SELFTEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvm.h"
#include "ksft.h"
#include "ucall.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define PAGE_SIZE		4096ul
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((u64)(a) - 1))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define HVM_DEV_PATH		"/dev/hvm"
#define HVM_DEBUGFS_OBJECTS	"/sys/kernel/debug/hvm/objects"
#define HVM_DEBUGFS_EXITS	"/sys/kernel/debug/hvm/exits"

/* Guest-physical layout of a vm_create() VM. */
#define HVM_SLOT0_SIZE		(64ul << 20)
#define HVM_PHYS_ALLOC_START	0x100000ul	/* first MiB stays free */
/* Guest-virtual region for vm_vaddr_alloc() (stack, GDT, IDT, buffers). */
#define HVM_VADDR_ALLOC_START	0x100000000000ul
#define HVM_GUEST_STACK_SIZE	(64ul << 10)

/* Segment selectors of the library's GDT. */
#define GUEST_CS_SEL		0x08
#define GUEST_DS_SEL		0x10
#define GUEST_TSS_SEL		0x18

#define X86_CR0_PE		(1ul << 0)
#define X86_CR0_MP		(1ul << 1)
#define X86_CR0_ET		(1ul << 4)
#define X86_CR0_NE		(1ul << 5)
#define X86_CR0_WP		(1ul << 16)
#define X86_CR0_AM		(1ul << 18)
#define X86_CR0_NW		(1ul << 29)
#define X86_CR0_CD		(1ul << 30)
#define X86_CR0_PG		(1ul << 31)
#define X86_CR4_PAE		(1ul << 5)
#define X86_CR4_OSFXSR		(1ul << 9)
#define X86_CR4_OSXMMEXCPT	(1ul << 10)
#define X86_CR4_OSXSAVE		(1ul << 18)
#define EFER_SCE		(1ul << 0)
#define EFER_LME		(1ul << 8)
#define EFER_LMA		(1ul << 10)
#define EFER_NXE		(1ul << 11)
#define X86_RFLAGS_FIXED	(1ul << 1)
#define X86_RFLAGS_TF		(1ul << 8)
#define X86_RFLAGS_IF		(1ul << 9)
#define X86_RFLAGS_AC		(1ul << 18)

#define GUEST_CR0	(X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | \
			 X86_CR0_WP | X86_CR0_AM | X86_CR0_PG)	/* 0x80050033 */
#define GUEST_CR4	(X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT) /* 0x620 */
#define GUEST_EFER	(EFER_LME | EFER_LMA | EFER_NXE)	/* 0xd00 */

/* x86 exception vectors used by tests. */
#define UD_VECTOR	6
#define GP_VECTOR	13
#define PF_VECTOR	14

/* Abort the whole test program with a TAP bail-out. */
#define TEST_ASSERT(cond, fmt, ...)					\
	do {								\
		if (!(cond)) {						\
			int __e = errno;				\
			ksft_exit_fail_msg("%s:%d: %s: " fmt		\
					   " (errno %d: %s)",		\
					   __FILE__, __LINE__, #cond,	\
					   ##__VA_ARGS__, __e,		\
					   strerror(__e));		\
		}							\
	} while (0)

struct hvm_region {
	bool used;
	u32 slot;
	u32 flags;
	u64 gpa;
	u64 size;
	void *hva;
	bool owned;			/* mmap()ed by the library */
};

#define HVM_MAX_REGIONS		64
#define HVM_MAX_VCPUS_TRACKED	64

struct hvm_vcpu;

struct hvm_vm {
	int fd;
	struct hvm_region regions[HVM_MAX_REGIONS];
	/* 64-bit environment (vm_create() only) */
	bool has_pgtables;
	u64 pml4_gpa;
	u64 phys_next, phys_end;	/* bump allocator in slot 0 */
	u64 vaddr_next;			/* bump allocator for guest-virtual */
	u64 gdt_gva, idt_gva, tss_gva;
	struct hvm_vcpu *vcpus[HVM_MAX_VCPUS_TRACKED];
};

struct hvm_vcpu {
	int fd;
	u32 id;
	struct hvm_vm *vm;
	struct hvm_run *run;		/* NULL if not mapped */
	size_t run_size;
	u64 stack_gva;			/* top of the guest stack */
};

/* ---- /dev/hvm ---------------------------------------------------------- */

/* Opens /dev/hvm; prints a TAP skip-all and exits 4 if it is missing. */
int open_hvm_or_skip(void);
/* Shared /dev/hvm fd used by the library (opened on first use). */
int hvm_sys_fd(void);
u64 hvm_check_cap(u32 cap);
/* Opens /dev/hvm; skips the whole test without HVM_CAP_LAPIC. */
void require_lapic_or_skip(void);
/* A SIGALRM handler that does nothing: ualarm() then ends HVM_RUN (EINTR). */
void alarm_ends_runs(void);
size_t hvm_vcpu_mmap_size(void);

/* ---- VMs, memory ------------------------------------------------------- */

/* Just the VM fd, no memory: for ABI argument tests. */
struct hvm_vm *vm_create_bare(void);
/* Slot 0, page tables, this binary, GDT/IDT/TSS. */
struct hvm_vm *vm_create(void);
/* vm_create() with an in-kernel local APIC for every vCPU added after. */
struct hvm_vm *vm_create_with_lapic(void);
/* vm_create() + vCPU 0 that will start at guest_code. */
struct hvm_vm *vm_create_with_vcpu(struct hvm_vcpu **vcpu, void *guest_code);
/* Closes every fd and unmaps the memory; NULL is fine. */
void vm_free(struct hvm_vm *vm);
/* Closes only the VM fd (vCPU fds stay open). */
void vm_close_fd(struct hvm_vm *vm);

int __vm_set_memory_region(int vm_fd, u32 slot, u32 flags, u64 gpa, u64 size,
			   u64 uaddr);
/* Adds a tracked slot; hva NULL means "mmap fresh anonymous memory". */
void *vm_mem_add(struct hvm_vm *vm, u32 slot, u32 flags, u64 gpa, u64 size,
		 void *hva);
void vm_mem_delete(struct hvm_vm *vm, u32 slot);

/* GPA -> host pointer through the tracked slots; NULL if unbacked. */
void *addr_gpa2hva(struct hvm_vm *vm, u64 gpa);
/* Walks the guest page tables; returns -1ull if unmapped. */
u64 addr_gva2gpa(struct hvm_vm *vm, u64 gva);
/* GVA -> host pointer; aborts if unmapped or not backed by a slot. */
void *addr_gva2hva(struct hvm_vm *vm, u64 gva);
/* True if [addr, addr+len) lies in this binary's loaded segments. */
bool host_addr_in_binary(u64 addr, u64 len);
/* Copies that may cross pages. */
void vm_write_guest(struct hvm_vm *vm, u64 gva, const void *src, size_t len);
void vm_read_guest(struct hvm_vm *vm, void *dst, u64 gva, size_t len);

#define sync_global_to_guest(vm, g)					\
	vm_write_guest(vm, (u64)(uintptr_t)&(g), &(g), sizeof(g))
#define sync_global_from_guest(vm, g)					\
	vm_read_guest(vm, &(g), (u64)(uintptr_t)&(g), sizeof(g))
/* Reads/writes the guest's copy of a global without touching the host's. */
#define guest_global_ptr(vm, g)						\
	((__typeof__(&(g)))addr_gva2hva(vm, (u64)(uintptr_t)&(g)))

/* Allocates npages zeroed pages of slot 0. */
u64 vm_phys_alloc(struct hvm_vm *vm, u64 npages);
/* Maps [gva, gva+npages*4K) to [gpa, ...) (gpa need not be backed). */
void virt_map(struct hvm_vm *vm, u64 gva, u64 gpa, u64 npages);
/* Allocates and maps zeroed memory at a fresh guest-virtual address. */
u64 vm_vaddr_alloc(struct hvm_vm *vm, size_t size);

/* ---- vCPUs ------------------------------------------------------------- */

int __vm_create_vcpu(int vm_fd, u32 id);
/* Creates vCPU id and maps its run page; no register setup. */
struct hvm_vcpu *vm_vcpu_add_raw(struct hvm_vm *vm, u32 id);
/* 64-bit vCPU starting at guest_code(rdi=0, rsi=0); host CPUID table. */
struct hvm_vcpu *vm_vcpu_add(struct hvm_vm *vm, u32 id, void *guest_code);
/* Sets RDI and RSI (the guest function's first two arguments). */
void vcpu_args_set(struct hvm_vcpu *vcpu, u64 arg0, u64 arg1);

/*
 * Real mode: a VM with a 1 MiB slot 0 holding code at gpa (< 0x10000), a
 * vCPU with CS base 0 and RIP = gpa, CR0 = ET, SS:SP = 0:0x8000.
 */
struct hvm_vm *vm_create_real_mode(struct hvm_vcpu **vcpu, const void *code,
				   size_t len, u64 gpa);
/* The real-mode register state above, for a vCPU made some other way. */
void vcpu_setup_real_mode(struct hvm_vcpu *vcpu, u64 rip);

int __vcpu_ioctl(struct hvm_vcpu *vcpu, unsigned long cmd, void *arg);
int __vcpu_run(struct hvm_vcpu *vcpu);	/* raw: 0 or -1 with errno */
void vcpu_run(struct hvm_vcpu *vcpu);	/* aborts unless 0 */
void vcpu_get_regs(struct hvm_vcpu *vcpu, struct hvm_regs *regs);
void vcpu_set_regs(struct hvm_vcpu *vcpu, const struct hvm_regs *regs);
void vcpu_get_sregs(struct hvm_vcpu *vcpu, struct hvm_sregs *sregs);
void vcpu_set_sregs(struct hvm_vcpu *vcpu, const struct hvm_sregs *sregs);
u64 vcpu_get_rip(struct hvm_vcpu *vcpu);

/* MSRs: __ versions return the ioctl result (entries processed). */
int __vcpu_get_msr(struct hvm_vcpu *vcpu, u32 index, u64 *data);
int __vcpu_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data);
u64 vcpu_get_msr(struct hvm_vcpu *vcpu, u32 index);
void vcpu_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data);
struct hvm_msrs *msrs_alloc(u32 nmsrs);

/* CPUID */
void host_cpuid(u32 leaf, u32 subleaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);
bool host_cpu_is_amd(void);
bool host_cpu_is_intel(void);
struct hvm_cpuid *cpuid_alloc(u32 nent);
/* The host's CPUID, see the .c file for the leaves; free() the result. */
struct hvm_cpuid *host_cpuid_table(void);
int __vcpu_set_cpuid(struct hvm_vcpu *vcpu, struct hvm_cpuid *cpuid);
void vcpu_set_cpuid(struct hvm_vcpu *vcpu, struct hvm_cpuid *cpuid);

/* Exception/interrupt handlers (guest side: guest.h) */
struct ex_regs;
typedef void (*guest_handler_t)(struct ex_regs *regs);
void vm_install_handler(struct hvm_vm *vm, int vector, guest_handler_t h);
/* Sets the GDT, IDT and page-table-less bits of a vCPU's 64-bit sregs. */
void vcpu_setup_long_mode(struct hvm_vcpu *vcpu);

/* ---- exits, ucalls ----------------------------------------------------- */

const char *exit_reason_str(u32 reason);
/* One line describing the last exit (and the ucall, if it is one). */
const char *vcpu_exit_desc(struct hvm_vcpu *vcpu);
/* If the last exit is a ucall, copies it into uc and returns its cmd. */
u64 get_ucall(struct hvm_vcpu *vcpu, struct ucall *uc);
/* vcpu_run() then get_ucall(); UCALL_NONE for any non-ucall exit. */
u64 vcpu_run_ucall(struct hvm_vcpu *vcpu, struct ucall *uc);
/*
 * Runs and expects GUEST_SYNC(val); prints a diagnostic and returns false
 * otherwise. Passes and fails nothing by itself.
 */
bool vcpu_run_expect_sync(struct hvm_vcpu *vcpu, u64 val);
/* Runs and expects GUEST_SYNC4(a0, ...), copied into uc (zeroed if not). */
bool vcpu_run_expect_sync4(struct hvm_vcpu *vcpu, u64 a0, struct ucall *uc);
/* Runs and expects GUEST_DONE(). */
bool vcpu_run_expect_done(struct hvm_vcpu *vcpu);
/*
 * Checks that the last exit is MMIO at gpa with len/is_write (and, for a
 * write, the low len bytes of data); prints a diagnostic if not.
 */
bool vcpu_check_mmio(struct hvm_vcpu *vcpu, u64 gpa, u32 len, bool is_write,
		     u64 data);
/* Supplies the data of an MMIO read exit (the bytes past len are 0xcc). */
void vcpu_mmio_complete_read(struct hvm_vcpu *vcpu, u64 data);
/* Pointer into the run page at io.data_offset. */
void *vcpu_io_data(struct hvm_vcpu *vcpu);

/* ---- debugfs / kmsg ---------------------------------------------------- */

struct hvm_objects {
	long vms, vcpus, pinned_pages;
	long npt_large_maps;	/* 2 MiB nested leaves installed since load */
};
/*
 * Reads /sys/kernel/debug/hvm/objects; false if it is missing or lacks
 * "vms"/"vcpus"; pinned_pages and npt_large_maps are -1 if the file
 * does not have them.
 */
bool hvm_read_objects(struct hvm_objects *o);

/*
 * Exits with hardware exit code code (SVM exit code, VMX basic exit reason)
 * since load, all vCPUs (/sys/kernel/debug/hvm/exits); -1 if unreadable.
 */
long long hvm_exit_count(u64 code);

/* Remembers the end of /dev/kmsg; false if unavailable. */
bool kmsg_begin(void);
/*
 * Reads what the kernel logged since kmsg_begin() (or the last call);
 * returns the number of lines matching WARNING/BUG/Oops/general protection,
 * a stack dump, a soft or hard lockup, a hung task or an RCU stall
 * (printed as "# kmsg: ...").
 */
int kmsg_count_problems(void);
/*
 * true: the stack dump of a memory cgroup's OOM report ("invoked
 * oom-killer:" ... "memory: usage") is not a problem, for tests that hit
 * memory.max on purpose. Any other OOM report still is.
 */
void kmsg_allow_memcg_oom(bool allow);

#endif
