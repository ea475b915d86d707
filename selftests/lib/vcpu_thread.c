// SPDX-License-Identifier: GPL-2.0
/* A vCPU run on a thread of its own until it writes to a port. */
#include <signal.h>
#include <time.h>

#include "vcpu_thread.h"

static void on_sigusr1(int sig)
{
	(void)sig;	/* only ends the thread's HVM_RUN with EINTR */
}

static void *vcpu_thread_main(void *arg)
{
	struct vcpu_thread *t = arg;
	struct hvm_run *run = t->vcpu->run;
	u32 value = 0;
	int r;

	do {
		r = __vcpu_run(t->vcpu);
		pthread_mutex_lock(&t->lock);
		t->runs++;
		pthread_mutex_unlock(&t->lock);
	} while (!r && run->exit_reason != HVM_EXIT_IO);

	if (!r)
		memcpy(&value, (u8 *)run + run->io.data_offset,
		       run->io.size <= sizeof(value) ? run->io.size : sizeof(value));
	pthread_mutex_lock(&t->lock);
	t->err = r ? errno : 0;
	t->port = r ? 0 : run->io.port;
	t->value = r ? 0 : value;
	t->done = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

void vcpu_thread_start(struct vcpu_thread *t, struct hvm_vcpu *vcpu)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };

	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	memset(t, 0, sizeof(*t));
	t->vcpu = vcpu;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	TEST_ASSERT(!pthread_create(&t->thread, NULL, vcpu_thread_main, t),
		    "pthread_create");
}

bool vcpu_thread_wait(struct vcpu_thread *t, int seconds)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	pthread_mutex_lock(&t->lock);
	while (!t->done && pthread_cond_timedwait(&t->cond, &t->lock, &ts) == 0)
		;
	done = t->done;
	pthread_mutex_unlock(&t->lock);
	return done;
}

void vcpu_thread_stop(struct vcpu_thread *t)
{
	/* A signal ends HVM_RUN, and the loop goes on: keep sending. */
	while (!vcpu_thread_wait(t, 0)) {
		pthread_kill(t->thread, SIGUSR1);
		usleep(10 * 1000);
	}
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
}
