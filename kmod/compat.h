/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences between the kernels hvm builds on, in one
 * place: every other file calls the hvm_ name and never tests
 * LINUX_VERSION_CODE itself.
 */
#ifndef HVM_COMPAT_H
#define HVM_COMPAT_H

#include <linux/errno.h>
#include <linux/eventfd.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/version.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

/*
 * cpuid() lives in <asm/cpuid/api.h> since 6.15 (in <asm/processor.h>
 * before), and <asm/processor.h> no longer brings it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
#include <asm/cpuid/api.h>
#else
#include <asm/processor.h>
#endif

/* Linux 6.8 dropped eventfd_signal()'s count argument. */
static inline void hvm_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/* ---- Timers, MSRs, kvm: 6.1 to the newest (7.x) ---------------------- */

/*
 * hrtimer_setup() (6.13) sets the callback with the rest; hrtimer_init()
 * is gone since 6.15.
 */
static inline void
hvm_hrtimer_setup(struct hrtimer *timer,
		  enum hrtimer_restart (*function)(struct hrtimer *),
		  clockid_t clock_id, enum hrtimer_mode mode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(timer, function, clock_id, mode);
#else
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
#endif
}

/* 6.16 renamed the 64-bit MSR accessors rdmsrl/wrmsrl to rdmsrq/wrmsrq. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define hvm_rdmsrq(msr, val)	rdmsrq(msr, val)
#define hvm_wrmsrq(msr, val)	wrmsrq(msr, val)
#else
#define hvm_rdmsrq(msr, val)	rdmsrl(msr, val)
#define hvm_wrmsrq(msr, val)	wrmsrl(msr, val)
#endif

/*
 * Since 6.12 kvm_amd and kvm_intel turn virtualization on when they load
 * (kvm.enable_virt_at_load, on by default), not when kvm's first VM is made.
 */
#define HVM_KVM_ENABLES_AT_LOAD \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))

/* ---- What Linux 6.18 exports to kvm alone ----------------------------- */

/*
 * Since 6.18 the guest FPU API (fpu_alloc_guest_fpstate(),
 * fpu_swap_kvm_fpstate(), switch_fpu_return()), the CR4 shadow's
 * accessors and hw_breakpoint_restore() are exported to the kvm modules
 * only (EXPORT_SYMBOL_FOR_KVM; modpost refuses to let another module
 * import them). There hvm keeps the guest's FPU registers in its own
 * XSAVE area and swaps them around each entry inside a kernel FPU
 * section; before, the kernel holds them in a guest fpstate for the whole
 * HVM_RUN.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
#define HVM_KVM_ONLY_EXPORTS	1
#else
#define HVM_KVM_ONLY_EXPORTS	0
#endif

#if HVM_KVM_ONLY_EXPORTS
struct hvm_guest_fpu {
	void *area;		/* XSAVE (or FXSAVE) layout, page aligned */
	size_t size;
	u64 mask;		/* the components swapped: not PKRU, not AMX */
};

static inline int hvm_guest_fpu_alloc(struct hvm_guest_fpu *g)
{
	u32 eax, ebx, ecx, edx;

	g->size = 512;		/* the FXSAVE area */
	g->mask = 0;
	if (boot_cpu_has(X86_FEATURE_OSXSAVE)) {
		/* EBX: the size the features enabled in XCR0 need. */
		cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx);
		g->size = ebx;
		g->mask = xgetbv(XCR_XFEATURE_ENABLED_MASK) &
			  ~(XFEATURE_MASK_PKRU | XFEATURE_MASK_XTILE);
	}
	g->area = alloc_pages_exact(g->size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!g->area)
		return -ENOMEM;
	/* The reset values of FCW and MXCSR (SDM 10.1.2); the rest is zero. */
	*(u16 *)g->area = 0x37f;
	*(u32 *)(g->area + 24) = 0x1f80;
	return 0;
}

static inline void hvm_guest_fpu_free(struct hvm_guest_fpu *g)
{
	free_pages_exact(g->area, g->size);
	g->area = NULL;
}

/* Around one HVM_RUN: nothing to do, the swap is per entry. */
static inline void hvm_guest_fpu_run_begin(struct hvm_guest_fpu *g) { }
static inline void hvm_guest_fpu_run_end(struct hvm_guest_fpu *g) { }

/*
 * Right before an entry, IRQs off: the thread's FPU state goes to its
 * fpstate (restored on the way to user space), the guest's is loaded.
 */
