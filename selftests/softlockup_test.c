// SPDX-License-Identifier: GPL-2.0
/*
 * A guest spinning with interrupts off (cli; jmp .) for SPIN_S seconds
 * never trips the host's lockup detectors: with watchdog_thresh at 1 the
 * soft-lockup detector reports a CPU that has not scheduled for 2 s, with
 * hung_task_timeout_secs at 2 a task 2 s in D state is reported, and with
 * rcupdate.rcu_cpu_stall_timeout at 3 an RCU grace period held up for 3 s.
 * A signal then ends HVM_RUN. The test fails on any soft lockup, hung task
 * or RCU stall line in /dev/kmsg during the spin (and on a new soft-lockup
 * taint), and restores the settings it changed. Without
 * /proc/sys/kernel/watchdog_thresh (no lockup detector) it skips.
 *
 * Times are CLOCK_MONOTONIC: in the VMX lab (Bochs) the guest's clock, in
 * which the detectors count too.
 */
#include <signal.h>
#include <time.h>

#include "hvm_util.h"
#include "guest.h"

#define SPIN_S		5
#define WATCHDOG_THRESH	"/proc/sys/kernel/watchdog_thresh"
#define HUNG_TASK	"/proc/sys/kernel/hung_task_timeout_secs"
#define RCU_STALL	"/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout"
#define TAINT_SOFTLOCKUP	(1ul << 14)

asm(".pushsection .text\n"
    ".globl guest_cli_spin, guest_cli_spin_loop\n"
    "guest_cli_spin: cli\n"
    "guest_cli_spin_loop: jmp guest_cli_spin_loop\n"
    ".popsection\n");
extern char guest_cli_spin[], guest_cli_spin_loop[];

struct knob {
	const char *path;
	const char *value;	/* what the test writes */
	char old[64];		/* restored at the end; "" if not changed */
};

static struct knob knobs[] = {
	{ .path = WATCHDOG_THRESH, .value = "1" },
	{ .path = HUNG_TASK, .value = "2" },
	{ .path = RCU_STALL, .value = "3" },
};

static bool read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static bool write_str(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok;
}

static void restore_knobs(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (knobs[i].old[0] && !write_str(knobs[i].path, knobs[i].old))
			ksft_print_msg("could not restore %s to %s", knobs[i].path,
				       knobs[i].old);
}

static unsigned long tainted(void)
{
	char buf[32];

	return read_str("/proc/sys/kernel/tainted", buf, sizeof(buf)) ?
	       strtoul(buf, NULL, 0) : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_watchdog(int sig)
{
	static const char msg[] = "Bail out! watchdog: HVM_RUN did not return\n";

	(void)sig;
	restore_knobs();
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(KSFT_FAIL);
}

static void on_usr1(int sig)
{
	(void)sig;
}

int main(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct itimerspec its = { .it_value = { SPIN_S, 0 } };
	struct sigaction sa = { .sa_handler = on_usr1 };
	unsigned long taint0, taint1;
	struct hvm_vcpu *vcpu;
	struct hvm_regs regs;
	struct hvm_vm *vm;
	double t0, secs;
	int r, e, problems;
	unsigned int i;
	timer_t timer;
	char buf[64];

	ksft_print_header();
	open_hvm_or_skip();
	if (access(WATCHDOG_THRESH, W_OK))
		ksft_exit_skip("%s: %s (no lockup detector to watch)", WATCHDOG_THRESH,
			       strerror(errno));
	if (!kmsg_begin())
		ksft_exit_skip("/dev/kmsg: %s", strerror(errno));
	ksft_set_plan(4);

	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	sa.sa_handler = on_watchdog;
	TEST_ASSERT(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	TEST_ASSERT(timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0, "timer_create");

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		char old[64];

		if (!read_str(knobs[i].path, old, sizeof(old))) {
			ksft_print_msg("%s: %s: that detector is not tuned", knobs[i].path,
				       strerror(errno));
			continue;
		}
		if (!write_str(knobs[i].path, knobs[i].value)) {
			ksft_print_msg("%s: cannot write %s: %s", knobs[i].path,
				       knobs[i].value, strerror(errno));
			continue;
		}
		strcpy(knobs[i].old, old);
		ksft_print_msg("%s: %s -> %s", knobs[i].path, old, knobs[i].value);
	}
	ksft_test_result(knobs[0].old[0], "%s set to 1 (soft lockup after 2 s)",
			 WATCHDOG_THRESH);

	vm = vm_create_with_vcpu(&vcpu, guest_cli_spin);
	kmsg_count_problems();	/* what came before the spin is not ours */
	taint0 = tainted();
	t0 = now_s();
	TEST_ASSERT(timer_settime(timer, 0, &its, NULL) == 0, "timer_settime");
	alarm(SPIN_S + 60);
	r = __vcpu_run(vcpu);
	e = errno;
	alarm(0);
	secs = now_s() - t0;
	vcpu_get_regs(vcpu, &regs);
	ksft_test_result(r == -1 && e == EINTR && vcpu->run->exit_reason == HVM_EXIT_INTR &&
			 regs.rip == (u64)(uintptr_t)guest_cli_spin_loop &&
			 !(regs.rflags & X86_RFLAGS_IF) && secs >= SPIN_S - 0.01,
			 "the guest spun with IF=0 for %.2f s in one HVM_RUN, then the signal ended it (%s, rflags %#lx)",
			 secs, vcpu_exit_desc(vcpu), (unsigned long)regs.rflags);
	vm_free(vm);

	/* A soft lockup is reported within a watchdog period of the 2 s. */
	usleep(200 * 1000);
	problems = kmsg_count_problems();
	taint1 = tainted();
	restore_knobs();
	if (read_str(WATCHDOG_THRESH, buf, sizeof(buf)))
		ksft_print_msg("%s is %s again", WATCHDOG_THRESH, buf);
	ksft_test_result(problems == 0,
			 "no soft lockup, hung task, RCU stall or other problem in the kernel log (%d lines)",
			 problems);
	ksft_test_result(!((taint1 & ~taint0) & TAINT_SOFTLOCKUP),
			 "no soft-lockup taint (tainted %#lx, before %#lx)", taint1, taint0);
	ksft_finished();
}
