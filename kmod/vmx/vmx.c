// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel VMX backend: VMXON per CPU while VMs exist, a VMCS per vCPU
 * that follows its thread across CPUs, guest entry with the host state the
 * hardware does not switch, and the exit handlers, in a table indexed by
 * basic exit reason. Needs EPT and unrestricted guest.
 */
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/cpu_entry_area.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "../vendor.h"
#include "vmx.h"
#include "vmx_caps.h"

#define VMX_BASIC_REVISION_MASK	GENMASK_ULL(30, 0)
#define VMX_EXIT_REASON_FAILED_ENTRY	BIT(31)
#define VMX_NR_EXIT_REASONS	76
#define VMX_MAX_VPID		4096
#define DEFAULT_PAT		0x0007040600070406ULL
#define VMX_DR7_RESET		0x400UL
/* EPT entry bits (SDM 29.3.2) */
#define EPT_R			BIT_ULL(0)
#define EPT_W			BIT_ULL(1)
#define EPT_X			BIT_ULL(2)
#define EPT_MT_WB		(6ULL << 3)
#define EPT_ACCESSED		BIT_ULL(8)
#define EPT_DIRTY		BIT_ULL(9)
#define EPT_LARGE		BIT_ULL(7)
/* EPT violation exit qualification (SDM Table 28-7) */
#define EPT_VIOL_WRITE		BIT(1)
#define EPT_VIOL_FETCH		BIT(2)
#define EPT_VIOL_GLA_VALID	BIT(7)
#define EPT_VIOL_GLA_FINAL	BIT(8)

struct hvm_vmcs {
	u32 revision_id;
	u32 abort;
	u8 data[];
};

struct vmx_vcpu {
	struct hvm_vmcs *vmcs;
	u64 vmcs_pa;
	int loaded_cpu;			/* where the VMCS is active, or -1 */
	struct list_head loaded_link;	/* in vmx_cpu.loaded of loaded_cpu */
	bool launched;
	int entry_failed;		/* the last VMLAUNCH/VMRESUME failed */
	u32 exit_reason;		/* of the last entry */
	u16 vpid;
	u32 proc_ctl;			/* the primary controls in the VMCS */
	u32 entry_ctl;
	u64 cr2;			/* not in the VMCS: swapped by hand */
	u64 dr6;			/* likewise */
	u64 cr8;
	u64 host_cr3, host_cr4;		/* what HOST_CR3/CR4 hold */

	/* The syscall MSRs VMX does not switch, loaded between load and put. */
	bool msrs_loaded;
	u64 guest_star, guest_lstar, guest_cstar, guest_sfmask, guest_kgs;
	u64 host_star, host_lstar, host_cstar, host_sfmask, host_kgs;
	u16 host_ds, host_es;
};

struct vmx_cpu {
	struct hvm_vmcs *vmxon_region;
	struct hvm_vmcs *current_vmcs;
	struct list_head loaded;	/* vmx_vcpu with a VMCS active here */
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);
static u32 vmx_revision;
static u32 vmx_pin_ctl, vmx_proc_ctl, vmx_proc2_ctl, vmx_exit_ctl, vmx_entry_ctl;
static u64 vmx_cr0_fixed0, vmx_cr0_fixed1, vmx_cr4_fixed0, vmx_cr4_fixed1;
static bool vmx_unrestricted, vmx_ept_ad, vmx_invept_single;
static u32 vmx_preemption_timer;	/* VMCS value, or 0 when off */

/*
 * A guest with IF=0 leaves on a host interrupt because external-interrupt
 * exiting is on; Bochs 2.7 masks the interrupt in that case and the host
 * CPU is lost to the guest. The VMX-preemption timer is not masked: with
 * vmx_tick_us set, the guest leaves at least that often. 0 (the default)
 * on hardware.
 */
static unsigned int vmx_tick_us;
module_param(vmx_tick_us, uint, 0444);
MODULE_PARM_DESC(vmx_tick_us,
		 "VMX: leave the guest at least every N us (preemption timer; 0 = off; for emulators that lose external-interrupt exits)");
static void *vmx_msr_bitmap;
static DECLARE_BITMAP(vmx_vpid_bitmap, VMX_MAX_VPID);
static DEFINE_SPINLOCK(vmx_vpid_lock);

static struct vmx_vcpu *to_vmx(struct hvm_vcpu *vcpu)
{
	return vcpu->vendor;
}

/* ---- VMX instructions ------------------------------------------------- */

