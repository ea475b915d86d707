// SPDX-License-Identifier: GPL-2.0
/*
 * Writes to CR0, CR4 and EFER, checked for both vendors as the architecture
 * (SDM Vol. 3 2.5 and "MOV—Move to/from Control Registers", APM Vol. 2 3.1)
 * and the guest's CPUID allow: a guest's write that fails gets #GP(0), one
 * from userspace -EINVAL, and neither reaches the hardware, so what a guest
 * may do does not depend on the host CPU's model.
 */
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "hvm_core.h"

#define CPUID_1_ECX_PCID		BIT(17)
#define CPUID_1_ECX_XSAVE		BIT(26)
#define CPUID_7_EBX_FSGSBASE		BIT(0)
#define CPUID_7_EBX_SMEP		BIT(7)
#define CPUID_7_EBX_SMAP		BIT(20)
#define CPUID_7_ECX_UMIP		BIT(2)
#define CPUID_7_ECX_PKU			BIT(3)
#define CPUID_7_ECX_LA57		BIT(16)
#define CPUID_8000_0001_EDX_NX		BIT(20)
#define CPUID_8000_0001_EDX_FFXSR	BIT(25)
#define CPUID_8000_0001_EDX_LM		BIT(29)

/*
 * Bits that change how linear addresses translate: a write that changes
 * one flushes the guest's TLB (SDM 4.10.4.1 needs fewer; more is safe).
 */
#define HVM_CR0_TLB_BITS	(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP)
#define HVM_CR4_TLB_BITS	(X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | \
				 X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP | \
				 X86_CR4_PKE | X86_CR4_LA57)

/*
 * Beyond HVM_CR4_GUEST_BITS, a guest gets the CR4 bits below where its
 * CPUID and the host both have the feature. VMXE, SMXE, CET, PKS and the
 * bits above are never the guest's: hvm virtualizes none of them.
 */
struct hvm_cr4_feature {
	u64 cr4;
	u32 leaf;
	u8 reg;			/* 0-3: EAX-EDX */
	u32 bit;
	u16 host;		/* X86_FEATURE_* the host must have */
};

static const struct hvm_cr4_feature hvm_cr4_features[] = {
	{ X86_CR4_UMIP, 7, 2, CPUID_7_ECX_UMIP, X86_FEATURE_UMIP },
	{ X86_CR4_LA57, 7, 2, CPUID_7_ECX_LA57, X86_FEATURE_LA57 },
	{ X86_CR4_FSGSBASE, 7, 1, CPUID_7_EBX_FSGSBASE, X86_FEATURE_FSGSBASE },
	{ X86_CR4_PCIDE, 1, 2, CPUID_1_ECX_PCID, X86_FEATURE_PCID },
	{ X86_CR4_OSXSAVE, 1, 2, CPUID_1_ECX_XSAVE, X86_FEATURE_XSAVE },
	{ X86_CR4_SMEP, 7, 1, CPUID_7_EBX_SMEP, X86_FEATURE_SMEP },
	{ X86_CR4_SMAP, 7, 1, CPUID_7_EBX_SMAP, X86_FEATURE_SMAP },
	/* The entries swap PKRU only where the host kernel uses it. */
	{ X86_CR4_PKE, 7, 2, CPUID_7_ECX_PKU, X86_FEATURE_OSPKE },
};

static bool hvm_host_has_cr4_feature(const struct hvm_cr4_feature *f)
{
	if (f->cr4 == X86_CR4_OSXSAVE && !hvm_host_xcr0)
		return false;
	return boot_cpu_has(f->host);
}

/* CR4 bits no guest on this host may hold: what HVM_SET_SREGS refuses. */
u64 hvm_cr4_host_reserved(void)
{
	u64 allowed = HVM_CR4_GUEST_BITS;
	int i;

	for (i = 0; i < ARRAY_SIZE(hvm_cr4_features); i++)
		if (hvm_host_has_cr4_feature(&hvm_cr4_features[i]))
			allowed |= hvm_cr4_features[i].cr4;
	return ~allowed;
}

/* CR4 bits this guest may not set: the host's, and what its CPUID hides. */
u64 hvm_cr4_guest_reserved(struct hvm_vcpu *vcpu)
{
	u64 allowed = HVM_CR4_GUEST_BITS;
	u32 l1[4], l7[4];
	int i;

	hvm_cpuid(vcpu, 1, 0, 0, l1);
	hvm_cpuid(vcpu, 7, 0, 0, l7);
	for (i = 0; i < ARRAY_SIZE(hvm_cr4_features); i++) {
		const struct hvm_cr4_feature *f = &hvm_cr4_features[i];
		const u32 *out = f->leaf == 1 ? l1 : l7;

		if ((out[f->reg] & f->bit) && hvm_host_has_cr4_feature(f))
			allowed |= f->cr4;
	}
	return ~allowed;
}

