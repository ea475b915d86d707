// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO emulation: fetch the faulting instruction through the guest's own
 * page tables, decode it, and describe the access to userspace. Anything
 * the decoder does not know ends in an internal-error exit carrying the
 * instruction bytes; nothing is guessed.
 */
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "hvm_core.h"

#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

static int hvm_read_pte(struct hvm_vcpu *vcpu, u64 gpa, u64 *pte,
			unsigned int size)
{
	*pte = 0;
	return hvm_read_guest_phys(vcpu, gpa, pte, size);
}

/*
 * Translate a linear address with the guest's paging mode (SDM 4.3-4.5).
 * *prot: the R/W and U/S bits of every level ANDed (PAE's PDPTEs have
 * none), or both without paging. Accessed and dirty bits are not set.
 */
static int hvm_gva_to_gpa_prot(struct hvm_vcpu *vcpu,
			       const struct hvm_paging *pg, u64 gva, u64 *gpa,
			       u64 *prot)
{
	u64 table, pte;
	int level, r;

	*prot = PTE_RW | PTE_US;
	if (!(pg->cr0 & X86_CR0_PG)) {
		*gpa = pg->efer & EFER_LMA ? gva : (u32)gva;
		return 0;
	}

	if (pg->efer & EFER_LMA) {
		level = pg->cr4 & X86_CR4_LA57 ? 5 : 4;
		table = pg->cr3 & PTE_ADDR;
	} else if (pg->cr4 & X86_CR4_PAE) {
		gva = (u32)gva;
		r = hvm_read_pte(vcpu, (pg->cr3 & GENMASK_ULL(31, 5)) +
				 ((gva >> 30) & 3) * 8, &pte, 8);
		if (r)
			return r;
		if (!(pte & PTE_P))
			return -EFAULT;
		level = 2;
		table = pte & PTE_ADDR;
	} else {
		gva = (u32)gva;
		r = hvm_read_pte(vcpu, (pg->cr3 & GENMASK_ULL(31, 12)) +
				 ((gva >> 22) & 0x3ff) * 4, &pte, 4);
		if (r)
			return r;
		if (!(pte & PTE_P))
			return -EFAULT;
		*prot &= pte;
		if ((pte & PTE_PS) && (pg->cr4 & X86_CR4_PSE)) {
			/* 4 MiB page; PSE-36 puts address bits 39:32 in 20:13 */
			*gpa = (pte & GENMASK_ULL(31, 22)) |
			       (((pte >> 13) & 0xff) << 32) |
			       (gva & GENMASK_ULL(21, 0));
			return 0;
		}
		r = hvm_read_pte(vcpu, (pte & GENMASK_ULL(31, 12)) +
				 ((gva >> 12) & 0x3ff) * 4, &pte, 4);
		if (r)
			return r;
		if (!(pte & PTE_P))
			return -EFAULT;
		*prot &= pte;
		*gpa = (pte & GENMASK_ULL(31, 12)) | (gva & 0xfff);
		return 0;
	}

	for (;; level--) {
		unsigned int shift = PAGE_SHIFT + 9 * (level - 1);

		r = hvm_read_pte(vcpu, table + ((gva >> shift) & 511) * 8,
				 &pte, 8);
		if (r)
			return r;
		if (!(pte & PTE_P))
			return -EFAULT;
		*prot &= pte;
		if (level == 1 || (level <= 3 && (pte & PTE_PS))) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = (pte & PTE_ADDR & ~mask) | (gva & mask);
			return 0;
		}
		table = pte & PTE_ADDR;
	}
}

static int hvm_gva_to_gpa(struct hvm_vcpu *vcpu, const struct hvm_paging *pg,
			  u64 gva, u64 *gpa)
{
	u64 prot;

	return hvm_gva_to_gpa_prot(vcpu, pg, gva, gpa, &prot);
}

/* Fetch up to max bytes at CS:RIP; returns how many. */
static unsigned int hvm_fetch_insn(struct hvm_vcpu *vcpu,
				   const struct hvm_paging *pg, u8 *buf,
				   unsigned int max)
{
	u64 linear = pg->cs_base + vcpu->rip;
	unsigned int got = 0;

	if (pg->efer & EFER_LMA && pg->cs_l)
		linear = vcpu->rip;
	while (got < max) {
		unsigned int chunk;
		u64 gpa;

		chunk = min_t(unsigned int, max - got,
			      PAGE_SIZE - offset_in_page(linear + got));
		if (hvm_gva_to_gpa(vcpu, pg, linear + got, &gpa) ||
		    hvm_read_guest_phys(vcpu, gpa, buf + got, chunk))
			break;
		got += chunk;
	}
	return got;
}