static __always_inline unsigned long vmcs_read(unsigned long field)
{
	unsigned long value;

	asm volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

static __always_inline void vmcs_write(unsigned long field, unsigned long value)
{
	asm volatile("vmwrite %1, %0" : : "r"(field), "rm"(value) : "cc");
}

static int vmx_vmxon(u64 pa)
{
	u8 fail;

	asm volatile("vmxon %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -EIO : 0;
}

static void vmx_vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

static void vmx_vmclear(u64 pa)
{
	asm volatile("vmclear %0" : : "m"(pa) : "cc", "memory");
}

static void vmx_vmptrld(u64 pa)
{
	asm volatile("vmptrld %0" : : "m"(pa) : "cc", "memory");
}

static void vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/* ---- Enable, disable, module init ------------------------------------ */

static struct hvm_npt_format vmx_ept_format = {
	.levels		= 4,
	.present	= EPT_R | EPT_W | EPT_X,
	.dir		= EPT_R | EPT_W | EPT_X,
	.leaf		= EPT_R | EPT_MT_WB,
	.leaf_write	= EPT_W,
	.leaf_exec	= EPT_X,
	.leaf_noexec	= 0,
};

/* MSRs whose guest values live in the hardware while the vCPU runs. */
static const u32 vmx_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

/* Clear the read and write bits of msr in the MSR bitmap (SDM 25.6.9). */
static void vmx_msr_bitmap_allow(u8 *bitmap, u32 msr)
{
	unsigned int base;

	if (msr <= 0x1fff) {
		base = 0;
	} else if (msr - 0xc0000000 <= 0x1fff) {
		base = 1024;
		msr -= 0xc0000000;
	} else {
		return;
	}
	bitmap[base + msr / 8] &= ~BIT(msr % 8);		/* reads */
	bitmap[base + 2048 + msr / 8] &= ~BIT(msr % 8);	/* writes */
}

static int vmx_setup_controls(u64 basic)
{
	u32 missing, sec_required;
	u64 cap, ept_cap;
	int r;

	hvm_rdmsrq(vmx_ctls_msr(basic, MSR_IA32_VMX_PINBASED_CTLS,
			    MSR_IA32_VMX_TRUE_PINBASED_CTLS), cap);
	/* Virtual NMIs: the CPU keeps the guest's NMI blocking (SDM 25.3). */
	r = vmx_adjust_controls(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
				PIN_BASED_VIRTUAL_NMIS,
				vmx_tick_us ? PIN_BASED_VMX_PREEMPTION_TIMER : 0,
				cap, &vmx_pin_ctl, &missing);
	if (r)
		goto unsupported;
	if (vmx_tick_us) {
		u64 misc;

		hvm_rdmsrq(MSR_IA32_VMX_MISC, misc);
		vmx_preemption_timer =
			vmx_preemption_timer_value(tsc_khz, vmx_tick_us, misc);
		if (!(vmx_pin_ctl & PIN_BASED_VMX_PREEMPTION_TIMER))
			pr_warn("hvm: vmx_tick_us ignored: no VMX-preemption timer\n");
	}

	hvm_rdmsrq(vmx_ctls_msr(basic, MSR_IA32_VMX_PROCBASED_CTLS,
			    MSR_IA32_VMX_TRUE_PROCBASED_CTLS), cap);
	r = vmx_adjust_controls(CPU_BASED_HLT_EXITING |
				CPU_BASED_MWAIT_EXITING |
				CPU_BASED_RDPMC_EXITING |
				CPU_BASED_CR8_LOAD_EXITING |
				CPU_BASED_CR8_STORE_EXITING |
				CPU_BASED_UNCOND_IO_EXITING |
				CPU_BASED_USE_MSR_BITMAPS |
				CPU_BASED_MONITOR_EXITING |
				CPU_BASED_USE_TSC_OFFSETTING |
				CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
				0, cap, &vmx_proc_ctl, &missing);
	if (r)
		goto unsupported;
	/* Set while an NMI waits for the guest to unblock NMIs. */
	missing = CPU_BASED_NMI_WINDOW_EXITING & ~(u32)(cap >> 32);
	if (missing)
		goto unsupported;

	hvm_rdmsrq(MSR_IA32_VMX_PROCBASED_CTLS2, cap);
	vmx_unrestricted = (cap >> 32) & SECONDARY_EXEC_UNRESTRICTED_GUEST;
	sec_required = SECONDARY_EXEC_ENABLE_EPT;
	r = vmx_adjust_controls(sec_required,
				SECONDARY_EXEC_UNRESTRICTED_GUEST |
				SECONDARY_EXEC_ENABLE_VPID |
				SECONDARY_EXEC_ENABLE_INVPCID,
				cap, &vmx_proc2_ctl, &missing);
	if (r)
		goto unsupported;

	hvm_rdmsrq(vmx_ctls_msr(basic, MSR_IA32_VMX_EXIT_CTLS,
			    MSR_IA32_VMX_TRUE_EXIT_CTLS), cap);
	r = vmx_adjust_controls(VM_EXIT_HOST_ADDR_SPACE_SIZE |
				VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER,
				VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT,
				cap, &vmx_exit_ctl, &missing);
	if (r)
		goto unsupported;

	hvm_rdmsrq(vmx_ctls_msr(basic, MSR_IA32_VMX_ENTRY_CTLS,
			    MSR_IA32_VMX_TRUE_ENTRY_CTLS), cap);
	r = vmx_adjust_controls(VM_ENTRY_LOAD_IA32_EFER, VM_ENTRY_LOAD_IA32_PAT,
				cap, &vmx_entry_ctl, &missing);
	if (r)
		goto unsupported;
	/* IA-32e mode guest follows the guest's EFER.LMA, per vCPU. */
	vmx_entry_ctl &= ~VM_ENTRY_IA32E_MODE;
	/* Guest PAT only if both directions switch it. */
	if (!(vmx_entry_ctl & VM_ENTRY_LOAD_IA32_PAT) ||
	    !(vmx_exit_ctl & VM_EXIT_LOAD_IA32_PAT)) {
		vmx_entry_ctl &= ~VM_ENTRY_LOAD_IA32_PAT;
		vmx_exit_ctl &= ~(VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_IA32_PAT);
	}

	hvm_rdmsrq(MSR_IA32_VMX_EPT_VPID_CAP, ept_cap);
	if (!(ept_cap & VMX_EPT_PAGE_WALK_4_BIT) ||
	    !(ept_cap & VMX_EPTP_WB_BIT) || !(ept_cap & VMX_EPT_INVEPT_BIT) ||
	    !(ept_cap & (VMX_EPT_EXTENT_CONTEXT_BIT |
			 VMX_EPT_EXTENT_GLOBAL_BIT))) {
		pr_err("hvm: EPT lacks 4-level walks, write-back or INVEPT\n");
		return -ENODEV;
	}
	vmx_invept_single = ept_cap & VMX_EPT_EXTENT_CONTEXT_BIT;
	vmx_ept_ad = ept_cap & VMX_EPT_AD_BIT;
	if (ept_cap & VMX_EPT_2MB_PAGE_BIT)
		vmx_ept_format.large = EPT_LARGE;
	if (vmx_ept_ad) {
		/* Set A and D ourselves: the CPU never needs to write them. */
		vmx_ept_format.leaf |= EPT_ACCESSED;
		vmx_ept_format.leaf_write |= EPT_DIRTY;
	}
	return 0;

unsupported:
	pr_err("hvm: VMX lacks required controls (missing %#x)\n", missing);
	return -ENODEV;
}

static int vmx_init(void)
{
	u64 basic;
	int cpu, i;

	if (!HVM_CAN_SET_CR4) {
		pr_err("hvm: cannot use VMX on this kernel: it lets only kvm set CR4.VMXE (cr4_update_irqsoff is exported to kvm alone since Linux 6.18)\n");
		return -EOPNOTSUPP;
	}
	hvm_rdmsrq(MSR_IA32_VMX_BASIC, basic);
	vmx_revision = basic & VMX_BASIC_REVISION_MASK;
	if (vmx_setup_controls(basic))
		return -ENODEV;
	hvm_rdmsrq(MSR_IA32_VMX_CR0_FIXED0, vmx_cr0_fixed0);
	hvm_rdmsrq(MSR_IA32_VMX_CR0_FIXED1, vmx_cr0_fixed1);
	hvm_rdmsrq(MSR_IA32_VMX_CR4_FIXED0, vmx_cr4_fixed0);
	hvm_rdmsrq(MSR_IA32_VMX_CR4_FIXED1, vmx_cr4_fixed1);

	vmx_msr_bitmap = (void *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		return -ENOMEM;
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(vmx_passthrough_msrs); i++)
		vmx_msr_bitmap_allow(vmx_msr_bitmap, vmx_passthrough_msrs[i]);
	__set_bit(0, vmx_vpid_bitmap);	/* VPID 0 is the host's */

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);
		struct page *page;

		INIT_LIST_HEAD(&vc->loaded);
		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page)
			goto err_free;
		vc->vmxon_region = page_address(page);
		vc->vmxon_region->revision_id = vmx_revision;
	}
	pr_info("hvm: VMX with EPT%s, unrestricted guest %s, VPID %s\n",
		vmx_ept_ad ? " (A/D bits)" : "",
		vmx_unrestricted ? "yes" : "no",
		vmx_proc2_ctl & SECONDARY_EXEC_ENABLE_VPID ? "yes" : "no");
	return 0;

err_free:
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		if (vc->vmxon_region)
			free_page((unsigned long)vc->vmxon_region);
		vc->vmxon_region = NULL;
	}
	free_page((unsigned long)vmx_msr_bitmap);
	return -ENOMEM;
}

static void vmx_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		free_page((unsigned long)per_cpu_ptr(&vmx_cpu, cpu)->vmxon_region);
	free_page((unsigned long)vmx_msr_bitmap);
}

static int vmx_vm_check(void)
{
	if (vmx_unrestricted)
		return 0;
	pr_warn_ratelimited("hvm: cannot create a VM: this CPU's VMX has no unrestricted guest, which hvm needs to run real-mode code\n");
	return -EOPNOTSUPP;
}

static int vmx_enable_cpu(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	if (hvm_cr4_read() & X86_CR4_VMXE)
		return -EBUSY;	/* another hypervisor is in VMX operation */
	hvm_cr4_set_bits(X86_CR4_VMXE);
	if (vmx_vmxon(__pa(vc->vmxon_region))) {
		hvm_cr4_clear_bits(X86_CR4_VMXE);
		return -EBUSY;
	}
	vc->current_vmcs = NULL;
	return 0;
}

