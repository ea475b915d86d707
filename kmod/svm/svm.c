// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD SVM backend: per-CPU enable, the VMCB of each vCPU, guest entry
 * with its host state around it, and the exit handlers, in a table indexed
 * by exit code. Works without NRIP-save and decode assists (QEMU's TCG
 * lacks both) and uses them where the CPU has them.
 */
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <linux/user-return-notifier.h>

#include "../vendor.h"
#include "msrpm.h"
#include "vmcb.h"

#define IOPM_SIZE	(3 * PAGE_SIZE)	/* 65536 ports + 3 bits, in 3 pages */
#define DEFAULT_PAT	0x0007040600070406ULL
#define SVM_DR7_RESET	0x400ULL	/* bit 10 reads as one */

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	int asid_cpu;		/* where vmcb.control.asid is valid */
	u64 asid_generation;
	bool hlt_first;		/* next entry: no injection, no window */
	u8 entry_cr8;		/* V_TPR as the entry loaded it (a LAPIC's) */
	/*
	 * NMI blocking, which the CPU keeps to itself (no vNMI): from the
	 * injection of an NMI until an IRET has run. The IRET's intercept
	 * says where it is (iret_rip); the first exit elsewhere means it ran.
	 * An NMI waiting for that single-steps the guest (nmi_step: this
	 * entry set TF) to have the exit at once; its #DB is ours.
	 */
	bool nmi_blocked;
	bool iret_seen;
	bool nmi_step;
	bool nmi_step_trap;
	u64 iret_rip;
	u64 nmi_step_dr6;	/* DR6 before the step */
};

struct svm_cpu {
	struct page *hsave;	/* VM_HSAVE_PA: VMRUN's host save area */
	struct page *host_vmsave; /* VMSAVE/VMLOAD of host state */
	u64 asid_generation;
	u32 next_asid;
	bool flush_all;		/* a new generation starts with a clean TLB */
	/* Where TSC_AUX holds the guests' value until a return to user mode. */
	bool guest_tsc_aux;
	u64 host_tsc_aux;
	struct user_return_notifier tsc_aux_urn;
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);

/* Nested page tables use the host's format and depth (APM 15.25.3). */
static struct hvm_npt_format svm_npt_format = {
	.present	= _PAGE_PRESENT,
	/* Nested page walks are user accesses: U/S must be set. */
	.dir		= _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED,
	.leaf		= _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
	.leaf_write	= _PAGE_RW | _PAGE_DIRTY,
	.leaf_exec	= 0,
	.leaf_noexec	= _PAGE_NX,
	.large		= _PAGE_PSE,
};
static u32 svm_max_asid;
static bool svm_nrips;
static bool svm_flush_by_asid;
static void *svm_iopm;
static void *svm_msrpm;

static struct svm_vcpu *to_svm(struct hvm_vcpu *vcpu)
{
	return vcpu->vendor;
}

static inline void svm_clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static inline void svm_stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

/* ---- Enable, disable, module init ------------------------------------ */

static int svm_init(void)
{
	unsigned int eax, ebx, ecx, edx;
	u64 vm_cr;
	int cpu;

	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_err("hvm: this CPU has no AMD SVM\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("hvm: this CPU has SVM but no nested paging\n");
		return -ENODEV;
	}
	hvm_rdmsrq(MSR_VM_CR, vm_cr);
	if (vm_cr & MSR_VM_CR_SVMDIS) {
		pr_err("hvm: SVM is disabled by firmware (VM_CR.SVMDIS)\n");
		return -ENODEV;
	}
	cpuid(0x8000000a, &eax, &ebx, &ecx, &edx);
	svm_max_asid = ebx - 1;
	svm_nrips = edx & SVM_FEATURE_NRIPS;
	svm_flush_by_asid = edx & SVM_FEATURE_FLUSHBYASID;
	svm_npt_format.levels = pgtable_l5_enabled() ? 5 : 4;

	svm_iopm = alloc_pages_exact(IOPM_SIZE, GFP_KERNEL);
	svm_msrpm = alloc_pages_exact(MSRPM_SIZE, GFP_KERNEL);
	if (!svm_iopm || !svm_msrpm)
		goto err_free;
	memset(svm_iopm, 0xff, IOPM_SIZE);
	svm_msrpm_init(svm_msrpm);

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpu, cpu);

		sc->hsave = alloc_pages_node(cpu_to_node(cpu),
					     GFP_KERNEL | __GFP_ZERO, 0);
		sc->host_vmsave = alloc_pages_node(cpu_to_node(cpu),
						   GFP_KERNEL | __GFP_ZERO, 0);
		if (!sc->hsave || !sc->host_vmsave)
			goto err_free;
	}
	pr_info("hvm: SVM with %u ASIDs, %u-level nested paging, NRIP-save %s, flush-by-ASID %s\n",
		svm_max_asid, svm_npt_format.levels, svm_nrips ? "yes" : "no",
		svm_flush_by_asid ? "yes" : "no");
	return 0;

err_free:
	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpu, cpu);

		if (sc->hsave)
			__free_page(sc->hsave);
		if (sc->host_vmsave)
			__free_page(sc->host_vmsave);
		sc->hsave = NULL;
		sc->host_vmsave = NULL;
	}
	if (svm_msrpm)
		free_pages_exact(svm_msrpm, MSRPM_SIZE);
	if (svm_iopm)
		free_pages_exact(svm_iopm, IOPM_SIZE);
	return -ENOMEM;
}

static void svm_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpu, cpu);

		__free_page(sc->hsave);
		__free_page(sc->host_vmsave);
	}
	free_pages_exact(svm_msrpm, MSRPM_SIZE);
	free_pages_exact(svm_iopm, IOPM_SIZE);
}

static int svm_enable_cpu(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	u64 efer;

	hvm_rdmsrq(MSR_EFER, efer);
	if (efer & EFER_SVME_BIT)
		return -EBUSY;	/* another hypervisor owns this CPU */
	hvm_wrmsrq(MSR_EFER, efer | EFER_SVME_BIT);
	hvm_wrmsrq(MSR_VM_HSAVE_PA, page_to_phys(sc->hsave));

	/* Whoever used SVM before may have left entries tagged by ASID. */
	sc->asid_generation++;
	sc->next_asid = 1;
	sc->flush_all = true;
	return 0;
}

