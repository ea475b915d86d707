// SPDX-License-Identifier: GPL-2.0
/*
 * HVM_SIGNAL_MSI (HVM_CAP_MSI) to two vCPUs with in-kernel LAPICs. vCPU 1
 * waits for SIPI at first: an INIT and a SIPI by MSI start it in real mode
 * at the SIPI page, where it exits; then it runs the same 64-bit command
 * loop as vCPU 0. The host sends MSIs while neither runs, then lets each
 * open an interrupt window and report what it took: physical, flat and
 * cluster logical destinations, broadcast, lowest priority and the
 * redirection hint (one vCPU, the lower TPR), NMI, a level-triggered
 * interrupt (its TMR bit seen by the handler) and its deassert (nothing),
 * an x2APIC in physical and logical mode, and a vCPU halted in the kernel
 * that an MSI wakes. Each return value is the number of vCPUs reached.
 * Every bad argument gets its errno and delivers nothing.
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "apic.h"
#include "hvm_util.h"
#include "guest.h"

#define APIC_LDR	0xd0
#define APIC_DFR	0xe0
#define APIC_TMR	0x180
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_BSP	(1u << 8)
#define APIC_BASE_X2	(1u << 10)
#define X2_TPR		0x808
#define X2_EOI		0x80b
#define X2_TMR		0x818
#define CPUID_1_ECX_X2APIC	(1u << 21)

#define VEC_BASE	0x40	/* the vectors the handler counts: 0x40-0x7f */
#define SIPI_PAGE	0x8000ul
#define SIPI_PORT	0x77
#define HALT_TIMEOUT_S	10

#define MSI_ADDR(dest)	(0xfee00000u | (u32)(dest) << 12)
#define MSI_RH		(1u << 3)
#define MSI_LOGICAL	(1u << 2)
#define MSI_DATA(dm, v)	((u32)(dm) << 8 | (v))
#define MSI_LEVEL	(1u << 14)
#define MSI_TRIGGER	(1u << 15)
#define DM_FIXED	0
#define DM_LOWEST	1
#define DM_NMI		4
#define DM_INIT		5
#define DM_SIPI		6

enum { CMD_NONE, CMD_FLAT, CMD_CLUSTER, CMD_TPR, CMD_X2APIC, CMD_DRAIN,
	CMD_HALT };

/* Per vCPU: the host's command and its argument; what the guest took. */
static volatile u64 cmd[2], cmd_arg[2];
static volatile u64 got[2], tmr_seen[2], x2[2];
/* One count for both: the NMI handler makes no exit (docs/lab.md, Bochs). */
static volatile u64 nmis;

static __guest_code u64 my_id(void)
{
	return guest_rdmsr(MSR_APIC_BASE) & APIC_BASE_BSP ? 0 : 1;
}

static __guest_code void irq_handler(struct ex_regs *regs)
{
	u64 me = my_id(), v = regs->vector;
	u32 tmr;

	if (x2[me])
		tmr = guest_rdmsr(X2_TMR + v / 32);
	else
		tmr = apic_read(APIC_TMR + v / 32 * 0x10);
	got[me] |= 1ull << (v - VEC_BASE);
	if (tmr & (1u << (v % 32)))
		tmr_seen[me] |= 1ull << (v - VEC_BASE);
	if (x2[me])
		guest_wrmsr(X2_EOI, 0);
	else
		apic_write(APIC_EOI, 0);
}

static __guest_code void nmi_handler(struct ex_regs *regs)
{
	(void)regs;
	nmis++;
}

static __guest_code void guest_main(u64 id)
{
	apic_write(APIC_SPIV, 0x1ff);
	for (;;) {
		u64 arg = cmd_arg[id];

		switch (cmd[id]) {
		case CMD_FLAT:
			apic_write(APIC_DFR, 0xffffffff);
			apic_write(APIC_LDR, arg << 24);
			break;
		case CMD_CLUSTER:
			apic_write(APIC_DFR, 0x0fffffff);
			apic_write(APIC_LDR, arg << 24);
			break;
		case CMD_TPR:
			if (x2[id])
				guest_wrmsr(X2_TPR, arg);
			else
				apic_write(APIC_TPR, arg);
			break;
		case CMD_X2APIC:
			guest_wrmsr(MSR_APIC_BASE,
				    guest_rdmsr(MSR_APIC_BASE) | APIC_BASE_X2);
			x2[id] = 1;
			break;
		case CMD_DRAIN:
			asm volatile("sti; nop; nop; nop; nop; nop; nop; cli" ::: "memory");
			break;
		case CMD_HALT:
			asm volatile("sti; hlt; cli" ::: "memory");
			break;
		}
		GUEST_SYNC4(id, got[id], tmr_seen[id], nmis);
		got[id] = 0;
		tmr_seen[id] = 0;
	}
}

