// SPDX-License-Identifier: GPL-2.0
/*
 * mbtest: checks what a multiboot loader hands over (the machine state and
 * the information structure, per the Multiboot 0.6.96 specification),
 * prints it on COM1, and returns MBTEST_PASS or MBTEST_FAIL for the
 * debug-exit port (exit status 33 or 35). Prints "multiboot ok" last when
 * every check passed. With "mbtest.module" on its command line it also
 * wants module 1, holding the text MODULE_TEXT; with "mbtest.xcr0" it also
 * checks that the XCR0 it sets survives an exit to the VMM; with
 * "mbtest.cpuid" it checks a few bits of the CPUID vmctl's policy sets
 * (docs/cpuid.md): the hypervisor bit and leaf, and no protection keys
 * (PKU, OSPKE, PKS), whatever the host has. Then, instead of reporting,
 * it can end the machine the other ways vmctl must notice (exit status 0):
 * "mbtest.reset" (i8042 command 0xFE), "mbtest.halt" (HLT with interrupts
 * off), "mbtest.triple-fault" (an exception with an empty IDT).
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define MBTEST_PASS	0x10
#define MBTEST_FAIL	0x11
#define MB_BOOT_MAGIC	0x2badb002u
#define MODULE_TEXT	"hvm mbtest module\n"

#define MBI_MEM		(1u << 0)
#define MBI_CMDLINE	(1u << 2)
#define MBI_MODS	(1u << 3)
#define MBI_MMAP	(1u << 6)
#define MBI_LOADER_NAME	(1u << 9)

#define COM1		0x3f8
#define LSR_THRE	0x20

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
	u32 mods_count, mods_addr, syms[4];
	u32 mmap_length, mmap_addr, drives_length, drives_addr;
	u32 config_table, boot_loader_name;
};

struct mb_module {
	u32 start, end, string, reserved;
};

struct mb_mmap {
	u32 size;
	u64 addr, len;
	u32 type;
} __attribute__((packed));

u32 mbtest_main(u32 magic, const struct mb_info *mbi);

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc(char c)
{
	while (!(inb(COM1 + 5) & LSR_THRE))
		;
	outb(COM1, (u8)c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void puthex(u64 v)
{
	int i, started = 0;

	puts("0x");
	for (i = 60; i >= 0; i -= 4) {
		int d = (int)((v >> i) & 0xf);

		if (d || started || i == 0) {
			putc("0123456789abcdef"[d]);
			started = 1;
		}
	}
}

static void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static int has_token(const char *s, const char *tok)
{
	while (*s) {
		const char *a = s, *b = tok;

		while (*b && *a == *b)
			a++, b++;
		if (!*b && (*a == ' ' || !*a))
			return 1;
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return 0;
}

static int same(const u8 *a, const char *b, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (a[i] != (u8)b[i])
			return 0;
	return !b[len];
}

static u32 fail(const char *why)
{
	puts("mbtest: FAIL: ");
	puts(why);
	puts("\n");
	return MBTEST_FAIL;
}

u32 mbtest_main(u32 magic, const struct mb_info *mbi)
{
	const char *cmdline = "";
	u32 cr0, off;
	u64 ram_above_1m = 0;

	puts("mbtest: started\n");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	if (!(cr0 & 1) || (cr0 & 0x80000000u))
		return fail("not in protected mode without paging");
	if (magic != MB_BOOT_MAGIC)
		return fail("EAX is not 0x2BADB002");
	if ((mbi->flags & (MBI_MEM | MBI_MMAP)) != (MBI_MEM | MBI_MMAP))
		return fail("no memory information (flags 0 and 6)");
	puts("mbtest: mem_lower ");
	puthex(mbi->mem_lower);
	puts(" KiB, mem_upper ");
	puthex(mbi->mem_upper);
	puts(" KiB\n");
	if (mbi->mem_lower < 512 || mbi->mem_lower > 640 || mbi->mem_upper < 1024)
		return fail("implausible mem_lower or mem_upper");

	for (off = 0; off < mbi->mmap_length;) {
		const struct mb_mmap *e = (const void *)(mbi->mmap_addr + off);

		puts("mbtest: mmap ");
		puthex(e->addr);
		puts(" + ");
		puthex(e->len);
		puts(e->type == 1 ? " RAM\n" : " reserved\n");
		if (e->type == 1 && e->addr == 0x100000)
			ram_above_1m = e->len;
		off += e->size + 4;
	}
	if (ram_above_1m / 1024 != mbi->mem_upper)
		return fail("the memory map and mem_upper disagree");

	if (mbi->flags & MBI_CMDLINE) {
		cmdline = (const char *)mbi->cmdline;
		puts("mbtest: command line \"");
		puts(cmdline);
		puts("\"\n");
	}
	if (mbi->flags & MBI_LOADER_NAME) {
		puts("mbtest: loaded by ");
		puts((const char *)mbi->boot_loader_name);
		puts("\n");
	}
	if (has_token(cmdline, "mbtest.module")) {
		const struct mb_module *m = (const void *)mbi->mods_addr;

		if (!(mbi->flags & MBI_MODS) || mbi->mods_count != 1)
			return fail("expected one module");
		puts("mbtest: module 1 \"");
		puts((const char *)m->string);
		puts("\" at ");
		puthex(m->start);
		puts("\n");
		if (m->start & 0xfff)
			return fail("module 1 is not page aligned");
		if (!same((const u8 *)m->start, MODULE_TEXT, m->end - m->start))
			return fail("module 1 does not hold \"hvm mbtest module\"");
	}
	if (has_token(cmdline, "mbtest.xcr0")) {
		u32 cr4, lo, hi;

		/* CR4.OSFXSR and OSXSAVE, XCR0 = x87 | SSE, then an exit. */
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1u << 9) | (1u << 18)));
		__asm__ volatile("xsetbv" : : "a"(3), "d"(0), "c"(0));
		outb(0x80, 0);
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		puts("mbtest: XCR0 set to 0x3, after an exit it is ");
		puthex((u64)hi << 32 | lo);
		puts("\n");
		if (lo != 3 || hi)
			return fail("XCR0 changed across an exit");
	}
	if (has_token(cmdline, "mbtest.cpuid")) {
		u32 r[4], max;

		cpuid(0x40000000, 0, r);
		if (r[0] < 0x40000010 || !same((const u8 *)&r[1], "hvmh", 4) ||
		    !same((const u8 *)&r[2], "vmhv", 4) ||
		    !same((const u8 *)&r[3], "mhvm", 4))
			return fail("CPUID.40000000h is not vmctl's hvmhvmhvmhvm");
		cpuid(1, 0, r);
		if (!(r[2] & (1u << 31)))
			return fail("CPUID.1:ECX has no hypervisor bit");
		cpuid(0, 0, r);
		max = r[0];
		if (max >= 7) {
			cpuid(7, 0, r);
			puts("mbtest: CPUID.7.0: EBX ");
			puthex(r[1]);
			puts(" ECX ");
			puthex(r[2]);
			puts(" EDX ");
			puthex(r[3]);
			puts("\n");
			if (r[2] & (1u << 31))
				return fail("CPUID.7.0:ECX has PKS");
			if (r[2] & ((1u << 3) | (1u << 4)))
				return fail("CPUID.7.0:ECX has PKU or OSPKE");
		}
	}
	puts("multiboot ok\n");
	if (has_token(cmdline, "mbtest.reset")) {
		puts("mbtest: reset through the i8042\n");
		outb(0x64, 0xfe);
		return fail("still running after the reset");
	}
	if (has_token(cmdline, "mbtest.halt")) {
		puts("mbtest: HLT with interrupts off\n");
		__asm__ volatile("cli; hlt");
		return fail("still running after HLT");
	}
	if (has_token(cmdline, "mbtest.triple-fault")) {
		static const struct { u16 limit; u32 base; } __attribute__((packed)) idtr;

		puts("mbtest: INT3 with an empty IDT\n");
		__asm__ volatile("lidt %0; int3" : : "m"(idtr));
		return fail("still running after a triple fault");
	}
	return MBTEST_PASS;
}
