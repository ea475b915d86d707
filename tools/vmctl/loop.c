// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop of loop.h. Waiting is poll() on the registered fds and a
 * timerfd set to the deadline. While the guest runs, a POSIX timer at the
 * same deadline sends KICK_SIGNAL, whose handler kicks vCPU 0 (the signal
 * ends the run, and accel_vcpu_kick sets immediate_exit for a kick that
 * comes just before the call). With in-kernel local APICs HLT sleeps in
 * the kernel, so console input kicks vCPU 0 too (SIGIO on stdin). The
 * other vCPU threads take AP_KICK_SIGNAL only.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "term.h"
#include "vm.h"

#define KICK_SIGNAL	SIGALRM
#define AP_KICK_SIGNAL	SIGUSR2
#define MAX_FDS		4

static struct accel_vcpu *main_vcpu;
static volatile sig_atomic_t kicked, quit_signal;
/* The vCPU a vCPU thread runs, for its kick handler. */
static __thread struct accel_vcpu *thread_vcpu;

static timer_t kick_timer;
static uint64_t kick_armed;
static int timer_fd = -1;
static uint64_t deadline;
static loop_fn *timer_fn;
static void *timer_opaque;

static struct {
	int fd;
	bool watched;
	loop_fn *fn;
	void *opaque;
} fds[MAX_FDS];
static int nr_fds;

static void on_kick(int sig)
{
	(void)sig;
	kicked = 1;
	if (main_vcpu)
		accel_vcpu_kick(main_vcpu);
}

static void on_quit(int sig)
{
	quit_signal = sig;
	on_kick(sig);
}

static void on_thread_kick(int sig)
{
	(void)sig;
	if (thread_vcpu)
		accel_vcpu_kick(thread_vcpu);
}

void loop_init(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = on_kick };
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL, .sigev_signo = KICK_SIGNAL,
	};

	main_vcpu = vm->vcpu;
	vm->main_thread = pthread_self();
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);
	/* vCPU 0 may sleep in the kernel's HLT: console input wakes it. */
	sigaction(SIGIO, &sa, NULL);
	if (vm->lapic && term_fd() >= 0 &&
	    fcntl(term_fd(), F_SETOWN, getpid()) == 0)
		fcntl(term_fd(), F_SETFL, fcntl(term_fd(), F_GETFL) | O_ASYNC);
	sa.sa_handler = on_thread_kick;
	sigaction(AP_KICK_SIGNAL, &sa, NULL);
	sa.sa_handler = on_quit;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (timer_create(CLOCK_MONOTONIC, &sev, &kick_timer))
		die("timer_create: %s", strerror(errno));
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (timer_fd < 0)
		die("timerfd_create: %s", strerror(errno));
}

static void set_abs_timer(struct itimerspec *its, uint64_t when)
{
	memset(its, 0, sizeof(*its));
	its->it_value.tv_sec = (time_t)(when / 1000000000ull);
	its->it_value.tv_nsec = (long)(when % 1000000000ull);
}

/* The kick while the guest runs; re-armed only when the deadline moves. */
static void arm_kick(uint64_t when)
{
	struct itimerspec its;

	if (when == kick_armed)
		return;
	kick_armed = when;
	set_abs_timer(&its, when);	/* 0: disarm */
	timer_settime(kick_timer, TIMER_ABSTIME, &its, NULL);
}

void loop_fini(void)
{
	arm_kick(0);
	if (timer_fd >= 0)
		close(timer_fd);
	timer_fd = -1;
}

int loop_add_fd(int fd, loop_fn *fn, void *opaque)
{
	if (nr_fds == MAX_FDS)
		die("more than %d event sources", MAX_FDS);
	fds[nr_fds].fd = fd;
	fds[nr_fds].watched = fd >= 0;
	fds[nr_fds].fn = fn;
	fds[nr_fds].opaque = opaque;
	return nr_fds++;
}

void loop_watch_fd(int handle, bool on)
{
	fds[handle].watched = on;
}

void loop_set_timer(uint64_t when, loop_fn *fn, void *opaque)
{
	deadline = when;
	timer_fn = fn;
	timer_opaque = opaque;
	arm_kick(when);
}

void loop_wait(void)
{
	struct pollfd pfd[1 + MAX_FDS];
	struct itimerspec its;
	uint64_t expirations;
	int i;

	set_abs_timer(&its, deadline);
	timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
	pfd[0] = (struct pollfd){ .fd = timer_fd, .events = POLLIN };
	for (i = 0; i < nr_fds; i++)
		pfd[1 + i] = (struct pollfd){
			.fd = fds[i].watched ? fds[i].fd : -1, .events = POLLIN,
		};
	if (poll(pfd, 1 + nr_fds, -1) < 0) {
		if (errno == EINTR)
			return;
		die("poll: %s", strerror(errno));
	}
	if (pfd[0].revents & POLLIN) {
		(void)!read(timer_fd, &expirations, sizeof(expirations));
		if (timer_fn)
			timer_fn(timer_opaque);
	}
	for (i = 0; i < nr_fds; i++)
		if (pfd[1 + i].revents & (POLLIN | POLLHUP | POLLERR))
			fds[i].fn(fds[i].opaque);
}

int loop_quit_signal(void)
{
	return quit_signal;
}

bool loop_take_kick(void)
{
	if (!kicked)
		return false;
	kicked = 0;
	return true;
}

void loop_kick_main(struct vm *vm)
{
	pthread_kill(vm->main_thread, KICK_SIGNAL);
}

int loop_start_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t set, old;
	int r;

	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	sigaddset(&set, SIGIO);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, AP_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	r = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

void loop_vcpu_thread(struct accel_vcpu *vcpu)
{
	sigset_t set;

	thread_vcpu = vcpu;
	/* Process-wide signals are vCPU 0's; this thread takes its kick. */
	sigemptyset(&set);
	sigaddset(&set, AP_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void loop_kick_thread(pthread_t thread)
{
	pthread_kill(thread, AP_KICK_SIGNAL);
}
