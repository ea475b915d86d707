// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU run loop and the exits the core finishes for every vendor:
 * port I/O, hypercalls and internal errors, and their completion when
 * userspace calls HVM_RUN again.
 */
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/mce.h>
#include <asm/special_insns.h>
#include <trace/events/ipi.h>

#include "hvm_core.h"

static struct hvm_vcpu *preempt_notifier_to_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct hvm_vcpu, preempt_notifier);
}

static void hvm_sched_in(struct preempt_notifier *pn, int cpu)
{
	hvm_ops->vcpu_load(preempt_notifier_to_vcpu(pn), cpu);
}

static void hvm_sched_out(struct preempt_notifier *pn,
			  struct task_struct *next)
{
	hvm_ops->vcpu_put(preempt_notifier_to_vcpu(pn));
}

static struct preempt_ops hvm_preempt_ops = {
	.sched_in = hvm_sched_in,
	.sched_out = hvm_sched_out,
};

void hvm_vcpu_init_preempt(struct hvm_vcpu *vcpu)
{
	preempt_notifier_init(&vcpu->preempt_notifier, &hvm_preempt_ops);
}

void hvm_vcpu_load(struct hvm_vcpu *vcpu)
{
	int cpu;

	if (!hvm_ops->vcpu_load)
		return;
	cpu = get_cpu();
	preempt_notifier_register(&vcpu->preempt_notifier);
	hvm_ops->vcpu_load(vcpu, cpu);
	put_cpu();
}

void hvm_vcpu_put(struct hvm_vcpu *vcpu)
{
	if (!hvm_ops->vcpu_put)
		return;
	preempt_disable();
	hvm_ops->vcpu_put(vcpu);
	preempt_notifier_unregister(&vcpu->preempt_notifier);
	preempt_enable();
}

/* The reasons to leave the run loop before entering the guest again. */
static bool hvm_vcpu_must_return(struct hvm_vcpu *vcpu, int *r)
{
	if (unlikely(vcpu->eoi_exit_pending)) {
		/* The guest's EOI is done: RIP is past it. */
		vcpu->eoi_exit_pending = false;
		vcpu->run->exit_reason = HVM_EXIT_EOI;
		memset(&vcpu->run->eoi, 0, sizeof(vcpu->run->eoi));
		vcpu->run->eoi.vector = vcpu->eoi_exit_vector;
		*r = 0;
		return true;
	}
	if (signal_pending(current) ||
	    (vcpu->lapic && READ_ONCE(vcpu->run->immediate_exit))) {
		vcpu->run->exit_reason = HVM_EXIT_INTR;
		*r = -EINTR;
		return true;
	}
	return false;
}

/* The state INIT-SIPI starts an AP in (SDM 9.1.1, 9.4.4): real mode at vector:0. */
static int hvm_vcpu_start_at_sipi(struct hvm_vcpu *vcpu, u8 vector)
{
	struct hvm_segment data = {
		.limit = 0xffff, .type = 3, .present = 1, .s = 1,
	};
	struct hvm_sregs s = {};
	int i;

	s.cs = data;
	s.cs.type = 0xb;
	s.cs.selector = vector << 8;
	s.cs.base = (u64)vector << 12;
	s.ds = data;
	s.es = data;
	s.fs = data;
	s.gs = data;
	s.ss = data;
	s.tr = (struct hvm_segment){ .limit = 0xffff, .type = 0xb, .present = 1 };
	s.ldt = (struct hvm_segment){ .limit = 0xffff, .type = 2, .present = 1 };
	s.gdt.limit = 0xffff;
	s.idt.limit = 0xffff;
	s.cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	s.apic_base = vcpu->apic_base;
	for (i = 0; i < HVM_NR_REGS; i++)
		vcpu->regs[i] = 0;
	vcpu->rip = 0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	vcpu->irq_pending = false;
	vcpu->nmi_pending = false;
	return hvm_ops->set_sregs(vcpu, &s);
}

