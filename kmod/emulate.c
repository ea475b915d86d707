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
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

static int hvm_read_pte(struct hvm_vcpu *vcpu, u64 gpa, u64 *pte,
			unsigned int size)
{
	*pte = 0;
	return hvm_read_guest_phys(vcpu, gpa, pte, size);
}

/* Translate a linear address with the guest's paging mode (SDM 4.3-4.5). */
static int hvm_gva_to_gpa(struct hvm_vcpu *vcpu, const struct hvm_paging *pg,
			  u64 gva, u64 *gpa)
{
	u64 table, pte;
	int level, r;

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
		if (level == 1 || (level <= 3 && (pte & PTE_PS))) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = (pte & PTE_ADDR & ~mask) | (gva & mask);
			return 0;
		}
		table = pte & PTE_ADDR;
	}
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

/*
 * The guest accessed gpa, which no writable memory backs. insn_bytes, if
 * the hardware supplied them (decode assists), spare the fetch.
 */
int hvm_emulate_mmio(struct hvm_vcpu *vcpu, u64 gpa, bool write,
		     const u8 *insn_bytes, unsigned int insn_len)
{
	struct hvm_run *run = vcpu->run;
	struct hvm_insn *insn = &vcpu->mmio_insn;
	struct hvm_paging pg;
	u8 buf[HVM_INSN_MAX_LEN];
	u64 value;

	hvm_ops->get_paging(vcpu, &pg);
	if (!insn_len) {
		insn_len = hvm_fetch_insn(vcpu, &pg, buf, sizeof(buf));
		insn_bytes = buf;
	}
	if (hvm_insn_decode(insn_bytes, insn_len, hvm_cs_mode(&pg), insn) ||
	    (insn->kind == HVM_INSN_STORE) != write)
		return hvm_exit_emulation_failure(vcpu, gpa, insn_bytes,
						  insn_len);

	if (hvm_lapic_in_page(vcpu, gpa)) {
		value = write ? hvm_insn_store_value(insn, vcpu->regs[insn->reg]) : 0;
		hvm_lapic_mmio(vcpu, gpa, insn->size, write, &value);
		if (!write)
			vcpu->regs[insn->reg] = hvm_insn_load_merge(insn,
					vcpu->regs[insn->reg], value);
		vcpu->rip += insn->len;
		return HVM_REENTER;
	}

	run->exit_reason = HVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn->size;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write) {
		value = hvm_insn_store_value(insn, vcpu->regs[insn->reg]);
		memcpy(run->mmio.data, &value, insn->size);
		vcpu->rip += insn->len;
	} else {
		vcpu->completion = HVM_COMPLETE_MMIO_READ;
		vcpu->completion_rip = vcpu->rip + insn->len;
	}
	return HVM_EXIT_TO_USER;
}

void hvm_complete_mmio_read(struct hvm_vcpu *vcpu)
{
	const struct hvm_insn *insn = &vcpu->mmio_insn;
	u64 data = 0;

	memcpy(&data, vcpu->run->mmio.data, insn->size);
	vcpu->regs[insn->reg] = hvm_insn_load_merge(insn, vcpu->regs[insn->reg],
						    data);
	vcpu->rip = vcpu->completion_rip;
}
