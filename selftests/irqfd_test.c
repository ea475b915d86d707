// SPDX-License-Identifier: GPL-2.0
/*
 * HVM_IRQFD (HVM_CAP_IRQFD): an eventfd bound to an MSI. The guest halts
 * with IF set until its handler has counted the interrupts it waits for,
 * while a second thread signals the eventfd, one signal per interrupt
 * (it waits for the guest's count to move before the next): the main
 * thread stays in one HVM_RUN all along. An update in place changes the
 * vector; a deassign stops delivery (the signal stays in the eventfd); a
 * count the eventfd holds when it is assigned is delivered. Bindings end
 * with the eventfd's last close (1024 new ones fit again after closing
 * 1024), with the VM, and with a process killed while a thread signals
 * and its vCPU halts: the objects count goes back to 0. Every bad argument
 * gets its errno.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>

#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define VEC_A		0x50
#define VEC_B		0x51
#define N_SIGNALS	10
#define STEP_TIMEOUT_MS	5000
#define MAX_IRQFDS	1024

#define MSI_ADDR(dest)	(0xfee00000u | (u32)(dest) << 12)

enum { CMD_NONE, CMD_WAIT, CMD_DRAIN };

static volatile u64 cmd, cmd_arg;
static volatile u64 count[2];		/* VEC_A, VEC_B */

static __guest_code void irq_handler(struct ex_regs *regs)
{
	count[regs->vector - VEC_A]++;
	apic_write(APIC_EOI, 0);
}

static __guest_code void guest_main(void)
{
	apic_write(APIC_SPIV, 0x1ff);
	for (;;) {
		switch (cmd) {
		case CMD_WAIT:	/* halt until cmd_arg interrupts in all */
			while (count[0] + count[1] < cmd_arg)
				asm volatile("sti; hlt; cli" ::: "memory");
			break;
		case CMD_DRAIN:
			asm volatile("sti; nop; nop; nop; nop; cli" ::: "memory");
			break;
		}
		GUEST_SYNC4(1, count[0], count[1], 0);
	}
}

static struct hvm_vm *vm;
static struct hvm_vcpu *vcpu;

static bool run_cmd(u64 c, u64 arg, struct ucall *uc)
{
	*guest_global_ptr(vm, cmd) = c;
	*guest_global_ptr(vm, cmd_arg) = arg;
	return vcpu_run_expect_sync4(vcpu, 1, uc);
}

static int irqfd(int vm_fd, int fd, u32 flags, u32 vector)
{
	struct hvm_irqfd a = {
		.fd = fd, .flags = flags,
		.msi = { .address_lo = MSI_ADDR(0), .data = vector },
	};

	return ioctl(vm_fd, HVM_IRQFD, &a) ? -errno : 0;
}

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* The signalling thread: n signals, each once the guest took the last. */
struct signaller {
	int efd;
	int n;
	u64 base;		/* the guest's total before the first */
	int sent;
	bool timed_out;
};

static u64 guest_total(void)
{
	volatile u64 *c = (volatile u64 *)guest_global_ptr(vm, count);

	return c[0] + c[1];
}