/*
 * INIT and SIPI from other vCPUs' LAPICs. INIT parks the vCPU until a
 * SIPI; an AP starts parked. A parked vCPU sleeps here; a signal ends
 * the sleep with -EINTR (the caller's check), the vCPU still parked.
 */
static int hvm_vcpu_init_sipi(struct hvm_vcpu *vcpu)
{
	struct hvm_lapic *a = vcpu->lapic;
	unsigned long flags;
	int vector = -1;

	/* The flags change under the LAPIC's lock, from other vCPUs too. */
	spin_lock_irqsave(&a->lock, flags);
	if (vcpu->init_pending) {
		vcpu->init_pending = false;
		vcpu->wait_sipi = true;
	}
	if (vcpu->wait_sipi && vcpu->sipi_pending) {
		vcpu->sipi_pending = false;
		vcpu->wait_sipi = false;
		vector = vcpu->sipi_vector;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	if (vector >= 0)
		return hvm_vcpu_start_at_sipi(vcpu, vector);
	if (vcpu->wait_sipi)	/* a signal is the caller's to report */
		wait_event_interruptible(vcpu->wq, READ_ONCE(vcpu->sipi_pending) ||
					 READ_ONCE(vcpu->init_pending) ||
					 READ_ONCE(vcpu->run->immediate_exit));
	return 0;
}

/*
 * Hands the LAPIC's NMI and highest interrupt to the backend's injection.
 * An NMI waits in nmi_pending for the guest to unblock NMIs; more that
 * come meanwhile merge with it. An interrupt is accepted (IRR to ISR)
 * only when the guest can take it at this entry: while it cannot, a
 * higher vector that comes meanwhile must go first (SDM 11.8.4), so the
 * window is asked for instead (lapic_window).
 */
static void hvm_vcpu_take_lapic_interrupt(struct hvm_vcpu *vcpu)
{
	int v;

	if (!vcpu->lapic)
		return;		/* no kicks: nothing sets HVM_REQ_EVENT */
	clear_bit(HVM_REQ_EVENT, &vcpu->requests);
	smp_mb__after_atomic();	/* clear, then look at IRR */
	vcpu->lapic_window = false;
	if (hvm_lapic_take_nmi(vcpu))
		vcpu->nmi_pending = true;
	if (vcpu->irq_pending)
		return;
	v = hvm_lapic_pending(vcpu);
	if (v < 0)
		return;
	if (!hvm_ops->interrupt_allowed(vcpu)) {
		vcpu->lapic_window = true;
		return;
	}
	hvm_lapic_accept(vcpu, v);
	vcpu->irq_vector = v;
	vcpu->irq_pending = true;
}

static void hvm_vcpu_complete_exit(struct hvm_vcpu *vcpu)
{
	struct hvm_run *run = vcpu->run;
	u64 *rax = &vcpu->regs[HVM_RAX];
	u32 data;

	switch (vcpu->completion) {
	case HVM_COMPLETE_NONE:
		return;
	case HVM_COMPLETE_PIO_IN:
		data = 0;
		memcpy(&data, (u8 *)run + HVM_RUN_IO_DATA_OFFSET,
		       vcpu->pio_size);
		if (vcpu->pio_size == 4)
			*rax = data;	/* 32-bit writes zero-extend */
		else if (vcpu->pio_size == 2)
			*rax = (*rax & ~0xffffULL) | (u16)data;
		else
			*rax = (*rax & ~0xffULL) | (u8)data;
		vcpu->rip = vcpu->completion_rip;
		break;
	case HVM_COMPLETE_MMIO_READ:
		hvm_complete_mmio_read(vcpu);
		break;
	case HVM_COMPLETE_HYPERCALL:
		*rax = run->hypercall.ret;
		vcpu->rip = vcpu->completion_rip;
		break;
	}
	vcpu->completion = HVM_COMPLETE_NONE;
}

/* Would HVM_INTERRUPT's vector go in at the next entry? */
static bool hvm_vcpu_ready_for_injection(struct hvm_vcpu *vcpu)
{
	return !vcpu->irq_pending && hvm_ops->interrupt_allowed(vcpu);
}

/*
 * What a userspace interrupt controller injects by, on every return from
 * HVM_RUN: an -EINTR too, after which the LAPIC may have queued one.
 */
static void hvm_vcpu_report_interruptibility(struct hvm_vcpu *vcpu)
{
	vcpu->run->if_flag = !!(vcpu->rflags & X86_EFLAGS_IF);
	vcpu->run->ready_for_interrupt_injection =
		hvm_vcpu_ready_for_injection(vcpu);
}

/*
 * One entry into the guest and its exit. The handshake with kicks and TLB
 * flushes from other threads is here, the same for every backend: mark the
 * vCPU in the guest, then look at the requests (hvm_vcpu_kick() and
 * hvm_vm_flush_tlbs() set theirs, then read mode). Preemption stays off
 * from there to the exit: a failed VMLAUNCH returns with IF set for an
 * instant, and the backends keep per-CPU state.
 */
static int hvm_vcpu_enter_guest(struct hvm_vcpu *vcpu)
{
	bool flush_tlb;

	if (!hvm_ops->prepare_entry(vcpu))
		return HVM_EXIT_TO_USER;

	preempt_disable();
	local_irq_disable();
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	WRITE_ONCE(vcpu->mode, HVM_IN_GUEST);
	smp_mb();	/* set mode, then read requests */
	if (test_bit(HVM_REQ_EVENT, &vcpu->requests)) {
		/* An interrupt came since the LAPIC was looked at. */
		WRITE_ONCE(vcpu->mode, HVM_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		return HVM_REENTER;
	}
	flush_tlb = test_and_clear_bit(HVM_REQ_TLB_FLUSH, &vcpu->requests);
	hvm_guest_fpu_enter(&vcpu->guest_fpu);
	hvm_ops->enter(vcpu, flush_tlb);
	hvm_guest_fpu_exit(&vcpu->guest_fpu);
	WRITE_ONCE(vcpu->mode, HVM_OUTSIDE_GUEST);
	local_irq_enable();
	preempt_enable();

	return hvm_ops->complete_exit(vcpu);
}

int hvm_vcpu_run(struct hvm_vcpu *vcpu)
{
	struct hvm_run *run = vcpu->run;
	int r;

	hvm_vcpu_complete_exit(vcpu);
	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = HVM_EXIT_INTR;
		r = -EINTR;
		goto out;
	}
	/* After the -EINTR above: an MMIO write exit comes next. */
	if (vcpu->mmio_write_pending &&
	    hvm_mmio_pending_write(vcpu) == HVM_EXIT_TO_USER) {
		r = 0;
		goto out;
	}

	hvm_guest_fpu_run_begin(&vcpu->guest_fpu);
	/* The thread's PKRU cannot change while it is in here. */
	if (cpu_feature_enabled(X86_FEATURE_OSPKE))
		vcpu->host_pkru = rdpkru();
	for (;;) {
		if (hvm_vcpu_must_return(vcpu, &r))
			break;
		cond_resched();
		if (vcpu->lapic) {
			r = hvm_vcpu_init_sipi(vcpu);
			if (r)
				break;
			if (vcpu->wait_sipi)
				continue;
		}
		hvm_vcpu_take_lapic_interrupt(vcpu);
		r = hvm_vcpu_enter_guest(vcpu);
		if (r != HVM_REENTER)
			break;
	}
	hvm_guest_fpu_run_end(&vcpu->guest_fpu);
out:
	hvm_vcpu_report_interruptibility(vcpu);
	return r < 0 ? r : 0;
}

void hvm_vcpu_get_regs(struct hvm_vcpu *vcpu, struct hvm_regs *regs)
{
	const u64 *g = vcpu->regs;

	regs->rax = g[HVM_RAX];
	regs->rbx = g[HVM_RBX];
	regs->rcx = g[HVM_RCX];
	regs->rdx = g[HVM_RDX];
	regs->rsi = g[HVM_RSI];
	regs->rdi = g[HVM_RDI];
	regs->rsp = g[HVM_RSP];
	regs->rbp = g[HVM_RBP];
	regs->r8 = g[HVM_R8];
	regs->r9 = g[HVM_R9];
	regs->r10 = g[HVM_R10];
	regs->r11 = g[HVM_R11];
	regs->r12 = g[HVM_R12];
	regs->r13 = g[HVM_R13];
	regs->r14 = g[HVM_R14];
	regs->r15 = g[HVM_R15];
	regs->rip = vcpu->rip;
	regs->rflags = vcpu->rflags;
}

void hvm_vcpu_set_regs(struct hvm_vcpu *vcpu, const struct hvm_regs *regs)
{
	u64 *g = vcpu->regs;

	g[HVM_RAX] = regs->rax;
	g[HVM_RBX] = regs->rbx;
	g[HVM_RCX] = regs->rcx;
	g[HVM_RDX] = regs->rdx;
	g[HVM_RSI] = regs->rsi;
	g[HVM_RDI] = regs->rdi;
	g[HVM_RSP] = regs->rsp;
	g[HVM_RBP] = regs->rbp;
	g[HVM_R8] = regs->r8;
	g[HVM_R9] = regs->r9;
	g[HVM_R10] = regs->r10;
	g[HVM_R11] = regs->r11;
	g[HVM_R12] = regs->r12;
	g[HVM_R13] = regs->r13;
	g[HVM_R14] = regs->r14;
	g[HVM_R15] = regs->r15;
	vcpu->rip = regs->rip;
	/* Bit 1 is fixed to 1; the reserved bits above 21 are 0. */
	vcpu->rflags = (regs->rflags & GENMASK_ULL(21, 0)) | BIT(1);
}

void hvm_vcpu_get_sregs(struct hvm_vcpu *vcpu, struct hvm_sregs *sregs)
{
	hvm_ops->get_sregs(vcpu, sregs);
	if (vcpu->lapic)
		sregs->cr8 = hvm_lapic_get_cr8(vcpu);
}

int hvm_vcpu_set_sregs(struct hvm_vcpu *vcpu, const struct hvm_sregs *sregs)
{
	int r;

	if (!hvm_apic_base_valid(sregs->apic_base) ||
	    !hvm_sregs_state_valid(sregs, hvm_cr4_host_reserved(),
				   hvm_efer_host_reserved()))
		return -EINVAL;
	r = hvm_ops->set_sregs(vcpu, sregs);
	if (r)
		return r;
	if (vcpu->lapic)
		hvm_lapic_set_cr8(vcpu, sregs->cr8);
	return hvm_lapic_set_base(vcpu, sregs->apic_base, true);
}

/* Takes ownership of entries. */
int hvm_vcpu_set_cpuid(struct hvm_vcpu *vcpu, u32 nent,
		       struct hvm_cpuid_entry *entries)
{
	kvfree(vcpu->cpuid);
	vcpu->cpuid = entries;
	vcpu->cpuid_nent = nent;
	return 0;
}

/*
 * An interrupt is due (the LAPIC timer, from any context): wake the vCPU
 * if it halted, make it leave the guest if it is in it, and keep it from
 * entering if it is on its way (HVM_REQ_EVENT, read after mode).
 */
void hvm_vcpu_kick(struct hvm_vcpu *vcpu)
{
	int cpu, me;

	set_bit(HVM_REQ_EVENT, &vcpu->requests);
	smp_mb__after_atomic();	/* set the request, then read mode */
	wake_up_interruptible(&vcpu->wq);
	cpu = READ_ONCE(vcpu->cpu);
	/*
	 * Any interrupt makes the guest exit: a reschedule IPI is one that
	 * needs no state of ours, and may be sent from any context.
	 */
	me = get_cpu();
	if (READ_ONCE(vcpu->mode) == HVM_IN_GUEST && cpu != me)
		smp_send_reschedule(cpu);
	put_cpu();
}

/*
 * A machine check the CPU took while in the guest exits instead of reaching
 * the host's handler (the backends intercept #MC): hand it over, as from a
 * context that is not the host kernel's. IRQs off, right after the exit.
 */
void hvm_host_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,		/* CPL 3: not the host kernel's code */
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
}

