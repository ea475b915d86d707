// SPDX-License-Identifier: GPL-2.0
/*
 * HVM_RUN returns within a bound after a signal, whatever the guest does
 * that never exits on its own: it spins with IF=1 or with IF=0 (cli), it
 * halts with IF=1 on an in-kernel LAPIC (the vCPU sleeps in the kernel),
 * it halts with IF=0 (every HLT exits; the VMM's handler sets
 * immediate_exit, the KVM idiom), or it is an AP that waits for its SIPI.
 * The signal comes from a POSIX timer aimed at the vCPU thread and from
 * another thread (pthread_kill); each case runs SAMPLES times per source
 * and the latency, from the timer's expiry or from just before
 * pthread_kill to HVM_RUN's return, is measured on CLOCK_MONOTONIC.
 *
 * signal_test covers that a signal ends a spin at all and that the guest
 * resumes; lapic_test that a signal ends a halt and an AP's wait. This
 * test adds the bound, the IF=1 and IF=0 spins and halts side by side,
 * and both sources. The bound (docs/liveness.md) is BOUND_MS of
 * CLOCK_MONOTONIC: in the VMX lab (Bochs) that clock is the guest's TSC,
 * so it is guest time there too, in which the emulated machine runs at
 * its own pace.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>

#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define BOUND_MS	100
#define SAMPLES		5
#define DELAY_MS	20	/* the signal comes this long after HVM_RUN starts */

/* Guests that never exit on their own (or, halt_if0, exit at every HLT). */
asm(".pushsection .text\n"
    ".globl guest_spin_if1, guest_spin_if1_loop\n"
    "guest_spin_if1: sti\n"
    "guest_spin_if1_loop: jmp guest_spin_if1_loop\n"
    ".globl guest_spin_if0, guest_spin_if0_loop\n"
    "guest_spin_if0: cli\n"
    "guest_spin_if0_loop: jmp guest_spin_if0_loop\n"
    ".globl guest_halt_if1, guest_halt_if1_hlt, guest_halt_if1_next\n"
    "guest_halt_if1: sti\n"
    "guest_halt_if1_hlt: hlt\n"
    "guest_halt_if1_next: jmp guest_halt_if1_hlt\n"
    ".globl guest_halt_if0, guest_halt_if0_hlt, guest_halt_if0_next\n"
    "guest_halt_if0: cli\n"
    "guest_halt_if0_hlt: hlt\n"
    "guest_halt_if0_next: jmp guest_halt_if0_hlt\n"
    ".popsection\n");
extern char guest_spin_if1[], guest_spin_if1_loop[], guest_spin_if0[],
	guest_spin_if0_loop[], guest_halt_if1[], guest_halt_if1_hlt[],
	guest_halt_if1_next[], guest_halt_if0[], guest_halt_if0_hlt[],
	guest_halt_if0_next[];

enum source { SRC_TIMER, SRC_THREAD };
static const char *const source_name[] = { "timer", "thread" };

static volatile sig_atomic_t nr_signals;
static struct hvm_run *volatile kick_run;	/* the handler sets its immediate_exit */
static pid_t vcpu_tid;

static void on_sigusr1(int sig)
{
	(void)sig;
	nr_signals++;
	if (kick_run)
		kick_run->immediate_exit = 1;
}