static void svm_restore_tsc_aux(struct user_return_notifier *urn)
{
	struct svm_cpu *sc = container_of(urn, struct svm_cpu, tsc_aux_urn);

	hvm_wrmsrq(MSR_TSC_AUX, sc->host_tsc_aux);
	user_return_notifier_unregister(urn);
	sc->guest_tsc_aux = false;
}

/*
 * RDPID cannot be intercepted (nor RDTSCP on QEMU's SVM), and TSC_AUX is
 * the host's CPU and node number: guests read 0 (the guest's TSC_AUX: the
 * MSR is not theirs). The host's value is back before this CPU next runs
 * user code; the kernel itself does not read it (RDPID is not used on
 * entry because of hypervisors that do this). IRQs off.
 */
static void svm_load_guest_tsc_aux(struct svm_cpu *sc)
{
	if (sc->guest_tsc_aux || (!boot_cpu_has(X86_FEATURE_RDTSCP) &&
				  !boot_cpu_has(X86_FEATURE_RDPID)))
		return;
	hvm_rdmsrq(MSR_TSC_AUX, sc->host_tsc_aux);
	hvm_wrmsrq(MSR_TSC_AUX, 0);
	sc->tsc_aux_urn.on_user_return = svm_restore_tsc_aux;
	user_return_notifier_register(&sc->tsc_aux_urn);
	sc->guest_tsc_aux = true;
}

static void svm_disable_cpu(void)
{
	u64 efer;

	if (this_cpu_read(svm_cpu.guest_tsc_aux))
		svm_restore_tsc_aux(this_cpu_ptr(&svm_cpu.tsc_aux_urn));
	hvm_wrmsrq(MSR_VM_HSAVE_PA, 0);
	hvm_rdmsrq(MSR_EFER, efer);
	hvm_wrmsrq(MSR_EFER, efer & ~EFER_SVME_BIT);
}

/* ---- Segments and state ----------------------------------------------- */

static u16 svm_seg_attrib(const struct hvm_segment *s)
{
	if (s->unusable)
		return 0;
	return s->type | s->s << 4 | s->dpl << 5 | s->present << 7 |
	       s->avl << 8 | s->l << 9 | s->db << 10 | s->g << 11;
}

static void svm_seg_set(struct vmcb_seg *v, const struct hvm_segment *s)
{
	v->selector = s->selector;
	v->attrib = svm_seg_attrib(s);
	v->limit = s->limit;
	v->base = s->base;
}

static void svm_seg_get(const struct vmcb_seg *v, struct hvm_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->selector = v->selector;
	s->limit = v->limit;
	s->base = v->base;
	s->type = v->attrib & 0xf;
	s->s = (v->attrib >> 4) & 1;
	s->dpl = (v->attrib >> 5) & 3;
	s->present = (v->attrib >> 7) & 1;
	s->avl = (v->attrib >> 8) & 1;
	s->l = (v->attrib >> 9) & 1;
	s->db = (v->attrib >> 10) & 1;
	s->g = (v->attrib >> 11) & 1;
	s->unusable = !s->present;
}

static void svm_get_sregs(struct hvm_vcpu *vcpu, struct hvm_sregs *sregs)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;

	memset(sregs, 0, sizeof(*sregs));
	svm_seg_get(&save->cs, &sregs->cs);
	svm_seg_get(&save->ds, &sregs->ds);
	svm_seg_get(&save->es, &sregs->es);
	svm_seg_get(&save->fs, &sregs->fs);
	svm_seg_get(&save->gs, &sregs->gs);
	svm_seg_get(&save->ss, &sregs->ss);
	svm_seg_get(&save->tr, &sregs->tr);
	svm_seg_get(&save->ldtr, &sregs->ldt);
	sregs->gdt.base = save->gdtr.base;
	sregs->gdt.limit = save->gdtr.limit;
	sregs->idt.base = save->idtr.base;
	sregs->idt.limit = save->idtr.limit;
	sregs->cr0 = save->cr0;
	sregs->cr2 = save->cr2;
	sregs->cr3 = save->cr3;
	sregs->cr4 = save->cr4;
	sregs->cr8 = to_svm(vcpu)->vmcb->control.int_ctl & SVM_V_TPR_MASK;
	sregs->efer = save->efer & ~EFER_SVME_BIT;
	sregs->apic_base = vcpu->apic_base;
}

static int svm_set_sregs(struct hvm_vcpu *vcpu, const struct hvm_sregs *sregs)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save *save = &vmcb->save;

	svm_seg_set(&save->cs, &sregs->cs);
	svm_seg_set(&save->ds, &sregs->ds);
	svm_seg_set(&save->es, &sregs->es);
	svm_seg_set(&save->fs, &sregs->fs);
	svm_seg_set(&save->gs, &sregs->gs);
	svm_seg_set(&save->ss, &sregs->ss);
	svm_seg_set(&save->tr, &sregs->tr);
	svm_seg_set(&save->ldtr, &sregs->ldt);
	save->gdtr.base = sregs->gdt.base;
	save->gdtr.limit = sregs->gdt.limit;
	save->idtr.base = sregs->idt.base;
	save->idtr.limit = sregs->idt.limit;
	save->cpl = sregs->ss.dpl;
	save->cr0 = sregs->cr0;
	save->cr2 = sregs->cr2;
	save->cr3 = sregs->cr3;
	save->cr4 = sregs->cr4;
	save->efer = sregs->efer | EFER_SVME_BIT;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~SVM_V_TPR_MASK) |
				sregs->cr8;
	/* Guest TLB entries are tagged by ASID, not by CR3. */
	set_bit(HVM_REQ_TLB_FLUSH, &vcpu->requests);
	return 0;
}

static void svm_get_paging(struct hvm_vcpu *vcpu, struct hvm_paging *pg)
{
	const struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;

	pg->cr0 = save->cr0;
	pg->cr3 = save->cr3;
	pg->cr4 = save->cr4;
	pg->efer = save->efer & ~EFER_SVME_BIT;
	pg->cs_base = save->cs.base;
	pg->cs_l = (save->cs.attrib >> 9) & 1;
	pg->cs_db = (save->cs.attrib >> 10) & 1;
}