/* What ends an in-kernel halt: an interrupt, an NMI, an INIT, userspace. */
static bool hvm_vcpu_wakeup(struct hvm_vcpu *vcpu)
{
	return vcpu->irq_pending || hvm_lapic_pending(vcpu) >= 0 ||
	       vcpu->nmi_pending || hvm_lapic_nmi_pending(vcpu) ||
	       READ_ONCE(vcpu->init_pending) ||
	       READ_ONCE(vcpu->run->immediate_exit) || signal_pending(current);
}

/*
 * HLT with an in-kernel LAPIC and RFLAGS.IF set (RIP is past the HLT):
 * sleep until an interrupt is due. A signal or immediate_exit ends the
 * wait with HVM_EXIT_INTR, as a wakeup the guest cannot tell from an
 * interrupt that came. With IF clear only userspace can end the halt.
 * An interrupt of userspace's PIC is due too when userspace asked for the
 * window: that is open now, and nothing in here would wake for it. An NMI
 * already there ends the halt at once, whatever IF says.
 */
int hvm_vcpu_halt(struct hvm_vcpu *vcpu)
{
	struct hvm_run *run = vcpu->run;

	if (vcpu->nmi_pending || hvm_lapic_nmi_pending(vcpu))
		return HVM_REENTER;
	if (!vcpu->lapic || !(vcpu->rflags & X86_EFLAGS_IF)) {
		run->exit_reason = HVM_EXIT_HLT;
		return HVM_EXIT_TO_USER;
	}
	if (READ_ONCE(run->request_interrupt_window) &&
	    hvm_vcpu_ready_for_injection(vcpu)) {
		run->exit_reason = HVM_EXIT_IRQ_WINDOW_OPEN;
		return HVM_EXIT_TO_USER;
	}
	wait_event_interruptible(vcpu->wq, hvm_vcpu_wakeup(vcpu));
	return HVM_REENTER;	/* the loop returns for a signal */
}