static void vmx_disable_cpu(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	struct vmx_vcpu *vmx, *tmp;

	/* A VMCS must be cleared before VMXOFF to reach memory (SDM 25.11). */
	list_for_each_entry_safe(vmx, tmp, &vc->loaded, loaded_link) {
		vmx_vmclear(vmx->vmcs_pa);
		list_del(&vmx->loaded_link);
		vmx->loaded_cpu = -1;
		vmx->launched = false;
	}
	vc->current_vmcs = NULL;
	vmx_vmxoff();
	hvm_cr4_clear_bits(X86_CR4_VMXE);
}

/* ---- Loading the VMCS and the MSRs VMX does not switch ---------------- */

static void vmx_vmclear_here(void *arg)
{
	struct vmx_vcpu *vmx = arg;
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	if (vmx->loaded_cpu != smp_processor_id())
		return;
	vmx_vmclear(vmx->vmcs_pa);
	if (vc->current_vmcs == vmx->vmcs)
		vc->current_vmcs = NULL;
	list_del(&vmx->loaded_link);
	vmx->loaded_cpu = -1;
	vmx->launched = false;
}

static void vmx_vmclear_remote(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->loaded_cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vmclear_here, vmx, 1);
}

/* Host state that differs between CPUs (SDM 27.5.2). */
static void vmx_set_host_cpu_state(int cpu)
{
	u64 gs_base;

	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_cpu_gdt_ro(cpu));
	hvm_rdmsrq(MSR_GS_BASE, gs_base);
	vmcs_write(HOST_GS_BASE, gs_base);
	vmcs_write(HOST_IA32_SYSENTER_ESP,
		   (unsigned long)(cpu_entry_stack(cpu) + 1));
}

static void vmx_vcpu_load(struct hvm_vcpu *vcpu, int cpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	u64 fs_base;

	if (vmx->loaded_cpu != cpu) {
		vmx_vmclear_remote(vmx);
		local_irq_disable();
		list_add(&vmx->loaded_link, &vc->loaded);
		vmx->loaded_cpu = cpu;
		local_irq_enable();
		vmx_vmptrld(vmx->vmcs_pa);
		vc->current_vmcs = vmx->vmcs;
		vmx_set_host_cpu_state(cpu);
		/* This CPU may hold stale translations of this EPT. */
		set_bit(HVM_REQ_TLB_FLUSH, &vcpu->requests);
	} else if (vc->current_vmcs != vmx->vmcs) {
		vmx_vmptrld(vmx->vmcs_pa);
		vc->current_vmcs = vmx->vmcs;
	}
	hvm_rdmsrq(MSR_FS_BASE, fs_base);
	vmcs_write(HOST_FS_BASE, fs_base);

	if (vmx->msrs_loaded)
		return;
	savesegment(ds, vmx->host_ds);
	savesegment(es, vmx->host_es);
	hvm_rdmsrq(MSR_STAR, vmx->host_star);
	hvm_rdmsrq(MSR_LSTAR, vmx->host_lstar);
	hvm_rdmsrq(MSR_CSTAR, vmx->host_cstar);
	hvm_rdmsrq(MSR_SYSCALL_MASK, vmx->host_sfmask);
	hvm_rdmsrq(MSR_KERNEL_GS_BASE, vmx->host_kgs);
	hvm_wrmsrq(MSR_STAR, vmx->guest_star);
	hvm_wrmsrq(MSR_LSTAR, vmx->guest_lstar);
	hvm_wrmsrq(MSR_CSTAR, vmx->guest_cstar);
	hvm_wrmsrq(MSR_SYSCALL_MASK, vmx->guest_sfmask);
	hvm_wrmsrq(MSR_KERNEL_GS_BASE, vmx->guest_kgs);
	vmx->msrs_loaded = true;
}

static void vmx_vcpu_put(struct hvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx->msrs_loaded)
		return;
	hvm_rdmsrq(MSR_STAR, vmx->guest_star);
	hvm_rdmsrq(MSR_LSTAR, vmx->guest_lstar);
	hvm_rdmsrq(MSR_CSTAR, vmx->guest_cstar);
	hvm_rdmsrq(MSR_SYSCALL_MASK, vmx->guest_sfmask);
	hvm_rdmsrq(MSR_KERNEL_GS_BASE, vmx->guest_kgs);
	hvm_wrmsrq(MSR_STAR, vmx->host_star);
	hvm_wrmsrq(MSR_LSTAR, vmx->host_lstar);
	hvm_wrmsrq(MSR_CSTAR, vmx->host_cstar);
	hvm_wrmsrq(MSR_SYSCALL_MASK, vmx->host_sfmask);
	hvm_wrmsrq(MSR_KERNEL_GS_BASE, vmx->host_kgs);
	if (vmx->host_ds)
		loadsegment(ds, vmx->host_ds);
	if (vmx->host_es)
		loadsegment(es, vmx->host_es);
	/* A VM exit leaves GDTR.limit at 0xffff and TR.limit at 0x67. */
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
	vmx->msrs_loaded = false;
}

/* ---- Segments and state ----------------------------------------------- */

/* Segment register index in the VMCS field encodings: ES CS SS DS FS GS LDTR TR. */
enum { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR };

static u32 vmx_seg_ar(const struct hvm_segment *s)
{
	return s->type | s->s << 4 | s->dpl << 5 | s->present << 7 |
	       s->avl << 12 | s->l << 13 | s->db << 14 | s->g << 15 |
	       s->unusable << 16;
}

static void vmx_seg_set(int seg, const struct hvm_segment *s)
{
	vmcs_write(GUEST_ES_SELECTOR + seg * 2, s->selector);
	vmcs_write(GUEST_ES_LIMIT + seg * 2, s->limit);
	vmcs_write(GUEST_ES_AR_BYTES + seg * 2, vmx_seg_ar(s));
	vmcs_write(GUEST_ES_BASE + seg * 2, s->base);
}

static void vmx_seg_get(int seg, struct hvm_segment *s)
{
	u32 ar = vmcs_read(GUEST_ES_AR_BYTES + seg * 2);

	memset(s, 0, sizeof(*s));
	s->selector = vmcs_read(GUEST_ES_SELECTOR + seg * 2);
	s->limit = vmcs_read(GUEST_ES_LIMIT + seg * 2);
	s->base = vmcs_read(GUEST_ES_BASE + seg * 2);
	s->type = ar & 0xf;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
	s->unusable = (ar >> 16) & 1;
}

/* Guest/host masks: the bits VMX fixes, which the guest sees from shadows. */
static unsigned long vmx_cr0_mask(void)
{
	return (vmx_cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) |
	       (u32)~vmx_cr0_fixed1;
}

/*
 * And every CR4 bit but those the guest may always flip: the others
 * depend on its CPUID (or are never its own), so their writes exit to
 * hvm_set_cr4(). A kernel sets them at boot; the frequent writes (PGE
 * toggled to flush global pages, TSD) do not exit.
 */
static unsigned long vmx_cr4_mask(void)
{
	return vmx_cr4_fixed0 | (u32)~vmx_cr4_fixed1 |
	       ~(unsigned long)HVM_CR4_GUEST_BITS;
}

static void vmx_update_lma(struct hvm_vcpu *vcpu, u64 efer)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmcs_write(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmx->entry_ctl |= VM_ENTRY_IA32E_MODE;
	else
		vmx->entry_ctl &= ~VM_ENTRY_IA32E_MODE;
	vmcs_write(VM_ENTRY_CONTROLS, vmx->entry_ctl);
}

static void vmx_write_cr0(struct hvm_vcpu *vcpu, unsigned long cr0)
{
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR0, (cr0 | (vmx_cr0_fixed0 &
				      ~(X86_CR0_PE | X86_CR0_PG))) &
			      (vmx_cr0_fixed1 | X86_CR0_PE | X86_CR0_PG));
}

static void vmx_write_cr4(struct hvm_vcpu *vcpu, unsigned long cr4)
{
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR4, (cr4 | vmx_cr4_fixed0) & vmx_cr4_fixed1);
}