static int svm_get_msr(struct hvm_vcpu *vcpu, u32 index, u64 *data)
{
	const struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	const struct vmcb_save *save = &vmcb->save;

	switch (index) {
	case MSR_EFER:
		*data = save->efer & ~EFER_SVME_BIT;
		break;
	case MSR_K7_EVNTSEL0 ... MSR_K7_PERFCTR3:
		*data = 0;	/* see svm_set_msr() */
		break;
	case MSR_STAR:
		*data = save->star;
		break;
	case MSR_LSTAR:
		*data = save->lstar;
		break;
	case MSR_CSTAR:
		*data = save->cstar;
		break;
	case MSR_SYSCALL_MASK:
		*data = save->sfmask;
		break;
	case MSR_KERNEL_GS_BASE:
		*data = save->kernel_gs_base;
		break;
	case MSR_FS_BASE:
		*data = save->fs.base;
		break;
	case MSR_GS_BASE:
		*data = save->gs.base;
		break;
	case MSR_IA32_SYSENTER_CS:
		*data = save->sysenter_cs;
		break;
	case MSR_IA32_SYSENTER_ESP:
		*data = save->sysenter_esp;
		break;
	case MSR_IA32_SYSENTER_EIP:
		*data = save->sysenter_eip;
		break;
	case MSR_IA32_CR_PAT:
		*data = save->g_pat;
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

/* The core checked these (cr.c). */
static void svm_set_cr0(struct hvm_vcpu *vcpu, u64 cr0)
{
	to_svm(vcpu)->vmcb->save.cr0 = cr0;
}

static void svm_set_cr4(struct hvm_vcpu *vcpu, u64 cr4)
{
	to_svm(vcpu)->vmcb->save.cr4 = cr4;
}

static void svm_set_efer(struct hvm_vcpu *vcpu, u64 efer)
{
	to_svm(vcpu)->vmcb->save.efer = efer | EFER_SVME_BIT;
}

static int svm_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save *save = &vmcb->save;

	switch (index) {
	case MSR_K7_EVNTSEL0 ... MSR_K7_PERFCTR3:
		/*
		 * The legacy counters exist on every AMD64 CPU, with no CPUID
		 * bit a guest would check first: a PMU that counts nothing,
		 * read as 0 with writes dropped, as KVM's when it is off.
		 */
		break;
	case MSR_STAR:
		save->star = data;
		break;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!hvm_is_canonical(data))
			return -EINVAL;
		if (index == MSR_LSTAR)
			save->lstar = data;
		else if (index == MSR_CSTAR)
			save->cstar = data;
		else if (index == MSR_KERNEL_GS_BASE)
			save->kernel_gs_base = data;
		else if (index == MSR_FS_BASE)
			save->fs.base = data;
		else
			save->gs.base = data;
		break;
	case MSR_SYSCALL_MASK:
		save->sfmask = (u32)data;
		break;
	case MSR_IA32_SYSENTER_CS:
		save->sysenter_cs = (u32)data;
		break;
	case MSR_IA32_SYSENTER_ESP:
		save->sysenter_esp = data;
		break;
	case MSR_IA32_SYSENTER_EIP:
		save->sysenter_eip = data;
		break;
	case MSR_IA32_CR_PAT:
		if (!hvm_pat_valid(data))
			return -EINVAL;
		save->g_pat = data;
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

static void svm_inject_exception(struct hvm_vcpu *vcpu, u8 vector,
				 bool has_error, u32 error)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	c->event_inj = vector | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
		       (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = error;
}

static void svm_set_tsc_offset(struct hvm_vcpu *vcpu, u64 offset)
{
	to_svm(vcpu)->vmcb->control.tsc_offset = offset;
}

static void svm_inject_gp(struct hvm_vcpu *vcpu)
{
	svm_inject_exception(vcpu, X86_TRAP_GP, true, 0);
}

/* ---- vCPU create/destroy ---------------------------------------------- */

static void svm_seg_reset(struct vmcb_seg *seg, u16 attrib)
{
	seg->selector = 0;
	seg->attrib = attrib;
	seg->limit = 0xffff;
	seg->base = 0;
}

/* RESET state (APM 14.1.3) of what the save area holds. */
static void svm_reset_save(struct vmcb_save *s)
{
	memset(s, 0, sizeof(*s));
	svm_seg_reset(&s->cs, 0x9b);
	s->cs.selector = 0xf000;
	s->cs.base = 0xffff0000;
	svm_seg_reset(&s->ds, 0x93);
	svm_seg_reset(&s->es, 0x93);
	svm_seg_reset(&s->fs, 0x93);
	svm_seg_reset(&s->gs, 0x93);
	svm_seg_reset(&s->ss, 0x93);
	svm_seg_reset(&s->ldtr, 0x82);
	svm_seg_reset(&s->tr, 0x8b);
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
	s->cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	s->efer = EFER_SVME_BIT;
	s->dr6 = DR6_RESERVED;
	s->dr7 = SVM_DR7_RESET;
	s->g_pat = DEFAULT_PAT;
}

static void svm_vmcb_init(struct hvm_vcpu *vcpu, struct vmcb *vmcb)
{
	struct vmcb_control *c = &vmcb->control;

	/*
	 * #DB and #AC raised while delivering themselves would keep the CPU
	 * in microcode, deaf to interrupts (CVE-2015-8104, CVE-2015-5307):
	 * intercepted, each is an exit, and is reflected. #MC goes to the host.
	 */
	c->intercepts[SVM_INTERCEPT_EXC] = BIT(X86_TRAP_DB) |
		BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC) | BIT(X86_TRAP_UD);
	/*
	 * CR4 and CR0 writes are the core's to check (hvm_set_cr4/cr0()):
	 * the hardware would check CR4 against the host's features, not the
	 * guest's CPUID, and QEMU's SVM checks neither as hardware does. All
	 * CR4 writes exit (as in KVM); CR0 writes only as they change a bit
	 * other than TS and MP, so CLTS and the FPU's TS never do. Both are
	 * rare once a kernel has booted. (QEMU's selective intercept looks
	 * at CR0[31:0] only, and drops a write of bits 63:32 without #GP.)
	 */
	c->intercepts[SVM_INTERCEPT_CR] = SVM_CR_WRITE(4);
	c->intercepts[SVM_INTERCEPT_MISC1] = SVM_I1_CR0_SEL_WRITE |
		SVM_I1_INTR | SVM_I1_NMI |
		SVM_I1_SMI | SVM_I1_INIT | SVM_I1_RDPMC | SVM_I1_CPUID |
		SVM_I1_INVD | SVM_I1_HLT | SVM_I1_INVLPGA | SVM_I1_IOIO_PROT |
		SVM_I1_MSR_PROT | SVM_I1_SHUTDOWN;
	/* RDTSCP, RDPMC and RDPRU would read the host's TSC_AUX and counters. */
	c->intercepts[SVM_INTERCEPT_MISC2] = SVM_I2_VMRUN | SVM_I2_VMMCALL |
		SVM_I2_VMLOAD | SVM_I2_VMSAVE | SVM_I2_STGI | SVM_I2_CLGI |
		SVM_I2_SKINIT | SVM_I2_RDTSCP | SVM_I2_MONITOR | SVM_I2_MWAIT |
		SVM_I2_XSETBV | SVM_I2_RDPRU;
	c->iopm_base_pa = __pa(svm_iopm);
	c->msrpm_base_pa = __pa(svm_msrpm);
	c->tsc_offset = vcpu->tsc_offset;
	c->int_ctl = SVM_V_INTR_MASKING;
	c->nested_ctl = SVM_NP_ENABLE;
	c->nested_cr3 = __pa(vcpu->vm->npt_root);

	svm_reset_save(&vmcb->save);
}

static int svm_vcpu_create(struct hvm_vcpu *vcpu)
{
	struct svm_vcpu *svm;
	struct page *page;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->asid_cpu = -1;
	svm_vmcb_init(vcpu, svm->vmcb);
	vcpu->vendor = svm;
	return 0;
}

static void svm_vcpu_destroy(struct hvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	free_page((unsigned long)svm->vmcb);
	kfree(svm);
	vcpu->vendor = NULL;
}

/* ---- Entry ------------------------------------------------------------ */

/* Pick the ASID for this entry; IRQs are off (APM 15.16). */
static void svm_prepare_asid(struct svm_vcpu *svm, int cpu, bool flush)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	struct vmcb_control *c = &svm->vmcb->control;

	if (svm->asid_cpu == cpu && svm->asid_generation == sc->asid_generation) {
		if (!flush)
			return;
		if (svm_flush_by_asid) {
			c->tlb_ctl = SVM_TLB_FLUSH_ASID;
			return;
		}
	}
	/* A fresh ASID has no TLB entries: that is the flush. */
	if (sc->next_asid > svm_max_asid) {
		sc->asid_generation++;
		sc->next_asid = 1;
		sc->flush_all = true;
	}
	if (sc->flush_all) {
		c->tlb_ctl = SVM_TLB_FLUSH_ALL;
		sc->flush_all = false;
	}
	c->asid = sc->next_asid++;
	svm->asid_cpu = cpu;
	svm->asid_generation = sc->asid_generation;
}

