/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual machine control block, as laid out in the AMD APM Vol. 2,
 * Appendix B (Layout of VMCB), and the SVM constants hvm uses.
 */
#ifndef _HVM_SVM_VMCB_H
#define _HVM_SVM_VMCB_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <asm/trapnr.h>

/* Intercept vectors (APM Table B-1): index into vmcb_control.intercepts. */
enum svm_intercept_word {
	SVM_INTERCEPT_CR,	/* reads 15:0, writes 31:16 */
	SVM_INTERCEPT_DR,
	SVM_INTERCEPT_EXC,
	SVM_INTERCEPT_MISC1,
	SVM_INTERCEPT_MISC2,
	SVM_INTERCEPT_MISC3,
	SVM_INTERCEPT_WORDS,
};

/* SVM_INTERCEPT_CR */
#define SVM_CR_WRITE(n)		BIT(16 + (n))
/* CR-write exit_info_1 with decode assists: the source GPR is valid. */
#define SVM_CR_INFO_VALID	BIT_ULL(63)
#define SVM_CR_INFO_GPR		0xfULL
/* SVM_INTERCEPT_MISC1 */
#define SVM_I1_INTR		BIT(0)
#define SVM_I1_NMI		BIT(1)
#define SVM_I1_SMI		BIT(2)
#define SVM_I1_INIT		BIT(3)
#define SVM_I1_VINTR		BIT(4)
/* CR0 writes that change a bit other than TS or MP (CLTS never does). */
#define SVM_I1_CR0_SEL_WRITE	BIT(5)
#define SVM_I1_RDPMC		BIT(15)
#define SVM_I1_CPUID		BIT(18)
#define SVM_I1_IRET		BIT(20)
#define SVM_I1_INVD		BIT(22)
#define SVM_I1_HLT		BIT(24)
#define SVM_I1_INVLPGA		BIT(26)
#define SVM_I1_IOIO_PROT	BIT(27)
#define SVM_I1_MSR_PROT		BIT(28)
#define SVM_I1_SHUTDOWN		BIT(31)
/* SVM_INTERCEPT_MISC2 */
#define SVM_I2_VMRUN		BIT(0)
#define SVM_I2_VMMCALL		BIT(1)
#define SVM_I2_VMLOAD		BIT(2)
#define SVM_I2_VMSAVE		BIT(3)
#define SVM_I2_STGI		BIT(4)
#define SVM_I2_CLGI		BIT(5)
#define SVM_I2_SKINIT		BIT(6)
#define SVM_I2_RDTSCP		BIT(7)
#define SVM_I2_MONITOR		BIT(10)
#define SVM_I2_MWAIT		BIT(11)
#define SVM_I2_XSETBV		BIT(13)
#define SVM_I2_RDPRU		BIT(14)

/* int_ctl */
#define SVM_V_TPR_MASK		0xfU
#define SVM_V_IRQ		BIT(8)
#define SVM_V_INTR_PRIO_SHIFT	16
#define SVM_V_IGN_TPR		BIT(20)
#define SVM_V_INTR_MASKING	BIT(24)
/* int_state */
#define SVM_INTERRUPT_SHADOW	BIT(0)
/* nested_ctl */
#define SVM_NP_ENABLE		BIT(0)
/* tlb_ctl */
#define SVM_TLB_FLUSH_ALL	1
#define SVM_TLB_FLUSH_ASID	3

/* event_inj and exit_int_info (APM 15.20) */
#define SVM_EVTINJ_VEC_MASK	0xffU
#define SVM_EVTINJ_TYPE_INTR	(0U << 8)
#define SVM_EVTINJ_TYPE_NMI	(2U << 8)
#define SVM_EVTINJ_TYPE_EXEPT	(3U << 8)
#define SVM_EVTINJ_TYPE_SOFT	(4U << 8)
#define SVM_EVTINJ_TYPE_MASK	(7U << 8)
#define SVM_EVTINJ_VALID_ERR	BIT(11)
#define SVM_EVTINJ_VALID	BIT(31)

/* Exit codes (APM Appendix C) */
#define SVM_EXIT_WRITE_CR4	0x014
#define SVM_EXIT_WRITE_CR8	0x018
#define SVM_EXIT_EXCP_BASE	0x040	/* + the exception's vector */
#define SVM_EXIT_EXCP_DB	(SVM_EXIT_EXCP_BASE + X86_TRAP_DB)
#define SVM_EXIT_EXCP_UD	(SVM_EXIT_EXCP_BASE + X86_TRAP_UD)
#define SVM_EXIT_EXCP_AC	(SVM_EXIT_EXCP_BASE + X86_TRAP_AC)
#define SVM_EXIT_EXCP_MC	(SVM_EXIT_EXCP_BASE + X86_TRAP_MC)
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_SMI		0x062
#define SVM_EXIT_INIT		0x063
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_CR0_SEL_WRITE	0x065
#define SVM_EXIT_RDPMC		0x06f
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_IRET		0x074
#define SVM_EXIT_INVD		0x076
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_INVLPGA	0x07a
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_RDTSCP		0x087
#define SVM_EXIT_MONITOR	0x08a
#define SVM_EXIT_MWAIT		0x08b
#define SVM_EXIT_XSETBV		0x08d
#define SVM_EXIT_RDPRU		0x08e
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	((u64)-1)
#define SVM_EXIT_TABLE_SIZE	(SVM_EXIT_RDPRU + 1)