int hvm_vcpu_interrupt(struct hvm_vcpu *vcpu, u32 vector)
{
	if (vcpu->irq_pending)
		return -EBUSY;
	vcpu->irq_vector = vector;
	vcpu->irq_pending = true;
	return 0;
}

/* HVM_NMI: an edge on LINT1, an NMI where no enabled LAPIC routes it. */
void hvm_vcpu_nmi(struct hvm_vcpu *vcpu)
{
	if (vcpu->lapic)
		hvm_lapic_lint1(vcpu);
	else
		vcpu->nmi_pending = true;
}

int hvm_exit_pio(struct hvm_vcpu *vcpu, u16 port, u8 size, bool in,
		 u64 next_rip)
{
	struct hvm_run *run = vcpu->run;
	u32 data = vcpu->regs[HVM_RAX];

	/* An OUT an ioeventfd takes is done here. */
	if (!in && hvm_ioeventfd_write(vcpu->vm, true, port, size,
				       data & GENMASK(size * 8 - 1, 0))) {
		vcpu->rip = next_rip;
		return HVM_REENTER;
	}
	run->exit_reason = HVM_EXIT_IO;
	run->io.direction = in ? HVM_EXIT_IO_IN : HVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = HVM_RUN_IO_DATA_OFFSET;
	if (in) {
		vcpu->completion = HVM_COMPLETE_PIO_IN;
		vcpu->completion_rip = next_rip;
		vcpu->pio_size = size;
	} else {
		memcpy((u8 *)run + HVM_RUN_IO_DATA_OFFSET, &data, size);
		vcpu->rip = next_rip;
	}
	return HVM_EXIT_TO_USER;
}