static bool svm_interrupt_allowed(struct hvm_vcpu *vcpu)
{
	const struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & SVM_INTERRUPT_SHADOW) &&
	       !(vmcb->control.event_inj & SVM_EVTINJ_VALID);
}

static bool svm_nmi_allowed(struct hvm_vcpu *vcpu)
{
	const struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	return !to_svm(vcpu)->nmi_blocked &&
	       !(vmcb->control.int_state & SVM_INTERRUPT_SHADOW) &&
	       !(vmcb->control.event_inj & SVM_EVTINJ_VALID);
}

static void svm_set_iret_intercept(struct vmcb_control *c, bool on)
{
	if (on)
		c->intercepts[SVM_INTERCEPT_MISC1] |= SVM_I1_IRET;
	else
		c->intercepts[SVM_INTERCEPT_MISC1] &= ~SVM_I1_IRET;
}

/*
 * Inject the pending NMI if the guest does not block NMIs; otherwise step
 * over what blocks it, the IRET that ends the handler of the last one or
 * the instruction in an interrupt shadow. Not while an event is being
 * delivered (RFLAGS.TF would go into its frame) or the guest steps itself
 * (its own #DB exits just as well).
 */
static void svm_prepare_nmi(struct hvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	if (!vcpu->nmi_pending)
		return;
	if (svm_nmi_allowed(vcpu)) {
		vmcb->control.event_inj = X86_TRAP_NMI | SVM_EVTINJ_TYPE_NMI |
					  SVM_EVTINJ_VALID;
		vcpu->nmi_pending = false;
		svm->nmi_blocked = true;
		svm->iret_seen = false;
		svm_set_iret_intercept(&vmcb->control, true);
		return;
	}
	if ((!svm->nmi_blocked || svm->iret_seen) &&
	    !(vmcb->control.event_inj & SVM_EVTINJ_VALID) &&
	    !(vcpu->rflags & X86_EFLAGS_TF)) {
		svm->nmi_step = true;
		svm->nmi_step_dr6 = vmcb->save.dr6;
	}
}

/*
 * After an exit: take back the step's TF (so the guest never sees it;
 * an IRET that loaded TF=1 while stepped loses it, a bound we accept as
 * kvm does), and end NMI blocking once RIP has left the IRET.
 */
static void svm_nmi_after_exit(struct hvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	if (svm->nmi_step) {
		u64 new_traps = vmcb->save.dr6 & ~svm->nmi_step_dr6 & DR_TRAP_BITS;

		svm->nmi_step = false;
		vcpu->rflags &= ~X86_EFLAGS_TF;
		if (vmcb->control.exit_code == SVM_EXIT_EXCP_DB &&
		    (vmcb->save.dr6 & HVM_DR6_BS) && !new_traps) {
			vmcb->save.dr6 = svm->nmi_step_dr6;
			svm->nmi_step_trap = true;
		}
	}
	if (svm->iret_seen && vcpu->rip != svm->iret_rip) {
		svm->iret_seen = false;
		svm->nmi_blocked = false;
	}
}

