/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt messages to the in-kernel local APICs: one decoded form for
 * an ICR write and an MSI (lapic.c delivers it), the MSI decoder (msi.c)
 * and irqfds, eventfds bound to an MSI (irqfd.c).
 */
#ifndef _HVM_IRQ_H
#define _HVM_IRQ_H

#include <linux/types.h>

#include "hvm.h"		/* uapi */

struct hvm_vm;
struct hvm_lapic;

/* Delivery modes (SDM 11.6.1, ICR bits 10:8; MSI data bits 10:8). */
#define HVM_DM_FIXED		0
#define HVM_DM_LOWEST		1
#define HVM_DM_SMI		2
#define HVM_DM_NMI		4
#define HVM_DM_INIT		5
#define HVM_DM_SIPI		6
#define HVM_DM_EXTINT		7

/* Destination shorthands (ICR bits 19:18); an MSI has none. */
#define HVM_SH_NONE		0
#define HVM_SH_SELF		1
#define HVM_SH_ALL		2
#define HVM_SH_OTHERS		3

/* An interrupt message on its way to the LAPICs. */
struct hvm_irq {
	u32 dest;		/* destination ID: 8 bits, or 32 (x2apic_dest) */
	u8 vector;
	u8 delivery;		/* HVM_DM_* */
	u8 shorthand;		/* HVM_SH_* */
	bool logical;		/* logical destination mode */
	bool x2apic_dest;	/* a 32-bit x2APIC destination (x2APIC ICR) */
	bool one_of_dest;	/* lowest priority or MSI redirection hint */
	bool level;		/* level-triggered (TMR set for fixed ones) */
	bool assert;		/* level: assert; a deassert delivers nothing */
};

/* MSI address (SDM 11.11.1): 0xFEE in 31:20, destination ID in 19:12. */
#define HVM_MSI_ADDR_BASE	0xfee00000u
#define HVM_MSI_ADDR_BASE_MASK	0xfff00000u
#define HVM_MSI_ADDR_DEST(a)	(((a) >> 12) & 0xff)
#define HVM_MSI_ADDR_RH		BIT(3)
#define HVM_MSI_ADDR_DM		BIT(2)
/* Bits 11:4 and 1:0 are reserved. */
#define HVM_MSI_ADDR_RESERVED	(GENMASK(11, 4) | GENMASK(1, 0))
/* MSI data: vector 7:0, delivery mode 10:8, level 14, trigger mode 15. */
#define HVM_MSI_DATA_VECTOR(d)	((d) & 0xff)
#define HVM_MSI_DATA_DM(d)	(((d) >> 8) & 7)
#define HVM_MSI_DATA_LEVEL	BIT(14)
#define HVM_MSI_DATA_TRIGGER	BIT(15)
#define HVM_MSI_DATA_RESERVED	(GENMASK(31, 16) | GENMASK(13, 11))

/* The most irqfds one VM may have (HVM_IRQFD: -ENOSPC beyond). */
#define HVM_MAX_IRQFDS		1024

/* msi.c */
int hvm_msi_decode(u32 address_lo, u32 address_hi, u32 data,
		   struct hvm_irq *irq);
int hvm_vm_signal_msi(struct hvm_vm *vm, const struct hvm_msi *msi);

/* lapic.c: every LAPIC of the VM the message names; returns how many. */
int hvm_lapic_deliver_irq(struct hvm_vm *vm, struct hvm_lapic *src,
			  const struct hvm_irq *irq);

/* irqfd.c */
int hvm_irqfd_init(void);
void hvm_irqfd_exit(void);
int hvm_vm_irqfd(struct hvm_vm *vm, const struct hvm_irqfd *args);
void hvm_vm_irqfd_release(struct hvm_vm *vm);

#endif /* _HVM_IRQ_H */