/* Is the next instruction a HLT (opcode 0xf4)? */
bool hvm_next_insn_is_hlt(struct hvm_vcpu *vcpu)
{
	struct hvm_paging pg;
	u8 opcode;

	hvm_ops->get_paging(vcpu, &pg);
	return hvm_fetch_insn(vcpu, &pg, &opcode, 1) == 1 && opcode == 0xf4;
}

static unsigned int hvm_cs_mode(const struct hvm_paging *pg)
{
	if (!(pg->cr0 & X86_CR0_PE))
		return 16;
	if ((pg->efer & EFER_LMA) && pg->cs_l)
		return 64;
	return pg->cs_db ? 32 : 16;
}

static int hvm_exit_emulation_failure(struct hvm_vcpu *vcpu, u64 gpa,
				      const u8 *bytes, unsigned int len)
{
	struct hvm_run *run = vcpu->run;
	u64 data[2] = { gpa, vcpu->rip };

	hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_EMULATION, 2, data);
	run->internal.insn_len = len;
	memcpy(run->internal.insn_bytes, bytes, len);
	return HVM_EXIT_TO_USER;
}

/* The instruction bytes at RIP, up to 15; *mode: the code segment's. */
static unsigned int hvm_fetch_at_rip(struct hvm_vcpu *vcpu, u8 *bytes,
				     unsigned int *mode)
{
	struct hvm_paging pg;

	hvm_ops->get_paging(vcpu, &pg);
	*mode = hvm_cs_mode(&pg);
	return hvm_fetch_insn(vcpu, &pg, bytes, HVM_INSN_MAX_LEN);
}

/*
 * The length of the instruction at RIP that exited, read from guest memory
 * where the CPU does not say it (SVM without NRIP-save), prefixes
 * included: a fixed length would resume inside a prefixed instruction.
 * The bytes must hold the opcode the exit names; otherwise (the guest
 * rewrote them, or they cannot be read) 0, and an emulation-failure exit
 * with the bytes is set up.
 */
unsigned int hvm_exit_insn_length(struct hvm_vcpu *vcpu, const u8 *opcode,
				  unsigned int oplen)
{
	u8 bytes[HVM_INSN_MAX_LEN];
	unsigned int got, len, mode;

	got = hvm_fetch_at_rip(vcpu, bytes, &mode);
	len = hvm_insn_length(bytes, got, mode, opcode, oplen);
	if (!len)
		hvm_exit_emulation_failure(vcpu, 0, bytes, got);
	return len;
}

/*
 * The MOV to a control register at RIP that exited (an SVM CR-write
 * intercept without decode assists): its length, and in *cr and *gpr the
 * control register and the source. 0: the bytes are not one, and an
 * emulation-failure exit with them is set up.
 */
unsigned int hvm_exit_mov_to_cr(struct hvm_vcpu *vcpu, u8 *cr, u8 *gpr)
{
	u8 bytes[HVM_INSN_MAX_LEN];
	unsigned int got, len, mode;

	got = hvm_fetch_at_rip(vcpu, bytes, &mode);
	len = hvm_insn_decode_mov_to_cr(bytes, got, mode, cr, gpr);
	if (!len)
		hvm_exit_emulation_failure(vcpu, 0, bytes, got);
	return len;
}

/*
 * The write to CR0 at RIP that exited (SVM's selective CR0 intercept,
 * without decode assists): a MOV to CR0, or an LMSW from a register
 * (*lmsw). Its length, and in *gpr the source. 0: neither (LMSW from
 * memory included, which hvm does not emulate), and an emulation-failure
 * exit with the bytes is set up.
 */
unsigned int hvm_exit_cr0_write(struct hvm_vcpu *vcpu, u8 *gpr, bool *lmsw)
{
	u8 bytes[HVM_INSN_MAX_LEN];
	unsigned int got, len, mode;
	u8 cr;

	got = hvm_fetch_at_rip(vcpu, bytes, &mode);
	len = hvm_insn_decode_mov_to_cr(bytes, got, mode, &cr, gpr);
	if (len && cr != 0)
		len = 0;
	*lmsw = false;
	if (!len) {
		len = hvm_insn_decode_lmsw(bytes, got, mode, gpr);
		*lmsw = len != 0;
	}
	if (!len)
		hvm_exit_emulation_failure(vcpu, 0, bytes, got);
	return len;
}

/*
 * A #UD at the other vendor's hypercall instruction (VMCALL on AMD,
 * VMMCALL on Intel), which guests moved between vendors, and some
 * hypercall users, emit: it is the hypercall here too. Returns the exit's
 * handling, or -ENOENT for a #UD to reflect.
 */