/* EFER bits no guest on this host may hold (SVME: hvm offers no SVM). */
u64 hvm_efer_host_reserved(void)
{
	u64 allowed = EFER_SCE;

	if (boot_cpu_has(X86_FEATURE_LM))
		allowed |= EFER_LME | EFER_LMA;
	if (boot_cpu_has(X86_FEATURE_NX))
		allowed |= EFER_NX;
	if (boot_cpu_has(X86_FEATURE_FXSR_OPT))
		allowed |= EFER_FFXSR;
	return ~allowed;
}

/*
 * EFER bits this guest may not set. SCE is not gated, as in KVM: Intel
 * reports SYSCALL only in 64-bit mode, and 32-bit guests set it anyway.
 */
u64 hvm_efer_guest_reserved(struct hvm_vcpu *vcpu)
{
	u64 allowed = EFER_SCE;
	u32 out[4];

	hvm_cpuid(vcpu, 0x80000001, 0, 0, out);
	if (out[3] & CPUID_8000_0001_EDX_LM)
		allowed |= EFER_LME | EFER_LMA;
	if (out[3] & CPUID_8000_0001_EDX_NX)
		allowed |= EFER_NX;
	if (out[3] & CPUID_8000_0001_EDX_FFXSR)
		allowed |= EFER_FFXSR;
	return ~allowed | hvm_efer_host_reserved();
}

/* In 64-bit mode, as opposed to compatibility mode or outside IA-32e. */
static bool hvm_in_64bit_mode(const struct hvm_paging *cur)
{
	return (cur->efer & EFER_LMA) && cur->cs_l;
}

/* MOV to CR0 from cur's state (SDM "MOV—Move to/from Control Registers"). */
bool hvm_cr0_write_valid(const struct hvm_paging *cur, u64 cr0)
{
	if (cr0 >> 32)
		return false;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return false;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return false;
	/* Activating IA-32e mode: PAE on, from compatibility code (9.8.5). */
	if ((cr0 & X86_CR0_PG) && !(cur->cr0 & X86_CR0_PG) &&
	    (cur->efer & EFER_LME) &&
	    (!(cur->cr4 & X86_CR4_PAE) || cur->cs_l))
		return false;
	/* Paging goes off only from compatibility mode, with PCIDE clear. */
	if (!(cr0 & X86_CR0_PG) &&
	    (hvm_in_64bit_mode(cur) || (cur->cr4 & X86_CR4_PCIDE)))
		return false;
	return true;
}

/* MOV to CR4; reserved: hvm_cr4_guest_reserved(). */
bool hvm_cr4_write_valid(const struct hvm_paging *cur, u64 cr4, u64 reserved)
{
	u64 changed = cr4 ^ cur->cr4;

	if (cr4 & reserved)
		return false;
	if (cur->efer & EFER_LMA) {
		/* IA-32e mode is left by clearing CR0.PG, not CR4.PAE. */
		if (!(cr4 & X86_CR4_PAE))
			return false;
		/* The paging depth changes only outside IA-32e mode. */
		if (changed & X86_CR4_LA57)
			return false;
	}
	/* PCIDE goes on in IA-32e mode with PCID 0 current (4.10.1). */
	if ((changed & cr4 & X86_CR4_PCIDE) &&
	    (!(cur->efer & EFER_LMA) || (cur->cr3 & 0xfff)))
		return false;
	return true;
}

/* WRMSR to EFER; reserved: hvm_efer_guest_reserved(). */
bool hvm_efer_write_valid(const struct hvm_paging *cur, u64 efer,
			  u64 reserved)
{
	if (efer & reserved)
		return false;
	/* LME is fixed while paging is on (SDM 9.8.5, APM 14.6.1). */
	if ((cur->cr0 & X86_CR0_PG) && ((efer ^ cur->efer) & EFER_LME))
		return false;
	return true;
}

/*
 * A whole state from HVM_SET_SREGS: what no CPU could be in, or this host
 * cannot run, is refused (the guest's CPUID is not looked at: userspace
 * may set it after the registers). Of CR0, CR4 and EFER, these are the
 * checks of VM entry on either vendor (SDM 27.3.1, APM 15.5.1).
 */
