// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl: a small VMM for hvm. "vmctl run" boots a Linux bzImage or a
 * multiboot kernel on one vCPU with the legacy PC devices (8259A PIC pair,
 * 8254 PIT, 16550A UART on COM1, CMOS/RTC, i8042, QEMU's debug-exit port).
 *
 * This file: options, the machine's memory, and the event loops. vCPU 0
 * runs in the main thread; the loop handles each exit, delivers the PIC's
 * interrupts (HVM_INTERRUPT when the vCPU is ready for one, else an
 * interrupt-window request, as KVM's userspace irqchip does), and when the
 * guest halts it waits in poll() on stdin and a timerfd set to the PIT's
 * next interrupt. While the guest runs, a POSIX timer set to the same
 * deadline kicks the vCPU out (the signal ends HVM_RUN, and its handler
 * sets immediate_exit for a kick that comes just before the call).
 *
 * With an in-kernel local APIC (the default where the accelerator has
 * one) HLT sleeps in the kernel instead, and input on stdin kicks vCPU 0
 * too (SIGIO). --cpus N then starts vCPUs 1..N-1, one thread each, which
 * wait in the kernel for vCPU 0's INIT-SIPI; their exits take vm->lock,
 * as do the main loop's, around the devices.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "vmctl.h"
#include "term.h"

#define DEFAULT_MEM	(256 * MiB)
#define MIN_MEM		(2 * MiB)
#define KICK_SIGNAL	SIGALRM
#define AP_KICK_SIGNAL	SIGUSR2

static struct vm the_vm = { .lock = PTHREAD_MUTEX_INITIALIZER };
static volatile sig_atomic_t kicked, quit_signal;

/* ---- Utilities ---------------------------------------------------------- */

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void die(const char *fmt, ...)
{
	va_list ap;

	if (the_vm.com1)
		serial_flush(the_vm.com1);
	term_restore();
	fputs("vmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_VMCTL_ERROR);
}

void debug(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (!vm->opt.debug)
		return;
	fprintf(stderr, "vmctl: [%8.3f] ", (now_ns() - vm->start_ns) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(term_is_raw() ? "\r\n" : "\n", stderr);
}

void vm_stop(struct vm *vm, int status, const char *reason)
{
	if (vm->stop)
		return;
	vm->stop = true;
	vm->exit_status = status;
	vm->stop_reason = reason;
}

void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	return accel_gpa_to_hva(&vm->accel_vm, gpa, len);
}

int read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "vmctl: cannot read %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "vmctl: %s: not a regular file\n", path);
		close(fd);
		return -1;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		die("out of memory reading %s", path);
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "vmctl: cannot read %s: %s\n", path,
				n ? strerror(errno) : "file shrank");
			free(buf);
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = done;
	return 0;
}

void irq_line(struct vm *vm, unsigned int irq, int level)
{
	pic_set_irq(vm->pic, irq, level);
}

void irq_pulse(struct vm *vm, unsigned int irq)
{
	pic_set_irq(vm->pic, irq, 1);
	pic_set_irq(vm->pic, irq, 0);
}

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

/* ---- The machine -------------------------------------------------------- */

static void add_e820(struct vm *vm, uint64_t addr, uint64_t size, uint32_t type)
{
	vm->e820[vm->e820_n++] = (struct e820_entry){ addr, size, type };
}

static void setup_memory(struct vm *vm)
{
	uint64_t high;

	vm->ram_size = vm->opt.mem & ~0xfffull;
	vm->low_size = vm->ram_size < MAX_LOW_MEM ? vm->ram_size : MAX_LOW_MEM;
	high = vm->ram_size - vm->low_size;
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED)
		die("cannot allocate %llu MiB of guest memory: %s",
		    (unsigned long long)vm->ram_size / MiB, strerror(errno));
	/* Legacy video RAM and BIOS areas are RAM too, reserved in e820. */
	add_e820(vm, 0, LOW_RAM_END, E820_RAM);
	add_e820(vm, LOW_RAM_END, HIGH_RAM_START - LOW_RAM_END, E820_RESERVED);
	add_e820(vm, HIGH_RAM_START, vm->low_size - HIGH_RAM_START, E820_RAM);
	if (high)
		add_e820(vm, HIGH_MEM_START, high, E820_RAM);
}

