/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xAPIC register page as guest code of the LAPIC tests reaches it:
 * identity-mapped at its reset base (virt_map(vm, APIC_GVA, APIC_GVA, 1)),
 * register offsets and bits from SDM chapter 11.
 */
#ifndef HVM_SELFTEST_APIC_H
#define HVM_SELFTEST_APIC_H

#include <stdint.h>

#define APIC_GVA	0xfee00000ul
#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TPR	0x80
#define APIC_EOI	0xb0
#define APIC_SPIV	0xf0
#define APIC_IRR	0x200
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define LVT_TSCDEADLINE	(2u << 17)
#define ICR_SELF	(1u << 18)

static inline void apic_write(uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(APIC_GVA + off) = val;
}

static inline uint32_t apic_read(uint32_t off)
{
	return *(volatile uint32_t *)(APIC_GVA + off);
}

#endif