int hvm_ud_hypercall(struct hvm_vcpu *vcpu)
{
	static const u8 vmcall[] = { 0x0f, 0x01, 0xc1 };
	static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };
	u8 bytes[HVM_INSN_MAX_LEN];
	unsigned int got, len, mode;

	got = hvm_fetch_at_rip(vcpu, bytes, &mode);
	len = hvm_insn_length(bytes, got, mode, vmcall, sizeof(vmcall));
	if (!len)
		len = hvm_insn_length(bytes, got, mode, vmmcall,
				      sizeof(vmmcall));
	if (!len)
		return -ENOENT;
	return hvm_exit_hypercall(vcpu, len);
}

/* An address or count register of @size bytes: 32-bit writes zero-extend. */
static void hvm_reg_assign(u64 *reg, u64 val, unsigned int size)
{
	if (size == 2)
		*reg = (*reg & ~0xffffULL) | (u16)val;
	else if (size == 4)
		*reg = (u32)val;
	else
		*reg = val;
}

static u64 hvm_addr_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static const struct hvm_segment *hvm_seg_by_prefix(const struct hvm_sregs *s,
						   u8 prefix)
{
	switch (prefix) {
	case 0x26: return &s->es;
	case 0x2e: return &s->cs;
	case 0x36: return &s->ss;
	case 0x64: return &s->fs;
	case 0x65: return &s->gs;
	default: return &s->ds;
	}
}

/*
 * The guest-physical address of a MOVS element in guest memory, at
 * @prefix's segment : @reg (an address register). Everything the CPU
 * would fault on (a segment limit, a non-canonical address, a page not
 * present or not allowed, SMAP), and an element across a page, gives
 * -EFAULT: the caller stops with an emulation failure rather than inject
 * a fault it has not fully checked.
 */
static int hvm_string_gpa(struct hvm_vcpu *vcpu, const struct hvm_paging *pg,
			  u8 prefix, u64 reg, bool write, u64 *gpa)
{
	const struct hvm_insn *insn = &vcpu->mmio_insn;
	const struct hvm_segment *seg;
	struct hvm_sregs sregs;
	u64 off = reg & hvm_addr_mask(insn->addr_size), linear, prot;
	unsigned int cpl;

	hvm_ops->get_sregs(vcpu, &sregs);
	seg = hvm_seg_by_prefix(&sregs, prefix);
	cpl = sregs.ss.dpl;
	if (!(pg->cr0 & X86_CR0_PE))
		cpl = 0;
	if (hvm_cs_mode(pg) == 64) {
		/* Only FS and GS have a base in 64-bit mode. */
		linear = off;
		if (prefix == 0x64 || prefix == 0x65)
			linear += seg->base;
		if (!hvm_is_canonical(linear) ||
		    !hvm_is_canonical(linear + insn->size - 1))
			return -EFAULT;
	} else {
		/*
		 * No wrap past the limit. In protected mode: not a null
		 * selector; code only if readable, and not for a write; data
		 * expand-up (not emulated otherwise), writable for a write
		 * (SDM Vol. 3A, 3.4.5.1 and 5.4).
		 */
		if (off + insn->size - 1 > seg->limit)
			return -EFAULT;
		if ((pg->cr0 & X86_CR0_PE) &&
		    (seg->unusable ||
		     ((seg->type & 0x8) ? write || !(seg->type & 0x2) :
		      (seg->type & 0x4) || (write && !(seg->type & 0x2)))))
			return -EFAULT;
		linear = (u32)(seg->base + off);
	}
	if (offset_in_page(linear) + insn->size > PAGE_SIZE)
		return -EFAULT;
	if (hvm_gva_to_gpa_prot(vcpu, pg, linear, gpa, &prot))
		return -EFAULT;
	if (pg->cr0 & X86_CR0_PG) {
		if (cpl == 3 && !(prot & PTE_US))
			return -EFAULT;
		if (write && !(prot & PTE_RW) &&
		    (cpl == 3 || (pg->cr0 & X86_CR0_WP)))
			return -EFAULT;
		if (cpl < 3 && (prot & PTE_US) && (pg->cr4 & X86_CR4_SMAP) &&
		    !(vcpu->rflags & X86_EFLAGS_AC))
			return -EFAULT;
	}
	return 0;
}

/*
 * The instruction's access is done: RIP moves past it, and MOVS/STOS
 * step rSI/rDI by DF and count rCX down. A REP with elements left stays
 * on the instruction: the guest runs it again (taking interrupts between
 * elements, as the CPU does), natively up to the next MMIO element.
 */
