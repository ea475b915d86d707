// SPDX-License-Identifier: GPL-2.0
/*
 * MSIs (HVM_SIGNAL_MSI, irqfds): the message as the SDM defines it (Vol. 3,
 * 11.11, "Message Signalled Interrupts") decoded into the form an ICR write
 * takes too, then delivered by the LAPICs' one path (lapic.c).
 */
#include <linux/bits.h>
#include <linux/errno.h>

#include "hvm_core.h"

/*
 * address_lo/hi and data to a message for the LAPICs, or -EINVAL for
 * anything uapi/hvm.h refuses: an address outside 0xfee00000-0xfeefffff
 * or with a reserved bit, address_hi not 0, a reserved data bit, delivery
 * mode SMI, 3 or ExtINT. Mode 6, reserved for MSIs by the SDM, is taken
 * as the ICR's Start-Up. Pure: KUnit's hvm_msi suite checks every field.
 */
int hvm_msi_decode(u32 address_lo, u32 address_hi, u32 data,
		   struct hvm_irq *irq)
{
	u8 dm = HVM_MSI_DATA_DM(data);

	if ((address_lo & HVM_MSI_ADDR_BASE_MASK) != HVM_MSI_ADDR_BASE ||
	    (address_lo & HVM_MSI_ADDR_RESERVED) || address_hi ||
	    (data & HVM_MSI_DATA_RESERVED))
		return -EINVAL;
	switch (dm) {
	case HVM_DM_FIXED:
	case HVM_DM_LOWEST:
	case HVM_DM_NMI:
	case HVM_DM_INIT:
	case HVM_DM_SIPI:
		break;
	default:
		return -EINVAL;
	}
	*irq = (struct hvm_irq){
		.dest = HVM_MSI_ADDR_DEST(address_lo),
		.vector = HVM_MSI_DATA_VECTOR(data),
		.delivery = dm,
		.shorthand = HVM_SH_NONE,
		.logical = address_lo & HVM_MSI_ADDR_DM,
		/* RH: one of the destinations, as lowest priority picks it. */
		.one_of_dest = dm == HVM_DM_LOWEST ||
			       ((address_lo & HVM_MSI_ADDR_RH) &&
				dm == HVM_DM_FIXED),
		.level = data & HVM_MSI_DATA_TRIGGER,
		/* An edge-triggered message always asserts (SDM 11.11.2). */
		.assert = !(data & HVM_MSI_DATA_TRIGGER) ||
			  (data & HVM_MSI_DATA_LEVEL),
	};
	return 0;
}

/*
 * HVM_SIGNAL_MSI: the caller checked flags and reserved. Returns how many
 * LAPICs took it.
 */
int hvm_vm_signal_msi(struct hvm_vm *vm, const struct hvm_msi *msi)
{
	struct hvm_irq irq;
	int r;

	r = hvm_msi_decode(msi->address_lo, msi->address_hi, msi->data, &irq);
	if (r)
		return r;
	if (!READ_ONCE(vm->lapic))
		return -ENXIO;
	return hvm_lapic_deliver_irq(vm, NULL, &irq);
}
