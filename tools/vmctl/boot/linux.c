// SPDX-License-Identifier: GPL-2.0
/*
 * Boots a Linux bzImage through the x86 boot protocol's 64-bit entry
 * (Documentation/arch/x86/boot.rst), as minimal VMMs do: no BIOS, no
 * real-mode setup code. The protected-mode kernel goes to 1 MiB, the zero
 * page (struct boot_params) gets the kernel's setup header, the e820 map,
 * the command line and the initrd, and the vCPU starts at code32_start +
 * 0x200 in long mode, with identity-mapped page tables for the first 4 GiB,
 * a GDT holding __BOOT_CS (0x10) and __BOOT_DS (0x18), interrupts off and
 * RSI = the zero page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "guest_cpuid.h"
#include "vm.h"

/* Guest-physical layout below 1 MiB (all of it RAM in the e820 map). */
#define BOOT_GDT	0x1000ull
#define ZERO_PAGE	0x7000ull
#define BOOT_STACK	0x8ff0ull
#define BOOT_PML4	0x9000ull
#define BOOT_PDPT	0xa000ull
#define BOOT_PD		0xb000ull	/* 4 pages: 4 GiB in 2 MiB pages */
#define BOOT_CMDLINE	0x20000ull
#define BOOT_CMDLINE_MAX 0x10000ull

#define KERNEL_LOAD	0x100000ull	/* code32_start */
#define ENTRY_64	0x200		/* from code32_start */

/* Offsets in struct boot_params (arch/x86/include/uapi/asm/bootparam.h). */
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_HDR			0x1f1	/* struct setup_header */
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
/* ... and in the setup header, counted from the image's start. */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_VID_MODE		0x1fa
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP_END		0x201	/* the header ends at 0x202 + this byte */
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_CODE32_START	0x214
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260

#define LOADED_HIGH		0x01
#define QUIET_FLAG		0x20
#define CAN_USE_HEAP		0x80
#define XLF_KERNEL_64		0x01
#define LOADER_UNDEFINED	0xff

static uint16_t get16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	return get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = v & 0xff;
	p[off + 1] = v >> 8;
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	put16(p, off, v & 0xffff);
	put16(p, off + 2, v >> 16);
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

bool linux_detect(const uint8_t *image, size_t size)
{
	return size >= 0x1000 && get16(image, HDR_BOOT_FLAG) == 0xaa55 &&
	       !memcmp(image + HDR_MAGIC, "HdrS", 4);
}

/* Does the command line name an option whose name contains "apic"? */
static bool has_apic_option(const char *cmdline)
{
	const char *p = cmdline;

	while (*p) {
		size_t len;
		const char *eq;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (len == 2 && !strncmp(p, "--", 2))
			break;		/* the rest is for init */
		eq = memchr(p, '=', len);
		for (const char *q = p; q + 4 <= (eq ? eq : p + len); q++)
			if (!strncmp(q, "apic", 4))
				return true;
		p += len;
	}
	return false;
}