static void hvm_mmio_retire(struct hvm_vcpu *vcpu)
{
	const struct hvm_insn *insn = &vcpu->mmio_insn;
	unsigned int as = insn->addr_size;
	u64 *regs = vcpu->regs, step, count;

	vcpu->rip = vcpu->completion_rip;
	if (insn->kind != HVM_INSN_MOVS && insn->kind != HVM_INSN_STOS)
		return;
	step = vcpu->rflags & X86_EFLAGS_DF ? -(u64)insn->size : insn->size;
	hvm_reg_assign(&regs[HVM_RDI], regs[HVM_RDI] + step, as);
	if (insn->kind == HVM_INSN_MOVS)
		hvm_reg_assign(&regs[HVM_RSI], regs[HVM_RSI] + step, as);
	if (!insn->rep)
		return;
	count = (regs[HVM_RCX] - 1) & hvm_addr_mask(as);
	hvm_reg_assign(&regs[HVM_RCX], count, as);
	if (count)
		vcpu->rip -= insn->len;
}

/*
 * The write of the access in progress: to the in-kernel LAPIC, an
 * ioeventfd, or userspace.
 */
static int hvm_mmio_write(struct hvm_vcpu *vcpu, u64 value)
{
	const struct hvm_insn *insn = &vcpu->mmio_insn;
	struct hvm_run *run = vcpu->run;

	if (hvm_lapic_in_page(vcpu, vcpu->mmio_gpa)) {
		hvm_lapic_mmio(vcpu, vcpu->mmio_gpa, insn->size, true, &value);
		hvm_mmio_retire(vcpu);
		return HVM_REENTER;
	}
	if (insn->size < 8)
		value &= BIT_ULL(insn->size * 8) - 1;
	if (hvm_ioeventfd_write(vcpu->vm, false, vcpu->mmio_gpa, insn->size,
				value)) {
		hvm_mmio_retire(vcpu);
		return HVM_REENTER;
	}
	run->exit_reason = HVM_EXIT_MMIO;
	run->mmio.phys_addr = vcpu->mmio_gpa;
	run->mmio.len = insn->size;
	run->mmio.is_write = true;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	memcpy(run->mmio.data, &value, insn->size);
	/* Userspace does the write before the guest runs again. */
	hvm_mmio_retire(vcpu);
	return HVM_EXIT_TO_USER;
}

/* Executes a read-modify-write that writes, with the value it read. */
static int hvm_mmio_alu_write(struct hvm_vcpu *vcpu)
{
	u64 value = 0;

	vcpu->mmio_write_pending = false;
	hvm_insn_alu_exec(&vcpu->mmio_insn, vcpu->regs, &vcpu->rflags,
			  vcpu->mmio_data, &value);
	return hvm_mmio_write(vcpu, value);
}

/*
 * The read of the access in progress returned @data: finish the
 * instruction, or for a read-modify-write that writes, go on with the
 * write. From a completion (@defer) that write is left pending for
 * hvm_mmio_pending_write(): an immediate_exit must still return -EINTR,
 * and until the write the guest's registers stay as they were.
 */
static int hvm_mmio_read_done(struct hvm_vcpu *vcpu, u64 data, bool defer)
{
	const struct hvm_insn *insn = &vcpu->mmio_insn;
	u64 regs[HVM_NR_REGS], rflags, value;

	switch (insn->kind) {
	case HVM_INSN_LOAD:
		vcpu->regs[insn->reg] = hvm_insn_load_merge(insn,
				vcpu->regs[insn->reg], data);
		break;
	case HVM_INSN_MOVS:
		/* Checked when the access began; the guest may have moved it. */
		if (hvm_write_guest_phys(vcpu, vcpu->mmio_ram_gpa, &data,
					 insn->size))
			return HVM_REENTER;	/* the guest runs it again */
		break;
	case HVM_INSN_ALU:
		memcpy(regs, vcpu->regs, sizeof(regs));
		rflags = vcpu->rflags;
		vcpu->mmio_data = data;
		if (hvm_insn_alu_exec(insn, regs, &rflags, data, &value)) {
			if (!defer)
				return hvm_mmio_alu_write(vcpu);
			vcpu->mmio_write_pending = true;
			return HVM_EXIT_TO_USER;
		}
		memcpy(vcpu->regs, regs, sizeof(regs));
		vcpu->rflags = rflags;
		break;
	}
	hvm_mmio_retire(vcpu);
	return HVM_REENTER;
}

