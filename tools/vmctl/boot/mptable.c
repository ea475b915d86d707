// SPDX-License-Identifier: GPL-2.0
/*
 * The MP table (Intel MultiProcessor Specification 1.4, chapter 4) that
 * tells the guest its CPUs: one processor entry per vCPU with APIC ID =
 * vCPU number, vCPU 0 the bootstrap processor, an ISA bus, and the local
 * APICs' LINT0 in ExtINT mode (the 8259A's interrupts reach vCPU 0 as in
 * the PC's virtual-wire mode) and LINT1 as NMI. No I/O APIC: vmctl has
 * none (Linux gets "noapic"). It lives in the BIOS area at MPTABLE_ADDR,
 * where Linux looks for the floating pointer.
 */
#include <cpuid.h>
#include <string.h>

#include "boot.h"
#include "vm.h"

#define MPTABLE_ADDR	0xf0000ull
#define LAPIC_ADDR	0xfee00000u
#define LAPIC_VERSION	0x14

struct mpf {			/* the floating pointer structure */
	char signature[4];	/* "_MP_" */
	uint32_t config;	/* address of the configuration table */
	uint8_t length;		/* in 16-byte units: 1 */
	uint8_t spec_rev;	/* 4 */
	uint8_t checksum;
	uint8_t feature[5];	/* 0: a configuration table follows */
} __attribute__((packed));

struct mpc_header {
	char signature[4];	/* "PCMP" */
	uint16_t length;	/* of the base table, header included */
	uint8_t spec_rev;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oem_table;
	uint16_t oem_size;
	uint16_t entries;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;		/* 0 */
	uint8_t apic_id;
	uint8_t apic_version;
	uint8_t flags;		/* bit 0 enabled, bit 1 bootstrap processor */
	uint32_t signature;	/* CPUID 1 EAX */
	uint32_t features;	/* CPUID 1 EDX */
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;		/* 1 */
	uint8_t bus_id;
	char name[6];
} __attribute__((packed));

struct mpc_lintsrc {
	uint8_t type;		/* 4 */
	uint8_t irq_type;	/* 3 ExtINT, 1 NMI */
	uint16_t flags;		/* 0: the bus's polarity and trigger */
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dest_apic;	/* 0xff: every local APIC */
	uint8_t dest_lint;
} __attribute__((packed));

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

void mptable_setup(struct vm *vm)
{
	size_t size = sizeof(struct mpf) + sizeof(struct mpc_header) +
		      vm->nr_vcpus * sizeof(struct mpc_cpu) +
		      sizeof(struct mpc_bus) + 2 * sizeof(struct mpc_lintsrc);
	uint8_t *base = gpa_to_hva(vm, MPTABLE_ADDR, size), *p;
	uint32_t a, b, c, d;
	struct mpc_header *h;
	struct mpf *mpf;
	unsigned int i;

	if (!base)
		die("no guest memory for the MP table at %#llx", MPTABLE_ADDR);
	__cpuid(1, a, b, c, d);
	memset(base, 0, size);
	mpf = (struct mpf *)base;
	h = (struct mpc_header *)(mpf + 1);
	p = (uint8_t *)(h + 1);

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct mpc_cpu *cpu = (struct mpc_cpu *)p;

		*cpu = (struct mpc_cpu){
			.type = 0, .apic_id = (uint8_t)i,
			.apic_version = LAPIC_VERSION,
			.flags = 1 | (i == 0 ? 2 : 0),
			.signature = a, .features = d,
		};
		p += sizeof(*cpu);
	}
	*(struct mpc_bus *)p = (struct mpc_bus){ .type = 1, .bus_id = 0 };
	memcpy(((struct mpc_bus *)p)->name, "ISA   ", 6);
	p += sizeof(struct mpc_bus);
	*(struct mpc_lintsrc *)p = (struct mpc_lintsrc){
		.type = 4, .irq_type = 3, .dest_apic = 0xff, .dest_lint = 0,
	};
	p += sizeof(struct mpc_lintsrc);
	*(struct mpc_lintsrc *)p = (struct mpc_lintsrc){
		.type = 4, .irq_type = 1, .dest_apic = 0xff, .dest_lint = 1,
	};
	p += sizeof(struct mpc_lintsrc);

	memcpy(h->signature, "PCMP", 4);
	h->length = (uint16_t)(p - (uint8_t *)h);
	h->spec_rev = 4;
	memcpy(h->oem, "HVM     ", 8);
	memcpy(h->product, "VMCTL       ", 12);
	h->entries = (uint16_t)(vm->nr_vcpus + 3);
	h->lapic = LAPIC_ADDR;
	h->checksum = checksum(h, h->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->config = (uint32_t)(MPTABLE_ADDR + sizeof(*mpf));
	mpf->length = 1;
	mpf->spec_rev = 4;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
	debug(vm, "MP table at %#llx: %u CPUs, no I/O APIC", MPTABLE_ADDR,
	      vm->nr_vcpus);
}
