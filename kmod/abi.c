// SPDX-License-Identifier: GPL-2.0
/*
 * The ABI's rules for the structures userspace passes in (uapi/hvm.h):
 * reserved and padding fields are zero, flags are known, values fit their
 * fields. The ioctl layer (dev.c) calls these before the core sees a value.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <asm/processor-flags.h>

#include "hvm_core.h"

static bool hvm_segment_valid(const struct hvm_segment *s)
{
	return !s->padding && s->type <= 15 && s->present <= 1 &&
	       s->dpl <= 3 && s->db <= 1 && s->s <= 1 && s->l <= 1 &&
	       s->g <= 1 && s->avl <= 1 && s->unusable <= 1;
}

static bool hvm_dtable_valid(const struct hvm_dtable *d)
{
	return !d->padding[0] && !d->padding[1] && !d->padding[2];
}

/* EFER bits a guest may hold: SCE, LME, LMA, NXE, FFXSR. */
#define HVM_EFER_VALID	(BIT(0) | BIT(8) | BIT(10) | BIT(11) | BIT(14))

bool hvm_sregs_valid(const struct hvm_sregs *s)
{
	const struct hvm_segment *seg[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(seg); i++)
		if (!hvm_segment_valid(seg[i]))
			return false;
	for (i = 0; i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i])
			return false;
	/* CR0.NW without CR0.CD is no state a CPU can be in (SDM 2.5). */
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return false;
	return hvm_dtable_valid(&s->gdt) && hvm_dtable_valid(&s->idt) &&
	       !(s->cr0 >> 32) && !(s->cr4 >> 32) && s->cr8 <= 15 &&
	       !(s->efer & ~HVM_EFER_VALID);
}

bool hvm_cpuid_entry_valid(const struct hvm_cpuid_entry *e)
{
	return !e->reserved && !(e->flags & ~HVM_CPUID_FLAG_SIGNIFICANT_INDEX);
}

bool hvm_msr_entry_valid(const struct hvm_msr_entry *e)
{
	return !e->reserved;
}

bool hvm_interrupt_valid(const struct hvm_interrupt *irq)
{
	return !irq->flags && irq->vector <= 255;
}

bool hvm_msi_valid(const struct hvm_msi *msi)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(msi->reserved); i++)
		if (msi->reserved[i])
			return false;
	return !msi->flags;
}

bool hvm_irqfd_valid(const struct hvm_irqfd *args)
{
	u32 both = HVM_IRQFD_FLAG_DEASSIGN | HVM_IRQFD_FLAG_UPDATE;

	if (args->reserved[0] || args->reserved[1] ||
	    (args->flags & ~both) || (args->flags & both) == both)
		return false;
	/* A deassign does not read the message. */
	return (args->flags & HVM_IRQFD_FLAG_DEASSIGN) ||
	       hvm_msi_valid(&args->msi);
}

#define HVM_IOEVENTFD_FLAGS	(HVM_IOEVENTFD_FLAG_DATAMATCH | \
				 HVM_IOEVENTFD_FLAG_PIO | \
				 HVM_IOEVENTFD_FLAG_DEASSIGN)

/* The rules of HVM_IOEVENTFD but the fd's (uapi/hvm.h). */
bool hvm_ioeventfd_valid(const struct hvm_ioeventfd *a)
{
	bool pio = a->flags & HVM_IOEVENTFD_FLAG_PIO;
	bool dm = a->flags & HVM_IOEVENTFD_FLAG_DATAMATCH;
	u64 last;

	if ((a->flags & ~HVM_IOEVENTFD_FLAGS) || a->padding ||
	    a->reserved[0] || a->reserved[1])
		return false;
	switch (a->len) {
	case 0:
		if (dm)		/* a value needs a width */
			return false;
		break;
	case 1:
	case 2:
	case 4:
		break;
	case 8:
		if (pio)
			return false;
		break;
	default:
		return false;
	}
	if (!dm && a->datamatch)
		return false;
	if (dm && a->len < 8 && a->datamatch >> (a->len * 8))
		return false;
	/* The range may end at 2^64, not past it. */
	if (check_add_overflow(a->addr, (u64)(a->len ? a->len - 1 : 0), &last))
		return false;
	return !pio || last <= 0xffff;
}

/* Vectors 0-15 are not interrupts a LAPIC takes (SDM 11.5.2). */
bool hvm_eoi_exits_valid(const struct hvm_eoi_exits *a)
{
	return !a->flags && !a->padding && !(a->bitmap[0] & 0xffff);
}