static void svm_set_vintr(struct vmcb_control *c, bool on)
{
	if (on) {
		c->int_ctl |= SVM_V_IRQ | SVM_V_IGN_TPR |
			      (0xf << SVM_V_INTR_PRIO_SHIFT);
		c->intercepts[SVM_INTERCEPT_MISC1] |= SVM_I1_VINTR;
	} else {
		c->int_ctl &= ~(SVM_V_IRQ | SVM_V_IGN_TPR |
				(0xf << SVM_V_INTR_PRIO_SHIFT));
		c->intercepts[SVM_INTERCEPT_MISC1] &= ~SVM_I1_VINTR;
	}
}

/*
 * The guest writes CR8 (V_TPR) without an exit. Where TPR alone holds back
 * a LAPIC interrupt, its writes must exit, so that the one that lowers
 * TPR lets the interrupt in at once. And while a virtual interrupt is
 * armed for a window: QEMU's SVM (7.2) aborts on a guest's CR8 write
 * then (tcg_handle_interrupt: the iothread lock is not held).
 */
static void svm_update_cr8_intercept(struct hvm_vcpu *vcpu,
				     struct vmcb_control *c)
{
	if ((c->int_ctl & SVM_V_IRQ) ||
	    (vcpu->lapic && hvm_lapic_tpr_blocked(vcpu) >= 0))
		c->intercepts[SVM_INTERCEPT_CR] |= SVM_CR_WRITE(8);
	else
		c->intercepts[SVM_INTERCEPT_CR] &= ~SVM_CR_WRITE(8);
}

/*
 * Inject the queued interrupt if the guest can take it now; otherwise ask
 * for an exit when it can (a virtual interrupt that only exits).
 */
static void svm_prepare_interrupts(struct hvm_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	bool want_window;

	svm_prepare_nmi(vcpu);
	if (to_svm(vcpu)->hlt_first) {
		svm_set_vintr(c, false);
		svm_update_cr8_intercept(vcpu, c);
		return;
	}
	want_window = vcpu->irq_pending || vcpu->lapic_window ||
		      READ_ONCE(vcpu->run->request_interrupt_window);
	if (vcpu->irq_pending && svm_interrupt_allowed(vcpu)) {
		c->event_inj = vcpu->irq_vector | SVM_EVTINJ_TYPE_INTR |
			       SVM_EVTINJ_VALID;
		vcpu->irq_pending = false;
		want_window = false;
	}
	svm_set_vintr(c, want_window);
	svm_update_cr8_intercept(vcpu, c);
}

/* ---- Exit handlers ---------------------------------------------------- */

typedef int (*svm_exit_handler)(struct hvm_vcpu *vcpu);

/*
 * The length of the instruction that exited, whose opcode is op: NRIP
 * minus RIP where the CPU saves NRIP, else decoded from guest memory, as
 * prefixes make it longer than its opcode. 0: the bytes there are not
 * that instruction, and an emulation-failure exit is set up.
 */
static unsigned int svm_insn_len(struct hvm_vcpu *vcpu, const u8 *op,
				 unsigned int oplen)
{
	if (svm_nrips)
		return to_svm(vcpu)->vmcb->control.next_rip - vcpu->rip;
	return hvm_exit_insn_length(vcpu, op, oplen);
}

#define SVM_INSN_LEN(vcpu, ...) ({					\
	static const u8 __op[] = { __VA_ARGS__ };			\
	svm_insn_len(vcpu, __op, sizeof(__op));				\
})

/* Move RIP past the instruction that exited, len bytes long. */
static void svm_skip_insn(struct hvm_vcpu *vcpu, unsigned int len)
{
	vcpu->rip += len;
	to_svm(vcpu)->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW;
}

static int svm_handle_nothing(struct hvm_vcpu *vcpu)
{
	return HVM_REENTER;	/* the host took the interrupt after STGI */
}

/*
 * The window opened in front of a HLT. After `sti; hlt`, the idle of most
 * kernels, hardware runs the HLT first (STI's shadow) and the interrupt
 * then wakes it; QEMU's SVM (TCG) may take the virtual interrupt inside
 * the shadow, and the guest would halt after its wakeup. So let the HLT
 * run first, as hardware would: one entry without injection or window,
 * and the HLT's exit then delivers. Only at CPL 0, where HLT cannot fault.
 */
static bool svm_window_at_hlt(struct hvm_vcpu *vcpu)
{
	return (vcpu->rflags & X86_EFLAGS_IF) && !to_svm(vcpu)->vmcb->save.cpl &&
	       hvm_next_insn_is_hlt(vcpu);
}

static int svm_handle_vintr(struct hvm_vcpu *vcpu)
{
	svm_set_vintr(&to_svm(vcpu)->vmcb->control, false);
	if (svm_window_at_hlt(vcpu)) {
		to_svm(vcpu)->hlt_first = true;
		return HVM_REENTER;
	}
	if (!vcpu->irq_pending && !vcpu->lapic_window &&
	    READ_ONCE(vcpu->run->request_interrupt_window)) {
		vcpu->run->exit_reason = HVM_EXIT_IRQ_WINDOW_OPEN;
		return HVM_EXIT_TO_USER;
	}
	return HVM_REENTER;
}

/* The IRET that ends NMI blocking is about to run (svm_nmi_after_exit()). */
static int svm_handle_iret(struct hvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm_set_iret_intercept(&svm->vmcb->control, false);
	svm->iret_seen = true;
	svm->iret_rip = vcpu->rip;
	return HVM_REENTER;
}

static int svm_handle_cpuid(struct hvm_vcpu *vcpu)
{
	unsigned int len = SVM_INSN_LEN(vcpu, 0x0f, 0xa2);

	if (!len)
		return HVM_EXIT_TO_USER;
	hvm_emulate_cpuid(vcpu, to_svm(vcpu)->vmcb->save.cr4);
	svm_skip_insn(vcpu, len);
	return HVM_REENTER;
}

static int svm_handle_hlt(struct hvm_vcpu *vcpu)
{
	unsigned int len = SVM_INSN_LEN(vcpu, 0xf4);

	if (!len)
		return HVM_EXIT_TO_USER;
	svm_skip_insn(vcpu, len);
	return hvm_vcpu_halt(vcpu);
}

static int svm_handle_invd(struct hvm_vcpu *vcpu)
{
	unsigned int len = SVM_INSN_LEN(vcpu, 0x0f, 0x08);

	if (!len)
		return HVM_EXIT_TO_USER;
	/* Dropping caches without writing them back would lose host data. */
	svm_skip_insn(vcpu, len);
	return HVM_REENTER;
}

