// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as the guest sees it: the table userspace set, minus what a guest
 * must never see (the virtualization extensions), plus the bits that follow
 * the guest's own state.
 */
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "hvm_core.h"

#define CPUID_1_EDX_APIC	BIT(9)
#define CPUID_1_ECX_VMX		BIT(5)
#define CPUID_1_ECX_X2APIC	BIT(21)
#define CPUID_1_ECX_XSAVE	BIT(26)
#define CPUID_1_ECX_OSXSAVE	BIT(27)
#define CPUID_8000_0001_ECX_SVM	BIT(2)

static const struct hvm_cpuid_entry *hvm_cpuid_find(struct hvm_vcpu *vcpu,
						    u32 function, u32 index)
{
	int i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct hvm_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function != function)
			continue;
		if ((e->flags & HVM_CPUID_FLAG_SIGNIFICANT_INDEX) &&
		    e->index != index)
			continue;
		return e;
	}
	return NULL;
}

/* A guest may enter x2APIC mode only if its CPUID says it has one. */
bool hvm_guest_has_x2apic(struct hvm_vcpu *vcpu)
{
	const struct hvm_cpuid_entry *e = hvm_cpuid_find(vcpu, 1, 0);

	return e && (e->ecx & CPUID_1_ECX_X2APIC);
}

/*
 * CPUID.(EAX=0xd,ECX=0).EBX: the size of the XSAVE area for the features
 * XCR0 enables now (SDM 13.2), from the table's own sub-leaves 2 and up
 * (EAX size, EBX offset): guests size their buffers from it.
 */
u32 hvm_xsave_size(struct hvm_vcpu *vcpu, u64 xcr0)
{
	u32 size = 512 + 64;	/* legacy area and XSAVE header */
	int i;

	for (i = 2; i < 64; i++) {
		const struct hvm_cpuid_entry *e;

		if (!(xcr0 & BIT_ULL(i)))
			continue;
		e = hvm_cpuid_find(vcpu, 0xd, i);
		if (e && (e->flags & HVM_CPUID_FLAG_SIGNIFICANT_INDEX) &&
		    e->ebx + e->eax > size)
			size = e->ebx + e->eax;
	}
	return size;
}

void hvm_cpuid(struct hvm_vcpu *vcpu, u32 function, u32 index, u64 cr4,
	       u32 out[4])
{
	const struct hvm_cpuid_entry *e = hvm_cpuid_find(vcpu, function, index);

	if (!e) {
		out[0] = out[1] = out[2] = out[3] = 0;
		return;
	}
	out[0] = e->eax;
	out[1] = e->ebx;
	out[2] = e->ecx;
	out[3] = e->edx;

	if (function == 1) {
		out[2] &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_OSXSAVE);
		if ((out[2] & CPUID_1_ECX_XSAVE) && (cr4 & X86_CR4_OSXSAVE))
			out[2] |= CPUID_1_ECX_OSXSAVE;
		/* A globally disabled APIC is not there (SDM 11.4.3). */
		if (!(vcpu->apic_base & MSR_IA32_APICBASE_ENABLE))
			out[3] &= ~CPUID_1_EDX_APIC;
	} else if (function == 0xd && index == 0) {
		out[1] = hvm_xsave_size(vcpu, vcpu->xcr0);
	} else if (function == 0x80000001) {
		out[2] &= ~CPUID_8000_0001_ECX_SVM;
	}
}

/* CPUID exit: EAX/ECX in, EAX-EDX out. */
void hvm_emulate_cpuid(struct hvm_vcpu *vcpu, u64 cr4)
{
	u32 out[4];

	hvm_cpuid(vcpu, vcpu->regs[HVM_RAX], vcpu->regs[HVM_RCX], cr4, out);
	vcpu->regs[HVM_RAX] = out[0];
	vcpu->regs[HVM_RBX] = out[1];
	vcpu->regs[HVM_RCX] = out[2];
	vcpu->regs[HVM_RDX] = out[3];
}