static void create_vm(struct vm *vm)
{
	const struct accel_ops *ops = vm->opt.accel;
	const char *dev = accel_dev_path(ops);
	bool kvm = ops == &accel_kvm_ops;
	uint64_t high = vm->ram_size - vm->low_size;
	unsigned int i;
	int r;

	r = accel_open(&vm->accel, ops);
	if (!r) {
		r = accel_vm_create(&vm->accel, &vm->accel_vm);
		if (r)
			accel_close(&vm->accel);
	}
	if (r == -ENOENT || r == -ENODEV || r == -ENXIO)
		die("%s: %s: %s", dev, strerror(-r),
		    kvm ? "load kvm (modprobe kvm_amd or kvm_intel)" : "load hvm.ko (insmod hvm.ko)");
	if (r == -EBUSY)
		die("%s: busy: another hypervisor holds VMX/SVM (is %s loaded?)",
		    dev, kvm ? "hvm" : "kvm_amd or kvm_intel");
	if (r == -EPROTO)
		die("%s: not the %s ABI vmctl was built for (with immediate_exit)",
		    dev, accel_name(ops));
	if (r)
		die("%s: cannot create a VM: %s", dev, strerror(-r));
	r = accel_vm_set_memory(&vm->accel_vm, 0, 0, vm->low_size, vm->ram);
	if (!r && high)
		r = accel_vm_set_memory(&vm->accel_vm, 1, HIGH_MEM_START, high,
					vm->ram + vm->low_size);
	if (r)
		die("cannot give the VM %llu MiB of memory: %s",
		    (unsigned long long)vm->ram_size / MiB, strerror(-r));
	r = accel_vm_create_lapic(&vm->accel_vm);
	if (r && r != -EOPNOTSUPP)
		die("%s: cannot create the in-kernel local APIC: %s", dev,
		    strerror(-r));
	vm->lapic = !r;
	if (!vm->lapic && vm->opt.cpus > 1)
		die("--cpus %u: %s has no in-kernel local APIC, and more than one vCPU needs one",
		    vm->opt.cpus, dev);
	vm->nr_vcpus = vm->opt.cpus;
	for (i = 0; i < vm->nr_vcpus; i++) {
		r = accel_vcpu_create(&vm->accel_vm, i, &vm->vcpus[i]);
		if (r)
			die("cannot create vCPU %u: %s", i, strerror(-r));
		r = cpuid_setup(vm, vm->vcpus[i], i);
		if (r)
			die("cannot set vCPU %u's CPUID: %s", i, strerror(-r));
	}
	vm->vcpu = vm->vcpus[0];
}

/* vCPU 0 starts where the boot loader says; the others wait for its SIPI. */
static void set_boot_state(struct vm *vm, const struct boot_state *st)
{
	struct x86_sregs sregs = st->sregs;
	int r;

	/* The local APIC as at reset: enabled, at 0xfee00000, the BSP's. */
	sregs.apic_base = 0xfee00000 | (1u << 11) | (1u << 8);
	r = accel_vcpu_set_sregs(vm->vcpu, &sregs);
	if (!r)
		r = accel_vcpu_set_regs(vm->vcpu, &st->regs);
	if (r)
		die("cannot set the vCPU's boot state: %s", strerror(-r));
	if (vm->lapic)
		mptable_setup(vm);
}

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

/* ---- The event loop ----------------------------------------------------- */

static void on_kick(int sig)
{
	(void)sig;
	kicked = 1;
	if (the_vm.vcpu)
		accel_vcpu_kick(the_vm.vcpu);
}

static void on_quit(int sig)
{
	quit_signal = sig;
	on_kick(sig);
}

/* The vCPU an AP thread runs, for its kick handler. */
static __thread struct accel_vcpu *ap_vcpu;

static void on_ap_kick(int sig)
{
	(void)sig;
	if (ap_vcpu)
		accel_vcpu_kick(ap_vcpu);
}

static timer_t kick_timer;

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_kick };
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL, .sigev_signo = KICK_SIGNAL,
	};

	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);
	/* vCPU 0 may sleep in the kernel's HLT: console input wakes it. */
	sigaction(SIGIO, &sa, NULL);
	if (the_vm.lapic && term_fd() >= 0 &&
	    fcntl(term_fd(), F_SETOWN, getpid()) == 0)
		fcntl(term_fd(), F_SETFL, fcntl(term_fd(), F_GETFL) | O_ASYNC);
	sa.sa_handler = on_ap_kick;
	sigaction(AP_KICK_SIGNAL, &sa, NULL);
	sa.sa_handler = on_quit;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (timer_create(CLOCK_MONOTONIC, &sev, &kick_timer))
		die("timer_create: %s", strerror(errno));
}

