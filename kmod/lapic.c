// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (HVM_CREATE_LAPIC): the xAPIC register page at
 * the APIC base (MMIO through the instruction decoder) or, in x2APIC mode,
 * MSRs 0x800-0x8ff; its timer on an hrtimer (one-shot, periodic,
 * TSC-deadline), and the interrupts it hands to the vCPU. The 8259A PIC
 * stays in userspace: its interrupts arrive by HVM_INTERRUPT as before
 * (ExtINT through LINT0, the virtual-wire mode).
 *
 * Registers live in regs[] at offset / 16. IRR and ISR are the register
 * words themselves; the hrtimer sets IRR bits from interrupt context, so
 * IRR and the timer state take lock. Timer ticks are 1 ns times the divide
 * configuration: the bus clock is 1 GHz (the CPUID leaf vmctl gives).
 */
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "hvm_core.h"
#include "lapic.h"

#define LAPIC_REGS		64
#define LAPIC_VERSION		(0x14 | (5 << 16))	/* integrated, 6 LVTs */
#define LAPIC_SVR_ENABLE	BIT(8)
#define LVT_MASKED		BIT(16)
#define LVT_TIMER_MODE		GENMASK(18, 17)
#define LVT_TIMER_ONESHOT	(0 << 17)
#define LVT_TIMER_PERIODIC	(1 << 17)
#define LVT_TIMER_TSCDEADLINE	(2 << 17)
#define ESR_ILLEGAL_VECTOR	BIT(6)
#define X2APIC_MSR_LAST		0x8ff
/* The shortest periodic timer we arm: a guest cannot flood the host. */
#define LAPIC_MIN_PERIOD_NS	50000

static u32 lapic_reg(const struct hvm_lapic *a, u32 off)
{
	return a->regs[off >> 4];
}

static void lapic_set_reg(struct hvm_lapic *a, u32 off, u32 val)
{
	a->regs[off >> 4] = val;
}

/* Bit of vector v in the 8-word IRR/ISR/TMR at off. */
static u32 *lapic_vec_word(struct hvm_lapic *a, u32 off, u8 v)
{
	return &a->regs[(off >> 4) + v / 32];
}

static int lapic_highest(const struct hvm_lapic *a, u32 off)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = a->regs[(off >> 4) + i];

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

static bool lapic_x2apic(const struct hvm_lapic *a)
{
	return a->vcpu->apic_base & X2APIC_ENABLE;
}

static bool lapic_sw_enabled(const struct hvm_lapic *a)
{
	return lapic_reg(a, APIC_SPIV) & LAPIC_SVR_ENABLE;
}

/* Processor priority (SDM 11.8.3.1): TPR, or the class of the highest ISR. */
static u32 lapic_ppr(const struct hvm_lapic *a)
{
	u32 tpr = lapic_reg(a, APIC_TASKPRI) & 0xff;
	int isr = lapic_highest(a, APIC_ISR);
	u32 isrv = isr < 0 ? 0 : isr & 0xf0;

	return (tpr & 0xf0) >= isrv ? tpr : isrv;
}

/* Sets vector v in IRR; lock held. Vectors 0-15 are illegal. */
static void lapic_raise_locked(struct hvm_lapic *a, u8 v)
{
	if (v < 16) {
		lapic_set_reg(a, APIC_ESR, lapic_reg(a, APIC_ESR) |
			      ESR_ILLEGAL_VECTOR);
		return;
	}
	*lapic_vec_word(a, APIC_IRR, v) |= BIT(v % 32);
}

static void lapic_kick(struct hvm_lapic *a)
{
	hvm_vcpu_kick(a->vcpu);
}

/* ---- the timer ----------------------------------------------------------- */

static u64 lapic_tick_ns(const struct hvm_lapic *a)
{
	u32 dcr = lapic_reg(a, APIC_TDCR);
	u32 shift = ((dcr & 3) | ((dcr >> 1) & 4)) + 1;	/* SDM 11.5.4 */

	return 1ULL << (shift & 7);
}

static void lapic_timer_fire_locked(struct hvm_lapic *a)
{
	u32 lvt = lapic_reg(a, APIC_LVTT);

	if (!(lvt & LVT_MASKED) && lapic_sw_enabled(a))
		lapic_raise_locked(a, lvt & 0xff);
}

