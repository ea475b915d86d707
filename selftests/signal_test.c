// SPDX-License-Identifier: GPL-2.0
/*
 * A signal interrupts HVM_RUN of a spinning guest (-EINTR, HVM_EXIT_INTR)
 * and the guest resumes afterwards; immediate_exit makes HVM_RUN return
 * -EINTR without entering the guest; SIGKILL ends a process inside HVM_RUN.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "hvm_util.h"
#include "guest.h"

static volatile uint64_t counter;	/* incremented by the guest */

static __guest_code void guest_code(void)
{
	for (;;)
		counter++;
}

static volatile sig_atomic_t nr_signals;
static timer_t timer;

static void on_sigusr1(int sig)
{
	(void)sig;
	nr_signals++;
}

static void on_watchdog(int sig)
{
	static const char msg[] = "Bail out! watchdog: HVM_RUN did not return\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(KSFT_FAIL);
}

static void arm_timer(long ms)
{
	struct itimerspec its = { .it_value = { ms / 1000, (ms % 1000) * 1000000 } };

	TEST_ASSERT(timer_settime(timer, 0, &its, NULL) == 0, "timer_settime");
}

static void setup_signals(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	sa.sa_handler = on_watchdog;
	TEST_ASSERT(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	TEST_ASSERT(timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0, "timer_create");
}

/* Runs with a timer armed; returns errno of HVM_RUN (0 if it succeeded). */
static int run_interrupted(struct hvm_vcpu *vcpu, long ms)
{
	int r, e;

	arm_timer(ms);
	alarm(60);
	r = __vcpu_run(vcpu);
	e = r ? errno : 0;
	alarm(0);
	arm_timer(0);
	return e;
}

/* A child spinning in HVM_RUN dies of SIGKILL (and its VM goes away). */
static void test_sigkill(void)
{
	struct timespec t0, t1;
	int status = 0, fds[2];
	char c = 0;
	pid_t pid;
	long ms;

	TEST_ASSERT(pipe(fds) == 0, "pipe");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct hvm_vcpu *v;

		vm_create_with_vcpu(&v, guest_code);
		(void)!write(fds[1], "r", 1);
		for (;;)
			__vcpu_run(v);
	}
	close(fds[1]);
	TEST_ASSERT(read(fds[0], &c, 1) == 1, "child did not start its guest");
	close(fds[0]);
	usleep(200 * 1000);	/* let it get into the guest */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kill(pid, SIGKILL);
	alarm(60);
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ksft_test_result(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && ms < 5000,
			 "SIGKILL ends a process spinning in HVM_RUN (status %#x after %ld ms)",
			 status, ms);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct hvm_run *run;
	volatile uint64_t *gcounter;
	u64 c1, c2, rip1, rip2;
	int e, sigs;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(7);
	setup_signals();

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	run = vcpu->run;
	gcounter = guest_global_ptr(vm, counter);

	e = run_interrupted(vcpu, 100);
	ksft_test_result(e == EINTR && run->exit_reason == HVM_EXIT_INTR && nr_signals == 1,
			 "a signal makes HVM_RUN fail with EINTR and exit_reason INTR (errno %d, %s, %d signals)",
			 e, exit_reason_str(run->exit_reason), (int)nr_signals);
	c1 = *gcounter;
	ksft_test_result(c1 > 0, "the guest ran before the signal (counter %lu)", (unsigned long)c1);

	e = run_interrupted(vcpu, 100);
	c2 = *gcounter;
	ksft_test_result(e == EINTR && run->exit_reason == HVM_EXIT_INTR && c2 > c1,
			 "the guest resumes after EINTR and is interrupted again (counter %lu -> %lu)",
			 (unsigned long)c1, (unsigned long)c2);

	/* immediate_exit: EINTR without entering the guest. */
	rip1 = vcpu_get_rip(vcpu);
	sigs = nr_signals;
	run->immediate_exit = 1;
	run->exit_reason = HVM_EXIT_UNKNOWN;
	e = run_interrupted(vcpu, 2000);	/* the timer only ends a hang */
	rip2 = vcpu_get_rip(vcpu);
	ksft_test_result(e == EINTR && run->exit_reason == HVM_EXIT_INTR && nr_signals == sigs,
			 "immediate_exit=1: HVM_RUN fails with EINTR at once (errno %d, %s, %d signals)",
			 e, exit_reason_str(run->exit_reason), (int)(nr_signals - sigs));
	ksft_test_result(rip1 == rip2 && *gcounter == c2,
			 "immediate_exit=1: the guest did not run (rip %#lx -> %#lx, counter %lu -> %lu)",
			 (unsigned long)rip1, (unsigned long)rip2, (unsigned long)c2,
			 (unsigned long)*gcounter);

	run->immediate_exit = 0;
	c1 = *gcounter;
	e = run_interrupted(vcpu, 100);
	ksft_test_result(e == EINTR && *gcounter > c1,
			 "with immediate_exit cleared the guest runs again (counter %lu -> %lu)",
			 (unsigned long)c1, (unsigned long)*gcounter);
	vm_free(vm);

	test_sigkill();
	ksft_finished();
}