static void set_abs_timer(struct itimerspec *its, uint64_t deadline)
{
	memset(its, 0, sizeof(*its));
	its->it_value.tv_sec = (time_t)(deadline / 1000000000ull);
	its->it_value.tv_nsec = (long)(deadline % 1000000000ull);
}

static void arm_kick(uint64_t deadline)
{
	static uint64_t armed;
	struct itimerspec its;

	if (deadline == armed)
		return;
	armed = deadline;
	set_abs_timer(&its, deadline);	/* 0: disarm */
	timer_settime(kick_timer, TIMER_ABSTIME, &its, NULL);
}

/* Reads no more than the UART's FIFO takes: the rest waits in stdin. */
static void read_console_input(struct vm *vm)
{
	uint8_t buf[16];
	size_t room = serial_rx_room(vm->com1), n;

	if (!room)
		return;
	n = term_read(vm, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n)
		serial_receive(vm->com1, buf, n);
}

/* Polls stdin without waiting: for input that came while the guest ran. */
static void poll_console_input(struct vm *vm)
{
	struct pollfd pfd = { .fd = term_fd(), .events = POLLIN };

	if (pfd.fd >= 0 && serial_rx_room(vm->com1) && poll(&pfd, 1, 0) > 0)
		read_console_input(vm);
}

static void deliver_interrupts(struct vm *vm)
{
	int r;

	if (!pic_pending(vm->pic)) {
		accel_vcpu_request_window(vm->vcpu, false);
		return;
	}
	if (!accel_vcpu_interrupt_ready(vm->vcpu)) {
		accel_vcpu_request_window(vm->vcpu, true);
		return;
	}
	r = accel_vcpu_interrupt(vm->vcpu, pic_ack(vm->pic));
	if (r)
		die("cannot inject an interrupt: %s", strerror(-r));
	accel_vcpu_request_window(vm->vcpu, false);
}

/*
 * HLT: the vCPU waits for an interrupt. Sleep in poll() until the PIT's
 * next interrupt (timerfd) or console input, then go back to the loop,
 * which injects it.
 */
static void wait_for_interrupt(struct vm *vm, int timer_fd, bool if_flag)
{
	struct pollfd pfd[2];
	struct itimerspec its;
	uint64_t deadline, expirations;

	if (!if_flag) {
		vm_stop(vm, 0, "the guest halted with interrupts off");
		return;
	}
	serial_flush(vm->com1);
	for (;;) {
		pit_update(vm->pit, now_ns());
		if (pic_pending(vm->pic) || vm->stop || quit_signal)
			return;
		deadline = pit_deadline(vm->pit);
		set_abs_timer(&its, deadline);
		timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
		pfd[0] = (struct pollfd){ .fd = timer_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){
			.fd = serial_rx_room(vm->com1) ? term_fd() : -1,
			.events = POLLIN,
		};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (pfd[0].revents & POLLIN)
			(void)!read(timer_fd, &expirations, sizeof(expirations));
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			read_console_input(vm);
	}
}

/* The vCPU's registers on stderr: what a crash of the guest left. */
static void dump_state(struct accel_vcpu *vcpu)
{
	struct x86_regs r;
	struct x86_sregs s;

	if (accel_vcpu_get_regs(vcpu, &r) || accel_vcpu_get_sregs(vcpu, &s))
		return;
	fprintf(stderr,
		"vmctl: rip %#llx rsp %#llx rflags %#llx rax %#llx rbx %#llx rcx %#llx rdx %#llx\n"
		"vmctl: rsi %#llx rdi %#llx rbp %#llx cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx\n"
		"vmctl: cs %#x ss %#x idt %#llx+%#x gdt %#llx+%#x gs.base %#llx\n",
		(unsigned long long)r.rip, (unsigned long long)r.rsp,
		(unsigned long long)r.rflags, (unsigned long long)r.rax,
		(unsigned long long)r.rbx, (unsigned long long)r.rcx,
		(unsigned long long)r.rdx, (unsigned long long)r.rsi,
		(unsigned long long)r.rdi, (unsigned long long)r.rbp,
		(unsigned long long)s.cr0, (unsigned long long)s.cr2,
		(unsigned long long)s.cr3, (unsigned long long)s.cr4,
		(unsigned long long)s.efer, s.cs.selector, s.ss.selector,
		(unsigned long long)s.idt.base, s.idt.limit,
		(unsigned long long)s.gdt.base, s.gdt.limit,
		(unsigned long long)s.gs.base);
}