/* MOV to CR8, intercepted only while it may let an interrupt in. */
static int svm_handle_cr8_write(struct hvm_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	unsigned int len;
	u8 cr = 8, gpr;
	u64 val;

	if (svm_nrips && (c->exit_info_1 & SVM_CR_INFO_VALID)) {
		gpr = c->exit_info_1 & SVM_CR_INFO_GPR;
		len = c->next_rip - vcpu->rip;
	} else {
		len = hvm_exit_mov_to_cr(vcpu, &cr, &gpr);
		if (!len)
			return HVM_EXIT_TO_USER;
	}
	if (cr != 8) {			/* the guest rewrote the bytes */
		u64 data[2] = { SVM_EXIT_WRITE_CR8, vcpu->rip };

		return hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_EMULATION,
					 2, data);
	}
	val = vcpu->regs[gpr];
	if (val > 15) {			/* bits 63:4 are reserved */
		svm_inject_gp(vcpu);
		return HVM_REENTER;
	}
	c->int_ctl = (c->int_ctl & ~SVM_V_TPR_MASK) | val;
	if (vcpu->lapic)	/* the next loop sees what it unblocks */
		hvm_lapic_set_cr8(vcpu, val);
	svm_skip_insn(vcpu, len);
	return HVM_REENTER;
}

/*
 * MOV to CR4 or CR0, or LMSW (SVM_I1_CR0_SEL_WRITE): the core checks the
 * value and applies it, or the guest gets #GP. Decode assists name the
 * source of a MOV (not of LMSW); otherwise it is decoded from the bytes.
 */
static int svm_handle_cr_write(struct hvm_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u8 want = c->exit_code == SVM_EXIT_WRITE_CR4 ? 4 : 0, cr = want, gpr;
	bool lmsw = false;
	unsigned int len;
	int r;

	if (svm_nrips && (c->exit_info_1 & SVM_CR_INFO_VALID)) {
		gpr = c->exit_info_1 & SVM_CR_INFO_GPR;
		len = c->next_rip - vcpu->rip;
	} else if (want == 0) {
		len = hvm_exit_cr0_write(vcpu, &gpr, &lmsw);
	} else {
		len = hvm_exit_mov_to_cr(vcpu, &cr, &gpr);
	}
	if (!len)
		return HVM_EXIT_TO_USER;
	if (cr != want) {		/* the guest rewrote the bytes */
		u64 data[2] = { c->exit_code, vcpu->rip };

		return hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_EMULATION,
					 2, data);
	}
	if (lmsw)
		r = hvm_emulate_lmsw(vcpu, vcpu->regs[gpr]);
	else
		r = hvm_emulate_mov_to_cr(vcpu, cr, gpr);
	if (r)
		svm_inject_gp(vcpu);
	else
		svm_skip_insn(vcpu, len);
	return HVM_REENTER;
}

static int svm_handle_ioio(struct hvm_vcpu *vcpu)
{
	const struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u32 info = c->exit_info_1;
	u8 size = (info & SVM_IOIO_SZ_MASK) >> SVM_IOIO_SZ_SHIFT;

	if (info & (SVM_IOIO_STR | SVM_IOIO_REP)) {
		u64 data[2] = { info, vcpu->rip };

		return hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_STRING_IO,
					 2, data);
	}
	/* SZ8/SZ16/SZ32 are bits 4, 5, 6: size is 1, 2 or 4 bytes. */
	return hvm_exit_pio(vcpu, info >> SVM_IOIO_PORT_SHIFT, size,
			    info & SVM_IOIO_IN, c->exit_info_2);
}

static int svm_handle_msr(struct hvm_vcpu *vcpu)
{
	bool write = to_svm(vcpu)->vmcb->control.exit_info_1;
	unsigned int len = write ? SVM_INSN_LEN(vcpu, 0x0f, 0x30) :
				   SVM_INSN_LEN(vcpu, 0x0f, 0x32);

	if (!len)
		return HVM_EXIT_TO_USER;
	if (write ? hvm_emulate_wrmsr(vcpu) : hvm_emulate_rdmsr(vcpu))
		svm_skip_insn(vcpu, len);
	else
		svm_inject_gp(vcpu);
	return HVM_REENTER;
}

static int svm_handle_shutdown(struct hvm_vcpu *vcpu)
{
	/* The VMCB is undefined after a shutdown; userspace resets it. */
	vcpu->run->exit_reason = HVM_EXIT_SHUTDOWN;
	return HVM_EXIT_TO_USER;
}

static int svm_handle_vmmcall(struct hvm_vcpu *vcpu)
{
	unsigned int len = SVM_INSN_LEN(vcpu, 0x0f, 0x01, 0xd9);

	if (!len)
		return HVM_EXIT_TO_USER;
	return hvm_exit_hypercall(vcpu, len);
}

static int svm_handle_ud(struct hvm_vcpu *vcpu)
{
	/* SVM instructions, MONITOR/MWAIT, RDTSCP, RDPRU: not for the guest. */
	svm_inject_exception(vcpu, X86_TRAP_UD, false, 0);
	return HVM_REENTER;
}

static int svm_handle_gp(struct hvm_vcpu *vcpu)
{
	/* RDPMC: the guest has no performance counters. */
	svm_inject_gp(vcpu);
	return HVM_REENTER;
}

/*
 * An exception that will be reflected replaces what the exit found in
 * delivery (now in event_inj): an exception is raised again when its
 * instruction runs again, an external interrupt waits for its turn.
 */