static inline void hvm_guest_fpu_enter(struct hvm_guest_fpu *g)
{
	kernel_fpu_begin();
	if (g->mask)
		asm volatile("xrstor64 %0"
			     : : "m"(*(u8 *)g->area), "a"((u32)g->mask),
			       "d"((u32)(g->mask >> 32)) : "memory");
	else
		asm volatile("fxrstor64 %0" : : "m"(*(u8 *)g->area) : "memory");
}

/* Right after the exit (host XCR0 back), IRQs still off. */
static inline void hvm_guest_fpu_exit(struct hvm_guest_fpu *g)
{
	if (g->mask)
		asm volatile("xsave64 %0"
			     : "=m"(*(u8 *)g->area) : "a"((u32)g->mask),
			       "d"((u32)(g->mask >> 32)) : "memory");
	else
		asm volatile("fxsave64 %0" : "=m"(*(u8 *)g->area) : : "memory");
	kernel_fpu_end();
}

/*
 * The host's breakpoints, which the guest's DR0-3 replace during an
 * entry: saved when armed, and put back after the exit.
 */
struct hvm_host_debugregs {
	unsigned long dr[4];
	bool saved;
};

static inline void hvm_hw_breakpoint_save(struct hvm_host_debugregs *h)
{
	h->saved = hw_breakpoint_active();
	if (!h->saved)
		return;
	get_debugreg(h->dr[0], 0);
	get_debugreg(h->dr[1], 1);
	get_debugreg(h->dr[2], 2);
	get_debugreg(h->dr[3], 3);
}

static inline void hvm_hw_breakpoint_restore(struct hvm_host_debugregs *h)
{
	if (!h->saved)
		return;
	set_debugreg(h->dr[0], 0);
	set_debugreg(h->dr[1], 1);
	set_debugreg(h->dr[2], 2);
	set_debugreg(h->dr[3], 3);
	set_debugreg(DR6_RESERVED, 6);
	set_debugreg(this_cpu_read(cpu_dr7), 7);
}

/*
 * VMX needs CR4.VMXE, and only kvm may change CR4 (with its shadow):
 * vmx_init() refuses, so the setters below are never called.
 */
#define HVM_CAN_SET_CR4		0
static inline unsigned long hvm_cr4_read(void) { return __read_cr4(); }
static inline void hvm_cr4_set_bits(unsigned long mask) { }
static inline void hvm_cr4_clear_bits(unsigned long mask) { }

#else /* !HVM_KVM_ONLY_EXPORTS */
struct hvm_guest_fpu {
	struct fpu_guest fpu;
};

static inline int hvm_guest_fpu_alloc(struct hvm_guest_fpu *g)
{
	return fpu_alloc_guest_fpstate(&g->fpu) ? 0 : -ENOMEM;
}

static inline void hvm_guest_fpu_free(struct hvm_guest_fpu *g)
{
	fpu_free_guest_fpstate(&g->fpu);
}

/* The guest's FPU state lives in the registers for the whole HVM_RUN. */
static inline void hvm_guest_fpu_run_begin(struct hvm_guest_fpu *g)
{
	fpu_swap_kvm_fpstate(&g->fpu, true);
}

static inline void hvm_guest_fpu_run_end(struct hvm_guest_fpu *g)
{
	fpu_swap_kvm_fpstate(&g->fpu, false);
}

/* A preemption since run_begin() saved the guest's registers: reload. */
static inline void hvm_guest_fpu_enter(struct hvm_guest_fpu *g)
{
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

static inline void hvm_guest_fpu_exit(struct hvm_guest_fpu *g) { }

struct hvm_host_debugregs {
	bool armed;
};

static inline void hvm_hw_breakpoint_save(struct hvm_host_debugregs *h)
{
	h->armed = hw_breakpoint_active();
}

static inline void hvm_hw_breakpoint_restore(struct hvm_host_debugregs *h)
{
	if (h->armed)
		hw_breakpoint_restore();
}

#define HVM_CAN_SET_CR4		1
static inline unsigned long hvm_cr4_read(void) { return cr4_read_shadow(); }
static inline void hvm_cr4_set_bits(unsigned long mask) { cr4_set_bits(mask); }
static inline void hvm_cr4_clear_bits(unsigned long mask) { cr4_clear_bits(mask); }
#endif /* HVM_KVM_ONLY_EXPORTS */

#endif