int hvm_exit_hypercall(struct hvm_vcpu *vcpu, u8 insn_len)
{
	struct hvm_run *run = vcpu->run;

	run->exit_reason = HVM_EXIT_HYPERCALL;
	run->hypercall.nr = vcpu->regs[HVM_RAX];
	run->hypercall.args[0] = vcpu->regs[HVM_RBX];
	run->hypercall.args[1] = vcpu->regs[HVM_RCX];
	run->hypercall.args[2] = vcpu->regs[HVM_RDX];
	run->hypercall.args[3] = vcpu->regs[HVM_RSI];
	run->hypercall.ret = 0;
	vcpu->completion = HVM_COMPLETE_HYPERCALL;
	vcpu->completion_rip = vcpu->rip + insn_len;
	return HVM_EXIT_TO_USER;
}

int hvm_exit_internal(struct hvm_vcpu *vcpu, u32 suberror, int ndata,
		      const u64 *data)
{
	struct hvm_run *run = vcpu->run;

	run->exit_reason = HVM_EXIT_INTERNAL_ERROR;
	memset(&run->internal, 0, sizeof(run->internal));
	run->internal.suberror = suberror;
	run->internal.ndata = min_t(int, ndata, ARRAY_SIZE(run->internal.data));
	memcpy(run->internal.data, data, run->internal.ndata * sizeof(u64));
	return HVM_EXIT_TO_USER;
}

