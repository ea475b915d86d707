// SPDX-License-Identifier: GPL-2.0
/*
 * SIGKILL ends a process wherever it is in hvm: forked children, each
 * blocked in one place, get SIGKILL and waitpid() must return within
 * BOUND_MS (docs/liveness.md), with the child dead of SIGKILL; then
 * /sys/kernel/debug/hvm/objects must be back at "vms 0" and "vcpus 0".
 * The places: HVM_RUN of a guest spinning with IF=1 and with IF=0, of a
 * guest halted with IF=1 on an in-kernel LAPIC, of an AP waiting for its
 * SIPI; a second thread calling HVM_GET_REGS on the vCPU whose mutex the
 * first holds in HVM_RUN; a thread deleting and re-adding a memory slot
 * (HVM_SET_MEMORY_REGION: zap and TLB flush) in a loop while another
 * thread runs a guest that reads that slot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "hvm_util.h"
#include "guest.h"

#define BOUND_MS	1000
#define SLOT1_GPA	0x10000000ul	/* 256 MiB, above slot 0 */
#define SLOT1_SIZE	0x200000ul

asm(".pushsection .text\n"
    ".globl guest_spin_if1\n"
    "guest_spin_if1: sti\n"
    "1: jmp 1b\n"
    ".globl guest_spin_if0\n"
    "guest_spin_if0: cli\n"
    "1: jmp 1b\n"
    ".globl guest_halt_if1\n"
    "guest_halt_if1: sti\n"
    "1: hlt\n"
    "jmp 1b\n"
    ".popsection\n");
extern char guest_spin_if1[], guest_spin_if0[], guest_halt_if1[];

/* Reads the slot that another thread deletes and adds again, for ever. */
static __guest_code void guest_read_slot1(void)
{
	for (;;) {
		uint64_t off;

		for (off = 0; off < SLOT1_SIZE; off += 4096)
			(void)*(volatile uint64_t *)(SLOT1_GPA + off);
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- the children: each says 'r' on fd when in place, never returns ---- */

static int report_fd;

static void say(char c)
{
	(void)!write(report_fd, &c, 1);
}

static void __attribute__((noreturn)) run_forever(struct hvm_vcpu *vcpu)
{
	for (;;)
		__vcpu_run(vcpu);
}

static void child_run(void *guest)
{
	struct hvm_vcpu *vcpu;

	vm_create_with_vcpu(&vcpu, guest);
	say('r');
	run_forever(vcpu);
}

static void child_halt(void *unused)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;

	(void)unused;
	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_halt_if1);
	say('r');
	run_forever(vcpu);
}

static void child_sipi(void *unused)
{
	struct hvm_vcpu *ap;
	struct hvm_vm *vm;

	(void)unused;
	vm = vm_create_with_lapic();
	vm_vcpu_add(vm, 0, guest_spin_if0);
	ap = vm_vcpu_add_raw(vm, 1);
	say('r');
	run_forever(ap);
}

static void *runner(void *vcpu)
{
	run_forever(vcpu);
}

/* Thread 2 waits for the vCPU mutex that thread 1 holds in HVM_RUN. */
static void child_mutex(void *unused)
{
	struct hvm_vcpu *vcpu;
	struct hvm_regs regs;
	pthread_t t;

	(void)unused;
	vm_create_with_vcpu(&vcpu, guest_spin_if0);
	TEST_ASSERT(pthread_create(&t, NULL, runner, vcpu) == 0, "pthread_create");
	usleep(50 * 1000);	/* let it take the mutex */
	say('r');
	__vcpu_ioctl(vcpu, HVM_GET_REGS, &regs);
	say('x');		/* must not come while the runner holds it */
	for (;;)
		pause();
}

/* Thread 2 deletes and adds again the slot that thread 1's guest reads. */
static void child_memslot(void *unused)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	unsigned long n;
	pthread_t t;
	void *mem;

	(void)unused;
	vm = vm_create_with_vcpu(&vcpu, guest_read_slot1);
	virt_map(vm, SLOT1_GPA, SLOT1_GPA, SLOT1_SIZE / PAGE_SIZE);
	mem = mmap(NULL, SLOT1_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	TEST_ASSERT(__vm_set_memory_region(vm->fd, 1, 0, SLOT1_GPA, SLOT1_SIZE,
					   (u64)(uintptr_t)mem) == 0, "slot 1");
	TEST_ASSERT(pthread_create(&t, NULL, runner, vcpu) == 0, "pthread_create");
	for (n = 0;; n++) {
		if (n == 100)
			say('r');
		TEST_ASSERT(__vm_set_memory_region(vm->fd, 1, 0, 0, 0, 0) == 0,
			    "deleting slot 1");
		TEST_ASSERT(__vm_set_memory_region(vm->fd, 1, 0, SLOT1_GPA, SLOT1_SIZE,
						   (u64)(uintptr_t)mem) == 0,
			    "adding slot 1");
	}
}

/* ---- the parent -------------------------------------------------------- */