static unsigned long vmx_guest_cr0(void)
{
	unsigned long mask = vmx_cr0_mask();

	return (vmcs_read(GUEST_CR0) & ~mask) |
	       (vmcs_read(CR0_READ_SHADOW) & mask);
}

static unsigned long vmx_guest_cr4(void)
{
	unsigned long mask = vmx_cr4_mask();

	return (vmcs_read(GUEST_CR4) & ~mask) |
	       (vmcs_read(CR4_READ_SHADOW) & mask);
}

static void vmx_get_sregs(struct hvm_vcpu *vcpu, struct hvm_sregs *sregs)
{
	memset(sregs, 0, sizeof(*sregs));
	vmx_seg_get(VMX_CS, &sregs->cs);
	vmx_seg_get(VMX_DS, &sregs->ds);
	vmx_seg_get(VMX_ES, &sregs->es);
	vmx_seg_get(VMX_FS, &sregs->fs);
	vmx_seg_get(VMX_GS, &sregs->gs);
	vmx_seg_get(VMX_SS, &sregs->ss);
	vmx_seg_get(VMX_TR, &sregs->tr);
	vmx_seg_get(VMX_LDTR, &sregs->ldt);
	sregs->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	sregs->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	sregs->idt.base = vmcs_read(GUEST_IDTR_BASE);
	sregs->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	sregs->cr0 = vmx_guest_cr0();
	sregs->cr2 = to_vmx(vcpu)->cr2;
	sregs->cr3 = vmcs_read(GUEST_CR3);
	sregs->cr4 = vmx_guest_cr4();
	sregs->cr8 = to_vmx(vcpu)->cr8;
	sregs->efer = vmcs_read(GUEST_IA32_EFER);
	sregs->apic_base = vcpu->apic_base;
}

static int vmx_set_sregs(struct hvm_vcpu *vcpu, const struct hvm_sregs *sregs)
{
	vmx_seg_set(VMX_CS, &sregs->cs);
	vmx_seg_set(VMX_DS, &sregs->ds);
	vmx_seg_set(VMX_ES, &sregs->es);
	vmx_seg_set(VMX_FS, &sregs->fs);
	vmx_seg_set(VMX_GS, &sregs->gs);
	vmx_seg_set(VMX_SS, &sregs->ss);
	vmx_seg_set(VMX_TR, &sregs->tr);
	vmx_seg_set(VMX_LDTR, &sregs->ldt);
	vmcs_write(GUEST_GDTR_BASE, sregs->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, sregs->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, sregs->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, sregs->idt.limit);
	vmx_write_cr0(vcpu, sregs->cr0);
	to_vmx(vcpu)->cr2 = sregs->cr2;
	vmcs_write(GUEST_CR3, sregs->cr3);
	vmx_write_cr4(vcpu, sregs->cr4);
	to_vmx(vcpu)->cr8 = sregs->cr8;
	vmx_update_lma(vcpu, sregs->efer);
	set_bit(HVM_REQ_TLB_FLUSH, &vcpu->requests);
	return 0;
}

static void vmx_get_paging(struct hvm_vcpu *vcpu, struct hvm_paging *pg)
{
	u32 cs_ar = vmcs_read(GUEST_CS_AR_BYTES);

	pg->cr0 = vmx_guest_cr0();
	pg->cr3 = vmcs_read(GUEST_CR3);
	pg->cr4 = vmx_guest_cr4();
	pg->efer = vmcs_read(GUEST_IA32_EFER);
	pg->cs_base = vmcs_read(GUEST_CS_BASE);
	pg->cs_l = (cs_ar >> 13) & 1;
	pg->cs_db = (cs_ar >> 14) & 1;
}

/* The syscall MSRs are in the hardware between vcpu_load and vcpu_put. */
static int vmx_get_msr(struct hvm_vcpu *vcpu, u32 index, u64 *data)
{
	switch (index) {
	case MSR_EFER:
		*data = vmcs_read(GUEST_IA32_EFER);
		break;
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SYSCALL_MASK:
	case MSR_KERNEL_GS_BASE:
		hvm_rdmsrq(index, *data);
		break;
	case MSR_FS_BASE:
		*data = vmcs_read(GUEST_FS_BASE);
		break;
	case MSR_GS_BASE:
		*data = vmcs_read(GUEST_GS_BASE);
		break;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read(GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		*data = vmcs_read(GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		*data = vmcs_read(GUEST_SYSENTER_EIP);
		break;
	case MSR_IA32_CR_PAT:
		*data = vmcs_read(GUEST_IA32_PAT);
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

/* The core checked these (cr.c). */
static void vmx_set_cr0(struct hvm_vcpu *vcpu, u64 cr0)
{
	vmx_write_cr0(vcpu, cr0);
}

static void vmx_set_cr4(struct hvm_vcpu *vcpu, u64 cr4)
{
	vmx_write_cr4(vcpu, cr4);
}

static int vmx_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	switch (index) {
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
		if (!hvm_is_canonical(data))
			return -EINVAL;
		hvm_wrmsrq(index, data);
		break;
	case MSR_STAR:
		hvm_wrmsrq(index, data);
		break;
	case MSR_SYSCALL_MASK:
		hvm_wrmsrq(index, (u32)data);
		break;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!hvm_is_canonical(data))
			return -EINVAL;
		vmcs_write(index == MSR_FS_BASE ? GUEST_FS_BASE : GUEST_GS_BASE,
			   data);
		break;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write(GUEST_SYSENTER_CS, (u32)data);
		break;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!hvm_is_canonical(data))
			return -EINVAL;
		vmcs_write(index == MSR_IA32_SYSENTER_ESP ? GUEST_SYSENTER_ESP :
			   GUEST_SYSENTER_EIP, data);
		break;
	case MSR_IA32_CR_PAT:
		if (!hvm_pat_valid(data))
			return -EINVAL;
		vmcs_write(GUEST_IA32_PAT, data);
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

static void vmx_inject_exception(struct hvm_vcpu *vcpu, u8 vector,
				 bool has_error, u32 error)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	/* Real mode delivers no error code (SDM 26.2.1.3). */
	if (has_error && (vmx_guest_cr0() & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
}

static void vmx_set_tsc_offset(struct hvm_vcpu *vcpu, u64 offset)
{
	vmcs_write(TSC_OFFSET, offset);
}

static void vmx_inject_gp(struct hvm_vcpu *vcpu)
{
	vmx_inject_exception(vcpu, X86_TRAP_GP, true, 0);
}

/* ---- vCPU create/destroy ---------------------------------------------- */

static void vmx_seg_reset(int seg, u16 selector, u64 base, u32 ar)
{
	vmcs_write(GUEST_ES_SELECTOR + seg * 2, selector);
	vmcs_write(GUEST_ES_LIMIT + seg * 2, 0xffff);
	vmcs_write(GUEST_ES_AR_BYTES + seg * 2, ar);
	vmcs_write(GUEST_ES_BASE + seg * 2, base);
}

static u64 vmx_eptp(struct hvm_vm *vm)
{
	return __pa(vm->npt_root) | VMX_EPTP_MT_WB |
	       (vmx_ept_format.levels - 1) << 3 |
	       (vmx_ept_ad ? VMX_EPTP_AD_ENABLE_BIT : 0);
}

/* Fill a freshly loaded VMCS: controls, host state, guest RESET state. */
static void vmx_vmcs_setup(struct hvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct desc_ptr idt;
	u64 msr;

	vmx->proc_ctl = vmx_proc_ctl;
	vmx->entry_ctl = vmx_entry_ctl;
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_pin_ctl);
	/* Without "save timer value" on exit, each entry reloads this. */
	if (vmx_pin_ctl & PIN_BASED_VMX_PREEMPTION_TIMER)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_preemption_timer);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc_ctl);
	/* Without a VPID of its own the vCPU runs untagged. */
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx->vpid ? vmx_proc2_ctl :
		   vmx_proc2_ctl & ~SECONDARY_EXEC_ENABLE_VPID);
	vmcs_write(VM_EXIT_CONTROLS, vmx_exit_ctl);
	vmcs_write(VM_ENTRY_CONTROLS, vmx->entry_ctl);
	/*
	 * #DB and #AC raised while delivering themselves would keep the CPU
	 * in microcode, deaf to interrupts (CVE-2015-8104, CVE-2015-5307):
	 * intercepted, each is an exit, and is reflected. #MC goes to the host.
	 */
	vmcs_write(EXCEPTION_BITMAP, BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) |
		   BIT(X86_TRAP_MC) | BIT(X86_TRAP_UD));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(MSR_BITMAP, __pa(vmx_msr_bitmap));
	vmcs_write(TSC_OFFSET, vcpu->tsc_offset);
	vmcs_write(EPT_POINTER, vmx_eptp(vcpu->vm));
	if (vmx->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_mask());
	vmcs_write(CR4_GUEST_HOST_MASK, vmx_cr4_mask());
	vmcs_write(VMCS_LINK_POINTER, -1ULL);

	/* Host state that is the same on every CPU and for every entry. */
	vmcs_write(HOST_CR0, read_cr0());
	vmx->host_cr3 = __read_cr3();
	vmcs_write(HOST_CR3, vmx->host_cr3);
	vmx->host_cr4 = hvm_cr4_read();
	vmcs_write(HOST_CR4, vmx->host_cr4);
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_RIP, (unsigned long)hvm_vmx_vmexit);
	hvm_rdmsrq(MSR_IA32_SYSENTER_CS, msr);
	vmcs_write(HOST_IA32_SYSENTER_CS, msr);
	hvm_rdmsrq(MSR_IA32_SYSENTER_EIP, msr);
	vmcs_write(HOST_IA32_SYSENTER_EIP, msr);
	hvm_rdmsrq(MSR_EFER, msr);
	vmcs_write(HOST_IA32_EFER, msr);
	if (vmx_exit_ctl & VM_EXIT_LOAD_IA32_PAT) {
		hvm_rdmsrq(MSR_IA32_CR_PAT, msr);
		vmcs_write(HOST_IA32_PAT, msr);
	}

	/* RESET state (SDM 10.1.1) */
	vmx_seg_reset(VMX_CS, 0xf000, 0xffff0000, 0x9b);
	vmx_seg_reset(VMX_DS, 0, 0, 0x93);
	vmx_seg_reset(VMX_ES, 0, 0, 0x93);
	vmx_seg_reset(VMX_FS, 0, 0, 0x93);
	vmx_seg_reset(VMX_GS, 0, 0, 0x93);
	vmx_seg_reset(VMX_SS, 0, 0, 0x93);
	vmx_seg_reset(VMX_LDTR, 0, 0, 0x82);
	vmx_seg_reset(VMX_TR, 0, 0, 0x8b);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	vmx_write_cr0(vcpu, X86_CR0_ET | X86_CR0_CD | X86_CR0_NW);
	vmcs_write(GUEST_CR3, 0);
	vmx_write_cr4(vcpu, 0);
	vmx_update_lma(vcpu, 0);
	vmcs_write(GUEST_DR7, VMX_DR7_RESET);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_IA32_PAT, DEFAULT_PAT);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_RIP, 0xfff0);
	vmcs_write(GUEST_RFLAGS, 0x2);
}

