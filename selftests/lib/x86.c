// SPDX-License-Identifier: GPL-2.0
/*
 * hvm selftest library, x86 parts: GDT/IDT/TSS and 64-bit segment state,
 * guest exception handlers, CPUID tables, MSR helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "hvm_util.h"
#include "guest.h"
#include "vmm/cpuid.h"

extern char guest_idt_stubs[];

#define GDT_ENTRIES	5	/* null, code64, data, TSS (2 entries) */

static u64 tss_desc_low(u64 base, u32 limit)
{
	return (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       (0x8bull << 40) |			/* P, busy 64-bit TSS */
	       ((u64)((limit >> 16) & 0xf) << 48) |
	       (((base >> 24) & 0xff) << 56);
}

static bool vector_has_error_code(int v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 ||
	       v == 29 || v == 30;
}

/* Checks that stub v sits at guest_idt_stubs + 16 * v (see guest.c). */
static void check_idt_stubs(void)
{
	const u8 *p = (const u8 *)guest_idt_stubs;
	int v;

	for (v = 0; v < 256; v++) {
		const u8 *s = p + 16 * v;

		if (!vector_has_error_code(v)) {
			/* push $0 */
			TEST_ASSERT(s[0] == 0x6a && s[1] == 0, "IDT stub %d", v);
			s += 2;
		}
		/* push $v: 6a imm8 or 68 imm32 */
		TEST_ASSERT((s[0] == 0x6a || s[0] == 0x68) && s[1] == v,
			    "IDT stub %d", v);
	}
}

void vm_setup_descriptor_tables(struct hvm_vm *vm)
{
	u64 *gdt, *idt;
	int v;

	check_idt_stubs();
	vm->gdt_gva = vm_vaddr_alloc(vm, PAGE_SIZE);
	vm->idt_gva = vm_vaddr_alloc(vm, PAGE_SIZE);
	vm->tss_gva = vm_vaddr_alloc(vm, PAGE_SIZE);

	gdt = addr_gva2hva(vm, vm->gdt_gva);
	gdt[0] = 0;
	gdt[GUEST_CS_SEL / 8] = 0x00af9b000000ffffull;	/* 64-bit code */
	gdt[GUEST_DS_SEL / 8] = 0x00cf93000000ffffull;	/* data */
	gdt[GUEST_TSS_SEL / 8] = tss_desc_low(vm->tss_gva, 0x67);
	gdt[GUEST_TSS_SEL / 8 + 1] = vm->tss_gva >> 32;

	idt = addr_gva2hva(vm, vm->idt_gva);
	for (v = 0; v < 256; v++) {
		u64 off = (u64)(uintptr_t)guest_idt_stubs + 16 * v;

		/* 64-bit interrupt gate, P=1, DPL=0, IST=0. */
		idt[2 * v] = (off & 0xffff) | ((u64)GUEST_CS_SEL << 16) |
			     (0x8eull << 40) | (((off >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = off >> 32;
	}
}

void vcpu_setup_long_mode(struct hvm_vcpu *vcpu)
{
	struct hvm_vm *vm = vcpu->vm;
	struct hvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = GUEST_DS_SEL,
		.type = 3, .present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct hvm_sregs sregs;

	vcpu_get_sregs(vcpu, &sregs);
	sregs.cs = (struct hvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = GUEST_CS_SEL,
		.type = 0xb, .present = 1, .s = 1, .l = 1, .db = 0, .g = 1,
	};
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.tr = (struct hvm_segment){
		.base = vm->tss_gva, .limit = 0x67, .selector = GUEST_TSS_SEL,
		.type = 0xb, .present = 1,
	};
	sregs.ldt = (struct hvm_segment){ .type = 2, .unusable = 1 };
	sregs.gdt = (struct hvm_dtable){ .base = vm->gdt_gva,
					 .limit = GDT_ENTRIES * 8 - 1 };
	sregs.idt = (struct hvm_dtable){ .base = vm->idt_gva,
					 .limit = 256 * 16 - 1 };
	sregs.cr0 = GUEST_CR0;
	sregs.cr2 = 0;
	sregs.cr3 = vm->pml4_gpa;
	sregs.cr4 = GUEST_CR4;
	sregs.cr8 = 0;
	sregs.efer = GUEST_EFER;
	vcpu_set_sregs(vcpu, &sregs);
}

void vm_install_handler(struct hvm_vm *vm, int vector, guest_handler_t h)
{
	void (**slot)(struct ex_regs *);

	TEST_ASSERT(vector >= 0 && vector < 256, "vector %d", vector);
	slot = addr_gva2hva(vm, (u64)(uintptr_t)&guest_handlers[vector]);
	*slot = h;
}

/* ---- CPUID ------------------------------------------------------------- */

void host_cpuid(u32 leaf, u32 subleaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	asm volatile("cpuid"
		     : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
		     : "a"(leaf), "c"(subleaf));
}

static bool host_vendor_is(const char *v)
{
	u32 a, b, c, d;
	char s[13];

	host_cpuid(0, 0, &a, &b, &c, &d);
	memcpy(s, &b, 4);
	memcpy(s + 4, &d, 4);
	memcpy(s + 8, &c, 4);
	s[12] = 0;
	return !strcmp(s, v);
}

bool host_cpu_is_amd(void)
{
	return host_vendor_is("AuthenticAMD") || host_vendor_is("HygonGenuine");
}

bool host_cpu_is_intel(void)
{
	return host_vendor_is("GenuineIntel");
}

struct hvm_cpuid *cpuid_alloc(u32 nent)
{
	struct hvm_cpuid *c = calloc(1, sizeof(*c) +
				     nent * sizeof(struct hvm_cpuid_entry));

	TEST_ASSERT(c, "calloc");
	c->nent = nent;
	return c;
}

#define CPUID_TABLE_MAX	512

/* The host's table, from the builder vmctl and hvmbench use too. */
struct hvm_cpuid *host_cpuid_table(void)
{
	static struct x86_cpuid_entry host[CPUID_TABLE_MAX];
	struct hvm_cpuid *c = cpuid_alloc(CPUID_TABLE_MAX);
	u64 limit;
	int i, n;

	n = cpuid_host_leaves(host, CPUID_TABLE_MAX);
	TEST_ASSERT(n >= 0, "the host's CPUID table has over %d entries", CPUID_TABLE_MAX);
	for (i = 0; i < n; i++) {
		c->entries[i] = (struct hvm_cpuid_entry){
			.function = host[i].function,
			.index = host[i].index,
			.flags = host[i].index_significant ?
				 HVM_CPUID_FLAG_SIGNIFICANT_INDEX : 0,
			.eax = host[i].eax, .ebx = host[i].ebx,
			.ecx = host[i].ecx, .edx = host[i].edx,
		};
	}
	c->nent = n;

	limit = hvm_check_cap(HVM_CAP_MAX_CPUID_ENTRIES);
	if (limit && c->nent > limit) {
		static bool said;

		if (!said)
			ksft_print_msg("host CPUID has %u entries, hvm takes %lu: truncated",
				       c->nent, (unsigned long)limit);
		said = true;
		c->nent = limit;
	}
	return c;
}

int __vcpu_set_cpuid(struct hvm_vcpu *vcpu, struct hvm_cpuid *cpuid)
{
	return ioctl(vcpu->fd, HVM_SET_CPUID, cpuid);
}

void vcpu_set_cpuid(struct hvm_vcpu *vcpu, struct hvm_cpuid *cpuid)
{
	TEST_ASSERT(__vcpu_set_cpuid(vcpu, cpuid) == 0, "HVM_SET_CPUID (%u entries)",
		    cpuid->nent);
}

/* ---- MSRs -------------------------------------------------------------- */

struct hvm_msrs *msrs_alloc(u32 nmsrs)
{
	struct hvm_msrs *m = calloc(1, sizeof(*m) +
				    nmsrs * sizeof(struct hvm_msr_entry));

	TEST_ASSERT(m, "calloc");
	m->nmsrs = nmsrs;
	return m;
}

struct one_msr {
	struct hvm_msrs h;
	struct hvm_msr_entry e;
};

int __vcpu_get_msr(struct hvm_vcpu *vcpu, u32 index, u64 *data)
{
	struct one_msr m = { .h.nmsrs = 1, .e.index = index };
	int r = ioctl(vcpu->fd, HVM_GET_MSRS, &m);

	*data = m.e.data;
	return r;
}

int __vcpu_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data)
{
	struct one_msr m = { .h.nmsrs = 1, .e.index = index, .e.data = data };

	return ioctl(vcpu->fd, HVM_SET_MSRS, &m);
}

u64 vcpu_get_msr(struct hvm_vcpu *vcpu, u32 index)
{
	u64 v;
	int r = __vcpu_get_msr(vcpu, index, &v);

	TEST_ASSERT(r == 1, "HVM_GET_MSRS %#x returned %d", index, r);
	return v;
}

void vcpu_set_msr(struct hvm_vcpu *vcpu, u32 index, u64 data)
{
	int r = __vcpu_set_msr(vcpu, index, data);

	TEST_ASSERT(r == 1, "HVM_SET_MSRS %#x = %#lx returned %d", index,
		    (unsigned long)data, r);
}