static void *signal_thread(void *arg)
{
	struct signaller *s = arg;
	u64 one = 1, start;
	int i;

	for (i = 0; i < s->n; i++) {
		if (write(s->efd, &one, 8) != 8)
			break;
		s->sent++;
		start = now_ms();
		while (guest_total() < s->base + i + 1) {
			if (now_ms() - start > STEP_TIMEOUT_MS) {
				s->timed_out = true;
				return NULL;
			}
			usleep(1000);
		}
	}
	return NULL;
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

/* The guest halts until n more interrupts came; a thread signals efd. */
static bool signal_while_halted(int efd, int n, struct ucall *uc,
				struct signaller *s)
{
	pthread_t thread;
	bool ok;

	*s = (struct signaller){ .efd = efd, .n = n, .base = guest_total() };
	TEST_ASSERT(!pthread_create(&thread, NULL, signal_thread, s), "pthread_create");
	ok = run_cmd(CMD_WAIT, s->base + n, uc);
	pthread_join(thread, NULL);
	return ok && !s->timed_out;
}

static void test_delivery(void)
{
	struct signaller s;
	struct ucall uc;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), r;
	u64 val = 0;
	bool ok;

	r = irqfd(vm->fd, efd, 0, VEC_A);
	ksft_test_result(r == 0, "assign an eventfd to an MSI, vector %#x (%s)",
			 VEC_A, strerror(-r));
	ok = signal_while_halted(efd, N_SIGNALS, &uc, &s);
	ksft_test_result(ok && uc.args[1] == N_SIGNALS && !uc.args[2],
			 "%d signals from another thread while the guest halts: %d interrupts at %#x (%d sent, took %llu + %llu%s)",
			 N_SIGNALS, N_SIGNALS, VEC_A, s.sent,
			 (unsigned long long)uc.args[1], (unsigned long long)uc.args[2],
			 s.timed_out ? ", timed out" : "");
	r = read(efd, &val, 8);
	ksft_test_result(r == -1 && errno == EAGAIN,
			 "the irqfd consumed the eventfd's count (read: %d, %s)",
			 r, r < 0 ? strerror(errno) : "a count was left");

	r = irqfd(vm->fd, efd, HVM_IRQFD_FLAG_UPDATE, VEC_B);
	ok = !r && signal_while_halted(efd, 3, &uc, &s);
	ksft_test_result(ok && uc.args[1] == N_SIGNALS && uc.args[2] == 3,
			 "an update in place moves it to %#x (update: %s; took %llu + %llu)",
			 VEC_B, strerror(-r), (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2]);

	r = irqfd(vm->fd, efd, HVM_IRQFD_FLAG_DEASSIGN, 0);
	val = 1;
	TEST_ASSERT(write(efd, &val, 8) == 8, "write eventfd");
	ok = !r && run_cmd(CMD_DRAIN, 0, &uc);
	val = 0;
	ok &= read(efd, &val, 8) == 8;
	ksft_test_result(ok && uc.args[1] == N_SIGNALS && uc.args[2] == 3 && val == 1,
			 "deassigned: a signal delivers nothing and stays in the eventfd (deassign: %s; took %llu + %llu; count %llu)",
			 strerror(-r), (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2], (unsigned long long)val);

	/* A count already there is delivered when the eventfd is assigned. */
	val = 1;
	TEST_ASSERT(write(efd, &val, 8) == 8, "write eventfd");
	r = irqfd(vm->fd, efd, 0, VEC_A);
	ok = !r && run_cmd(CMD_DRAIN, 0, &uc);
	ksft_test_result(ok && uc.args[1] == N_SIGNALS + 1 && uc.args[2] == 3,
			 "a count held before the assignment delivers once (assign: %s; took %llu + %llu)",
			 strerror(-r), (unsigned long long)uc.args[1],
			 (unsigned long long)uc.args[2]);
	close(efd);	/* the binding ends with it */
}