bool hvm_sregs_state_valid(const struct hvm_sregs *s, u64 cr4_reserved,
			   u64 efer_reserved)
{
	bool long_mode = (s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG);

	if ((s->cr0 >> 32) || ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE)) ||
	    ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)))
		return false;
	if ((s->cr4 & cr4_reserved) || (s->efer & efer_reserved))
		return false;
	/* EFER.LMA is LME and PG together, and IA-32e paging is PAE's. */
	if (!!(s->efer & EFER_LMA) != long_mode)
		return false;
	if (long_mode && !(s->cr4 & X86_CR4_PAE))
		return false;
	if (!long_mode && (s->cr4 & X86_CR4_PCIDE))
		return false;
	return true;
}

/* A value the core checked, applied, and the TLB flushed if it must be. */
static void hvm_apply_cr0(struct hvm_vcpu *vcpu, const struct hvm_paging *cur,
			  u64 cr0)
{
	u64 efer = cur->efer;

	/* The CPU sets or clears LMA as paging goes on or off with LME. */
	if ((cr0 & X86_CR0_PG) && (efer & EFER_LME))
		efer |= EFER_LMA;
	else if (!(cr0 & X86_CR0_PG))
		efer &= ~EFER_LMA;
	hvm_ops->set_cr0(vcpu, cr0);
	if (efer != cur->efer)
		hvm_ops->set_efer(vcpu, efer);
	if ((cr0 ^ cur->cr0) & HVM_CR0_TLB_BITS)
		set_bit(HVM_REQ_TLB_FLUSH, &vcpu->requests);
}

/* The guest writes CR0 (MOV, or LMSW): 0, or -EINVAL for #GP(0). */
int hvm_set_cr0(struct hvm_vcpu *vcpu, u64 cr0)
{
	struct hvm_paging cur;

	hvm_ops->get_paging(vcpu, &cur);
	if (!hvm_cr0_write_valid(&cur, cr0))
		return -EINVAL;
	hvm_apply_cr0(vcpu, &cur, cr0);
	return 0;
}

/* The guest writes CR4: 0, or -EINVAL for #GP(0). */
int hvm_set_cr4(struct hvm_vcpu *vcpu, u64 cr4)
{
	struct hvm_paging cur;

	hvm_ops->get_paging(vcpu, &cur);
	if (!hvm_cr4_write_valid(&cur, cr4, hvm_cr4_guest_reserved(vcpu)))
		return -EINVAL;
	hvm_ops->set_cr4(vcpu, cr4);
	if ((cr4 ^ cur.cr4) & HVM_CR4_TLB_BITS)
		set_bit(HVM_REQ_TLB_FLUSH, &vcpu->requests);
	return 0;
}

/*
 * EFER from the guest's WRMSR, or from userspace (host): -EINVAL is #GP(0)
 * for the one, an error for the other. The guest cannot write LMA, which
 * follows CR0.PG; userspace restores it with the rest of the state, as
 * it may in any order (HVM_SET_SREGS checks the whole).
 */
int hvm_set_efer(struct hvm_vcpu *vcpu, u64 efer, bool host)
{
	struct hvm_paging cur;

	hvm_ops->get_paging(vcpu, &cur);
	if (host) {
		if (efer & hvm_efer_host_reserved())
			return -EINVAL;
	} else {
		if (!hvm_efer_write_valid(&cur, efer,
					  hvm_efer_guest_reserved(vcpu)))
			return -EINVAL;
		efer = (efer & ~EFER_LMA) | (cur.efer & EFER_LMA);
	}
	hvm_ops->set_efer(vcpu, efer);
	return 0;
}

/*
 * A MOV to CR0 or CR4 from general register gpr that exited: outside
 * 64-bit mode the source is its low 32 bits. 0, or -EINVAL for #GP(0).
 */
int hvm_emulate_mov_to_cr(struct hvm_vcpu *vcpu, unsigned int cr,
			  unsigned int gpr)
{
	struct hvm_paging cur;
	u64 val;

	if (gpr >= HVM_NR_REGS)
		return -EINVAL;
	val = vcpu->regs[gpr];
	hvm_ops->get_paging(vcpu, &cur);
	if (!hvm_in_64bit_mode(&cur))
		val = (u32)val;
	switch (cr) {
	case 0:
		return hvm_set_cr0(vcpu, val);
	case 4:
		return hvm_set_cr4(vcpu, val);
	default:
		return -EINVAL;
	}
}

/*
 * LMSW: loads CR0 bits 3:0 (PE, MP, EM, TS) from the source's low bits,
 * but cannot clear PE (SDM "LMSW—Load Machine Status Word").
 */
int hvm_emulate_lmsw(struct hvm_vcpu *vcpu, u16 msw)
{
	struct hvm_paging cur;
	u64 cr0;

	hvm_ops->get_paging(vcpu, &cur);
	cr0 = (cur.cr0 & ~0xfULL) | (msw & 0xf) | (cur.cr0 & X86_CR0_PE);
	return hvm_set_cr0(vcpu, cr0);
}