static u16 vmx_alloc_vpid(void)
{
	unsigned long vpid;

	if (!(vmx_proc2_ctl & SECONDARY_EXEC_ENABLE_VPID))
		return 0;
	spin_lock(&vmx_vpid_lock);
	vpid = find_first_zero_bit(vmx_vpid_bitmap, VMX_MAX_VPID);
	if (vpid < VMX_MAX_VPID)
		__set_bit(vpid, vmx_vpid_bitmap);
	else
		vpid = 0;	/* run untagged: entries and exits flush */
	spin_unlock(&vmx_vpid_lock);
	return vpid;
}

static void vmx_free_vpid(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpid_bitmap);
	spin_unlock(&vmx_vpid_lock);
}

static int vmx_vcpu_create(struct hvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx;
	struct page *page;
	int cpu;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(vmx);
		return -ENOMEM;
	}
	vmx->vmcs = page_address(page);
	vmx->vmcs->revision_id = vmx_revision;
	vmx->vmcs_pa = page_to_phys(page);
	vmx->loaded_cpu = -1;
	vmx->dr6 = DR6_RESERVED;
	INIT_LIST_HEAD(&vmx->loaded_link);
	vmx->vpid = vmx_alloc_vpid();
	vcpu->vendor = vmx;

	cpu = get_cpu();
	vmx_vmclear(vmx->vmcs_pa);	/* a new VMCS starts clear */
	vmx_vcpu_load(vcpu, cpu);
	vmx_vmcs_setup(vcpu);
	vmx_vcpu_put(vcpu);
	put_cpu();
	return 0;
}

static void vmx_vcpu_destroy(struct hvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vmclear_remote(vmx);
	vmx_free_vpid(vmx->vpid);
	free_page((unsigned long)vmx->vmcs);
	kfree(vmx);
	vcpu->vendor = NULL;
}

/* ---- Entry ------------------------------------------------------------ */

static bool vmx_interrupt_allowed(struct hvm_vcpu *vcpu)
{
	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       !(vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) &&
	       !(vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK);
}

/*
 * NMI blocking is the CPU's (virtual NMIs). Not in an STI shadow either:
 * some CPUs refuse the entry (SDM 26.3.1.5), and guests rely on it.
 */
static bool vmx_nmi_allowed(struct hvm_vcpu *vcpu)
{
	return !(vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_STI |
		  GUEST_INTR_STATE_MOV_SS)) &&
	       !(vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK);
}

static void vmx_set_exec_control(struct hvm_vcpu *vcpu, u32 bit, bool on)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 ctl = on ? vmx->proc_ctl | bit : vmx->proc_ctl & ~bit;

	if (ctl != vmx->proc_ctl) {
		vmx->proc_ctl = ctl;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, ctl);
	}
}

static void vmx_set_irq_window(struct hvm_vcpu *vcpu, bool on)
{
	vmx_set_exec_control(vcpu, CPU_BASED_INTR_WINDOW_EXITING, on);
}

/* The pending NMI goes in now, or at the NMI window's exit. */
static void vmx_prepare_nmi(struct hvm_vcpu *vcpu)
{
	bool window = false;

	if (vcpu->nmi_pending) {
		if (vmx_nmi_allowed(vcpu)) {
			vmcs_write(VM_ENTRY_INTR_INFO_FIELD, X86_TRAP_NMI |
				   INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
			vcpu->nmi_pending = false;
		} else {
			window = true;
		}
	}
	vmx_set_exec_control(vcpu, CPU_BASED_NMI_WINDOW_EXITING, window);
}

static void vmx_prepare_interrupts(struct hvm_vcpu *vcpu)
{
	bool want_window = vcpu->irq_pending || vcpu->lapic_window ||
			   READ_ONCE(vcpu->run->request_interrupt_window);

	vmx_prepare_nmi(vcpu);

	if (vcpu->irq_pending && vmx_interrupt_allowed(vcpu)) {
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, vcpu->irq_vector |
			   INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
		vcpu->irq_pending = false;
		want_window = false;
	}
	vmx_set_irq_window(vcpu, want_window);
}

/*
 * CR2 and DR6 are not in the VMCS. The host's DR6 is DR6_RESERVED outside
 * its #DB handler, so only a guest's other value is loaded and undone.
 */
static void vmx_load_guest_extra(struct hvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	hvm_load_guest_extra(vcpu);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	if (vmx->dr6 != DR6_RESERVED)
		set_debugreg(vmx->dr6, 6);
}

static void vmx_put_guest_extra(struct hvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->cr2 = native_read_cr2();
	get_debugreg(vmx->dr6, 6);
	if (vmx->dr6 != DR6_RESERVED)
		set_debugreg(DR6_RESERVED, 6);
	hvm_put_guest_extra(vcpu);
}

/* ---- Exit handlers ---------------------------------------------------- */

typedef int (*vmx_exit_handler)(struct hvm_vcpu *vcpu, u64 qual);

static void vmx_skip_insn(struct hvm_vcpu *vcpu)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	vcpu->rip += vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(GUEST_INTR_STATE_STI |
				    GUEST_INTR_STATE_MOV_SS));
}