static void test_bad_args(void)
{
	struct hvm_irqfd a;
	struct hvm_vm *bare;
	int efd = eventfd(0, EFD_CLOEXEC), other = eventfd(0, EFD_CLOEXEC);
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int r, first;

#define BAD(what, expr, err)						\
	do {								\
		r = (expr);						\
		ksft_test_result(r == -(err), "%s: %s (got %s)", what,	\
				 strerror(err), r ? strerror(-r) : "0");	\
	} while (0)

	BAD("unknown flag", irqfd(vm->fd, efd, 1u << 2, VEC_A), EINVAL);
	BAD("deassign and update together",
	    irqfd(vm->fd, efd, HVM_IRQFD_FLAG_DEASSIGN | HVM_IRQFD_FLAG_UPDATE, VEC_A),
	    EINVAL);
	BAD("an MSI with delivery mode ExtINT", irqfd(vm->fd, efd, 0, 0x700 | VEC_A),
	    EINVAL);
	BAD("an MSI with a reserved data bit", irqfd(vm->fd, efd, 0, 1u << 16 | VEC_A),
	    EINVAL);
	a = (struct hvm_irqfd){ .fd = efd, .msi = { MSI_ADDR(0), 0, VEC_A, 0, {} } };
	a.reserved[1] = 1;
	BAD("reserved not 0", ioctl(vm->fd, HVM_IRQFD, &a) ? -errno : 0, EINVAL);
	a.reserved[1] = 0;
	a.msi.flags = 1;
	BAD("msi.flags not 0", ioctl(vm->fd, HVM_IRQFD, &a) ? -errno : 0, EINVAL);
	a.msi.flags = 0;
	a.msi.address_lo = 0xfed00000u;
	BAD("an MSI address outside 0xfee00000-0xfeefffff",
	    ioctl(vm->fd, HVM_IRQFD, &a) ? -errno : 0, EINVAL);
	BAD("fd -1", irqfd(vm->fd, -1, 0, VEC_A), EBADF);
	BAD("an fd that is not open", irqfd(vm->fd, 999999, 0, VEC_A), EBADF);
	BAD("an fd that is not an eventfd (/dev/null)",
	    irqfd(vm->fd, devnull, 0, VEC_A), EINVAL);
	BAD("an fd that is not an eventfd (the VM's)",
	    irqfd(vm->fd, vm->fd, 0, VEC_A), EINVAL);
	BAD("deassign of an eventfd not bound",
	    irqfd(vm->fd, other, HVM_IRQFD_FLAG_DEASSIGN, 0), ENOENT);
	BAD("update of an eventfd not bound",
	    irqfd(vm->fd, other, HVM_IRQFD_FLAG_UPDATE, VEC_A), ENOENT);
	BAD("deassign of a non-eventfd", irqfd(vm->fd, devnull, HVM_IRQFD_FLAG_DEASSIGN, 0),
	    EINVAL);
	first = irqfd(vm->fd, efd, 0, VEC_A);
	BAD("the same eventfd twice", irqfd(vm->fd, efd, 0, VEC_B), EBUSY);
	r = irqfd(vm->fd, efd, HVM_IRQFD_FLAG_DEASSIGN, 0);
	ksft_test_result(!first && !r, "the first binding stays and deassigns (%s, %s)",
			 strerror(-first), strerror(-r));
	BAD("a bad pointer", ioctl(vm->fd, HVM_IRQFD, (void *)8ul) ? -errno : 0, EFAULT);
	bare = vm_create_bare();
	BAD("a VM without an in-kernel LAPIC", irqfd(bare->fd, efd, 0, VEC_A), ENXIO);
	vm_free(bare);
	close(devnull);
	close(other);
	close(efd);
#undef BAD
}

/* Waits up to 5 s for no VM and no vCPU to be left; false if some are. */
static bool objects_gone(struct hvm_objects *o)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (!hvm_read_objects(o))
			return false;
		if (!o->vms && !o->vcpus)
			return true;
		usleep(10000);
	}
	return false;
}