static enum hrtimer_restart lapic_timer_expired(struct hrtimer *t)
{
	struct hvm_lapic *a = container_of(t, struct hvm_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	lapic_timer_fire_locked(a);
	if (a->timer_period_ns) {
		hrtimer_forward_now(t, ns_to_ktime(a->timer_period_ns));
		a->timer_expires_ns = ktime_to_ns(hrtimer_get_expires(t));
		ret = HRTIMER_RESTART;
	} else {
		a->timer_expires_ns = 0;
		a->tsc_deadline = 0;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	lapic_kick(a);
	return ret;
}

/* Stops the timer; lock not held (the callback takes it). */
static void lapic_timer_cancel(struct hvm_lapic *a)
{
	unsigned long flags;

	hrtimer_cancel(&a->timer);
	spin_lock_irqsave(&a->lock, flags);
	a->timer_expires_ns = 0;
	a->timer_period_ns = 0;
	spin_unlock_irqrestore(&a->lock, flags);
}

static void lapic_timer_arm(struct hvm_lapic *a, u64 delay_ns, u64 period_ns)
{
	unsigned long flags;
	u64 now = ktime_get_ns();

	lapic_timer_cancel(a);
	spin_lock_irqsave(&a->lock, flags);
	a->timer_period_ns = period_ns;
	a->timer_expires_ns = now + delay_ns;
	hrtimer_start(&a->timer, ns_to_ktime(a->timer_expires_ns),
		      HRTIMER_MODE_ABS);
	spin_unlock_irqrestore(&a->lock, flags);
}

/* A write to the initial count (re)starts a one-shot or periodic count. */
static void lapic_timer_start_count(struct hvm_lapic *a)
{
	u32 mode = lapic_reg(a, APIC_LVTT) & LVT_TIMER_MODE;
	u64 ns = (u64)lapic_reg(a, APIC_TMICT) * lapic_tick_ns(a);

	if (!lapic_reg(a, APIC_TMICT) || mode == LVT_TIMER_TSCDEADLINE) {
		lapic_timer_cancel(a);
		return;
	}
	if (mode == LVT_TIMER_PERIODIC)
		ns = max_t(u64, ns, LAPIC_MIN_PERIOD_NS);
	lapic_timer_arm(a, ns, mode == LVT_TIMER_PERIODIC ? ns : 0);
}

static u32 lapic_current_count(struct hvm_lapic *a)
{
	u64 now = ktime_get_ns(), left;
	unsigned long flags;
	u32 count = 0;

	spin_lock_irqsave(&a->lock, flags);
	if ((lapic_reg(a, APIC_LVTT) & LVT_TIMER_MODE) != LVT_TIMER_TSCDEADLINE &&
	    a->timer_expires_ns > now) {
		left = a->timer_expires_ns - now;
		count = min_t(u64, div64_u64(left, lapic_tick_ns(a)), U32_MAX);
	}
	spin_unlock_irqrestore(&a->lock, flags);
	return count;
}

/*
 * TSC ticks at khz to nanoseconds, saturating at HVM_LAPIC_MAX_DELAY_NS:
 * the quotient of delta * 10^6 / khz does not fit 64 bits for large deltas
 * when khz is below 10^6 (a TSC slower than 1 GHz), and DIV would raise #DE.
 */
u64 hvm_lapic_tsc_to_ns(u64 delta, u32 khz)
{
	if (!khz)
		return 0;
	if (div_u64(delta, khz) >= HVM_LAPIC_MAX_DELAY_NS / NSEC_PER_MSEC)
		return HVM_LAPIC_MAX_DELAY_NS;
	return mul_u64_u32_div(delta, NSEC_PER_MSEC, khz);
}

/*
 * IA32_TSC_DEADLINE (SDM 11.5.4.1), a time on the guest's TSC: the host's
 * rate, its own origin (the TSC offset), so the delay is measured from the
 * guest's TSC now.
 */
static void lapic_set_tsc_deadline(struct hvm_lapic *a, u64 deadline)
{
	u64 now, ns = 0;

	if (hvm_get_msr(a->vcpu, MSR_IA32_TSC, &now))
		now = rdtsc();
	a->tsc_deadline = deadline;
	if ((lapic_reg(a, APIC_LVTT) & LVT_TIMER_MODE) != LVT_TIMER_TSCDEADLINE)
		return;
	if (!deadline) {
		lapic_timer_cancel(a);
		return;
	}
	if (deadline > now)
		ns = hvm_lapic_tsc_to_ns(deadline - now, tsc_khz);
	lapic_timer_arm(a, ns, 0);
}

/* ---- IPIs (SDM 11.6) and MSIs (SDM 11.11) --------------------------------- */

#define ICR_DELIVERY(lo)	(((lo) >> 8) & 7)
#define ICR_LOGICAL		BIT(11)
#define ICR_LEVEL		BIT(14)
#define ICR_TRIGGER		BIT(15)
#define ICR_SHORTHAND(lo)	(((lo) >> 18) & 3)

/*
 * An ICR write as a message. The sender's mode says how to read the
 * destination: xAPIC, 8 bits in ICR[63:56]; x2APIC, 32 bits in ICR[63:32]
 * (SDM 11.12.10). Only INIT reads the trigger and level bits: its level
 * deassert (of old MP protocols) delivers nothing; an IPI never sets TMR.
 */
static void lapic_icr_to_irq(struct hvm_lapic *src, u32 lo, u32 hi,
			     struct hvm_irq *irq)
{
	bool x2 = lapic_x2apic(src);
	u8 dm = ICR_DELIVERY(lo);

	*irq = (struct hvm_irq){
		.dest = x2 ? hi : hi >> 24,
		.vector = lo & 0xff,
		.delivery = dm,
		.shorthand = ICR_SHORTHAND(lo),
		.logical = lo & ICR_LOGICAL,
		.x2apic_dest = x2,
		.one_of_dest = dm == HVM_DM_LOWEST,
		.level = dm == HVM_DM_INIT && (lo & ICR_TRIGGER),
		.assert = lo & ICR_LEVEL,
	};
}

/*
 * Does the message name this LAPIC? src is the sending LAPIC (NULL for an
 * MSI, which has no shorthand). A 32-bit destination (an x2APIC's ICR)
 * names x2APIC IDs (the vCPU id), clusters in logical mode. An 8-bit one
 * (an xAPIC's ICR, an MSI) is 0xff for all; to an x2APIC it is the x2APIC
 * ID, or in logical mode the member bits of cluster 0 (as KVM reads it);
 * to an xAPIC it is the APIC ID, or its LDR in the flat or the cluster
 * model that the target's own DFR selects (SDM 11.6.2.2).
 */
static bool lapic_is_dest(struct hvm_lapic *a, struct hvm_lapic *src,
			  const struct hvm_irq *irq)
{
	u32 id = a->vcpu->id, dest = irq->dest, ldr;

	switch (irq->shorthand) {
	case HVM_SH_SELF:
		return a == src;
	case HVM_SH_ALL:
		return true;
	case HVM_SH_OTHERS:
		return a != src;
	}
	if (irq->x2apic_dest) {
		if (dest == 0xffffffff)
			return true;
		if (irq->logical)
			return (dest >> 16) == (id >> 4) && (dest & BIT(id & 0xf));
		return dest == id;
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (lapic_x2apic(a)) {
		if (irq->logical)
			return id < 16 && (dest & BIT(id));
		return dest == id;
	}
	if (!irq->logical)
		return dest == lapic_reg(a, APIC_ID) >> 24;
	ldr = lapic_reg(a, APIC_LDR) >> 24;
	if ((lapic_reg(a, APIC_DFR) >> 28) == 0xf)	/* flat model */
		return ldr & dest;
	/* Cluster model: cluster in bits 7:4, members in 3:0. */
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

/*
 * This LAPIC takes the message: false for the delivery modes it ignores
 * (SMI, ExtINT, reserved). A fixed interrupt sets its TMR bit when it is
 * level-triggered and clears it when edge-triggered (SDM 11.8.4), so the
 * guest's EOI of it is the one a VMM's I/O APIC waits for.
 */
static bool lapic_accept_irq(struct hvm_lapic *a, const struct hvm_irq *irq)
{
	struct hvm_vcpu *vcpu = a->vcpu;
	unsigned long flags;
	u32 *tmr, bit = BIT(irq->vector % 32);

	spin_lock_irqsave(&a->lock, flags);
	switch (irq->delivery) {
	case HVM_DM_FIXED:
	case HVM_DM_LOWEST:
		lapic_raise_locked(a, irq->vector);
		if (irq->vector < 16)
			break;		/* illegal: in ESR, not in IRR */
		tmr = lapic_vec_word(a, APIC_TMR, irq->vector);
		*tmr = irq->level ? *tmr | bit : *tmr & ~bit;
		break;
	case HVM_DM_NMI:
		/* Vector and trigger mode do not apply (SDM 11.6.1). */
		a->nmi_pending = true;
		break;
	case HVM_DM_INIT:
		vcpu->sipi_pending = false;	/* an earlier SIPI is void */
		vcpu->init_pending = true;
		break;
	case HVM_DM_SIPI:
		/* Only a CPU waiting for SIPI takes one (SDM 9.4.4). */
		if (vcpu->wait_sipi || vcpu->init_pending) {
			vcpu->sipi_vector = irq->vector;
			vcpu->sipi_pending = true;
		}
		break;
	default:
		spin_unlock_irqrestore(&a->lock, flags);
		return false;	/* SMI, ExtINT, reserved: not delivered */
	}
	spin_unlock_irqrestore(&a->lock, flags);
	hvm_vcpu_kick(vcpu);
	return true;
}

static u32 lapic_ppr_now(struct hvm_lapic *a)
{
	unsigned long flags;
	u32 ppr;

	spin_lock_irqsave(&a->lock, flags);
	ppr = lapic_ppr(a);
	spin_unlock_irqrestore(&a->lock, flags);
	return ppr;
}

/*
 * The one delivery path of ICR writes and MSIs: every LAPIC of the VM the
 * message names takes it, or with lowest priority (or an MSI's redirection
 * hint) the one of them with the lowest processor priority, the lowest
 * vCPU id among equals. Returns how many LAPICs took it. Any context:
 * irq_lock and the LAPICs' locks are IRQ-safe, nothing sleeps (irqfds
 * deliver from an eventfd's wakeup). irq_lock keeps vcpus[] and the
 * LAPICs alive.
 */
int hvm_lapic_deliver_irq(struct hvm_vm *vm, struct hvm_lapic *src,
			  const struct hvm_irq *irq)
{
	struct hvm_lapic *best = NULL;
	u32 ppr, best_ppr = U32_MAX;
	unsigned long flags;
	int i, n = 0;

	if (irq->level && !irq->assert)
		return 0;
	spin_lock_irqsave(&vm->irq_lock, flags);
	for (i = 0; i < HVM_MAX_VCPUS; i++) {
		struct hvm_vcpu *v = vm->vcpus[i];

		if (!v || !v->lapic || !lapic_is_dest(v->lapic, src, irq))
			continue;
		if (irq->one_of_dest) {
			ppr = lapic_ppr_now(v->lapic);
			if (ppr < best_ppr) {
				best = v->lapic;
				best_ppr = ppr;
			}
			continue;
		}
		n += lapic_accept_irq(v->lapic, irq);
	}
	if (best)
		n = lapic_accept_irq(best, irq);
	spin_unlock_irqrestore(&vm->irq_lock, flags);
	return n;
}

/* An ICR write: every vCPU of the VM the destination names. */
static void lapic_send_ipi(struct hvm_lapic *src, u32 lo, u32 hi)
{
	struct hvm_irq irq;

	lapic_icr_to_irq(src, lo, hi, &irq);
	hvm_lapic_deliver_irq(src->vcpu->vm, src, &irq);
}

/* ---- registers ----------------------------------------------------------- */

/*
 * Retires the highest vector in service. If the VMM asked for its EOI
 * (HVM_SET_EOI_EXITS), the vCPU exits with it before it enters again.
 */
static void lapic_eoi(struct hvm_lapic *a)
{
	struct hvm_vcpu *vcpu = a->vcpu;
	unsigned long flags;
	int v;

	spin_lock_irqsave(&a->lock, flags);
	v = lapic_highest(a, APIC_ISR);
	if (v >= 0)
		*lapic_vec_word(a, APIC_ISR, v) &= ~BIT(v % 32);
	spin_unlock_irqrestore(&a->lock, flags);
	if (v >= 0 && (READ_ONCE(vcpu->vm->eoi_exits[v / 64]) & BIT_ULL(v % 64))) {
		vcpu->eoi_exit_vector = v;
		vcpu->eoi_exit_pending = true;
	}
}

static void lapic_write_lvt(struct hvm_lapic *a, u32 off, u32 val)
{
	u32 mask = LVT_MASKED | 0x7ff;	/* mask, delivery mode, vector */

	if (off == APIC_LVTT)
		mask = LVT_MASKED | LVT_TIMER_MODE | 0xff;
	else if (off == APIC_LVT0 || off == APIC_LVT1)
		mask |= BIT(13) | BIT(15);	/* polarity, trigger mode */
	if (!lapic_sw_enabled(a))
		val |= LVT_MASKED;
	lapic_set_reg(a, off, val & mask);
}

/* A 32-bit write at off; false for an offset the guest may not write. */
static bool lapic_write(struct hvm_lapic *a, u32 off, u32 val)
{
	u32 old_mode;
	int i;

	switch (off) {
	case APIC_ID:
		lapic_set_reg(a, off, val & 0xff000000);
		return true;
	case APIC_TASKPRI:
		lapic_set_reg(a, off, val & 0xff);
		lapic_kick(a);
		return true;
	case APIC_EOI:
		lapic_eoi(a);
		return true;
	case APIC_LDR:
		lapic_set_reg(a, off, val & 0xff000000);
		return true;
	case APIC_DFR:
		lapic_set_reg(a, off, val | 0x0fffffff);
		return true;
	case APIC_SPIV:
		lapic_set_reg(a, off, val & 0x3ff);
		if (!(val & LAPIC_SVR_ENABLE)) {
			/* Software disable masks every LVT (SDM 11.4.7.2). */
			for (i = APIC_LVTT; i <= APIC_LVTERR; i += 0x10)
				lapic_set_reg(a, i, lapic_reg(a, i) | LVT_MASKED);
			lapic_set_reg(a, APIC_LVTCMCI,
				      lapic_reg(a, APIC_LVTCMCI) | LVT_MASKED);
			lapic_timer_cancel(a);
		}
		return true;
	case APIC_ESR:
		lapic_set_reg(a, off, 0);
		return true;
	case APIC_ICR:
		lapic_set_reg(a, off, val & ~BIT(12));	/* sent at once: never busy */
		lapic_send_ipi(a, val, lapic_reg(a, APIC_ICR2));
		return true;
	case APIC_ICR2:
		lapic_set_reg(a, off, val & 0xff000000);
		return true;
	case APIC_LVTT:
		old_mode = lapic_reg(a, off) & LVT_TIMER_MODE;
		lapic_write_lvt(a, off, val);
		if ((lapic_reg(a, off) & LVT_TIMER_MODE) != old_mode) {
			lapic_timer_cancel(a);
			lapic_set_reg(a, APIC_TMICT, 0);
			a->tsc_deadline = 0;
		}
		return true;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
	case APIC_LVTCMCI:
		lapic_write_lvt(a, off, val);
		return true;
	case APIC_TMICT:
		lapic_set_reg(a, off, val);
		lapic_timer_start_count(a);
		return true;
	case APIC_TDCR:
		lapic_set_reg(a, off, val & 0xb);
		return true;
	default:
		return false;
	}
}

static u32 lapic_read(struct hvm_lapic *a, u32 off)
{
	unsigned long flags;
	u32 val;

	switch (off) {
	case APIC_ARBPRI:
		return 0;
	case APIC_PROCPRI:
		spin_lock_irqsave(&a->lock, flags);
		val = lapic_ppr(a);
		spin_unlock_irqrestore(&a->lock, flags);
		return val;
	case APIC_TMCCT:
		return lapic_current_count(a);
	case APIC_EOI:
		return 0;
	default:
		spin_lock_irqsave(&a->lock, flags);
		val = lapic_reg(a, off);
		spin_unlock_irqrestore(&a->lock, flags);
		return val;
	}
}

/* ---- the core's interface ------------------------------------------------ */

/* The xAPIC page: gone in x2APIC mode (SDM 11.12.1.2). */
bool hvm_lapic_in_page(struct hvm_vcpu *vcpu, u64 gpa)
{
	return vcpu->lapic && (vcpu->apic_base & MSR_IA32_APICBASE_ENABLE) &&
	       !(vcpu->apic_base & X2APIC_ENABLE) &&
	       (gpa & PAGE_MASK) == (vcpu->apic_base & MSR_IA32_APICBASE_BASE);
}

bool hvm_lapic_is_msr(u32 index)
{
	return index >= APIC_BASE_MSR && index <= X2APIC_MSR_LAST;
}

/* Registers x2APIC mode reads through RDMSR (SDM table 11-6). */
static bool x2apic_readable(u32 off)
{
	switch (off) {
	case APIC_ID:
	case APIC_LVR:
	case APIC_TASKPRI:
	case APIC_PROCPRI:
	case APIC_LDR:
	case APIC_SPIV:
	case APIC_ESR:
	case APIC_LVTCMCI:
	case APIC_TMICT:
	case APIC_TMCCT:
	case APIC_TDCR:
		return true;
	}
	return (off >= APIC_ISR && off < APIC_ESR) ||	/* ISR, TMR, IRR */
	       (off >= APIC_LVTT && off <= APIC_LVTERR);
}

/*
 * The register an x2APIC MSR names, as its xAPIC offset: -ENOENT without
 * an in-kernel LAPIC (an unknown MSR), -EINVAL (a #GP) outside x2APIC mode.
 */
static int x2apic_msr_offset(struct hvm_vcpu *vcpu, u32 index, u32 *off)
{
	if (!vcpu->lapic)
		return -ENOENT;
	if (!lapic_x2apic(vcpu->lapic))
		return -EINVAL;
	*off = (index - APIC_BASE_MSR) << 4;
	return 0;
}

int hvm_lapic_rdmsr(struct hvm_vcpu *vcpu, u32 index, u64 *data)
{
	struct hvm_lapic *a = vcpu->lapic;
	u32 off;
	int r = x2apic_msr_offset(vcpu, index, &off);

	if (r)
		return r;
	if (off == APIC_ICR) {
		*data = lapic_reg(a, APIC_ICR) |
			(u64)lapic_reg(a, APIC_ICR2) << 32;
		return 0;
	}
	if (!x2apic_readable(off))
		return -EINVAL;
	*data = lapic_read(a, off);
	return 0;
}

/*
 * WRMSR of an x2APIC register. The ICR is one 64-bit write with a 32-bit
 * destination; the ID and LDR are read-only; EOI and ESR take only 0.
 */
int hvm_lapic_wrmsr(struct hvm_vcpu *vcpu, u32 index, u64 data)
{
	struct hvm_lapic *a = vcpu->lapic;
	u32 off;
	int r = x2apic_msr_offset(vcpu, index, &off);

	if (r)
		return r;
	if (off == APIC_ICR) {
		lapic_set_reg(a, APIC_ICR, (u32)data & ~BIT(12));
		lapic_set_reg(a, APIC_ICR2, data >> 32);
		lapic_send_ipi(a, data, data >> 32);
		return 0;
	}
	if (data >> 32)
		return -EINVAL;
	switch (off) {
	case APIC_EOI:
	case APIC_ESR:
		if (data)
			return -EINVAL;
		break;
	case APIC_SELF_IPI:
		/* Fixed, edge, to itself. */
		lapic_accept_irq(a, &(struct hvm_irq){ .vector = data & 0xff });
		return 0;
	case APIC_TASKPRI:
	case APIC_SPIV:
	case APIC_LVTCMCI:
	case APIC_TMICT:
	case APIC_TDCR:
		break;
	default:
		if (off < APIC_LVTT || off > APIC_LVTERR)
			return -EINVAL;
	}
	lapic_write(a, off, data);
	return 0;
}

static void lapic_reset(struct hvm_lapic *a, u32 id);

/*
 * IA32_APIC_BASE (SDM 11.12.5): disabled, xAPIC or x2APIC mode. A guest
 * may not go from x2APIC to xAPIC mode, nor from disabled to x2APIC, nor
 * to x2APIC at all unless its CPUID has it; the host restoring state may.
 * Disabling resets the registers; x2APIC mode makes the ID the vCPU id and
 * derives the cluster LDR from it. The caller checked hvm_apic_base_valid().
 */
int hvm_lapic_set_base(struct hvm_vcpu *vcpu, u64 base, bool host)
{
	struct hvm_lapic *a = vcpu->lapic;
	u64 old = vcpu->apic_base, en = MSR_IA32_APICBASE_ENABLE;
	bool x2 = base & X2APIC_ENABLE;
	unsigned long flags;
	u32 id = vcpu->id;

	if (!host && ((!x2 && (base & en) && (old & X2APIC_ENABLE)) ||
		      (x2 && !(old & en)) ||
		      (x2 && !(old & X2APIC_ENABLE) && !hvm_guest_has_x2apic(vcpu))))
		return -EINVAL;
	if (!a) {
		vcpu->apic_base = base;
		return 0;
	}
	if ((old & en) && !(base & en)) {
		lapic_timer_cancel(a);
		spin_lock_irqsave(&a->lock, flags);
		lapic_reset(a, id);
		a->tsc_deadline = 0;
		spin_unlock_irqrestore(&a->lock, flags);
	}
	vcpu->apic_base = base;
	if (!((old ^ base) & X2APIC_ENABLE))
		return 0;
	if (x2) {
		lapic_set_reg(a, APIC_ID, id);
		lapic_set_reg(a, APIC_LDR, (id >> 4) << 16 | BIT(id & 0xf));
	} else {
		lapic_set_reg(a, APIC_ID, id << 24);
		lapic_set_reg(a, APIC_LDR, 0);
	}
	return 0;
}

/*
 * An access of len bytes at gpa in the APIC page. Registers are 32 bits
 * at 16-byte strides: other sizes and offsets read 0 and drop writes.
 */
void hvm_lapic_mmio(struct hvm_vcpu *vcpu, u64 gpa, unsigned int len,
		    bool write, u64 *data)
{
	struct hvm_lapic *a = vcpu->lapic;
	u32 off = gpa & ~PAGE_MASK;

	if (len != 4 || (off & 0xf) || off >= LAPIC_REGS * 16) {
		if (!write)
			*data = 0;
		return;
	}
	if (write)
		lapic_write(a, off, *data);
	else
		*data = lapic_read(a, off);
}

int hvm_lapic_get_tsc_deadline(struct hvm_vcpu *vcpu, u64 *data)
{
	if (!vcpu->lapic)
		return -ENOENT;
	*data = vcpu->lapic->tsc_deadline;
	return 0;
}

int hvm_lapic_set_tsc_deadline(struct hvm_vcpu *vcpu, u64 data)
{
	if (!vcpu->lapic)
		return -ENOENT;
	lapic_set_tsc_deadline(vcpu->lapic, data);
	return 0;
}

/* The vector the LAPIC would hand the CPU now, or -1. */
/* CR8 is TPR[7:4] (SDM 11.8.6.1); without a LAPIC the backend keeps it. */
u8 hvm_lapic_get_cr8(struct hvm_vcpu *vcpu)
{
	return lapic_reg(vcpu->lapic, APIC_TASKPRI) >> 4 & 0xf;
}

void hvm_lapic_set_cr8(struct hvm_vcpu *vcpu, u8 cr8)
{
	lapic_set_reg(vcpu->lapic, APIC_TASKPRI, (cr8 & 0xf) << 4);
}

/*
 * The highest vector in IRR that TPR alone holds back (its class is above
 * the highest in service, not above TPR's), or -1: what lowering CR8 would
 * let in. A backend whose guest writes CR8 without an exit (SVM) asks to
 * exit when that happens.
 */
int hvm_lapic_tpr_blocked(struct hvm_vcpu *vcpu)
{
	struct hvm_lapic *a = vcpu->lapic;
	unsigned long flags;
	int v = -1, isr;

	/*
	 * Called before every SVM entry: with TPR class 0 (where guests run
	 * nearly always) nothing is held back, and the lock stays untaken.
	 * TPR is written only by this vCPU's own thread.
	 */
	if (!a || !(vcpu->apic_base & MSR_IA32_APICBASE_ENABLE) ||
	    !(lapic_reg(a, APIC_TASKPRI) & 0xf0))
		return -1;
	spin_lock_irqsave(&a->lock, flags);
	if (lapic_sw_enabled(a)) {
		v = lapic_highest(a, APIC_IRR);
		isr = lapic_highest(a, APIC_ISR);
		if (v < 0 || (isr >= 0 && (v & 0xf0) <= (isr & 0xf0)) ||
		    (v & 0xf0) > (lapic_reg(a, APIC_TASKPRI) & 0xf0))
			v = -1;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	return v;
}

int hvm_lapic_pending(struct hvm_vcpu *vcpu)
{
	struct hvm_lapic *a = vcpu->lapic;
	unsigned long flags;
	int v = -1;

	if (!a || !(vcpu->apic_base & MSR_IA32_APICBASE_ENABLE))
		return -1;
	spin_lock_irqsave(&a->lock, flags);
	if (lapic_sw_enabled(a)) {
		v = lapic_highest(a, APIC_IRR);
		if (v >= 0 && (v & 0xf0) <= (lapic_ppr(a) & 0xf0))
			v = -1;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	return v;
}

/* The CPU takes vector v: from IRR to ISR (SDM 11.8.4). */
void hvm_lapic_accept(struct hvm_vcpu *vcpu, int v)
{
	struct hvm_lapic *a = vcpu->lapic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	*lapic_vec_word(a, APIC_IRR, v) &= ~BIT(v % 32);
	*lapic_vec_word(a, APIC_ISR, v) |= BIT(v % 32);
	spin_unlock_irqrestore(&a->lock, flags);
}

/* Is an NMI waiting for the vCPU to take it? For a halted vCPU's wakeup. */
bool hvm_lapic_nmi_pending(struct hvm_vcpu *vcpu)
{
	return vcpu->lapic && READ_ONCE(vcpu->lapic->nmi_pending);
}

/* The vCPU takes the NMI that IPIs or LINT1 raised, if there is one. */
bool hvm_lapic_take_nmi(struct hvm_vcpu *vcpu)
{
	struct hvm_lapic *a = vcpu->lapic;
	unsigned long flags;
	bool nmi;

	if (!a || !READ_ONCE(a->nmi_pending))
		return false;
	spin_lock_irqsave(&a->lock, flags);
	nmi = a->nmi_pending;
	a->nmi_pending = false;
	spin_unlock_irqrestore(&a->lock, flags);
	return nmi;
}

/*
 * An edge on LINT1 (HVM_NMI), where LVT LINT1 routes it: an NMI, a fixed
 * interrupt, or nothing when masked (as it is while the LAPIC is
 * software-disabled) or in another mode. A LAPIC disabled in
 * IA32_APIC_BASE passes LINT1 through as the CPU's NMI (SDM 11.4.3); so
 * does a vCPU without one (the caller's case).
 */
void hvm_lapic_lint1(struct hvm_vcpu *vcpu)
{
	struct hvm_lapic *a = vcpu->lapic;
	unsigned long flags;
	bool kick = true;
	u32 lvt;

	spin_lock_irqsave(&a->lock, flags);
	lvt = lapic_reg(a, APIC_LVT1);
	if (!(vcpu->apic_base & MSR_IA32_APICBASE_ENABLE))
		a->nmi_pending = true;
	else if (lvt & LVT_MASKED)
		kick = false;
	else if (ICR_DELIVERY(lvt) == HVM_DM_NMI)
		a->nmi_pending = true;
	else if (ICR_DELIVERY(lvt) == HVM_DM_FIXED)
		lapic_raise_locked(a, lvt & 0xff);
	else
		kick = false;
	spin_unlock_irqrestore(&a->lock, flags);
	if (kick)
		lapic_kick(a);
}

/* The register page and the timer at reset (SDM 11.4.7.1). */
static void lapic_reset(struct hvm_lapic *a, u32 id)
{
	int i;

	memset(a->regs, 0, sizeof(a->regs));
	lapic_set_reg(a, APIC_ID, id << 24);
	lapic_set_reg(a, APIC_LVR, LAPIC_VERSION);
	lapic_set_reg(a, APIC_DFR, 0xffffffff);
	lapic_set_reg(a, APIC_SPIV, 0xff);
	for (i = APIC_LVTT; i <= APIC_LVTERR; i += 0x10)
		lapic_set_reg(a, i, LVT_MASKED);
	lapic_set_reg(a, APIC_LVTCMCI, LVT_MASKED);
}

int hvm_lapic_create(struct hvm_vcpu *vcpu)
{
	struct hvm_lapic *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return -ENOMEM;
	a->vcpu = vcpu;
	spin_lock_init(&a->lock);
	hvm_hrtimer_setup(&a->timer, lapic_timer_expired, CLOCK_MONOTONIC,
			  HRTIMER_MODE_ABS);
	lapic_reset(a, vcpu->id);
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
	vcpu->lapic = a;
	return 0;
}

void hvm_lapic_destroy(struct hvm_vcpu *vcpu)
{
	struct hvm_lapic *a = vcpu->lapic;

	if (!a)
		return;
	hrtimer_cancel(&a->timer);
	vcpu->lapic = NULL;
	kfree(a);
}