static void run_loop(struct vm *vm)
{
	struct accel_exit exit;
	int timer_fd, r;

	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (timer_fd < 0)
		die("timerfd_create: %s", strerror(errno));
	pthread_mutex_lock(&vm->lock);
	while (!vm->stop) {
		if (quit_signal) {
			vm_stop(vm, 128 + quit_signal, "vmctl got a signal");
			break;
		}
		pit_update(vm->pit, now_ns());
		if (kicked) {
			kicked = 0;
			vm->console_input_wanted = false;
			poll_console_input(vm);
			serial_flush(vm->com1);
		} else if (vm->console_input_wanted) {
			vm->console_input_wanted = false;
			poll_console_input(vm);
		}
		deliver_interrupts(vm);
		arm_kick(pit_deadline(vm->pit));

		pthread_mutex_unlock(&vm->lock);
		r = accel_vcpu_run(vm->vcpu, &exit);
		pthread_mutex_lock(&vm->lock);
		if (r)
			die("running the vCPU: %s", strerror(-r));
		switch (exit.reason) {
		case ACCEL_EXIT_IO:
			ioport_access(vm, exit.io.port, exit.io.size, exit.io.out,
				      exit.io.data, exit.io.count);
			break;
		case ACCEL_EXIT_MMIO:
			mmio_access(vm, exit.mmio.addr, exit.mmio.len,
				    exit.mmio.write, exit.mmio.data);
			break;
		case ACCEL_EXIT_HLT:
			wait_for_interrupt(vm, timer_fd, exit.if_flag);
			break;
		case ACCEL_EXIT_IRQ_WINDOW:
		case ACCEL_EXIT_INTR:
			break;		/* the top of the loop injects */
		case ACCEL_EXIT_HYPERCALL:
			debug(vm, "hypercall %llu: no such hypercall",
			      (unsigned long long)exit.hypercall.nr);
			*exit.hypercall.ret = (uint64_t)-1000;	/* -KVM_ENOSYS */
			break;
		case ACCEL_EXIT_SHUTDOWN:
			dump_state(vm->vcpu);
			vm_stop(vm, 0, "the guest reset the machine (triple fault)");
			break;
		default:
			serial_flush(vm->com1);
			term_restore();
			fprintf(stderr, "vmctl: the vCPU stopped: %s (exit code %#llx)\n",
				exit.detail[0] ? exit.detail : "unexpected exit",
				(unsigned long long)exit.hw_reason);
			dump_state(vm->vcpu);
			vm_stop(vm, EXIT_VMCTL_ERROR, "vCPU error");
			break;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	arm_kick(0);
	close(timer_fd);
}

/*
 * The loop of vCPUs 1..N-1: their exits are port and MMIO accesses (under
 * vm->lock, like vCPU 0's), the PIC's interrupts go to vCPU 0 only, and
 * HLT with interrupts off parks the thread until the VM stops.
 */
static void *ap_loop(void *arg)
{
	struct vm *vm = &the_vm;
	struct accel_vcpu *vcpu = arg;
	struct accel_exit exit;
	sigset_t set;
	int r;

	ap_vcpu = vcpu;
	/* Process-wide signals are vCPU 0's; this thread takes its kick. */
	sigemptyset(&set);
	sigaddset(&set, AP_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (!__atomic_load_n(&vm->stop, __ATOMIC_RELAXED)) {
		r = accel_vcpu_run(vcpu, &exit);
		pthread_mutex_lock(&vm->lock);
		if (r) {
			vm_stop(vm, EXIT_VMCTL_ERROR, "running a vCPU failed");
		} else if (exit.reason == ACCEL_EXIT_IO) {
			ioport_access(vm, exit.io.port, exit.io.size, exit.io.out,
				      exit.io.data, exit.io.count);
		} else if (exit.reason == ACCEL_EXIT_MMIO) {
			mmio_access(vm, exit.mmio.addr, exit.mmio.len,
				    exit.mmio.write, exit.mmio.data);
		} else if (exit.reason == ACCEL_EXIT_HLT) {
			pthread_mutex_unlock(&vm->lock);
			while (!__atomic_load_n(&vm->stop, __ATOMIC_RELAXED))
				pause();
			pthread_mutex_lock(&vm->lock);
		} else if (exit.reason == ACCEL_EXIT_HYPERCALL) {
			*exit.hypercall.ret = (uint64_t)-1000;	/* -KVM_ENOSYS */
		} else if (exit.reason == ACCEL_EXIT_SHUTDOWN) {
			dump_state(vcpu);
			vm_stop(vm, 0, "the guest reset the machine (triple fault)");
		} else if (exit.reason != ACCEL_EXIT_INTR &&
			   exit.reason != ACCEL_EXIT_IRQ_WINDOW) {
			fprintf(stderr, "vmctl: a vCPU stopped: %s (exit code %#llx)\n",
				exit.detail[0] ? exit.detail : "unexpected exit",
				(unsigned long long)exit.hw_reason);
			vm_stop(vm, EXIT_VMCTL_ERROR, "vCPU error");
		}
		/* What this exit did for vCPU 0 (an interrupt, the end) is its to see. */
		if (vm->stop || pic_pending(vm->pic))
			pthread_kill(vm->main_thread, KICK_SIGNAL);
		pthread_mutex_unlock(&vm->lock);
	}
	return NULL;
}

static void start_aps(struct vm *vm)
{
	sigset_t set, old;
	unsigned int i;
	int r;

	vm->main_thread = pthread_self();
	/* The threads start with these blocked: process signals go to vCPU 0. */
	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	sigaddset(&set, SIGIO);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, AP_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (i = 1; i < vm->nr_vcpus; i++) {
		r = pthread_create(&vm->ap_threads[i], NULL, ap_loop, vm->vcpus[i]);
		if (r)
			die("cannot start the thread of vCPU %u: %s", i, strerror(r));
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void stop_aps(struct vm *vm)
{
	unsigned int i;

	pthread_mutex_lock(&vm->lock);
	vm->stop = true;
	pthread_mutex_unlock(&vm->lock);
	for (i = 1; i < vm->nr_vcpus; i++) {
		accel_vcpu_kick(vm->vcpus[i]);
		pthread_kill(vm->ap_threads[i], AP_KICK_SIGNAL);
		pthread_join(vm->ap_threads[i], NULL);
	}
}

/* ---- main --------------------------------------------------------------- */

static int cmd_run(int argc, char **argv)
{
	struct vm *vm = &the_vm;
	struct boot_state st;
	bool is_linux;
	unsigned int i;
	uint8_t *image;
	size_t size;
	uint64_t end;

	vm->start_ns = now_ns();
	parse_run_options(argc, argv, &vm->opt);
	if (read_file(vm->opt.kernel, &image, &size))
		return EXIT_VMCTL_ERROR;

	setup_memory(vm);
	/* A bzImage's setup code is no multiboot kernel: check it first. */
	is_linux = linux_detect(image, size);
	if (!is_linux && !multiboot_detect(image, size))
		die("%s: not a kernel vmctl can boot (neither a Linux bzImage nor a multiboot kernel)",
		    vm->opt.kernel);
	create_vm(vm);		/* the boot loaders want to know vm->lapic */
	if (is_linux)
		boot_linux(vm, image, size, &st);
	else
		boot_multiboot(vm, image, size, &st);
	free(image);

	vm->console_fd = STDOUT_FILENO;
	if (vm->opt.console) {
		vm->console_fd = open(vm->opt.console,
				      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (vm->console_fd < 0)
			die("cannot write the console to %s: %s", vm->opt.console,
			    strerror(errno));
	}
	create_devices(vm);
	set_boot_state(vm, &st);
	setup_signals();
	term_init();

	start_aps(vm);
	run_loop(vm);
	stop_aps(vm);

	end = now_ns();
	serial_flush(vm->com1);
	term_restore();
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
	ioport_report(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		accel_vcpu_destroy(vm->vcpus[i]);
	accel_vm_destroy(&vm->accel_vm);
	accel_close(&vm->accel);
	return vm->exit_status;
}

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