static int vmx_handle_nothing(struct hvm_vcpu *vcpu, u64 qual)
{
	return HVM_REENTER;	/* the host took the interrupt */
}

static int vmx_handle_irq_window(struct hvm_vcpu *vcpu, u64 qual)
{
	vmx_set_irq_window(vcpu, false);
	if (!vcpu->irq_pending && !vcpu->lapic_window &&
	    READ_ONCE(vcpu->run->request_interrupt_window)) {
		vcpu->run->exit_reason = HVM_EXIT_IRQ_WINDOW_OPEN;
		return HVM_EXIT_TO_USER;
	}
	return HVM_REENTER;
}

/*
 * vmx_prepare_nmi() injects the NMI now. A CPU that does not block NMIs
 * in an STI shadow opens the window inside one: the NMI goes in there, as
 * it would on that CPU, instead of waiting for a window that is open.
 */
static int vmx_handle_nmi_window(struct hvm_vcpu *vcpu, u64 qual)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	if (intr & GUEST_INTR_STATE_STI)
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~GUEST_INTR_STATE_STI);
	return HVM_REENTER;
}

static int vmx_handle_triple_fault(struct hvm_vcpu *vcpu, u64 qual)
{
	vcpu->run->exit_reason = HVM_EXIT_SHUTDOWN;
	return HVM_EXIT_TO_USER;
}

static int vmx_handle_cpuid(struct hvm_vcpu *vcpu, u64 qual)
{
	hvm_emulate_cpuid(vcpu, vmx_guest_cr4());
	vmx_skip_insn(vcpu);
	return HVM_REENTER;
}

static int vmx_handle_hlt(struct hvm_vcpu *vcpu, u64 qual)
{
	vmx_skip_insn(vcpu);
	return hvm_vcpu_halt(vcpu);
}

static int vmx_handle_skip(struct hvm_vcpu *vcpu, u64 qual)
{
	/* INVD: dropping caches without writeback would lose host data. */
	vmx_skip_insn(vcpu);
	return HVM_REENTER;
}

static int vmx_handle_ud(struct hvm_vcpu *vcpu, u64 qual)
{
	/* VMX instructions and MONITOR/MWAIT: not for this guest. */
	vmx_inject_exception(vcpu, X86_TRAP_UD, false, 0);
	return HVM_REENTER;
}

static int vmx_handle_rdpmc(struct hvm_vcpu *vcpu, u64 qual)
{
	/* The guest has no performance counters. */
	vmx_inject_gp(vcpu);
	return HVM_REENTER;
}

/*
 * An exception that will be reflected replaces what the exit found in
 * delivery (now in the entry's event field): an exception is raised again
 * when its instruction runs again, an external interrupt waits its turn.
 */
static void vmx_requeue_interrupted_event(struct hvm_vcpu *vcpu)
{
	u32 info = vmcs_read(VM_ENTRY_INTR_INFO_FIELD);

	if ((info & INTR_INFO_VALID_MASK) &&
	    (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_EXT_INTR) {
		vcpu->irq_vector = info & INTR_INFO_VECTOR_MASK;
		vcpu->irq_pending = true;
	}
	/* Not delivered, the NMI does not block: it waits again. */
	if ((info & INTR_INFO_VALID_MASK) &&
	    (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		vcpu->nmi_pending = true;
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
}

/*
 * DR6 after a #DB whose exit qualification is qual: B0-B3 name this #DB's
 * breakpoints, BD and BS add to what DR6 held, RTM is active low (SDM
 * 18.2.3; the qualification's bits are where DR6 has them, SDM 28.2.1).
 */
static u64 vmx_dr6_after_db(u64 dr6, u64 qual)
{
	dr6 = (dr6 | DR6_RESERVED) & ~(u64)DR_TRAP_BITS;
	dr6 |= qual & (DR_TRAP_BITS | HVM_DR6_BD | HVM_DR6_BS);
	if (qual & HVM_DR6_RTM)
		dr6 &= ~HVM_DR6_RTM;
	return dr6;
}

/*
 * Reflect #DB as its delivery would have left the guest: DR6 updated,
 * DR7.GD clear (SDM 18.2.4). ICEBP's #DB (a privileged software
 * exception) is delivered as it came, after the instruction.
 */
static void vmx_reflect_db(struct hvm_vcpu *vcpu, u32 type, u64 qual)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	if (type == INTR_TYPE_PRIV_SW_EXCEPTION) {
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN,
			   vmcs_read(VM_EXIT_INSTRUCTION_LEN));
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, X86_TRAP_DB | type |
			   INTR_INFO_VALID_MASK);
		return;
	}
	vmx->dr6 = vmx_dr6_after_db(vmx->dr6, qual);
	vmcs_write(GUEST_DR7, vmcs_read(GUEST_DR7) & ~HVM_DR7_GD);
	/*
	 * A single step pending in a shadow of STI or MOV SS must be in the
	 * pending debug exceptions, or the entry fails its checks (SDM
	 * 26.3.1.5); the CPU sets it on other exits, not on this one.
	 */
	if ((vcpu->rflags & X86_EFLAGS_TF) &&
	    (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | HVM_DR6_BS);
	vmx_inject_exception(vcpu, X86_TRAP_DB, false, 0);
}

/*
 * The exception bitmap's #DB, #AC, #MC and #UD. An NMI or a machine check
 * was handed to the host right after the exit; the others are reflected.
 */
static int vmx_handle_exception_nmi(struct hvm_vcpu *vcpu, u64 qual)
{
	u32 info = vmcs_read(VM_EXIT_INTR_INFO);
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	if (type == INTR_TYPE_NMI_INTR || vector == X86_TRAP_MC)
		return HVM_REENTER;
	if (vector == X86_TRAP_UD) {
		/* VMMCALL is the hypercall too (hvm_ud_hypercall()). */
		int r = hvm_ud_hypercall(vcpu);

		if (r != -ENOENT)
			return r;
	}
	vmx_requeue_interrupted_event(vcpu);
	if (vector == X86_TRAP_DB) {
		vmx_reflect_db(vcpu, type, qual);
	} else if (vector == X86_TRAP_AC) {
		vmx_inject_exception(vcpu, X86_TRAP_AC, true, 0);
	} else if (vector == X86_TRAP_UD) {
		vmx_inject_exception(vcpu, X86_TRAP_UD, false, 0);
	} else {
		u64 data[3] = { EXIT_REASON_EXCEPTION_NMI, qual, info };

		return hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_UNEXPECTED_EXIT,
					 3, data);
	}
	return HVM_REENTER;
}

