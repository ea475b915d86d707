// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU loops and the exit dispatcher of vcpu.h.
 *
 * vCPU 0's loop handles each exit, delivers the PIC's interrupts
 * (accel_vcpu_interrupt when the vCPU is ready for one, else an
 * interrupt-window request, as KVM's userspace irqchip does), and when the
 * guest halts it waits in the event loop (loop.c) for the PIT's next
 * interrupt or console input. The event loop's timer, at the PIT's next
 * deadline, kicks the vCPU out while the guest runs.
 *
 * With in-kernel local APICs HLT sleeps in the kernel instead, and --cpus
 * N starts vCPUs 1..N-1, one thread each, which wait in the kernel for
 * vCPU 0's INIT-SIPI. Their exits take vm->lock, as vCPU 0's do, around
 * the devices; the PIC's interrupts go to vCPU 0 only.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "io.h"
#include "loop.h"
#include "term.h"
#include "vcpu.h"
#include "vm.h"

/* KVM's return value for an unknown hypercall: -KVM_ENOSYS. */
#define HYPERCALL_ENOSYS	((uint64_t)-1000)

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

enum vcpu_exit_result vcpu_handle_exit(struct vm *vm, struct accel_vcpu *vcpu,
				       unsigned int id, const struct accel_exit *exit)
{
	switch (exit->reason) {
	case ACCEL_EXIT_IO:
		pio_access(vm, exit->io.port, exit->io.size, exit->io.out,
			   exit->io.data, exit->io.count);
		return VCPU_CONTINUE;
	case ACCEL_EXIT_MMIO:
		mmio_access(vm, exit->mmio.addr, exit->mmio.len,
			    exit->mmio.write, exit->mmio.data);
		return VCPU_CONTINUE;
	case ACCEL_EXIT_HLT:
		return VCPU_HALTED;
	case ACCEL_EXIT_IRQ_WINDOW:
	case ACCEL_EXIT_INTR:
		return VCPU_CONTINUE;	/* vCPU 0's loop injects at its top */
	case ACCEL_EXIT_HYPERCALL:
		debug(vm, "vCPU %u: hypercall %llu: no such hypercall", id,
		      (unsigned long long)exit->hypercall.nr);
		*exit->hypercall.ret = HYPERCALL_ENOSYS;
		return VCPU_CONTINUE;
	case ACCEL_EXIT_SHUTDOWN:
		dump_state(vcpu);
		vm_stop(vm, 0, "the guest reset the machine (triple fault)");
		return VCPU_STOPPED;
	default:
		log_run_exit_hooks();
		warn("vCPU %u stopped: %s (exit code %#llx)", id,
		     exit->detail[0] ? exit->detail : "unexpected exit",
		     (unsigned long long)exit->hw_reason);
		dump_state(vcpu);
		vm_stop(vm, EXIT_VMCTL_ERROR, "vCPU error");
		return VCPU_STOPPED;
	}
}

/* ---- vCPU 0 ------------------------------------------------------------- */

/* Reads no more than the UART's FIFO takes: the rest waits in stdin. */
static void read_console_input(void *opaque)
{
	struct vm *vm = opaque;
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

static void pit_timer(void *opaque)
{
	struct vm *vm = opaque;

	pit_update(vm->pit, now_ns());
}

/*
 * HLT: the vCPU waits for an interrupt. Sleep in the event loop until the
 * PIT's next interrupt or console input, then go back to the loop, which
 * injects it.
 */
static void wait_for_interrupt(struct vm *vm, int console, bool if_flag)
{
	if (!if_flag) {
		vm_stop(vm, 0, "the guest halted with interrupts off");
		return;
	}
	serial_flush(vm->com1);
	for (;;) {
		pit_update(vm->pit, now_ns());
		if (pic_pending(vm->pic) || vm->stop || loop_quit_signal())
			return;
		loop_set_timer(pit_deadline(vm->pit), pit_timer, vm);
		loop_watch_fd(console, term_fd() >= 0 && serial_rx_room(vm->com1));
		loop_wait();
	}
}

static void run_vcpu0(struct vm *vm)
{
	int console = loop_add_fd(term_fd(), read_console_input, vm);
	struct accel_exit exit;
	int r;

	pthread_mutex_lock(&vm->lock);
	while (!vm->stop) {
		if (loop_quit_signal()) {
			vm_stop(vm, 128 + loop_quit_signal(), "vmctl got a signal");
			break;
		}
		pit_update(vm->pit, now_ns());
		if (loop_take_kick()) {
			vm->console_input_wanted = false;
			poll_console_input(vm);
			serial_flush(vm->com1);
		} else if (vm->console_input_wanted) {
			vm->console_input_wanted = false;
			poll_console_input(vm);
		}
		deliver_interrupts(vm);
		loop_set_timer(pit_deadline(vm->pit), pit_timer, vm);

		pthread_mutex_unlock(&vm->lock);
		r = accel_vcpu_run(vm->vcpu, &exit);
		pthread_mutex_lock(&vm->lock);
		if (r)
			die("running the vCPU: %s", strerror(-r));
		if (vcpu_handle_exit(vm, vm->vcpu, 0, &exit) == VCPU_HALTED)
			wait_for_interrupt(vm, console, exit.if_flag);
	}
	pthread_mutex_unlock(&vm->lock);
}

/* ---- vCPUs 1..N-1 ------------------------------------------------------- */

/* What an AP thread is given. */
static struct ap {
	struct vm *vm;
	unsigned int id;
} aps[MAX_VCPUS];

static bool stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stop, __ATOMIC_RELAXED);
}