static void svm_requeue_interrupted_event(struct hvm_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	if ((c->event_inj & SVM_EVTINJ_VALID) &&
	    (c->event_inj & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_INTR) {
		vcpu->irq_vector = c->event_inj & SVM_EVTINJ_VEC_MASK;
		vcpu->irq_pending = true;
	}
	if ((c->event_inj & SVM_EVTINJ_VALID) &&
	    (c->event_inj & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_NMI) {
		vcpu->nmi_pending = true;	/* not delivered: not blocking */
		to_svm(vcpu)->nmi_blocked = false;
		svm_set_iret_intercept(c, false);
	}
	c->event_inj = 0;
}

/*
 * #DB: the CPU set the VMCB's DR6 as for a delivery; clearing DR7.GD is
 * the rest of what delivering it does (SDM 18.2.4).
 */
static int svm_handle_db(struct hvm_vcpu *vcpu)
{
	if (to_svm(vcpu)->nmi_step_trap) {	/* svm_prepare_nmi()'s step */
		to_svm(vcpu)->nmi_step_trap = false;
		return HVM_REENTER;
	}
	svm_requeue_interrupted_event(vcpu);
	to_svm(vcpu)->vmcb->save.dr7 &= ~HVM_DR7_GD;
	svm_inject_exception(vcpu, X86_TRAP_DB, false, 0);
	return HVM_REENTER;
}

/* #UD: VMCALL is the hypercall too (hvm_ud_hypercall()), else reflected. */
static int svm_handle_ud_exception(struct hvm_vcpu *vcpu)
{
	int r = hvm_ud_hypercall(vcpu);

	if (r != -ENOENT)
		return r;
	svm_requeue_interrupted_event(vcpu);
	svm_inject_exception(vcpu, X86_TRAP_UD, false, 0);
	return HVM_REENTER;
}

static int svm_handle_ac(struct hvm_vcpu *vcpu)
{
	svm_requeue_interrupted_event(vcpu);
	svm_inject_exception(vcpu, X86_TRAP_AC, true, 0);
	return HVM_REENTER;
}

static int svm_handle_xsetbv(struct hvm_vcpu *vcpu)
{
	unsigned int len = SVM_INSN_LEN(vcpu, 0x0f, 0x01, 0xd1);

	if (!len)
		return HVM_EXIT_TO_USER;
	if (hvm_emulate_xsetbv(vcpu))
		svm_skip_insn(vcpu, len);
	else
		svm_inject_gp(vcpu);
	return HVM_REENTER;
}

static int svm_handle_npf(struct hvm_vcpu *vcpu)
{
	const struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u64 err = c->exit_info_1;
	bool emulate = !(err & (SVM_NPF_FETCH | SVM_NPF_IN_WALK));
	const u8 *bytes = NULL;
	unsigned int len = 0;
	int r;

	if (c->insn_len && emulate) {	/* decode assists fetched for us */
		bytes = c->insn_bytes;
		len = min_t(unsigned int, c->insn_len, sizeof(c->insn_bytes));
	}
	r = hvm_mmu_page_fault(vcpu, c->exit_info_2, err & SVM_NPF_WRITE,
			       !emulate, bytes, len);
	return r;
}

static const svm_exit_handler svm_exit_handlers[SVM_EXIT_TABLE_SIZE] = {
	[SVM_EXIT_WRITE_CR4]	= svm_handle_cr_write,
	[SVM_EXIT_WRITE_CR8]	= svm_handle_cr8_write,
	[SVM_EXIT_EXCP_DB]	= svm_handle_db,
	[SVM_EXIT_EXCP_UD]	= svm_handle_ud_exception,
	[SVM_EXIT_EXCP_AC]	= svm_handle_ac,
	[SVM_EXIT_EXCP_MC]	= svm_handle_nothing,	/* after the exit */
	[SVM_EXIT_INTR]		= svm_handle_nothing,
	[SVM_EXIT_NMI]		= svm_handle_nothing,
	[SVM_EXIT_SMI]		= svm_handle_nothing,
	[SVM_EXIT_INIT]		= svm_handle_nothing,
	[SVM_EXIT_VINTR]	= svm_handle_vintr,
	[SVM_EXIT_CR0_SEL_WRITE] = svm_handle_cr_write,
	[SVM_EXIT_RDPMC]	= svm_handle_gp,
	[SVM_EXIT_CPUID]	= svm_handle_cpuid,
	[SVM_EXIT_IRET]		= svm_handle_iret,
	[SVM_EXIT_INVD]		= svm_handle_invd,
	[SVM_EXIT_HLT]		= svm_handle_hlt,
	[SVM_EXIT_INVLPGA]	= svm_handle_ud,
	[SVM_EXIT_IOIO]		= svm_handle_ioio,
	[SVM_EXIT_MSR]		= svm_handle_msr,
	[SVM_EXIT_SHUTDOWN]	= svm_handle_shutdown,
	[SVM_EXIT_VMRUN]	= svm_handle_ud,
	[SVM_EXIT_VMMCALL]	= svm_handle_vmmcall,
	[SVM_EXIT_VMLOAD]	= svm_handle_ud,
	[SVM_EXIT_VMSAVE]	= svm_handle_ud,
	[SVM_EXIT_STGI]		= svm_handle_ud,
	[SVM_EXIT_CLGI]		= svm_handle_ud,
	[SVM_EXIT_SKINIT]	= svm_handle_ud,
	[SVM_EXIT_RDTSCP]	= svm_handle_ud,
	[SVM_EXIT_MONITOR]	= svm_handle_ud,
	[SVM_EXIT_MWAIT]	= svm_handle_ud,
	[SVM_EXIT_XSETBV]	= svm_handle_xsetbv,
	[SVM_EXIT_RDPRU]	= svm_handle_ud,
};

/*
 * VMRUN refused the guest state (APM 15.5.1). What the save area holds now
 * is not the guest's (an implementation may have written its own state
 * there), so it goes back to RESET; the general registers stay as they were.
 */
static int svm_fail_entry(struct hvm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct hvm_run *run = vcpu->run;

	svm_reset_save(&vmcb->save);
	vmcb->control.tlb_ctl = 0;
	vmcb->control.event_inj = 0;
	/* An NMI in event_inj went nowhere: the state it blocked is gone. */
	to_svm(vcpu)->nmi_blocked = false;
	to_svm(vcpu)->iret_seen = false;
	to_svm(vcpu)->nmi_step = false;
	svm_set_iret_intercept(&vmcb->control, false);
	run->exit_reason = HVM_EXIT_FAIL_ENTRY;
	run->hardware_exit_reason = SVM_EXIT_INVALID;
	run->fail_entry.hardware_entry_failure_reason = SVM_EXIT_INVALID;
	run->fail_entry.qualification = 0;
	run->fail_entry.cpu = vcpu->cpu;
	return HVM_EXIT_TO_USER;
}

static int svm_handle_exit(struct hvm_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;
	u64 code = c->exit_code;
	svm_exit_handler handler = NULL;

	hvm_count_exit(code);
	if (code == SVM_EXIT_NPF)
		handler = svm_handle_npf;
	else if (code < SVM_EXIT_TABLE_SIZE)
		handler = svm_exit_handlers[code];
	if (!handler) {
		u64 data[3] = { code, c->exit_info_1, c->exit_info_2 };

		return hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_UNEXPECTED_EXIT,
					 3, data);
	}
	return handler(vcpu);
}

/*
 * INT n, INT3 and INTO are not injected again: RIP is still at the
 * instruction, which raises them again when it runs. Injected, they would
 * return to RIP (QEMU) or to NEXT_RIP, which the exit need not have set,
 * instead of to the next instruction.
 */
static bool svm_event_to_redeliver(u32 info)
{
	u32 type = info & SVM_EVTINJ_TYPE_MASK;
	u32 vector = info & SVM_EVTINJ_VEC_MASK;

	if (!(info & SVM_EVTINJ_VALID) || type == SVM_EVTINJ_TYPE_SOFT)
		return false;
	return !(type == SVM_EVTINJ_TYPE_EXEPT &&
		 (vector == X86_TRAP_BP || vector == X86_TRAP_OF));
}

/*
 * Before the core's handshake: events into the VMCB, and the registers it
 * carries. False when userspace's interrupt window is open now: that run
 * returns with the exit instead.
 */
static bool svm_prepare_entry(struct hvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	svm_prepare_interrupts(vcpu);
	if (!svm->hlt_first && READ_ONCE(vcpu->run->request_interrupt_window) &&
	    !vcpu->irq_pending && svm_interrupt_allowed(vcpu)) {
		svm_set_vintr(&vmcb->control, false);
		vcpu->run->exit_reason = HVM_EXIT_IRQ_WINDOW_OPEN;
		return false;
	}

	vmcb->save.rax = vcpu->regs[HVM_RAX];
	vmcb->save.rsp = vcpu->regs[HVM_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags | (svm->nmi_step ? X86_EFLAGS_TF : 0);
	vmcb->control.clean = 0;
	/*
	 * Host interrupts must exit the guest whatever its IF: that is what
	 * V_INTR_MASKING gives. Set at every entry, as QEMU's SVM clears it
	 * when a VMRUN fails its checks (it writes back its own int_ctl).
	 */
	vmcb->control.int_ctl |= SVM_V_INTR_MASKING;
	/* With a LAPIC, CR8 is its TPR: V_TPR carries it in and out. */
	if (vcpu->lapic) {
		svm->entry_cr8 = hvm_lapic_get_cr8(vcpu);
		vmcb->control.int_ctl = (vmcb->control.int_ctl & ~SVM_V_TPR_MASK) |
					svm->entry_cr8;
	}
	return true;
}

/*
 * IRQs and preemption off, the core's handshake done: VMRUN once. The
 * guest's extra state is swapped with GIF clear, so that no host NMI runs
 * on it; one that came in the guest is taken at STGI.
 */
static void svm_enter(struct hvm_vcpu *vcpu, bool flush_tlb)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);

	svm_prepare_asid(svm, smp_processor_id(), flush_tlb);
	svm_load_guest_tsc_aux(sc);

	hvm_load_guest_extra(vcpu);
	svm_clgi();
	hvm_svm_vmrun(svm->vmcb_pa, vcpu->regs,
		      page_to_phys(sc->host_vmsave));
	hvm_put_guest_extra(vcpu);
	svm->hlt_first = false;
	svm_stgi();
	if (svm->vmcb->control.exit_code == SVM_EXIT_EXCP_MC)
		hvm_host_machine_check();
}