static int vmx_handle_vmcall(struct hvm_vcpu *vcpu, u64 qual)
{
	return hvm_exit_hypercall(vcpu, vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

/* MOV to/from CR0, CR3, CR4, CR8 (SDM Table 28-3). */
static int vmx_handle_cr(struct hvm_vcpu *vcpu, u64 qual)
{
	unsigned int cr = qual & 0xf, type = (qual >> 4) & 3;
	unsigned int reg = (qual >> 8) & 0xf;
	unsigned long val = vcpu->regs[reg];

	if (reg == HVM_RSP)
		val = vcpu->regs[HVM_RSP];
	if (type == 1) {		/* MOV from CR */
		if (cr == 3)
			vcpu->regs[reg] = vmcs_read(GUEST_CR3);
		else if (cr == 8)
			vcpu->regs[reg] = vcpu->lapic ? hvm_lapic_get_cr8(vcpu) :
						       to_vmx(vcpu)->cr8;
		else
			goto unexpected;
		vmx_skip_insn(vcpu);
		return HVM_REENTER;
	}
	if (type != 0)
		goto unexpected;	/* CLTS, LMSW touch no masked bit */

	switch (cr) {
	case 0:
	case 4:		/* the core checks the value (cr.c) */
		if (hvm_emulate_mov_to_cr(vcpu, cr, reg))
			goto gp;
		break;
	case 3:
		vmcs_write(GUEST_CR3, val);
		break;
	case 8:
		if (val > 15)
			goto gp;
		if (vcpu->lapic)	/* the next loop sees what it unblocks */
			hvm_lapic_set_cr8(vcpu, val);
		else
			to_vmx(vcpu)->cr8 = val;
		break;
	default:
		goto unexpected;
	}
	vmx_skip_insn(vcpu);
	return HVM_REENTER;
gp:
	vmx_inject_gp(vcpu);
	return HVM_REENTER;
unexpected:
	{
		u64 data[2] = { EXIT_REASON_CR_ACCESS, qual };

		return hvm_exit_internal(vcpu,
					 HVM_INTERNAL_ERROR_UNEXPECTED_EXIT,
					 2, data);
	}
}

static int vmx_handle_io(struct hvm_vcpu *vcpu, u64 qual)
{
	if (qual & (BIT(4) | BIT(5))) {		/* string or REP */
		u64 data[2] = { qual, vcpu->rip };

		return hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_STRING_IO,
					 2, data);
	}
	return hvm_exit_pio(vcpu, qual >> 16, (qual & 7) + 1, qual & BIT(3),
			    vcpu->rip + vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

/* RDMSR, WRMSR and XSETBV: skip on success, #GP otherwise. */
static int vmx_finish_emulation(struct hvm_vcpu *vcpu, bool ok)
{
	if (ok)
		vmx_skip_insn(vcpu);
	else
		vmx_inject_gp(vcpu);
	return HVM_REENTER;
}

static int vmx_handle_rdmsr(struct hvm_vcpu *vcpu, u64 qual)
{
	return vmx_finish_emulation(vcpu, hvm_emulate_rdmsr(vcpu));
}

static int vmx_handle_wrmsr(struct hvm_vcpu *vcpu, u64 qual)
{
	return vmx_finish_emulation(vcpu, hvm_emulate_wrmsr(vcpu));
}

static int vmx_handle_xsetbv(struct hvm_vcpu *vcpu, u64 qual)
{
	return vmx_finish_emulation(vcpu, hvm_emulate_xsetbv(vcpu));
}

static int vmx_handle_ept_violation(struct hvm_vcpu *vcpu, u64 qual)
{
	/* A fetch, or a guest page walk, from where no memory is. */
	bool no_emulate = (qual & EPT_VIOL_FETCH) ||
			  ((qual & EPT_VIOL_GLA_VALID) &&
			   !(qual & EPT_VIOL_GLA_FINAL));

	return hvm_mmu_page_fault(vcpu, vmcs_read(GUEST_PHYSICAL_ADDRESS),
				  qual & EPT_VIOL_WRITE, no_emulate, NULL, 0);
}

static int vmx_handle_ept_misconfig(struct hvm_vcpu *vcpu, u64 qual)
{
	u64 data[2] = { vmcs_read(GUEST_PHYSICAL_ADDRESS), vcpu->rip };

	return hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_MEMORY, 2, data);
}

static const vmx_exit_handler vmx_exit_handlers[VMX_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI]		= vmx_handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= vmx_handle_nothing,
	[EXIT_REASON_TRIPLE_FAULT]		= vmx_handle_triple_fault,
	[EXIT_REASON_INIT_SIGNAL]		= vmx_handle_nothing,
	[EXIT_REASON_SIPI_SIGNAL]		= vmx_handle_nothing,
	[EXIT_REASON_INTERRUPT_WINDOW]		= vmx_handle_irq_window,
	[EXIT_REASON_NMI_WINDOW]		= vmx_handle_nmi_window,
	[EXIT_REASON_CPUID]			= vmx_handle_cpuid,
	[EXIT_REASON_HLT]			= vmx_handle_hlt,
	[EXIT_REASON_INVD]			= vmx_handle_skip,
	[EXIT_REASON_RDPMC]			= vmx_handle_rdpmc,
	[EXIT_REASON_VMCALL]			= vmx_handle_vmcall,
	[EXIT_REASON_VMCLEAR]			= vmx_handle_ud,
	[EXIT_REASON_VMLAUNCH]			= vmx_handle_ud,
	[EXIT_REASON_VMPTRLD]			= vmx_handle_ud,
	[EXIT_REASON_VMPTRST]			= vmx_handle_ud,
	[EXIT_REASON_VMREAD]			= vmx_handle_ud,
	[EXIT_REASON_VMRESUME]			= vmx_handle_ud,
	[EXIT_REASON_VMWRITE]			= vmx_handle_ud,
	[EXIT_REASON_VMOFF]			= vmx_handle_ud,
	[EXIT_REASON_VMON]			= vmx_handle_ud,
	[EXIT_REASON_CR_ACCESS]			= vmx_handle_cr,
	[EXIT_REASON_IO_INSTRUCTION]		= vmx_handle_io,
	[EXIT_REASON_MSR_READ]			= vmx_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]			= vmx_handle_wrmsr,
	[EXIT_REASON_MWAIT_INSTRUCTION]		= vmx_handle_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION]	= vmx_handle_ud,
	[EXIT_REASON_EPT_VIOLATION]		= vmx_handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]		= vmx_handle_ept_misconfig,
	[EXIT_REASON_INVEPT]			= vmx_handle_ud,
	[EXIT_REASON_INVVPID]			= vmx_handle_ud,
	[EXIT_REASON_XSETBV]			= vmx_handle_xsetbv,
	[EXIT_REASON_PREEMPTION_TIMER]		= vmx_handle_nothing,
	[EXIT_REASON_VMFUNC]			= vmx_handle_ud,
};

static int vmx_handle_exit(struct hvm_vcpu *vcpu, u32 reason)
{
	u64 qual = vmcs_read(EXIT_QUALIFICATION);
	vmx_exit_handler handler = NULL;
	u16 basic = reason;

	hvm_count_exit(basic);
	if (basic < VMX_NR_EXIT_REASONS)
		handler = vmx_exit_handlers[basic];
	if (!handler) {
		u64 data[3] = { reason, qual, vmcs_read(VM_EXIT_INTR_INFO) };

		return hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_UNEXPECTED_EXIT,
					 3, data);
	}
	return handler(vcpu, qual);
}

/*
 * The hardware refused the entry: VMfail (error is the VM-instruction
 * error) or a VM exit with bit 31 set (reason and qualification). The VMCS
 * is cleared so that the next entry starts from VMLAUNCH again.
 */
