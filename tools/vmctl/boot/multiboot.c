// SPDX-License-Identifier: GPL-2.0
/*
 * Boots a Multiboot (version 0.6.96, "multiboot v1") kernel: finds the
 * header in the first 8 KiB of the image, loads the kernel per the header's
 * address fields (flag 16, the "a.out kludge") or per its ELF32 program
 * headers, builds the boot information structure (memory sizes, the e820
 * memory map, the command line, --initrd as module 1, the loader's name)
 * and enters the kernel in 32-bit protected mode without paging, EAX =
 * 0x2BADB002 and EBX = the information structure, as the specification's
 * "Machine state" section says. Like QEMU, the command line passed is the
 * kernel's path followed by --cmdline, and module 1's string is its path.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "vm.h"

#define MB_SEARCH		8192
#define MB_HEADER_MAGIC		0x1badb002u
#define MB_BOOT_MAGIC		0x2badb002u

/* Header flags: bits 0-15 must all be understood, 16-31 are optional. */
#define MB_PAGE_ALIGN		(1u << 0)
#define MB_MEMORY_INFO		(1u << 1)
#define MB_VIDEO_MODE		(1u << 2)
#define MB_AOUT_KLUDGE		(1u << 16)
#define MB_KNOWN_REQUIRED	(MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE)

/* Information structure flags. */
#define MBI_MEM			(1u << 0)
#define MBI_CMDLINE		(1u << 2)
#define MBI_MODS		(1u << 3)
#define MBI_MMAP		(1u << 6)
#define MBI_LOADER_NAME		(1u << 9)

/*
 * The loader's own data: a GDT page, then the information structure, the
 * memory map, the module list and strings. At MB_DATA in low memory, or,
 * where the kernel loads there, in the first page above the kernel and
 * its module.
 */
#define MB_DATA			0x1000u
#define MB_GDT_SIZE		0x1000u
#define MB_DATA_SIZE		0xf000u

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

static const struct mb_header *find_header(const uint8_t *image, size_t size,
					   size_t *offset)
{
	size_t off, end = size < MB_SEARCH ? size : MB_SEARCH;

	for (off = 0; off + 12 <= end; off += 4) {
		const struct mb_header *h = (const void *)(image + off);

		if (h->magic == MB_HEADER_MAGIC &&
		    h->magic + h->flags + h->checksum == 0) {
			*offset = off;
			return h;
		}
	}
	return NULL;
}

bool multiboot_detect(const uint8_t *image, size_t size)
{
	size_t off;

	return find_header(image, size, &off) != NULL;
}

/* The loaded kernel's extent, for placing modules above it. */
struct extent {
	uint64_t lo, hi;
};

static void load_range(struct vm *vm, struct extent *ext, uint64_t gpa,
		       const uint8_t *src, uint64_t filesz, uint64_t memsz)
{
	uint8_t *dst;

	if (gpa + memsz < gpa || (gpa + memsz <= vm->low_size &&
				  !mem_is_ram(vm, gpa, memsz)))
		die("%s: multiboot: the kernel loads at %#llx-%#llx, which is not RAM (RAM: 0-%#llx and 1 MiB-%#llx)",
		    vm->opt.kernel, (unsigned long long)gpa,
		    (unsigned long long)(gpa + memsz),
		    (unsigned long long)LOW_RAM_END,
		    (unsigned long long)vm->low_size);
	dst = gpa_to_hva(vm, gpa, memsz);
	if (!dst)
		die("too little memory: the kernel loads at %#llx-%#llx, --mem gives %llu MiB",
		    (unsigned long long)gpa, (unsigned long long)(gpa + memsz),
		    (unsigned long long)vm->ram_size / MiB);
	memcpy(dst, src, filesz);
	memset(dst + filesz, 0, memsz - filesz);
	if (gpa < ext->lo)
		ext->lo = gpa;
	if (gpa + memsz > ext->hi)
		ext->hi = gpa + memsz;
}