/* IOIO exit_info_1 (APM 15.10.2) */
#define SVM_IOIO_IN		BIT(0)
#define SVM_IOIO_STR		BIT(2)
#define SVM_IOIO_REP		BIT(3)
#define SVM_IOIO_SZ_SHIFT	4
#define SVM_IOIO_SZ_MASK	(7U << SVM_IOIO_SZ_SHIFT)
#define SVM_IOIO_PORT_SHIFT	16

/* NPF exit_info_1: a #PF error code plus where the fault came from. */
#define SVM_NPF_WRITE		BIT_ULL(1)
#define SVM_NPF_FETCH		BIT_ULL(4)
#define SVM_NPF_IN_WALK		BIT_ULL(33)

/* CPUID Fn8000_000A EDX */
#define SVM_FEATURE_NRIPS	BIT(3)
#define SVM_FEATURE_FLUSHBYASID	BIT(6)
#define SVM_FEATURE_DECODEASSISTS BIT(7)

#define MSR_VM_CR		0xc0010114
#define MSR_VM_CR_SVMDIS	BIT(4)
#define MSR_VM_HSAVE_PA		0xc0010117
#define EFER_SVME_BIT		BIT_ULL(12)

struct vmcb_control {
	u32 intercepts[SVM_INTERCEPT_WORDS];	/* 0x000 */
	u8 reserved_1[0x3c - 0x18];
	u16 pause_filter_thresh;		/* 0x03c */
	u16 pause_filter_count;
	u64 iopm_base_pa;			/* 0x040 */
	u64 msrpm_base_pa;			/* 0x048 */
	u64 tsc_offset;				/* 0x050 */
	u32 asid;				/* 0x058 */
	u8 tlb_ctl;
	u8 reserved_2[3];
	u32 int_ctl;				/* 0x060 */
	u32 int_vector;
	u32 int_state;				/* 0x068 */
	u8 reserved_3[4];
	u64 exit_code;				/* 0x070 */
	u64 exit_info_1;			/* 0x078 */
	u64 exit_info_2;			/* 0x080 */
	u32 exit_int_info;			/* 0x088 */
	u32 exit_int_info_err;
	u64 nested_ctl;				/* 0x090 */
	u64 avic_vapic_bar;			/* 0x098 */
	u64 ghcb_gpa;				/* 0x0a0 */
	u32 event_inj;				/* 0x0a8 */
	u32 event_inj_err;
	u64 nested_cr3;				/* 0x0b0 */
	u64 virt_ext;				/* 0x0b8 */
	u32 clean;				/* 0x0c0 */
	u32 reserved_5;
	u64 next_rip;				/* 0x0c8 */
	u8 insn_len;				/* 0x0d0 */
	u8 insn_bytes[15];
	u8 reserved_6[0x400 - 0xe0];
} __packed;

struct vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __packed;

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x000 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x060 */
	u8 reserved_1[0xcb - 0xa0];
	u8 cpl;					/* 0x0cb */
	u8 reserved_2[4];
	u64 efer;				/* 0x0d0 */
	u8 reserved_3[0x148 - 0xd8];
	u64 cr4;				/* 0x148 */
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip;				/* 0x178 */
	u8 reserved_4[0x1d8 - 0x180];
	u64 rsp;				/* 0x1d8 */
	u64 s_cet;
	u64 ssp;
	u64 isst_addr;
	u64 rax;				/* 0x1f8 */
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 cr2;				/* 0x240 */
	u8 reserved_5[0x268 - 0x248];
	u64 g_pat;				/* 0x268 */
	u64 dbgctl;
	u64 br_from;
	u64 br_to;
	u64 last_excp_from;
	u64 last_excp_to;
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

static_assert(offsetof(struct vmcb_control, exit_code) == 0x070);
static_assert(offsetof(struct vmcb_control, nested_cr3) == 0x0b0);
static_assert(offsetof(struct vmcb_control, insn_bytes) == 0x0d1);
static_assert(sizeof(struct vmcb_control) == 0x400);
static_assert(offsetof(struct vmcb_save, efer) == 0x0d0);
static_assert(offsetof(struct vmcb_save, rip) == 0x178);
static_assert(offsetof(struct vmcb_save, rax) == 0x1f8);
static_assert(offsetof(struct vmcb_save, g_pat) == 0x268);

/* svm_vmrun.S: enter the guest once. Called with IRQs off and GIF clear. */
void hvm_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_save_pa);

#endif /* _HVM_SVM_VMCB_H */