static bool has_option(const char *cmdline, const char *name)
{
	size_t n = strlen(name);
	const char *p = cmdline;

	while ((p = strstr(p, name))) {
		if ((p == cmdline || p[-1] == ' ') && (p[n] == '=' || p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/*
 * The user's command line, with what this VM needs added before any "--":
 *  - "noapic" unless it names an APIC option itself: there is no I/O
 *    APIC; and "nolapic" too without an in-kernel local APIC (CPUID says
 *    so as well, but the option keeps Linux from probing for one);
 *  - tsc_early_khz=, the host's TSC rate: Linux on AMD reads no CPUID leaf
 *    for it, and calibrating against the PIT takes long and goes wrong
 *    when every PIT read is an exit to vmctl.
 */
static char *linux_cmdline(const char *user, bool lapic)
{
	const char *rest = "";
	char *out, *sep;
	size_t len = strlen(user) + 128;

	out = malloc(len);
	if (!out)
		die("out of memory");
	snprintf(out, len, "%s", user);
	sep = strstr(out, " -- ");
	if (!strncmp(out, "-- ", 3))
		sep = out;
	if (sep) {
		rest = user + (sep - out);
		*sep = '\0';
	}
	if (!has_apic_option(user))
		strcat(out, lapic ? " noapic" : " noapic nolapic");
	if (!has_option(user, "tsc_early_khz"))
		snprintf(out + strlen(out), len - strlen(out), " tsc_early_khz=%llu",
			 (unsigned long long)host_tsc_khz());
	if (*rest && *rest != ' ')
		strcat(out, " ");
	strcat(out, rest);
	return out[0] == ' ' ? memmove(out, out + 1, strlen(out)) : out;
}

static void setup_page_tables(struct vm *vm)
{
	uint64_t *pml4 = gpa_to_hva(vm, BOOT_PML4, 4096);
	uint64_t *pdpt = gpa_to_hva(vm, BOOT_PDPT, 4096);
	uint64_t *pd = gpa_to_hva(vm, BOOT_PD, 4 * 4096);
	int i;

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = BOOT_PDPT | 0x3;			/* P, RW */
	for (i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD + i * 4096ull) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* P, RW, PS */
}

static void setup_gdt(struct vm *vm)
{
	uint64_t *gdt = gpa_to_hva(vm, BOOT_GDT, 4 * 8);

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffull;	/* __BOOT_CS: 64-bit code */
	gdt[3] = 0x00cf93000000ffffull;	/* __BOOT_DS: flat data */
}

static void set_long_mode(struct boot_state *st, uint64_t rip, uint64_t rsi)
{
	struct x86_segment data = {
		.limit = 0xffffffff, .selector = 0x18, .type = 3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct x86_sregs *s = &st->sregs;

	st->regs = (struct x86_regs){
		.rip = rip, .rsi = rsi, .rsp = BOOT_STACK, .rflags = 2,
	};
	memset(s, 0, sizeof(*s));
	s->cs = (struct x86_segment){
		.limit = 0xffffffff, .selector = 0x10, .type = 0xb,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->tr = (struct x86_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	s->ldt = (struct x86_segment){ .type = 2, .unusable = 1 };
	s->gdt = (struct x86_dtable){ .base = BOOT_GDT, .limit = 4 * 8 - 1 };
	s->cr0 = 0x80000031;		/* PG, NE, ET, PE */
	s->cr3 = BOOT_PML4;
	s->cr4 = 0x20;			/* PAE */
	s->efer = 0x500;		/* LMA, LME */
}

int boot_linux(struct vm *vm, const uint8_t *image, size_t size,
	       struct boot_state *st)
{
	uint16_t version = get16(image, HDR_VERSION);
	unsigned int setup_sects = image[HDR_SETUP_SECTS] ? image[HDR_SETUP_SECTS] : 4;
	size_t setup_size = (setup_sects + 1) * 512ull, hdr_end;
	uint64_t pm_size, init_size, align, kernel_end, initrd_addr = 0;
	uint64_t initrd_max, cmdline_max;
	uint8_t *initrd = NULL, *bp;
	size_t initrd_size = 0;
	char *cmdline;
	unsigned int i;

	if (version < 0x20c)
		die("%s: boot protocol %u.%02u is too old: vmctl needs 2.12 (Linux 3.8) for the 64-bit entry",
		    vm->opt.kernel, version >> 8, version & 0xff);
	if (!(get16(image, HDR_XLOADFLAGS) & XLF_KERNEL_64))
		die("%s: not a 64-bit kernel (no 64-bit entry point)", vm->opt.kernel);
	if (!(image[HDR_LOADFLAGS] & LOADED_HIGH) || setup_size >= size)
		die("%s: not a bzImage", vm->opt.kernel);
	pm_size = size - setup_size;
	init_size = get32(image, HDR_INIT_SIZE);
	align = get32(image, HDR_KERNEL_ALIGNMENT);
	/*
	 * The 64-bit entry moves a relocatable kernel up to pref_address
	 * (LOAD_PHYSICAL_ADDR, 16 MiB) and decompresses it there: it needs
	 * init_size bytes from the higher of the two.
	 */
	kernel_end = KERNEL_LOAD;
	if (image[HDR_RELOCATABLE] && align)
		kernel_end = (KERNEL_LOAD + align - 1) & ~(align - 1);
	if (kernel_end < get64(image, HDR_PREF_ADDRESS))
		kernel_end = get64(image, HDR_PREF_ADDRESS);
	kernel_end += init_size > pm_size ? init_size : pm_size;
	if (kernel_end > vm->low_size)
		die("too little memory: the kernel needs %llu MiB, --mem gives %llu MiB",
		    (unsigned long long)(kernel_end + MiB - 1) / MiB,
		    (unsigned long long)vm->ram_size / MiB);
	memcpy(gpa_to_hva(vm, KERNEL_LOAD, pm_size), image + setup_size, pm_size);

	if (vm->opt.initrd) {
		if (read_file(vm->opt.initrd, &initrd, &initrd_size))
			exit(EXIT_VMCTL_ERROR);
		initrd_max = get32(image, HDR_INITRD_ADDR_MAX);
		if (initrd_max >= vm->low_size)
			initrd_max = vm->low_size - 1;
		initrd_addr = (initrd_max + 1 - initrd_size) & ~0xfffull;
		if (initrd_size > initrd_max || initrd_addr < kernel_end)
			die("too little memory: the kernel needs %llu MiB and the initrd %llu MiB, --mem gives %llu MiB",
			    (unsigned long long)(kernel_end + MiB - 1) / MiB,
			    (unsigned long long)(initrd_size + MiB - 1) / MiB,
			    (unsigned long long)vm->ram_size / MiB);
		memcpy(gpa_to_hva(vm, initrd_addr, initrd_size), initrd, initrd_size);
		free(initrd);
	}

	cmdline = linux_cmdline(vm->opt.cmdline ? vm->opt.cmdline : "console=ttyS0",
				vm->lapic);
	cmdline_max = version >= 0x206 ? get32(image, HDR_CMDLINE_SIZE) : 255;
	if (cmdline_max >= BOOT_CMDLINE_MAX)
		cmdline_max = BOOT_CMDLINE_MAX - 1;
	if (strlen(cmdline) > cmdline_max)
		die("the command line is %zu bytes, the kernel takes %llu: \"%s\"",
		    strlen(cmdline), (unsigned long long)cmdline_max, cmdline);
	strcpy(gpa_to_hva(vm, BOOT_CMDLINE, strlen(cmdline) + 1), cmdline);
	debug(vm, "linux: boot protocol %u.%02u, kernel %llu KiB at %#llx, needs up to %#llx; command line \"%s\"",
	      version >> 8, version & 0xff, (unsigned long long)pm_size / 1024,
	      KERNEL_LOAD, (unsigned long long)kernel_end, cmdline);
	if (initrd_size)
		debug(vm, "linux: initrd %zu KiB at %#llx", initrd_size / 1024,
		      (unsigned long long)initrd_addr);
	free(cmdline);

	/* The zero page: the kernel's own setup header, then what we know. */
	bp = gpa_to_hva(vm, ZERO_PAGE, 4096);
	memset(bp, 0, 4096);
	hdr_end = 0x202 + image[HDR_JUMP_END];
	if (hdr_end > 0x1000)
		hdr_end = 0x1000;
	memcpy(bp + BP_HDR, image + BP_HDR, hdr_end - BP_HDR);
	put16(bp, HDR_VID_MODE, 0xffff);		/* "normal" */
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	bp[HDR_LOADFLAGS] = (bp[HDR_LOADFLAGS] | LOADED_HIGH | CAN_USE_HEAP) & ~QUIET_FLAG;
	put16(bp, HDR_HEAP_END_PTR, 0xfe00);
	put32(bp, HDR_CODE32_START, KERNEL_LOAD);
	put32(bp, HDR_CMD_LINE_PTR, (uint32_t)BOOT_CMDLINE);
	put32(bp, BP_EXT_CMD_LINE_PTR, 0);
	put32(bp, HDR_RAMDISK_IMAGE, (uint32_t)initrd_addr);
	put32(bp, HDR_RAMDISK_SIZE, (uint32_t)initrd_size);
	put32(bp, BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_addr >> 32));
	put32(bp, BP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)initrd_size >> 32));
	for (i = 0; i < vm->e820_n && i < BP_E820_MAX; i++) {
		uint8_t *e = bp + BP_E820_TABLE + 20 * i;

		put64(e, 0, vm->e820[i].addr);
		put64(e, 8, vm->e820[i].size);
		put32(e, 16, vm->e820[i].type);
	}
	bp[BP_E820_ENTRIES] = (uint8_t)i;

	setup_page_tables(vm);
	setup_gdt(vm);
	set_long_mode(st, KERNEL_LOAD + ENTRY_64, ZERO_PAGE);
	return 0;
}