static uint32_t load_aout_kludge(struct vm *vm, const uint8_t *image,
				 size_t size, const struct mb_header *h,
				 size_t hdr_off, struct extent *ext)
{
	uint64_t file_off, load_end, bss_end, filesz;

	if (h->header_addr < h->load_addr ||
	    h->header_addr - h->load_addr > hdr_off)
		die("%s: multiboot: header_addr %#x and load_addr %#x do not fit the file",
		    vm->opt.kernel, h->header_addr, h->load_addr);
	file_off = hdr_off - (h->header_addr - h->load_addr);
	load_end = h->load_end_addr ? h->load_end_addr : h->load_addr + (size - file_off);
	if (load_end < h->load_addr || load_end - h->load_addr > size - file_off)
		die("%s: multiboot: load_end_addr %#llx is past the end of the file",
		    vm->opt.kernel, (unsigned long long)load_end);
	filesz = load_end - h->load_addr;
	bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (bss_end < load_end)
		die("%s: multiboot: bss_end_addr %#x is below load_end_addr",
		    vm->opt.kernel, h->bss_end_addr);
	load_range(vm, ext, h->load_addr, image + file_off, filesz,
		   bss_end - h->load_addr);
	return h->entry_addr;
}

static uint32_t load_elf32(struct vm *vm, const uint8_t *image, size_t size,
			   struct extent *ext)
{
	const Elf32_Ehdr *eh = (const void *)image;
	uint32_t entry = eh->e_entry;
	bool entry_found = false;
	unsigned int i;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		die("%s: multiboot: not an ELF file, and no address fields (flag 16) in the header",
		    vm->opt.kernel);
	if (eh->e_ident[EI_CLASS] != ELFCLASS32)
		die("%s: multiboot: a 64-bit ELF kernel; multiboot v1 boots 32-bit ELF (or uses header flag 16)",
		    vm->opt.kernel);
	if (eh->e_machine != EM_386 || eh->e_type != ET_EXEC)
		die("%s: multiboot: not an i386 executable ELF file", vm->opt.kernel);
	if (eh->e_phoff > size || eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf32_Phdr))
		die("%s: multiboot: program headers past the end of the file", vm->opt.kernel);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf32_Phdr *ph = (const void *)(image + eh->e_phoff + i * sizeof(*ph));

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset ||
		    ph->p_filesz > ph->p_memsz)
			die("%s: multiboot: segment %u is past the end of the file",
			    vm->opt.kernel, i);
		load_range(vm, ext, ph->p_paddr, image + ph->p_offset,
			   ph->p_filesz, ph->p_memsz);
		/* The entry point is virtual: find its physical address. */
		if (!entry_found && eh->e_entry >= ph->p_vaddr &&
		    eh->e_entry - ph->p_vaddr < ph->p_memsz) {
			entry = ph->p_paddr + (eh->e_entry - ph->p_vaddr);
			entry_found = true;
		}
	}
	if (ext->hi == 0)
		die("%s: multiboot: no loadable segment", vm->opt.kernel);
	return entry;
}

