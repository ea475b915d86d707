// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's time stamp counter: the host's TSC plus an offset per vCPU.
 * All vCPUs of a VM start on one clock, the one the VM got when it was
 * created, so an AP created later reads the same TSC as the BSP and a
 * guest's TSC synchronisation check passes. A write of IA32_TSC (by the
 * guest or HVM_SET_MSRS) sets a new clock, except that a write by another
 * vCPU of a value within a second of what the VM's last clock reads now
 * joins that clock: writing the same value to every vCPU one after the
 * other (a VMM restoring state, firmware zeroing the TSCs) leaves them in
 * step, as on hardware that resets all TSCs together.
 */
#include <asm/tsc.h>

#include "hvm_core.h"

/*
 * Does a write of value, at host TSC now, continue the clock whose last
 * write was last_value at host TSC last_host? Within window ticks of what
 * that clock reads now, either side; modular arithmetic, so no overflow.
 */
bool hvm_tsc_write_matches(u64 last_value, u64 last_host, u64 value, u64 now,
			   u64 window)
{
	u64 expected = last_value + (now - last_host);

	return value - expected + window <= 2 * window;
}

void hvm_tsc_init_vm(struct hvm_vm *vm)
{
	spin_lock_init(&vm->tsc_lock);
	vm->tsc_write_value = 0;
	vm->tsc_write_host = rdtsc();
	vm->tsc_writer = -1;		/* the VM's creation */
}

/* The offset a new vCPU starts with: the VM's clock. */
u64 hvm_tsc_vm_offset(struct hvm_vm *vm)
{
	unsigned long flags;
	u64 offset;

	spin_lock_irqsave(&vm->tsc_lock, flags);
	offset = vm->tsc_write_value - vm->tsc_write_host;
	spin_unlock_irqrestore(&vm->tsc_lock, flags);
	return offset;
}

u64 hvm_tsc_read(struct hvm_vcpu *vcpu)
{
	return rdtsc() + vcpu->tsc_offset;
}

void hvm_tsc_write(struct hvm_vcpu *vcpu, u64 value)
{
	struct hvm_vm *vm = vcpu->vm;
	/* A second of host ticks; tsc_khz is at most a few million. */
	u64 window = (u64)tsc_khz * 1000;
	unsigned long flags;
	u64 now, offset;

	spin_lock_irqsave(&vm->tsc_lock, flags);
	now = rdtsc();
	if (vm->tsc_writer != vcpu->id &&
	    hvm_tsc_write_matches(vm->tsc_write_value, vm->tsc_write_host,
				  value, now, window)) {
		offset = vm->tsc_write_value - vm->tsc_write_host;
	} else {
		offset = value - now;
		vm->tsc_write_value = value;
		vm->tsc_write_host = now;
		vm->tsc_writer = vcpu->id;
	}
	spin_unlock_irqrestore(&vm->tsc_lock, flags);

	vcpu->tsc_offset = offset;
	hvm_ops->set_tsc_offset(vcpu, offset);
}