static bool objects_back_to_zero(struct hvm_objects *o)
{
	double end = now_ms() + BOUND_MS;

	do {
		if (!hvm_read_objects(o))
			return false;
		if (!o->vms && !o->vcpus)
			return true;
		usleep(1000);
	} while (now_ms() < end);
	return false;
}

static void thread_states(pid_t pid, char *buf, size_t len)
{
	char path[64], line[256];
	struct dirent *de;
	size_t used = 0;
	DIR *d;

	buf[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) && used < len) {
		char wchan[64] = "?", state = '?';
		int tid = atoi(de->d_name);
		FILE *f;

		if (tid <= 0)
			continue;
		snprintf(line, sizeof(line), "/proc/%d/task/%d/stat", pid, tid);
		f = fopen(line, "r");
		if (f) {
			if (fgets(line, sizeof(line), f) && strrchr(line, ')'))
				state = strrchr(line, ')')[2];
			fclose(f);
		}
		snprintf(line, sizeof(line), "/proc/%d/task/%d/wchan", pid, tid);
		f = fopen(line, "r");
		if (f) {
			if (!fgets(wchan, sizeof(wchan), f))
				strcpy(wchan, "?");
			fclose(f);
		}
		used += snprintf(buf + used, len - used, "%s%d %c %s", used ? ", " : "",
				 tid, state, wchan);
	}
	closedir(d);
}

static void kill_child(const char *what, void (*fn)(void *), void *arg)
{
	char states[512], c = 0, c2 = 0;
	struct hvm_objects o = { -1, -1, -1, -1 };
	int status = 0, fds[2];
	double t0, ms = -1;
	bool blocked = true, objs;
	pid_t pid, w = 0;

	TEST_ASSERT(pipe(fds) == 0, "pipe");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		close(fds[0]);
		report_fd = fds[1];
		fn(arg);
		_exit(3);
	}
	close(fds[1]);
	alarm(60);
	if (read(fds[0], &c, 1) != 1 || c != 'r') {
		ksft_test_result_fail("%s: the child did not get in place", what);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(fds[0]);
		alarm(0);
		return;
	}
	usleep(200 * 1000);	/* let it get deep into the kernel */
	if (fn == child_mutex) {
		int fl = fcntl(fds[0], F_GETFL);

		fcntl(fds[0], F_SETFL, fl | O_NONBLOCK);
		blocked = read(fds[0], &c2, 1) != 1;
	}
	thread_states(pid, states, sizeof(states));
	t0 = now_ms();
	kill(pid, SIGKILL);
	while (now_ms() - t0 < 10 * BOUND_MS) {
		w = waitpid(pid, &status, WNOHANG);
		if (w)
			break;
		usleep(500);
	}
	if (w == pid)
		ms = now_ms() - t0;
	else
		ksft_print_msg("%s: the child was not reaped within %d ms: its threads (tid state wchan): %s",
			       what, 10 * BOUND_MS, states);
	objs = w == pid && objects_back_to_zero(&o);
	ksft_print_msg("%s: threads before the kill (tid state wchan): %s", what, states);
	if (fn == child_mutex)
		ksft_test_result(blocked, "%s: HVM_GET_REGS was still waiting for the vCPU after 200 ms",
				 what);
	ksft_test_result(w == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
			 ms < BOUND_MS,
			 "%s: SIGKILL: waitpid after %.1f ms (bound %d ms), status %#x",
			 what, ms, BOUND_MS, status);
	ksft_test_result(objs, "%s: then hvm objects vms %ld vcpus %ld", what, o.vms, o.vcpus);
	if (w != pid) {
		/* Stuck in the kernel: leave it, the test has failed. */
		ksft_print_msg("%s: child %d left behind", what, pid);
	}
	alarm(0);
	close(fds[0]);
}

static void on_watchdog(int sig)
{
	static const char msg[] = "Bail out! watchdog: the test itself is stuck\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(KSFT_FAIL);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_watchdog };
	struct hvm_objects o;
	bool lapic;

	ksft_print_header();
	open_hvm_or_skip();
	lapic = hvm_check_cap(HVM_CAP_LAPIC) == 1;
	ksft_set_plan(13);
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	if (!hvm_read_objects(&o) || o.vms || o.vcpus)
		ksft_exit_fail_msg("%s: expected vms 0 vcpus 0 before the test (%ld, %ld)",
				   HVM_DEBUGFS_OBJECTS, o.vms, o.vcpus);

	kill_child("HVM_RUN, guest spinning with IF=1", child_run, guest_spin_if1);
	kill_child("HVM_RUN, guest spinning with IF=0", child_run, guest_spin_if0);
	kill_child("vCPU mutex: HVM_GET_REGS while another thread is in HVM_RUN",
		   child_mutex, NULL);
	kill_child("HVM_SET_MEMORY_REGION in a loop while another thread runs",
		   child_memslot, NULL);
	if (!lapic)
		ksft_exit_skip("no in-kernel local APIC (HVM_CAP_LAPIC): halt and SIPI not tested");
	kill_child("HVM_RUN, guest halted with IF=1 on an in-kernel LAPIC", child_halt, NULL);
	kill_child("HVM_RUN of an AP waiting for SIPI", child_sipi, NULL);
	ksft_finished();
}