static struct hvm_vm *vm;
static struct hvm_vcpu *vcpus[2];

/* Runs vCPU id through one command; its report lands in uc. */
static bool run_cmd(int id, u64 c, u64 arg, struct ucall *uc)
{
	((volatile u64 *)guest_global_ptr(vm, cmd))[id] = c;
	((volatile u64 *)guest_global_ptr(vm, cmd_arg))[id] = arg;
	return vcpu_run_expect_sync4(vcpus[id], id, uc);
}

/* Vectors (bit v - VEC_BASE) each vCPU took in an interrupt window. */
static void drain(u64 *v0, u64 *v1)
{
	struct ucall uc;

	*v0 = run_cmd(0, CMD_DRAIN, 0, &uc) ? uc.args[1] : ~0ull;
	*v1 = run_cmd(1, CMD_DRAIN, 0, &uc) ? uc.args[1] : ~0ull;
}

static int signal_msi(int vm_fd, u32 lo, u32 hi, u32 data)
{
	struct hvm_msi msi = { .address_lo = lo, .address_hi = hi, .data = data };
	int r = ioctl(vm_fd, HVM_SIGNAL_MSI, &msi);

	return r < 0 ? -errno : r;
}

#define BIT_OF(v)	(1ull << ((v) - VEC_BASE))

/* One MSI: its return value, and which vCPUs then take vector v. */
static void check_msi(const char *what, u32 lo, u32 data, int want_n,
		      bool to0, bool to1)
{
	u8 v = data & 0xff;
	int n = signal_msi(vm->fd, lo, 0, data);
	u64 g0, g1;

	drain(&g0, &g1);
	ksft_test_result(n == want_n && g0 == (to0 ? BIT_OF(v) : 0) &&
			 g1 == (to1 ? BIT_OF(v) : 0),
			 "%s: returns %d (got %d), vCPU 0 %s, vCPU 1 %s (took %#llx, %#llx)",
			 what, want_n, n, to0 ? "takes it" : "not",
			 to1 ? "takes it" : "not", (unsigned long long)g0,
			 (unsigned long long)g1);
}

static void test_init_sipi(void)
{
	/* Real mode at the SIPI page: out SIPI_PORT, al; hlt */
	static const u8 code[] = { 0xe6, SIPI_PORT, 0xf4 };
	struct hvm_regs regs;
	struct hvm_sregs sregs, saved_sregs;
	struct hvm_regs saved_regs;
	int n_init, n_sipi, r;

	vcpu_get_regs(vcpus[1], &saved_regs);
	vcpu_get_sregs(vcpus[1], &saved_sregs);
	memcpy(addr_gpa2hva(vm, SIPI_PAGE), code, sizeof(code));

	n_init = signal_msi(vm->fd, MSI_ADDR(1), 0, MSI_DATA(DM_INIT, 0));
	n_sipi = signal_msi(vm->fd, MSI_ADDR(1), 0,
			    MSI_DATA(DM_SIPI, SIPI_PAGE >> 12));
	r = __vcpu_run(vcpus[1]);
	vcpu_get_sregs(vcpus[1], &sregs);
	ksft_test_result(n_init == 1 && n_sipi == 1 && !r &&
			 vcpus[1]->run->exit_reason == HVM_EXIT_IO &&
			 vcpus[1]->run->io.port == SIPI_PORT &&
			 sregs.cs.base == SIPI_PAGE,
			 "INIT and SIPI by MSI start the waiting vCPU 1 in real mode at %#lx (returned %d, %d; exit %s, CS base %#llx)",
			 SIPI_PAGE, n_init, n_sipi, vcpu_exit_desc(vcpus[1]),
			 (unsigned long long)sregs.cs.base);

	/* From here vCPU 1 runs the 64-bit command loop too. */
	vcpu_set_sregs(vcpus[1], &saved_sregs);
	regs = saved_regs;
	regs.rdi = 1;
	vcpu_set_regs(vcpus[1], &regs);
}

