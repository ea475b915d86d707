/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the core emulates of the x86 CPU for every vendor: the MMIO
 * emulator and instruction lengths (emulate.c), CR0/CR4/EFER writes (cr.c),
 * CPUID (cpuid.c), MSRs and XCR0 (msr.c).
 */
#ifndef _HVM_X86_H
#define _HVM_X86_H

#include <linux/types.h>

#include "vendor.h"

/* emulate.c: MMIO via instruction decode */
int hvm_emulate_mmio(struct hvm_vcpu *vcpu, u64 gpa, bool write,
		     const u8 *insn_bytes, unsigned int insn_len);
void hvm_complete_mmio_read(struct hvm_vcpu *vcpu);
int hvm_mmio_pending_write(struct hvm_vcpu *vcpu);

/* cr.c: CR0, CR4 and EFER writes checked against the architecture and CPUID */
u64 hvm_cr4_host_reserved(void);
u64 hvm_cr4_guest_reserved(struct hvm_vcpu *vcpu);
u64 hvm_efer_host_reserved(void);
u64 hvm_efer_guest_reserved(struct hvm_vcpu *vcpu);
bool hvm_cr0_write_valid(const struct hvm_paging *cur, u64 cr0);
bool hvm_cr4_write_valid(const struct hvm_paging *cur, u64 cr4, u64 reserved);
bool hvm_efer_write_valid(const struct hvm_paging *cur, u64 efer,
			  u64 reserved);
bool hvm_sregs_state_valid(const struct hvm_sregs *s, u64 cr4_reserved,
			   u64 efer_reserved);
int hvm_set_cr0(struct hvm_vcpu *vcpu, u64 cr0);
int hvm_set_efer(struct hvm_vcpu *vcpu, u64 efer, bool host);

/* cpuid.c */
void hvm_cpuid(struct hvm_vcpu *vcpu, u32 function, u32 index, u64 cr4,
	       u32 out[4]);
u32 hvm_xsave_size(struct hvm_vcpu *vcpu, u64 xcr0);
bool hvm_guest_has_x2apic(struct hvm_vcpu *vcpu);

/* msr.c */
int hvm_get_msr(struct hvm_vcpu *vcpu, u32 index, u64 *data);
int hvm_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data, bool host);
bool hvm_xcr0_valid(u64 xcr0);
bool hvm_apic_base_valid(u64 base);

/* tsc.c: IA32_TSC */
u64 hvm_tsc_read(struct hvm_vcpu *vcpu);
void hvm_tsc_write(struct hvm_vcpu *vcpu, u64 value);

extern u64 hvm_host_xcr0;		/* 0: the host does not use XSAVE */

/* XCR0 is switched around guest entry only where both sides differ. */
static inline bool hvm_xcr0_differs(const struct hvm_vcpu *vcpu)
{
	return hvm_host_xcr0 && vcpu->xcr0 != hvm_host_xcr0;
}

#endif /* _HVM_X86_H */
