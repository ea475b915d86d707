// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl: a small VMM for hvm. "vmctl run" boots a Linux bzImage or a
 * multiboot kernel with the legacy PC devices (8259A PIC pair, 8254 PIT,
 * 16550A UART on COM1, CMOS/RTC, i8042, QEMU's debug-exit port).
 *
 * This file: the command line, and `run`: it sets the machine up from the
 * layers below (vm.c, memory.c; devices/; boot/), runs it (vcpu.c) and
 * reports how it ended. docs/architecture.md says which file owns what.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/boot.h"
#include "devices/devices.h"
#include "io.h"
#include "term.h"
#include "vcpu.h"
#include "vm.h"

#define DEFAULT_MEM	(256 * MiB)
#define MIN_MEM		(2 * MiB)

/* ---- Options ------------------------------------------------------------ */

static void usage(FILE *f)
{
	fputs(
"usage: vmctl run --kernel FILE [options]\n"
"       vmctl --help\n"
"\n"
"Boots a kernel in a virtual machine on hvm (/dev/hvm; or on kvm, to\n"
"compare): a Linux bzImage\n"
"(x86 64-bit boot protocol) or a multiboot (v1) kernel, with an 8259A PIC\n"
"pair, an 8254 PIT, a 16550A UART on COM1, CMOS/RTC, an i8042 and QEMU's\n"
"debug-exit port at 0xf4. The guest's console (COM1) is stdin and stdout.\n"
"\n"
"options of run:\n"
"  -k, --kernel FILE    the kernel: bzImage, or a multiboot ELF/a.out kernel\n"
"  -i, --initrd FILE    Linux: the initrd; multiboot: module 1\n"
"  -c, --cmdline TEXT   the kernel command line (Linux: default console=ttyS0;\n"
"                       vmctl adds \"noapic\" (\"noapic nolapic\" without an\n"
"                       in-kernel local APIC) unless TEXT has an apic\n"
"                       option, and tsc_early_khz=)\n"
"  -m, --mem SIZE       guest memory, with K, M or G (default 256M; MiB if\n"
"                       no suffix)\n"
"  -p, --cpus N         vCPUs (default 1, at most 16; more than 1 needs the\n"
"                       accelerator's in-kernel local APIC)\n"
"      --console FILE   write the guest's console to FILE, not stdout\n"
"      --accel NAME     hvm (default, /dev/hvm) or kvm (/dev/kvm): the same\n"
"                       machine and devices on either\n"
"      --mark TEXT      report when TEXT first shows on the guest's console\n"
"  -d, --debug          log unclaimed port and MMIO accesses, boot details,\n"
"                       CPUID feature registers (supported, given),\n"
"                       the busiest ports at exit\n"
"  -h, --help           this text\n"
"\n"
"On a terminal, Ctrl-a x ends vmctl; Ctrl-a Ctrl-a sends Ctrl-a.\n"
"\n"
"Exit status: 0 when the guest powers off or resets (i8042 reset, triple\n"
"fault, HLT with interrupts off); (value << 1) | 1 when it writes value to\n"
"port 0xf4; 1 when vmctl fails (a message says why); 2 for a usage error.\n"
"See vmctl(1).\n", f);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		goto bad;
	switch (*end) {
	case 'k': case 'K': v *= KiB; end++; break;
	case 'm': case 'M': case '\0': v *= MiB; if (*end) end++; break;
	case 'g': case 'G': v *= GiB; end++; break;
	default: goto bad;
	}
	if (*end == 'i' || *end == 'B')	/* accept KiB, MB and the like */
		end++;
	if (*end == 'B')
		end++;
	if (*end)
		goto bad;
	return v;
bad:
	fprintf(stderr, "vmctl: bad memory size \"%s\" (say e.g. 256M or 1G)\n", s);
	exit(EXIT_USAGE);
}

static void parse_run_options(int argc, char **argv, struct vm_options *o)
{
	enum { OPT_CONSOLE = 256, OPT_ACCEL, OPT_MARK };
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "append", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'p' },
		{ "console", required_argument, NULL, OPT_CONSOLE },
		{ "accel", required_argument, NULL, OPT_ACCEL },
		{ "mark", required_argument, NULL, OPT_MARK },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	long n;
	int c;

	o->mem = DEFAULT_MEM;
	o->cpus = 1;
	o->accel = &accel_hvm_ops;
	while ((c = getopt_long(argc, argv, "k:i:c:m:p:dh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'c': o->cmdline = optarg; break;
		case 'm': o->mem = parse_size(optarg); break;
		case 'p':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > MAX_VCPUS) {
				fprintf(stderr, "vmctl: bad --cpus \"%s\"\n", optarg);
				exit(EXIT_USAGE);
			}
			o->cpus = (unsigned int)n;
			break;
		case OPT_CONSOLE: o->console = optarg; break;
		case OPT_MARK:
			if (!*optarg) {
				fputs("vmctl: --mark needs a text\n", stderr);
				exit(EXIT_USAGE);
			}
			o->mark = optarg;
			break;
		case OPT_ACCEL:
			if (!strcmp(optarg, "hvm")) {
				o->accel = &accel_hvm_ops;
			} else if (!strcmp(optarg, "kvm")) {
				o->accel = &accel_kvm_ops;
			} else {
				fprintf(stderr, "vmctl: bad --accel \"%s\" (hvm or kvm)\n",
					optarg);
				exit(EXIT_USAGE);
			}
			break;
		case 'd': o->debug = true; break;
		case 'h': usage(stdout); exit(0);
		default:
			fputs("vmctl: see vmctl --help\n", stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmctl: unexpected argument \"%s\" (see vmctl --help)\n",
			argv[optind]);
		exit(EXIT_USAGE);
	}
	if (!o->kernel) {
		fputs("vmctl: run needs --kernel FILE (see vmctl --help)\n", stderr);
		exit(EXIT_USAGE);
	}
	if (o->mem < MIN_MEM)
		die("too little memory: --mem %llu KiB, vmctl needs at least %llu MiB",
		    (unsigned long long)(o->mem / KiB), MIN_MEM / MiB);
}

/* ---- run ---------------------------------------------------------------- */

static void create_devices(struct vm *vm)
{
	vm->pic = pic_create(vm);
	vm->pit = pit_create(vm);
	vm->com1 = serial_create(vm, 0x3f8, 4);
	i8042_create(vm);
	cmos_create(vm);
	debug_exit_create(vm);
	post_port_create(vm);
}

static void open_console(struct vm *vm)
{
	vm->console_fd = STDOUT_FILENO;
	if (!vm->opt.console)
		return;
	vm->console_fd = open(vm->opt.console,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (vm->console_fd < 0)
		die("cannot write the console to %s: %s", vm->opt.console,
		    strerror(errno));
}

static void report(struct vm *vm, uint64_t end)
{
	fprintf(stderr, "vmctl: %s: exit status %d\n", vm->stop_reason,
		vm->exit_status);
	if (vm->first_output_ns)
		fprintf(stderr, "vmctl: first console output after %llu ms, exit after %llu ms\n",
			(unsigned long long)(vm->first_output_ns - vm->start_ns) / 1000000,
			(unsigned long long)(end - vm->start_ns) / 1000000);
	else
		fprintf(stderr, "vmctl: no console output, exit after %llu ms\n",
			(unsigned long long)(end - vm->start_ns) / 1000000);
	if (vm->opt.mark && vm->mark_ns)
		fprintf(stderr, "vmctl: \"%s\" on the console after %llu ms\n",
			vm->opt.mark,
			(unsigned long long)(vm->mark_ns - vm->start_ns) / 1000000);
	else if (vm->opt.mark)
		fprintf(stderr, "vmctl: \"%s\" never came on the console\n",
			vm->opt.mark);
	pio_report(vm);
}

static int cmd_run(int argc, char **argv)
{
	static struct vm the_vm = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct vm *vm = &the_vm;
	struct boot_image image;
	struct boot_state st;
	uint64_t end;

	vm->start_ns = now_ns();
	parse_run_options(argc, argv, &vm->opt);
	boot_open(vm, &image);
	vm_setup_memory(vm);
	vm_create(vm);		/* the boot loaders want to know vm->lapic */
	boot_load(vm, &image, &st);
	open_console(vm);
	create_devices(vm);
	boot_set_state(vm, &st);
	term_init();

	vcpu_run_all(vm);

	end = now_ns();
	log_run_exit_hooks();	/* the guest's last output, the terminal back */
	report(vm, end);
	vm_destroy(vm);
	return vm->exit_status;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return EXIT_USAGE;
}