/*
 * Guest state no vendor's entry switches: XCR0, DR0-3 and PKRU (the
 * kernel's FPU swap leaves PKRU to us, as it does to KVM). Called with
 * IRQs off right before entry, and right after exit.
 */
void hvm_load_guest_extra(struct hvm_vcpu *vcpu)
{
	if (cpu_feature_enabled(X86_FEATURE_OSPKE) &&
	    vcpu->pkru != vcpu->host_pkru)
		wrpkru(vcpu->pkru);
	if (hvm_xcr0_differs(vcpu))
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	/*
	 * The host's breakpoints stay armed in DR7 until the entry loads the
	 * guest's: disarm them before DR0-3 point at the guest's addresses,
	 * or the host would trap on those (hvm_put_guest_extra() rearms).
	 */
	hvm_hw_breakpoint_save(&vcpu->host_dr);
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	set_debugreg(vcpu->dr[0], 0);
	set_debugreg(vcpu->dr[1], 1);
	set_debugreg(vcpu->dr[2], 2);
	set_debugreg(vcpu->dr[3], 3);
}

void hvm_put_guest_extra(struct hvm_vcpu *vcpu)
{
	get_debugreg(vcpu->dr[0], 0);
	get_debugreg(vcpu->dr[1], 1);
	get_debugreg(vcpu->dr[2], 2);
	get_debugreg(vcpu->dr[3], 3);
	hvm_hw_breakpoint_restore(&vcpu->host_dr);
	/* The guest's WRPKRU needs no exit: what it wrote is here. */
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		vcpu->pkru = rdpkru();
		if (vcpu->pkru != vcpu->host_pkru)
			wrpkru(vcpu->host_pkru);
	}
	if (hvm_host_xcr0 && !hvm_ops->xsetbv_always_exits) {
		/*
		 * SVM hardware intercepts XSETBV, but QEMU's SVM does not:
		 * there the guest's writes land in XCR0 itself. Keep them.
		 */
		u64 xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);

		if (xcr0 != vcpu->xcr0 && hvm_xcr0_valid(xcr0))
			vcpu->xcr0 = xcr0;
		if (xcr0 != hvm_host_xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, hvm_host_xcr0);
	} else if (hvm_xcr0_differs(vcpu)) {
		xsetbv(XCR_XFEATURE_ENABLED_MASK, hvm_host_xcr0);
	}
}