static int hvm_mmio_read(struct hvm_vcpu *vcpu)
{
	const struct hvm_insn *insn = &vcpu->mmio_insn;
	struct hvm_run *run = vcpu->run;
	u64 value = 0;

	if (hvm_lapic_in_page(vcpu, vcpu->mmio_gpa)) {
		hvm_lapic_mmio(vcpu, vcpu->mmio_gpa, insn->size, false, &value);
		return hvm_mmio_read_done(vcpu, value, false);
	}
	run->exit_reason = HVM_EXIT_MMIO;
	run->mmio.phys_addr = vcpu->mmio_gpa;
	run->mmio.len = insn->size;
	run->mmio.is_write = false;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	vcpu->completion = HVM_COMPLETE_MMIO_READ;
	return HVM_EXIT_TO_USER;
}

/* Could the fault's direction come from this instruction? */
static bool hvm_mmio_direction_ok(const struct hvm_insn *insn, bool write)
{
	switch (insn->kind) {
	case HVM_INSN_LOAD:
		return !write;
	case HVM_INSN_STORE:
	case HVM_INSN_STOS:
		return write;
	case HVM_INSN_MOVS:
		return true;	/* the direction says which side is MMIO */
	default:
		return !write || hvm_insn_is_rmw(insn);
	}
}

/*
 * The guest accessed gpa, which no writable memory backs. insn_bytes, if
 * the hardware supplied them (decode assists), spare the fetch. One MMIO
 * access per exit: a read-modify-write reads (an exit), computes when
 * userspace answers, then writes (a second exit).
 */
int hvm_emulate_mmio(struct hvm_vcpu *vcpu, u64 gpa, bool write,
		     const u8 *insn_bytes, unsigned int insn_len)
{
	struct hvm_insn *insn = &vcpu->mmio_insn;
	u64 *regs = vcpu->regs, value = 0;
	struct hvm_paging pg;
	u8 buf[HVM_INSN_MAX_LEN];

	hvm_ops->get_paging(vcpu, &pg);
	if (!insn_len) {
		insn_len = hvm_fetch_insn(vcpu, &pg, buf, sizeof(buf));
		insn_bytes = buf;
	}
	if (hvm_insn_decode(insn_bytes, insn_len, hvm_cs_mode(&pg), insn) ||
	    !hvm_mmio_direction_ok(insn, write))
		goto fail;
	/* A REP with no elements left makes no access: not this one. */
	if (insn->rep && !(regs[HVM_RCX] & hvm_addr_mask(insn->addr_size)))
		goto fail;
	vcpu->mmio_gpa = gpa;
	vcpu->mmio_write_pending = false;
	vcpu->completion_rip = vcpu->rip + insn->len;

	switch (insn->kind) {
	case HVM_INSN_STORE:
		return hvm_mmio_write(vcpu, hvm_insn_store_value(insn,
						regs[insn->reg]));
	case HVM_INSN_STOS:
		return hvm_mmio_write(vcpu, regs[HVM_RAX]);
	case HVM_INSN_MOVS:
		/*
		 * A write fault: the source was read, so it is memory. A read
		 * fault: the destination must be memory; MOVS from MMIO to
		 * MMIO is not emulated.
		 */
		if (write) {
			if (hvm_string_gpa(vcpu, &pg, insn->seg, regs[HVM_RSI],
					   false, &vcpu->mmio_ram_gpa) ||
			    hvm_read_guest_phys(vcpu, vcpu->mmio_ram_gpa,
						&value, insn->size))
				goto fail;
			return hvm_mmio_write(vcpu, value);
		}
		if (hvm_string_gpa(vcpu, &pg, 0x26, regs[HVM_RDI], true,
				   &vcpu->mmio_ram_gpa) ||
		    hvm_write_guest_phys(vcpu, vcpu->mmio_ram_gpa, NULL, 0))
			goto fail;
		return hvm_mmio_read(vcpu);
	case HVM_INSN_ALU:
		/* A read-modify-write of a read-only slot reads its memory. */
		if (write && !hvm_read_guest_phys(vcpu, gpa, &value,
						  insn->size))
			return hvm_mmio_read_done(vcpu, value, false);
		return hvm_mmio_read(vcpu);
	default:
		return hvm_mmio_read(vcpu);
	}

fail:
	return hvm_exit_emulation_failure(vcpu, gpa, insn_bytes, insn_len);
}

void hvm_complete_mmio_read(struct hvm_vcpu *vcpu)
{
	u64 data = 0;

	memcpy(&data, vcpu->run->mmio.data, vcpu->mmio_insn.size);
	hvm_mmio_read_done(vcpu, data, true);
}

/* The write half of a read-modify-write whose read userspace answered. */
int hvm_mmio_pending_write(struct hvm_vcpu *vcpu)
{
	return hvm_mmio_alu_write(vcpu);
}