static void set_x2apic_cpuid(struct hvm_vcpu *vcpu)
{
	struct hvm_cpuid *c = host_cpuid_table();
	u32 i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= CPUID_1_ECX_X2APIC;
	vcpu_set_cpuid(vcpu, c);
	free(c);
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool halt_done, halt_ok;
static u64 halt_got;

static void *halt_thread(void *arg)
{
	struct ucall uc;
	bool ok;

	(void)arg;
	ok = run_cmd(1, CMD_HALT, 0, &uc);
	pthread_mutex_lock(&lock);
	halt_ok = ok;
	halt_got = uc.args[1];
	halt_done = true;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* vCPU 1 halts in the kernel with IF set; an MSI must wake it. */
static void test_halt_wake(void)
{
	struct timespec ts;
	pthread_t thread;
	bool done;
	int n;

	TEST_ASSERT(!pthread_create(&thread, NULL, halt_thread, NULL), "pthread_create");
	usleep(200 * 1000);	/* vCPU 1 reaches its HLT and sleeps */
	n = signal_msi(vm->fd, MSI_ADDR(1), 0, MSI_DATA(DM_FIXED, 0x4c));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += HALT_TIMEOUT_S;
	pthread_mutex_lock(&lock);
	while (!halt_done && pthread_cond_timedwait(&cond, &lock, &ts) == 0)
		;
	done = halt_done;
	pthread_mutex_unlock(&lock);
	if (!done)
		pthread_kill(thread, SIGUSR1);	/* ends the lost halt */
	pthread_join(thread, NULL);
	ksft_test_result(n == 1 && done && halt_ok && halt_got == BIT_OF(0x4c),
			 "an MSI wakes vCPU 1 from its in-kernel HLT (returned %d, %s within %d s, took %#llx)",
			 n, done ? "woke" : "still asleep", HALT_TIMEOUT_S,
			 (unsigned long long)halt_got);
}

struct bad_msi {
	const char *what;
	struct hvm_msi msi;
	int err;
};

#define OK_ADDR	MSI_ADDR(0)
#define OK_DATA	MSI_DATA(DM_FIXED, 0x7f)

static const struct bad_msi bad_msis[] = {
	{ "address below 0xfee00000", { 0xfed00000u, 0, OK_DATA, 0, {} }, EINVAL },
	{ "address above 0xfeefffff", { 0xfef00000u, 0, OK_DATA, 0, {} }, EINVAL },
	{ "address_hi not 0", { OK_ADDR, 1, OK_DATA, 0, {} }, EINVAL },
	{ "address bit 4 (reserved)", { OK_ADDR | 0x10, 0, OK_DATA, 0, {} }, EINVAL },
	{ "address bit 0 (reserved)", { OK_ADDR | 1, 0, OK_DATA, 0, {} }, EINVAL },
	{ "data bit 12 (reserved)", { OK_ADDR, 0, OK_DATA | 1u << 12, 0, {} }, EINVAL },
	{ "data bit 16 (reserved)", { OK_ADDR, 0, OK_DATA | 1u << 16, 0, {} }, EINVAL },
	{ "delivery mode SMI", { OK_ADDR, 0, MSI_DATA(2, 0x7f), 0, {} }, EINVAL },
	{ "delivery mode 3", { OK_ADDR, 0, MSI_DATA(3, 0x7f), 0, {} }, EINVAL },
	{ "delivery mode ExtINT", { OK_ADDR, 0, MSI_DATA(7, 0x7f), 0, {} }, EINVAL },
	{ "flags not 0", { OK_ADDR, 0, OK_DATA, 1, {} }, EINVAL },
	{ "reserved not 0", { OK_ADDR, 0, OK_DATA, 0, { 0, 0, 0, 1 } }, EINVAL },
};

static void test_bad_args(void)
{
	struct hvm_vm *bare;
	struct hvm_msi ok = { OK_ADDR, 0, OK_DATA, 0, {} };
	u64 g0, g1;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(bad_msis); i++) {
		r = ioctl(vm->fd, HVM_SIGNAL_MSI, &bad_msis[i].msi);
		ksft_test_result(r == -1 && errno == bad_msis[i].err,
				 "%s: %s (got %d, %s)", bad_msis[i].what,
				 strerror(bad_msis[i].err), r,
				 r < 0 ? strerror(errno) : "no error");
	}
	r = ioctl(vm->fd, HVM_SIGNAL_MSI, (void *)8ul);
	ksft_test_result(r == -1 && errno == EFAULT, "a bad pointer: EFAULT (got %d, %s)",
			 r, r < 0 ? strerror(errno) : "no error");

	bare = vm_create_bare();
	r = ioctl(bare->fd, HVM_SIGNAL_MSI, &ok);
	ksft_test_result(r == -1 && errno == ENXIO,
			 "a VM without an in-kernel LAPIC: ENXIO (got %d, %s)",
			 r, r < 0 ? strerror(errno) : "no error");
	vm_free(bare);

	drain(&g0, &g1);
	ksft_test_result(!g0 && !g1, "the refused calls delivered nothing (took %#llx, %#llx)",
			 (unsigned long long)g0, (unsigned long long)g1);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct ucall uc;
	long cap;
	u64 n0, n1;
	int n, i;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	require_lapic_or_skip();
	ksft_set_plan(25 + ARRAY_SIZE(bad_msis) + 3);
	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");

	cap = hvm_check_cap(HVM_CAP_MSI);
	ksft_test_result(cap == 1, "HVM_CHECK_CAP(MSI) == 1 (got %ld)", cap);
	if (cap != 1)	/* the vCPUs would wait forever for what never comes */
		ksft_exit_fail_msg("no HVM_SIGNAL_MSI: the rest cannot run");

	vm = vm_create_with_lapic();
	vcpus[0] = vm_vcpu_add(vm, 0, guest_main);
	vcpus[1] = vm_vcpu_add(vm, 1, guest_main);
	set_x2apic_cpuid(vcpus[1]);
	virt_map(vm, APIC_GVA, APIC_GVA, 1);
	for (i = VEC_BASE; i < VEC_BASE + 64; i++)
		vm_install_handler(vm, i, irq_handler);
	vm_install_handler(vm, 2, nmi_handler);

	test_init_sipi();
	ok = run_cmd(0, CMD_NONE, 0, &uc) && run_cmd(1, CMD_NONE, 0, &uc);
	ksft_test_result(ok, "both vCPUs run the command loop");

	check_msi("fixed, physical 1", MSI_ADDR(1), MSI_DATA(DM_FIXED, 0x41), 1,
		  false, true);
	check_msi("fixed, physical 0", MSI_ADDR(0), MSI_DATA(DM_FIXED, 0x42), 1,
		  true, false);
	check_msi("fixed, physical 5 (no such APIC)", MSI_ADDR(5),
		  MSI_DATA(DM_FIXED, 0x43), 0, false, false);
	check_msi("fixed, physical broadcast 0xff", MSI_ADDR(0xff),
		  MSI_DATA(DM_FIXED, 0x44), 2, true, true);

	ok = run_cmd(0, CMD_FLAT, 0x01, &uc) && run_cmd(1, CMD_FLAT, 0x02, &uc);
	check_msi("flat logical 0x02 (LDRs 0x01, 0x02)", MSI_ADDR(0x02) | MSI_LOGICAL,
		  MSI_DATA(DM_FIXED, 0x45), ok ? 1 : -1, false, true);
	check_msi("flat logical 0x03", MSI_ADDR(0x03) | MSI_LOGICAL,
		  MSI_DATA(DM_FIXED, 0x46), 2, true, true);
	check_msi("logical broadcast 0xff", MSI_ADDR(0xff) | MSI_LOGICAL,
		  MSI_DATA(DM_FIXED, 0x47), 2, true, true);

	ok = run_cmd(0, CMD_CLUSTER, 0x11, &uc) && run_cmd(1, CMD_CLUSTER, 0x21, &uc);
	check_msi("cluster logical 0x21 (LDRs 0x11, 0x21)",
		  MSI_ADDR(0x21) | MSI_LOGICAL, MSI_DATA(DM_FIXED, 0x48),
		  ok ? 1 : -1, false, true);
	check_msi("cluster logical 0x13", MSI_ADDR(0x13) | MSI_LOGICAL,
		  MSI_DATA(DM_FIXED, 0x49), 1, true, false);
	check_msi("cluster logical 0x01 (member bit of both, no cluster 0)",
		  MSI_ADDR(0x01) | MSI_LOGICAL, MSI_DATA(DM_FIXED, 0x4a), 0,
		  false, false);

	ok = run_cmd(0, CMD_FLAT, 0x01, &uc) && run_cmd(1, CMD_FLAT, 0x02, &uc) &&
	     run_cmd(0, CMD_TPR, 0x20, &uc) && run_cmd(1, CMD_TPR, 0x10, &uc);
	check_msi("lowest priority to both (TPRs 0x20, 0x10): vCPU 1 only",
		  MSI_ADDR(0x03) | MSI_LOGICAL, MSI_DATA(DM_LOWEST, 0x50),
		  ok ? 1 : -1, false, true);
	ok = run_cmd(0, CMD_TPR, 0x10, &uc) && run_cmd(1, CMD_TPR, 0x30, &uc);
	check_msi("lowest priority, broadcast (TPRs 0x10, 0x30): vCPU 0 only",
		  MSI_ADDR(0xff), MSI_DATA(DM_LOWEST, 0x51), ok ? 1 : -1,
		  true, false);
	check_msi("fixed with redirection hint: one, by priority (vCPU 0)",
		  MSI_ADDR(0x03) | MSI_LOGICAL | MSI_RH, MSI_DATA(DM_FIXED, 0x52),
		  1, true, false);
	ok = run_cmd(0, CMD_TPR, 0, &uc) && run_cmd(1, CMD_TPR, 0, &uc);
	check_msi("lowest priority, equal TPRs: the lower vCPU id",
		  MSI_ADDR(0x03) | MSI_LOGICAL, MSI_DATA(DM_LOWEST, 0x53),
		  ok ? 1 : -1, true, false);

	/* NMI: vCPU 1's handler counts it; vCPU 0 then adds none. */
	n = signal_msi(vm->fd, MSI_ADDR(1), 0, MSI_DATA(DM_NMI, 0));
	ok = run_cmd(1, CMD_DRAIN, 0, &uc);
	n1 = uc.args[3];
	ok &= run_cmd(0, CMD_DRAIN, 0, &uc);
	n0 = uc.args[3];
	ksft_test_result(n == 1 && ok && n1 == 1 && n0 == 1,
			 "NMI to vCPU 1: returns 1 (got %d), one NMI handler runs, on vCPU 1 (count after vCPU 1: %llu, after vCPU 0: %llu)",
			 n, (unsigned long long)n1, (unsigned long long)n0);

	/* Level-triggered: the handler sees the TMR bit; a deassert is nothing. */
	n = signal_msi(vm->fd, MSI_ADDR(0), 0,
		       MSI_DATA(DM_FIXED, 0x58) | MSI_TRIGGER | MSI_LEVEL);
	ok = run_cmd(0, CMD_DRAIN, 0, &uc);
	ksft_test_result(n == 1 && ok && uc.args[1] == BIT_OF(0x58) &&
			 uc.args[2] == BIT_OF(0x58),
			 "level-triggered assert: taken with its TMR bit set (returned %d, took %#llx, TMR %#llx)",
			 n, (unsigned long long)uc.args[1], (unsigned long long)uc.args[2]);
	n = signal_msi(vm->fd, MSI_ADDR(0), 0, MSI_DATA(DM_FIXED, 0x58));
	ok = run_cmd(0, CMD_DRAIN, 0, &uc);
	ksft_test_result(n == 1 && ok && uc.args[1] == BIT_OF(0x58) && !uc.args[2],
			 "edge-triggered after it: TMR bit clear (returned %d, took %#llx, TMR %#llx)",
			 n, (unsigned long long)uc.args[1], (unsigned long long)uc.args[2]);
	check_msi("level-triggered deassert: nothing", MSI_ADDR(0xff),
		  MSI_DATA(DM_FIXED, 0x59) | MSI_TRIGGER, 0, false, false);

	/* vCPU 1 in x2APIC mode; vCPU 0 stays xAPIC, flat LDR 0x01. */
	ok = run_cmd(1, CMD_X2APIC, 0, &uc);
	check_msi("x2APIC physical 1", MSI_ADDR(1), MSI_DATA(DM_FIXED, 0x5a),
		  ok ? 1 : -1, false, true);
	check_msi("logical 0x02: x2APIC cluster 0, member 1", MSI_ADDR(0x02) | MSI_LOGICAL,
		  MSI_DATA(DM_FIXED, 0x5b), 1, false, true);
	check_msi("logical 0x03: vCPU 0 flat, vCPU 1 x2APIC", MSI_ADDR(0x03) | MSI_LOGICAL,
		  MSI_DATA(DM_FIXED, 0x5c), 2, true, true);

	test_halt_wake();
	test_bad_args();
	vm_free(vm);
	ksft_finished();
}