/* HVM_CAP_IRQFD bindings, the one beyond, then close-order teardown. */
static void test_limit_and_close(void)
{
	static int efds[MAX_IRQFDS + 1];
	struct rlimit rl = { 4096, 4096 };
	struct hvm_objects o = { 0 };
	struct hvm_vm *v;
	int i, n, r = 0;
	bool gone;

	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		ksft_test_result_skip("1024 irqfds: RLIMIT_NOFILE (%s)", strerror(errno));
		ksft_test_result_skip("closing the eventfds ends their bindings");
		ksft_test_result_skip("closing the VM first frees it");
		return;
	}
	v = vm_create_with_lapic();
	for (n = 0; n <= MAX_IRQFDS; n++) {
		efds[n] = eventfd(0, EFD_CLOEXEC);
		TEST_ASSERT(efds[n] >= 0, "eventfd");
		r = irqfd(v->fd, efds[n], 0, VEC_A);
		if (r)
			break;
	}
	ksft_test_result(n == MAX_IRQFDS && r == -ENOSPC,
			 "%d bindings fit, the next gets ENOSPC (%d fit, then %s)",
			 MAX_IRQFDS, n, strerror(-r));
	/* Eventfds closed first: their POLLHUP ends the bindings. */
	for (i = 0; i <= n && i <= MAX_IRQFDS; i++)
		close(efds[i]);
	for (n = 0; n < MAX_IRQFDS; n++) {
		efds[n] = eventfd(0, EFD_CLOEXEC);
		r = irqfd(v->fd, efds[n], 0, VEC_A);
		if (r)
			break;
	}
	ksft_test_result(n == MAX_IRQFDS,
			 "closing the eventfds ends their bindings: %d new ones fit (then %s)",
			 n, strerror(-r));
	/* The VM first, with its bindings live; the eventfds after. */
	vm_free(v);
	for (i = 0; i < n; i++)
		close(efds[i]);
	gone = objects_gone(&o);
	ksft_test_result(gone, "closing the VM first frees it (vms %ld, vcpus %ld)",
			 o.vms, o.vcpus);
}

/* A child holding a VM, a halted vCPU and a signalling thread is killed. */
static void *child_signaller(void *arg)
{
	int efd = (int)(long)arg;
	u64 one = 1;

	for (;;) {
		if (write(efd, &one, 8) != 8)
			return NULL;
		usleep(100);
	}
}

static void test_sigkill(void)
{
	struct hvm_objects o = { 0 };
	int status = 0;
	bool gone;
	pid_t pid;

	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct hvm_vm *cvm = vm_create_with_lapic();
		struct hvm_vcpu *cv = vm_vcpu_add(cvm, 0, guest_main);
		int efd = eventfd(0, EFD_CLOEXEC);
		pthread_t t;

		virt_map(cvm, APIC_GVA, APIC_GVA, 1);
		vm_install_handler(cvm, VEC_A, irq_handler);
		vm_install_handler(cvm, VEC_B, irq_handler);
		*(volatile u64 *)guest_global_ptr(cvm, cmd) = CMD_WAIT;
		*(volatile u64 *)guest_global_ptr(cvm, cmd_arg) = ~0ull;
		if (irqfd(cvm->fd, efd, 0, VEC_A))
			_exit(2);
		pthread_create(&t, NULL, child_signaller, (void *)(long)efd);
		for (;;)
			__vcpu_run(cv);
	}
	usleep(300 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	gone = objects_gone(&o);
	ksft_test_result(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && gone,
			 "SIGKILL of a process signalling its irqfd while its vCPU halts: all freed (status %#x, vms %ld, vcpus %ld)",
			 status, o.vms, o.vcpus);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct ucall uc;
	long cap;

	ksft_print_header();
	open_hvm_or_skip();
	require_lapic_or_skip();
	ksft_set_plan(30);
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");

	cap = hvm_check_cap(HVM_CAP_IRQFD);
	ksft_test_result(cap == MAX_IRQFDS, "HVM_CHECK_CAP(IRQFD) == %d (got %ld)",
			 MAX_IRQFDS, cap);
	if (cap != MAX_IRQFDS)	/* the guest would halt forever */
		ksft_exit_fail_msg("no HVM_IRQFD: the rest cannot run");

	test_sigkill();

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_main);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	vm_install_handler(vm, VEC_A, irq_handler);
	vm_install_handler(vm, VEC_B, irq_handler);
	ksft_test_result(run_cmd(CMD_NONE, 0, &uc), "the guest runs");

	test_delivery();
	test_bad_args();
	vm_free(vm);
	test_limit_and_close();
	ksft_finished();
}