/* Copies a string into the info area, which ends at end; its address. */
static uint32_t put_string(struct vm *vm, uint32_t *next, uint32_t end,
			   const char *s)
{
	size_t len = strlen(s) + 1;
	uint32_t at = *next;

	if (at + len > end)
		die("multiboot: the command line is too long (%zu bytes)", len);
	memcpy(gpa_to_hva(vm, at, len), s, len);
	*next = (uint32_t)(at + len + 3) & ~3u;
	return at;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void enter_protected_mode(struct vm *vm, struct boot_state *st,
				 uint32_t gdt_gpa, uint32_t entry, uint32_t info)
{
	uint64_t *gdt = gpa_to_hva(vm, gdt_gpa, 3 * 8);
	struct x86_segment data = {
		.limit = 0xffffffff, .selector = 0x10, .type = 3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct x86_sregs *s = &st->sregs;

	gdt[0] = 0;
	gdt[1] = 0x00cf9b000000ffffull;	/* 0x08: flat 32-bit code */
	gdt[2] = 0x00cf93000000ffffull;	/* 0x10: flat data */
	st->regs = (struct x86_regs){
		.rip = entry, .rax = MB_BOOT_MAGIC, .rbx = info, .rflags = 2,
	};
	memset(s, 0, sizeof(*s));
	s->cs = (struct x86_segment){
		.limit = 0xffffffff, .selector = 0x08, .type = 0xb,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->tr = (struct x86_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	s->ldt = (struct x86_segment){ .type = 2, .unusable = 1 };
	s->gdt = (struct x86_dtable){ .base = gdt_gpa, .limit = 3 * 8 - 1 };
	s->cr0 = 0x11;			/* ET, PE; paging off */
}

int boot_multiboot(struct vm *vm, const uint8_t *image, size_t size,
		   struct boot_state *st)
{
	size_t hdr_off;
	const struct mb_header *h = find_header(image, size, &hdr_off);
	struct extent ext = { .lo = ~0ull, .hi = 0 };
	uint32_t entry, data, next, end, info, mmap, mods = 0, cmd, name, flags;
	uint64_t mod_addr = 0;
	uint8_t *mod = NULL, *p;
	size_t mod_size = 0, cmdlen;
	char *cmdline;
	unsigned int i;

	if (h->flags & 0xffff & ~MB_KNOWN_REQUIRED)
		die("%s: multiboot: the header requires features vmctl does not know (flags %#x)",
		    vm->opt.kernel, h->flags);
	if (h->flags & MB_AOUT_KLUDGE) {
		if (hdr_off + sizeof(*h) > size)
			die("%s: multiboot: the header is cut off", vm->opt.kernel);
		entry = load_aout_kludge(vm, image, size, h, hdr_off, &ext);
	} else {
		entry = load_elf32(vm, image, size, &ext);
	}
	/* MB_VIDEO_MODE: there is no display; the info says no video either. */

	if (vm->opt.initrd) {
		if (read_file(vm->opt.initrd, &mod, &mod_size))
			exit(EXIT_VMCTL_ERROR);
		mod_addr = mem_find_ram(vm, ext.hi, mod_size);
		if (!mod_addr)
			die("too little memory: the kernel ends at %#llx, module 1 needs %zu KiB more, --mem gives %llu MiB",
			    (unsigned long long)ext.hi, (mod_size + 1023) / 1024,
			    (unsigned long long)vm->ram_size / MiB);
		memcpy(gpa_to_hva(vm, mod_addr, mod_size), mod, mod_size);
		free(mod);
	}

	data = MB_DATA;
	if (ext.lo < MB_DATA + MB_DATA_SIZE) {
		data = mem_find_ram(vm, mod_addr ? mod_addr + mod_size : ext.hi,
				    MB_DATA_SIZE);
		if (!data)
			die("too little memory: the kernel (%#llx-%#llx) and its module leave no room for the boot information (%u KiB)",
			    (unsigned long long)ext.lo, (unsigned long long)ext.hi,
			    MB_DATA_SIZE / 1024);
	}
	next = data + MB_GDT_SIZE;
	end = data + MB_DATA_SIZE;
	info = next;
	next += 128;				/* struct multiboot_info: 88+ bytes */
	mmap = next;
	for (i = 0; i < vm->e820_n; i++) {
		p = gpa_to_hva(vm, next, 24);
		put32(p, 20);			/* size, not counting itself */
		put64(p + 4, vm->e820[i].addr);
		put64(p + 12, vm->e820[i].size);
		put32(p + 20, vm->e820[i].type);
		next += 24;
	}
	cmdlen = strlen(vm->opt.kernel) + 2 + (vm->opt.cmdline ? strlen(vm->opt.cmdline) : 0);
	cmdline = malloc(cmdlen);
	if (!cmdline)
		die("out of memory");
	snprintf(cmdline, cmdlen, "%s%s%s", vm->opt.kernel,
		 vm->opt.cmdline ? " " : "", vm->opt.cmdline ? vm->opt.cmdline : "");
	cmd = put_string(vm, &next, end, cmdline);
	free(cmdline);
	name = put_string(vm, &next, end, "vmctl");
	if (vm->opt.initrd) {
		uint32_t str = put_string(vm, &next, end, vm->opt.initrd);

		mods = next;
		p = gpa_to_hva(vm, mods, 16);
		put32(p, (uint32_t)mod_addr);
		put32(p + 4, (uint32_t)(mod_addr + mod_size));
		put32(p + 8, str);
		put32(p + 12, 0);
		next += 16;
	}

	flags = MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER_NAME;
	p = gpa_to_hva(vm, info, 128);
	memset(p, 0, 128);
	put32(p + 0, flags);
	put32(p + 4, (uint32_t)(LOW_RAM_END / KiB));		/* mem_lower */
	put32(p + 8, (uint32_t)((vm->low_size - HIGH_RAM_START) / KiB)); /* mem_upper */
	put32(p + 16, cmd);
	put32(p + 20, vm->opt.initrd ? 1 : 0);			/* mods_count */
	put32(p + 24, mods);
	put32(p + 44, vm->e820_n * 24);				/* mmap_length */
	put32(p + 48, mmap);
	put32(p + 64, name);

	debug(vm, "multiboot: kernel at %#llx-%#llx, entry %#x, info at %#x%s",
	      (unsigned long long)ext.lo, (unsigned long long)ext.hi, entry, info,
	      vm->opt.initrd ? ", module 1 above the kernel" : "");
	enter_protected_mode(vm, st, data, entry, info);
	return 0;
}