static int vmx_fail_entry(struct hvm_vcpu *vcpu, u64 reason, u64 qual)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	struct hvm_run *run = vcpu->run;

	run->exit_reason = HVM_EXIT_FAIL_ENTRY;
	run->hardware_exit_reason = reason;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.qualification = qual;
	run->fail_entry.cpu = vcpu->cpu;
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	preempt_disable();
	vmx_vmclear(vmx->vmcs_pa);
	vmx_vmptrld(vmx->vmcs_pa);
	vc->current_vmcs = vmx->vmcs;
	vmx->launched = false;
	preempt_enable();
	return HVM_EXIT_TO_USER;
}

static void vmx_flush_tlb(struct hvm_vcpu *vcpu)
{
	if (vmx_invept_single)
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, vmx_eptp(vcpu->vm));
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
}

/*
 * An NMI or machine check that exited was consumed by the exit: hand it to
 * the host's handler before IRQs are on again.
 */
static void vmx_host_nmi_mce(u32 info)
{
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		asm volatile("int $2");
	else if ((info & INTR_INFO_VECTOR_MASK) == X86_TRAP_MC)
		hvm_host_machine_check();
}

/*
 * An exit in the middle of an IRET that had unblocked NMIs (a fault on its
 * stack: EPT violation or an intercepted exception) runs the IRET again
 * later: blocking holds until then (SDM 27.2.3, 28.3.1.2).
 */
#define VMX_EPT_NMI_UNBLOCKED	BIT(12)	/* exit qualification of EPT violations */

static void vmx_restore_nmi_blocking(u32 reason)
{
	bool unblocked = false;

	if ((u16)reason == EXIT_REASON_EPT_VIOLATION)
		unblocked = vmcs_read(EXIT_QUALIFICATION) & VMX_EPT_NMI_UNBLOCKED;
	else if ((u16)reason == EXIT_REASON_EXCEPTION_NMI)
		unblocked = vmcs_read(VM_EXIT_INTR_INFO) & INTR_INFO_UNBLOCK_NMI;
	if (unblocked)
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   vmcs_read(GUEST_INTERRUPTIBILITY_INFO) |
			   GUEST_INTR_STATE_NMI);
}

/*
 * Before the core's handshake: events into the VMCS, and the registers it
 * carries. False when userspace's interrupt window is open now: that run
 * returns with the exit instead.
 */
static bool vmx_prepare_entry(struct hvm_vcpu *vcpu)
{
	vmx_prepare_interrupts(vcpu);
	if (READ_ONCE(vcpu->run->request_interrupt_window) &&
	    !vcpu->irq_pending && vmx_interrupt_allowed(vcpu)) {
		vmx_set_irq_window(vcpu, false);
		vcpu->run->exit_reason = HVM_EXIT_IRQ_WINDOW_OPEN;
		return false;
	}
	vmcs_write(GUEST_RSP, vcpu->regs[HVM_RSP]);
	vmcs_write(GUEST_RIP, vcpu->rip);
	vmcs_write(GUEST_RFLAGS, vcpu->rflags);
	return true;
}

/*
 * IRQs and preemption off, the core's handshake done: VMLAUNCH/VMRESUME
 * once. An NMI or machine check the exit consumed goes to the host's
 * handler before IRQs are on again.
 */
static void vmx_enter(struct hvm_vcpu *vcpu, bool flush_tlb)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long cr3, cr4;

	if (flush_tlb)
		vmx_flush_tlb(vcpu);
	cr3 = __read_cr3();
	if (cr3 != vmx->host_cr3) {
		vmx->host_cr3 = cr3;
		vmcs_write(HOST_CR3, cr3);
	}
	cr4 = hvm_cr4_read();
	if (cr4 != vmx->host_cr4) {
		vmx->host_cr4 = cr4;
		vmcs_write(HOST_CR4, cr4);
	}

	vmx_load_guest_extra(vcpu);
	vmx->entry_failed = hvm_vmx_vmrun(vcpu->regs, vmx->launched);
	vmx_put_guest_extra(vcpu);
	if (!vmx->entry_failed) {
		vmx->exit_reason = vmcs_read(VM_EXIT_REASON);
		if ((u16)vmx->exit_reason == EXIT_REASON_EXCEPTION_NMI)
			vmx_host_nmi_mce(vmcs_read(VM_EXIT_INTR_INFO));
	}
}

/* IRQs on again: the VMCS's registers back, then the exit's handler. */
static int vmx_complete_exit(struct hvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 reason = vmx->exit_reason, idt_info;

	if (vmx->entry_failed)
		return vmx_fail_entry(vcpu, vmcs_read(VM_INSTRUCTION_ERROR), 0);
	if (reason & VMX_EXIT_REASON_FAILED_ENTRY)
		return vmx_fail_entry(vcpu, reason,
				      vmcs_read(EXIT_QUALIFICATION));
	vmx->launched = true;

	vcpu->regs[HVM_RSP] = vmcs_read(GUEST_RSP);
	vcpu->rip = vmcs_read(GUEST_RIP);
	vcpu->rflags = vmcs_read(GUEST_RFLAGS);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);

	/* An event whose delivery the exit interrupted is delivered again. */
	idt_info = vmcs_read(IDT_VECTORING_INFO_FIELD);
	if (idt_info & VECTORING_INFO_VALID_MASK) {
		u32 type = idt_info & VECTORING_INFO_TYPE_MASK;

		vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
			   idt_info & ~INTR_INFO_UNBLOCK_NMI);
		if (idt_info & VECTORING_INFO_DELIVER_CODE_MASK)
			vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
				   vmcs_read(IDT_VECTORING_ERROR_CODE));
		if (type == INTR_TYPE_SOFT_INTR ||
		    type == INTR_TYPE_SOFT_EXCEPTION ||
		    type == INTR_TYPE_PRIV_SW_EXCEPTION)
			vmcs_write(VM_ENTRY_INSTRUCTION_LEN,
				   vmcs_read(VM_EXIT_INSTRUCTION_LEN));
	} else {
		vmx_restore_nmi_blocking(reason);
	}

	vcpu->run->hardware_exit_reason = reason;
	return vmx_handle_exit(vcpu, reason);
}

const struct hvm_vendor_ops hvm_vmx_ops = {
	.name		= "Intel VMX",
	.vendor		= HVM_VENDOR_INTEL_VMX,
	.xsetbv_always_exits = true,
	.busy_msg	= "Intel VMX is held by another hypervisor (CR4.VMXE is set)",
	.kvm_module	= "kvm_intel",
	.npt		= &vmx_ept_format,
	.init		= vmx_init,
	.exit		= vmx_exit,
	.enable_cpu	= vmx_enable_cpu,
	.disable_cpu	= vmx_disable_cpu,
	.vm_check	= vmx_vm_check,
	.vcpu_create	= vmx_vcpu_create,
	.vcpu_destroy	= vmx_vcpu_destroy,
	.vcpu_load	= vmx_vcpu_load,
	.vcpu_put	= vmx_vcpu_put,
	.prepare_entry	= vmx_prepare_entry,
	.enter		= vmx_enter,
	.complete_exit	= vmx_complete_exit,
	.interrupt_allowed = vmx_interrupt_allowed,
	.get_sregs	= vmx_get_sregs,
	.set_sregs	= vmx_set_sregs,
	.get_paging	= vmx_get_paging,
	.set_cr0	= vmx_set_cr0,
	.set_cr4	= vmx_set_cr4,
	.set_efer	= vmx_update_lma,
	.get_msr	= vmx_get_msr,
	.set_msr	= vmx_set_msr,
	.inject_gp	= vmx_inject_gp,
	.set_tsc_offset	= vmx_set_tsc_offset,
};