static void on_watchdog(int sig)
{
	static const char msg[] = "Bail out! watchdog: HVM_RUN did not return after a signal\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(KSFT_FAIL);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct timespec ms_to_ts(double ms)
{
	struct timespec ts = { (time_t)(ms / 1e3), 0 };

	ts.tv_nsec = (long)((ms - ts.tv_sec * 1e3) * 1e6);
	return ts;
}

struct sender {
	pthread_t thread;
	pthread_t target;
	double at_ms;		/* when to send; the time it was sent */
};

static void *send_signal(void *arg)
{
	struct sender *s = arg;
	struct timespec ts = ms_to_ts(s->at_ms);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	s->at_ms = now_ms();
	pthread_kill(s->target, SIGUSR1);
	return NULL;
}

static timer_t timer;

static void setup_signals(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	sa.sa_handler = on_watchdog;
	TEST_ASSERT(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
	vcpu_tid = syscall(SYS_gettid);
	sev._sigev_un._tid = vcpu_tid;
	TEST_ASSERT(timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0, "timer_create");
}

/*
 * One sample: a signal from src comes DELAY_MS after the start; HVM_RUN
 * (re-entered after each HLT exit when halts_exit) must fail with EINTR.
 * Returns the latency in ms, or -1 (with a diagnostic) on a wrong exit.
 */
static double sample(struct hvm_vcpu *vcpu, enum source src, bool halts_exit,
		     unsigned int *nr_hlt)
{
	struct hvm_run *run = vcpu->run;
	struct sender s = { .target = pthread_self() };
	double sent, done;
	int r, e, sigs = nr_signals;

	s.at_ms = now_ms() + DELAY_MS;
	if (src == SRC_TIMER) {
		struct itimerspec its = { .it_value = ms_to_ts(s.at_ms) };

		TEST_ASSERT(timer_settime(timer, TIMER_ABSTIME, &its, NULL) == 0,
			    "timer_settime");
	} else {
		TEST_ASSERT(pthread_create(&s.thread, NULL, send_signal, &s) == 0,
			    "pthread_create");
	}
	kick_run = halts_exit ? run : NULL;
	alarm(30);
	for (;;) {
		r = __vcpu_run(vcpu);
		e = errno;
		if (r || !halts_exit || run->exit_reason != HVM_EXIT_HLT)
			break;
		(*nr_hlt)++;
	}
	done = now_ms();
	alarm(0);
	kick_run = NULL;
	run->immediate_exit = 0;
	if (src == SRC_THREAD)
		pthread_join(s.thread, NULL);
	sent = s.at_ms;
	if (r != -1 || e != EINTR || run->exit_reason != HVM_EXIT_INTR ||
	    nr_signals != sigs + 1) {
		ksft_print_msg("%s: HVM_RUN returned %d (errno %d), %s, %d signals",
			       source_name[src], r, r ? e : 0, vcpu_exit_desc(vcpu),
			       (int)(nr_signals - sigs));
		return -1;
	}
	return done - sent;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Runs SAMPLES per source and checks each latency; where_ok checks the
 * vCPU's state after each return (the guest is where it should be).
 */
static void measure(const char *what, struct hvm_vcpu *vcpu, bool halts_exit,
		    bool (*where_ok)(struct hvm_vcpu *vcpu))
{
	enum source src;

	for (src = SRC_TIMER; src <= SRC_THREAD; src++) {
		double lat[SAMPLES];
		unsigned int nr_hlt = 0;
		bool ok = true;
		int i;

		for (i = 0; i < SAMPLES; i++) {
			lat[i] = sample(vcpu, src, halts_exit, &nr_hlt);
			if (lat[i] < 0 || !where_ok(vcpu))
				ok = false;
		}
		qsort(lat, SAMPLES, sizeof(lat[0]), cmp_double);
		if (halts_exit)
			ksft_print_msg("%s, %s: %u HLT exits re-entered", what,
				       source_name[src], nr_hlt);
		ksft_test_result(ok && lat[0] >= 0 && lat[SAMPLES - 1] < BOUND_MS,
				 "%s, signal from a %s: EINTR after %.3f / %.3f / %.3f ms (min / median / max of %d; bound %d ms)",
				 what, source_name[src], lat[0], lat[SAMPLES / 2],
				 lat[SAMPLES - 1], SAMPLES, BOUND_MS);
	}
}

/* RIP is want or want2 (want: NULL), RFLAGS.IF is if_set. */
static bool rip_is(struct hvm_vcpu *vcpu, const char *what, void *want, void *want2,
		   bool if_set)
{
	struct hvm_regs regs;

	vcpu_get_regs(vcpu, &regs);
	if ((regs.rip == (u64)(uintptr_t)want || regs.rip == (u64)(uintptr_t)want2) &&
	    !!(regs.rflags & X86_RFLAGS_IF) == if_set)
		return true;
	ksft_print_msg("%s: rip %#lx rflags %#lx, expected rip %p (or %p) IF=%d", what,
		       (unsigned long)regs.rip, (unsigned long)regs.rflags, want, want2,
		       if_set);
	return false;
}

static bool at_spin_if1(struct hvm_vcpu *v)
{
	return rip_is(v, "spin IF=1", guest_spin_if1_loop, NULL, true);
}

static bool at_spin_if0(struct hvm_vcpu *v)
{
	return rip_is(v, "spin IF=0", guest_spin_if0_loop, NULL, false);
}

/* In the halt loop: past the HLT, or at it (between the jmp and the HLT). */
static bool at_halt_if1(struct hvm_vcpu *v)
{
	return rip_is(v, "halt IF=1", guest_halt_if1_next, guest_halt_if1_hlt, true);
}

static bool at_halt_if0(struct hvm_vcpu *v)
{
	return rip_is(v, "halt IF=0", guest_halt_if0_next, guest_halt_if0_hlt, false);
}

/* The AP never ran: still at its RESET state (RIP 0xfff0, CS base 0xffff0000). */
static bool ap_parked(struct hvm_vcpu *v)
{
	struct hvm_sregs sregs;
	struct hvm_regs regs;

	vcpu_get_regs(v, &regs);
	vcpu_get_sregs(v, &sregs);
	if (regs.rip == 0xfff0 && sregs.cs.base == 0xffff0000)
		return true;
	ksft_print_msg("AP: rip %#lx CS base %#lx: it ran", (unsigned long)regs.rip,
		       (unsigned long)sregs.cs.base);
	return false;
}

int main(void)
{
	struct hvm_vcpu *vcpu, *ap;
	struct hvm_vm *vm;
	bool lapic;

	ksft_print_header();
	open_hvm_or_skip();
	lapic = hvm_check_cap(HVM_CAP_LAPIC) == 1;
	ksft_set_plan(10);
	setup_signals();

	vm = vm_create_with_vcpu(&vcpu, guest_spin_if1);
	measure("spin with IF=1", vcpu, false, at_spin_if1);
	vm_free(vm);

	vm = vm_create_with_vcpu(&vcpu, guest_spin_if0);
	measure("spin with IF=0 (cli; jmp .)", vcpu, false, at_spin_if0);
	vm_free(vm);

	if (!lapic)
		ksft_exit_skip("no in-kernel local APIC (HVM_CAP_LAPIC): halts and SIPI not tested");

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_halt_if1);
	measure("halt with IF=1 on an in-kernel LAPIC (sleeps in the kernel)", vcpu, false,
		at_halt_if1);
	vm_free(vm);

	vm = vm_create_with_lapic();
	vcpu = vm_vcpu_add(vm, 0, guest_halt_if0);
	measure("halt with IF=0 on an in-kernel LAPIC (each HLT exits; the handler sets immediate_exit)",
		vcpu, true, at_halt_if0);
	vm_free(vm);

	vm = vm_create_with_lapic();
	vm_vcpu_add(vm, 0, guest_spin_if0);	/* never runs: sends no SIPI */
	ap = vm_vcpu_add_raw(vm, 1);
	measure("AP waiting for SIPI", ap, false, ap_parked);
	vm_free(vm);

	ksft_finished();
}
