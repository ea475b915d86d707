/* SPDX-License-Identifier: GPL-2.0 */
/* The in-kernel local APIC (lapic.c). */
#ifndef _HVM_LAPIC_H
#define _HVM_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <asm/apicdef.h>

struct hvm_vcpu;

struct hvm_lapic {
	struct hvm_vcpu *vcpu;
	spinlock_t lock;		/* regs[] IRR/ISR and the timer state */
	u32 regs[64];			/* the register at offset x is regs[x / 16] */
	struct hrtimer timer;
	u64 timer_expires_ns;		/* CLOCK_MONOTONIC, 0 when stopped */
	u64 timer_period_ns;		/* periodic mode, else 0 */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE */
	bool nmi_pending;		/* an NMI IPI or LINT1 NMI, not taken */
};

/* The longest timer delay: ~146 years, far from ktime's overflow. */
#define HVM_LAPIC_MAX_DELAY_NS	(1ULL << 62)

u64 hvm_lapic_tsc_to_ns(u64 delta, u32 khz);
int hvm_lapic_create(struct hvm_vcpu *vcpu);
void hvm_lapic_destroy(struct hvm_vcpu *vcpu);
bool hvm_lapic_in_page(struct hvm_vcpu *vcpu, u64 gpa);
void hvm_lapic_mmio(struct hvm_vcpu *vcpu, u64 gpa, unsigned int len,
		    bool write, u64 *data);
bool hvm_lapic_is_msr(u32 index);
int hvm_lapic_rdmsr(struct hvm_vcpu *vcpu, u32 index, u64 *data);
int hvm_lapic_wrmsr(struct hvm_vcpu *vcpu, u32 index, u64 data);
int hvm_lapic_set_base(struct hvm_vcpu *vcpu, u64 base, bool host);
int hvm_lapic_get_tsc_deadline(struct hvm_vcpu *vcpu, u64 *data);
int hvm_lapic_set_tsc_deadline(struct hvm_vcpu *vcpu, u64 data);
int hvm_lapic_pending(struct hvm_vcpu *vcpu);
u8 hvm_lapic_get_cr8(struct hvm_vcpu *vcpu);
void hvm_lapic_set_cr8(struct hvm_vcpu *vcpu, u8 cr8);
int hvm_lapic_tpr_blocked(struct hvm_vcpu *vcpu);
void hvm_lapic_accept(struct hvm_vcpu *vcpu, int vector);
bool hvm_lapic_nmi_pending(struct hvm_vcpu *vcpu);
bool hvm_lapic_take_nmi(struct hvm_vcpu *vcpu);
void hvm_lapic_lint1(struct hvm_vcpu *vcpu);

#endif /* _HVM_LAPIC_H */