/* IRQs on again: the VMCB's registers back, then the exit's handler. */
static int svm_complete_exit(struct hvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	/* The low half is enough: some implementations write only that. */
	if ((u32)vmcb->control.exit_code == (u32)SVM_EXIT_INVALID)
		return svm_fail_entry(vcpu);

	vcpu->regs[HVM_RAX] = vmcb->save.rax;
	vcpu->regs[HVM_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
	svm_nmi_after_exit(vcpu);
	if (vcpu->lapic &&
	    (vmcb->control.int_ctl & SVM_V_TPR_MASK) != svm->entry_cr8)
		hvm_lapic_set_cr8(vcpu, vmcb->control.int_ctl & SVM_V_TPR_MASK);
	vmcb->control.tlb_ctl = 0;
	vmcb->control.event_inj = 0;

	/* An event whose delivery the exit interrupted is delivered again. */
	if (svm_event_to_redeliver(vmcb->control.exit_int_info)) {
		vmcb->control.event_inj = vmcb->control.exit_int_info;
		vmcb->control.event_inj_err = vmcb->control.exit_int_info_err;
	}

	vcpu->run->hardware_exit_reason = vmcb->control.exit_code;
	return svm_handle_exit(vcpu);
}

const struct hvm_vendor_ops hvm_svm_ops = {
	.name		= "AMD SVM",
	.vendor		= HVM_VENDOR_AMD_SVM,
	.busy_msg	= "AMD SVM is held by another hypervisor (EFER.SVME is set)",
	.kvm_module	= "kvm_amd",
	.npt		= &svm_npt_format,
	.init		= svm_init,
	.exit		= svm_exit,
	.enable_cpu	= svm_enable_cpu,
	.disable_cpu	= svm_disable_cpu,
	.vcpu_create	= svm_vcpu_create,
	.vcpu_destroy	= svm_vcpu_destroy,
	.prepare_entry	= svm_prepare_entry,
	.enter		= svm_enter,
	.complete_exit	= svm_complete_exit,
	.interrupt_allowed = svm_interrupt_allowed,
	.get_sregs	= svm_get_sregs,
	.set_sregs	= svm_set_sregs,
	.get_paging	= svm_get_paging,
	.set_cr0	= svm_set_cr0,
	.set_cr4	= svm_set_cr4,
	.set_efer	= svm_set_efer,
	.get_msr	= svm_get_msr,
	.set_msr	= svm_set_msr,
	.inject_gp	= svm_inject_gp,
	.set_tsc_offset	= svm_set_tsc_offset,
};
