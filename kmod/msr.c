// SPDX-License-Identifier: GPL-2.0
/*
 * Model-specific registers the core keeps for every vendor, and XCR0
 * validation. The backend handles the MSRs its control block holds first;
 * what neither knows is an error (#GP for the guest).
 */
#include "hvm_core.h"

#define MSR_APIC_BASE		0x0000001b
#define MSR_MTRR_CAP		0x000000fe
#define MSR_MISC_ENABLE		0x000001a0
#define MSR_MTRR_DEF_TYPE	0x000002ff

#define APIC_BASE_VALID		(GENMASK_ULL(HVM_GUEST_PHYS_BITS - 1, 12) | \
				 BIT(11) | BIT(10) | BIT(8))

u64 hvm_host_xcr0;

/* Reserved bits clear; x2APIC mode only with the APIC enabled. */
bool hvm_apic_base_valid(u64 base)
{
	return !(base & ~APIC_BASE_VALID) &&
	       (!(base & X2APIC_ENABLE) || (base & MSR_IA32_APICBASE_ENABLE));
}

int hvm_get_msr(struct hvm_vcpu *vcpu, u32 index, u64 *data)
{
	int r;

	if (index == MSR_IA32_TSC) {
		*data = hvm_tsc_read(vcpu);
		return 0;
	}
	r = hvm_ops->get_msr(vcpu, index, data);

	if (r != -ENOENT)
		return r;
	switch (index) {
	case MSR_APIC_BASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		return hvm_lapic_get_tsc_deadline(vcpu, data);
	case MSR_MTRR_CAP:
		*data = 0;	/* no fixed or variable ranges */
		return 0;
	case MSR_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*data = vcpu->mtrr_def_type;
		return 0;
	default:
		if (hvm_lapic_is_msr(index))
			return hvm_lapic_rdmsr(vcpu, index, data);
		return -ENOENT;
	}
}

static bool hvm_memtype_valid(u64 type)
{
	/* UC, WC, WT, WP, WB (SDM 11.3). */
	return type == 0 || type == 1 || (type >= 4 && type <= 6);
}

int hvm_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	int r;

	if (index == MSR_EFER)	/* checked as the guest's CPUID says */
		return hvm_set_efer(vcpu, data, host);
	if (index == MSR_IA32_TSC) {
		hvm_tsc_write(vcpu, data);
		return 0;
	}
	r = hvm_ops->set_msr(vcpu, index, data, host);
	if (r != -ENOENT)
		return r;
	switch (index) {
	case MSR_APIC_BASE:
		if (!hvm_apic_base_valid(data))
			return -EINVAL;
		return hvm_lapic_set_base(vcpu, data, host);
	case MSR_IA32_TSC_DEADLINE:
		return hvm_lapic_set_tsc_deadline(vcpu, data);
	case MSR_MISC_ENABLE:
		vcpu->misc_enable = data;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		if ((data & ~(GENMASK_ULL(7, 0) | BIT(10) | BIT(11))) ||
		    !hvm_memtype_valid(data & 0xff))
			return -EINVAL;
		vcpu->mtrr_def_type = data;
		return 0;
	default:
		if (hvm_lapic_is_msr(index))
			return hvm_lapic_wrmsr(vcpu, index, data);
		return -ENOENT;
	}
}

/*
 * The rules XSETBV enforces (SDM 13.3), within what the host enabled, less
 * AMX: its tile state is dynamic (permitted per process), and a guest's
 * fpstate has no room for it. hvm_host_xcr0 itself keeps the tile bits,
 * as entries restore it: a host CPU left without them would #GP on the
 * XRSTORS of any task whose fpstate holds tile data.
 */
bool hvm_xcr0_valid(u64 xcr0)
{
	const u64 avx512 = XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_Hi256 |
			   XFEATURE_MASK_Hi16_ZMM;
	u64 allowed = hvm_host_xcr0 & ~XFEATURE_MASK_XTILE;

	if (!(xcr0 & XFEATURE_MASK_FP) || (xcr0 & ~allowed))
		return false;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return false;
	if ((xcr0 & avx512) &&
	    ((xcr0 & avx512) != avx512 || !(xcr0 & XFEATURE_MASK_YMM)))
		return false;
	return true;
}

/* PAT entries: UC, WC, WT, WP, WB, UC- (SDM 11.12.2). */
bool hvm_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (!hvm_memtype_valid(type) && type != 7)
			return false;
	}
	return true;
}

bool hvm_emulate_rdmsr(struct hvm_vcpu *vcpu)
{
	u64 data;

	if (hvm_get_msr(vcpu, vcpu->regs[HVM_RCX], &data))
		return false;
	vcpu->regs[HVM_RAX] = (u32)data;
	vcpu->regs[HVM_RDX] = data >> 32;
	return true;
}

bool hvm_emulate_wrmsr(struct hvm_vcpu *vcpu)
{
	u64 data = (u32)vcpu->regs[HVM_RAX] | (vcpu->regs[HVM_RDX] << 32);

	return !hvm_set_msr(vcpu, vcpu->regs[HVM_RCX], data, false);
}

bool hvm_emulate_xsetbv(struct hvm_vcpu *vcpu)
{
	u64 xcr0 = (u32)vcpu->regs[HVM_RAX] | (vcpu->regs[HVM_RDX] << 32);

	if ((u32)vcpu->regs[HVM_RCX] != 0 || !hvm_xcr0_valid(xcr0))
		return false;
	vcpu->xcr0 = xcr0;
	return true;
}