/*
 * HLT with interrupts off (an offlined CPU) parks the thread until the VM
 * stops. What an exit did for vCPU 0 (an interrupt, the end) is its to see.
 */
static void *run_ap(void *arg)
{
	const struct ap *ap = arg;
	struct vm *vm = ap->vm;
	struct accel_vcpu *vcpu = vm->vcpus[ap->id];
	struct accel_exit exit;
	int r;

	loop_vcpu_thread(vcpu);
	while (!stopping(vm)) {
		r = accel_vcpu_run(vcpu, &exit);
		pthread_mutex_lock(&vm->lock);
		if (r) {
			vm_stop(vm, EXIT_VMCTL_ERROR, "running a vCPU failed");
		} else if (vcpu_handle_exit(vm, vcpu, ap->id, &exit) == VCPU_HALTED) {
			pthread_mutex_unlock(&vm->lock);
			while (!stopping(vm))
				pause();
			pthread_mutex_lock(&vm->lock);
		}
		if (vm->stop || pic_pending(vm->pic))
			loop_kick_main(vm);
		pthread_mutex_unlock(&vm->lock);
	}
	return NULL;
}

static void start_aps(struct vm *vm)
{
	unsigned int i;
	int r;

	for (i = 1; i < vm->nr_vcpus; i++) {
		aps[i] = (struct ap){ .vm = vm, .id = i };
		r = loop_start_thread(&vm->ap_threads[i], run_ap, &aps[i]);
		if (r)
			die("cannot start the thread of vCPU %u: %s", i, strerror(r));
	}
}

static void stop_aps(struct vm *vm)
{
	unsigned int i;

	pthread_mutex_lock(&vm->lock);
	vm->stop = true;
	pthread_mutex_unlock(&vm->lock);
	for (i = 1; i < vm->nr_vcpus; i++) {
		accel_vcpu_kick(vm->vcpus[i]);
		loop_kick_thread(vm->ap_threads[i]);
		pthread_join(vm->ap_threads[i], NULL);
	}
}

void vcpu_run_all(struct vm *vm)
{
	loop_init(vm);
	start_aps(vm);
	run_vcpu0(vm);
	stop_aps(vm);
	loop_fini();
}
