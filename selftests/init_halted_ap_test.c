// SPDX-License-Identifier: GPL-2.0
/*
 * INIT and SIPI reach an AP that sleeps in an in-kernel HLT: vCPU 0 starts
 * vCPU 1 at one SIPI page, where it halts with interrupts on (`sti; hlt`,
 * the idle loop of every kernel), then sends INIT and a SIPI to a second
 * page, as a guest does to take a CPU offline and online again. The AP must
 * leave its halt, wait for and take the SIPI, and run the second page's
 * code, without a signal from userspace. (The halt's wakeup used to look
 * only for interrupts: the INIT was lost until a signal came.)
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define AP_IDLE		0x8000ul	/* first SIPI: sti; hlt; jmp back */
#define AP_RESTART	0x9000ul	/* second SIPI: out AP_PORT; hlt */
#define AP_PORT		0x77
#define AP_TIMEOUT_S	10

static __guest_code void send_init_sipi(unsigned long page)
{
	apic_write(APIC_ICR2, 1u << 24);
	apic_write(APIC_ICR, 0x4500);			/* INIT, assert */
	apic_write(APIC_ICR2, 1u << 24);
	apic_write(APIC_ICR, 0x4600 | (page >> 12));	/* SIPI */
}

static __guest_code void guest_bsp(void)
{
	apic_write(APIC_SPIV, 0x1ff);
	send_init_sipi(AP_IDLE);
	GUEST_SYNC(1);		/* the host lets the AP go to sleep */
	send_init_sipi(AP_RESTART);
	GUEST_DONE();
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool ap_done;
static int ap_runs, ap_errno;
static u64 ap_port, ap_cs_base;

static void on_sigusr1(int sig)
{
	(void)sig;
}

/* Runs the AP until its OUT, or until a signal ends HVM_RUN. */
static void *ap_thread(void *arg)
{
	struct hvm_vcpu *ap = arg;
	struct hvm_sregs sregs;
	int r;

	do {
		r = __vcpu_run(ap);
		pthread_mutex_lock(&lock);
		ap_runs++;
		pthread_mutex_unlock(&lock);
	} while (!r && ap->run->exit_reason != HVM_EXIT_IO);
	vcpu_get_sregs(ap, &sregs);
	pthread_mutex_lock(&lock);
	ap_errno = r ? errno : 0;
	ap_port = r ? 0 : ap->run->io.port;
	ap_cs_base = sregs.cs.base;
	ap_done = true;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Waits up to s seconds for the AP thread; true if it finished. */
static bool wait_ap(int s)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += s;
	pthread_mutex_lock(&lock);
	while (!ap_done &&
	       pthread_cond_timedwait(&cond, &lock, &ts) == 0)
		;
	done = ap_done;
	pthread_mutex_unlock(&lock);
	return done;
}

int main(void)
{
	/* Real mode: sti; hlt; jmp back to the sti. */
	static const u8 idle_code[] = { 0xfb, 0xf4, 0xeb, 0xfc };
	/* Real mode: mov al, 0x5a; out AP_PORT, al; hlt */
	static const u8 restart_code[] = { 0xb0, 0x5a, 0xe6, AP_PORT, 0xf4 };
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct hvm_vcpu *bsp, *ap;
	struct hvm_vm *vm;
	pthread_t thread;
	bool done;

	ksft_print_header();
	open_hvm_or_skip();
	require_lapic_or_skip();
	ksft_set_plan(3);
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");

	vm = vm_create_with_lapic();
	bsp = vm_vcpu_add(vm, 0, guest_bsp);
	ap = vm_vcpu_add_raw(vm, 1);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	memcpy(addr_gpa2hva(vm, AP_IDLE), idle_code, sizeof(idle_code));
	memcpy(addr_gpa2hva(vm, AP_RESTART), restart_code, sizeof(restart_code));
	TEST_ASSERT(!pthread_create(&thread, NULL, ap_thread, ap), "pthread_create");

	ksft_test_result(vcpu_run_expect_sync(bsp, 1),
			 "vCPU 0 sends INIT and SIPI to the idle page");
	usleep(200 * 1000);	/* the AP reaches its HLT and sleeps */
	ksft_test_result(vcpu_run_expect_done(bsp),
			 "vCPU 0 sends INIT and SIPI to the restart page");

	done = wait_ap(AP_TIMEOUT_S);
	ksft_test_result(done && !ap_errno && ap_port == AP_PORT &&
			 ap_cs_base == AP_RESTART,
			 "the halted AP takes INIT and SIPI and runs at %#lx (%s within %d s: %s, port %#llx, CS base %#llx, %d runs)",
			 AP_RESTART, done ? "done" : "still asleep", AP_TIMEOUT_S,
			 ap_errno ? strerror(ap_errno) : "no error",
			 (unsigned long long)ap_port, (unsigned long long)ap_cs_base,
			 ap_runs);
	if (!done)
		pthread_kill(thread, SIGUSR1);	/* ends the lost halt */
	pthread_join(thread, NULL);
	vm_free(vm);
	ksft_finished();
}
