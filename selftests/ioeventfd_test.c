// SPDX-License-Identifier: GPL-2.0
/*
 * HVM_IOEVENTFD: guest writes that match a registration are completed in
 * the kernel and signal its eventfd. For port I/O (OUT at 1, 2, 4 bytes
 * and "any length") and MMIO (MOV at 1, 2, 4, 8 bytes and any), the guest
 * does N writes between two ucalls: HVM_RUN must return once (the
 * second ucall: no exit to userspace for the writes), the debugfs exit
 * counter of the hardware's I/O or nested-page-fault exit must have
 * grown by N (the writes did exit to hvm), and the eventfd must read N.
 * A datamatch hit and miss, a length that does not match (those exit to
 * userspace as before), -EEXIST overlaps, deassign, every bad argument
 * with its errno, the limit, an eventfd closed while registered, a
 * registration made and removed over and over while the guest writes to
 * it (each write is then either signalled or exits, exactly once), and
 * SIGKILL with registrations live.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvm_util.h"
#include "guest.h"

#define MMIO_GVA	0xd0000000ul	/* guest-virtual ... */
#define MMIO_GPA	0xc0000000ul	/* ... mapped here, no slot */
#define PORT		0x3000
#define NWRITES		10

/* What the guest writes next: set by the host between ucalls. */
struct cmd {
	uint64_t pio, off, len, val, n;
};
static struct cmd cmd;

static __guest_code void guest_write(uint64_t pio, uint64_t off, uint64_t len,
				     uint64_t val)
{
	volatile void *p = (volatile void *)(MMIO_GVA + off);
	uint16_t port = PORT + off;

	if (pio) {
		if (len == 1)
			asm volatile("outb %%al, %%dx" :: "a"(val), "d"(port));
		else if (len == 2)
			asm volatile("outw %%ax, %%dx" :: "a"(val), "d"(port));
		else
			asm volatile("outl %%eax, %%dx" :: "a"(val), "d"(port));
		return;
	}
	if (len == 1)
		*(volatile uint8_t *)p = val;
	else if (len == 2)
		*(volatile uint16_t *)p = val;
	else if (len == 4)
		*(volatile uint32_t *)p = val;
	else
		*(volatile uint64_t *)p = val;
}

static __guest_code void guest_code(void)
{
	volatile struct cmd *c = &cmd;	/* the host changes it */
	uint64_t i, canary;

	for (;;) {
		GUEST_SYNC(1);		/* ready for a command */
		if (!c->n)
			break;
		canary = 0x5a5a5a5a5a5a5a5aull;
		for (i = 0; i < c->n; i++)
			guest_write(c->pio, c->off, c->len, c->val);
		GUEST_ASSERT_EQ(canary, 0x5a5a5a5a5a5a5a5aull);
	}
	GUEST_DONE();
}

static struct hvm_vm *vm;
static struct hvm_vcpu *vcpu;

static int ioeventfd(u32 flags, u64 addr, u32 len, u64 dm, int fd)
{
	struct hvm_ioeventfd a = {
		.flags = flags, .addr = addr, .len = len, .datamatch = dm,
		.fd = fd,
	};

	return ioctl(vm->fd, HVM_IOEVENTFD, &a) ? errno : 0;
}

static int ioeventfd_raw(const struct hvm_ioeventfd *a)
{
	return ioctl(vm->fd, HVM_IOEVENTFD, a) ? errno : 0;
}

static u64 efd_read(int efd)
{
	u64 v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;	/* EAGAIN: nothing signalled */
	return v;
}

static u64 exit_code(bool pio)
{
	if (host_cpu_is_amd())
		return pio ? 0x7b : 0x400;	/* SVM IOIO, NPF */
	return pio ? 30 : 48;			/* VMX I/O, EPT violation */
}

/*
 * The guest does n writes; each exit to userspace on the way must be the
 * expected MMIO/IO exit (with the value) when miss, else none may come.
 * Returns the exits to userspace before the guest's next ucall, or -1.
 */
static int do_writes(bool pio, u64 off, u32 len, u64 val, u64 n,
		     long long *hw_exits)
{
	long long before = hvm_exit_count(exit_code(pio));
	struct ucall uc;
	int exits = 0;

	cmd.pio = pio;
	cmd.off = off;
	cmd.len = len;
	cmd.val = val;
	cmd.n = n;
	sync_global_to_guest(vm, cmd);
	for (;;) {
		vcpu_run(vcpu);
		if (get_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 1)
			break;
		if (get_ucall(vcpu, &uc) != UCALL_NONE) {
			ksft_print_msg("unexpected: %s\n", vcpu_exit_desc(vcpu));
			return -1;
		}
		if (pio) {
			if (vcpu->run->exit_reason != HVM_EXIT_IO ||
			    vcpu->run->io.port != PORT + off ||
			    vcpu->run->io.size != len ||
			    vcpu->run->io.direction != HVM_EXIT_IO_OUT) {
				ksft_print_msg("unexpected: %s\n", vcpu_exit_desc(vcpu));
				return -1;
			}
		} else if (!vcpu_check_mmio(vcpu, MMIO_GPA + off, len, true, val)) {
			return -1;
		}
		exits++;
	}
	*hw_exits = hvm_exit_count(exit_code(pio)) - before;
	return exits;
}

/* Registers, does NWRITES matching writes, checks, deassigns. */
static void test_hit(bool pio, u32 reg_len, u32 write_len, u64 val)
{
	const char *space = pio ? "PIO" : "MMIO";
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	u64 addr = pio ? PORT : MMIO_GPA;
	long long hw = 0;
	int r, exits;
	u64 count;

	r = ioeventfd(pio ? HVM_IOEVENTFD_FLAG_PIO : 0, addr, reg_len, 0, efd);
	exits = r ? -1 : do_writes(pio, 0, write_len, val, NWRITES, &hw);
	count = efd_read(efd);
	ksft_test_result(!r && exits == 0 && count == NWRITES && hw >= NWRITES,
			 "%s len %u, %u-byte writes: done in the kernel (register %d, exits to userspace %d, eventfd %llu, hardware exits %lld)",
			 space, reg_len, write_len, r, exits,
			 (unsigned long long)count, hw);
	ioeventfd((pio ? HVM_IOEVENTFD_FLAG_PIO : 0) | HVM_IOEVENTFD_FLAG_DEASSIGN,
		  addr, reg_len, 0, efd);
	close(efd);
}

static void test_datamatch(void)
{
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	long long hw = 0;
	int r, hit, miss;
	u64 c_hit, c_miss;

	r = ioeventfd(HVM_IOEVENTFD_FLAG_DATAMATCH, MMIO_GPA + 0x10, 4,
		      0xcafef00d, efd);
	hit = do_writes(false, 0x10, 4, 0xcafef00d, NWRITES, &hw);
	c_hit = efd_read(efd);
	ksft_test_result(!r && hit == 0 && c_hit == NWRITES,
			 "MMIO datamatch hit: done in the kernel (exits %d, eventfd %llu)",
			 hit, (unsigned long long)c_hit);
	miss = do_writes(false, 0x10, 4, 0xcafef00e, 3, &hw);
	c_miss = efd_read(efd);
	ksft_test_result(miss == 3 && c_miss == 0,
			 "MMIO datamatch miss: each write exits to userspace with its value (exits %d, eventfd %llu)",
			 miss, (unsigned long long)c_miss);
	/* 2 bytes at the same address: the length does not match. */
	miss = do_writes(false, 0x10, 2, 0xf00d, 2, &hw);
	ksft_test_result(miss == 2 && efd_read(efd) == 0,
			 "MMIO write of another length exits to userspace (exits %d)", miss);
	r = ioeventfd(HVM_IOEVENTFD_FLAG_DATAMATCH | HVM_IOEVENTFD_FLAG_PIO,
		      PORT + 4, 2, 0x1234, efd);
	hit = do_writes(true, 4, 2, 0x1234, NWRITES, &hw);
	miss = do_writes(true, 4, 2, 0x1235, 2, &hw);
	ksft_test_result(!r && hit == 0 && miss == 2 && efd_read(efd) == NWRITES,
			 "PIO datamatch: hit in the kernel, miss exits (exits %d, %d)",
			 hit, miss);
	ioeventfd(HVM_IOEVENTFD_FLAG_DATAMATCH | HVM_IOEVENTFD_FLAG_DEASSIGN,
		  MMIO_GPA + 0x10, 4, 0xcafef00d, efd);
	ioeventfd(HVM_IOEVENTFD_FLAG_DATAMATCH | HVM_IOEVENTFD_FLAG_PIO |
		  HVM_IOEVENTFD_FLAG_DEASSIGN, PORT + 4, 2, 0x1234, efd);
	close(efd);
}

static void test_overlap_deassign(void)
{
	const u32 DM = HVM_IOEVENTFD_FLAG_DATAMATCH;
	const u32 DEASSIGN = HVM_IOEVENTFD_FLAG_DEASSIGN;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int efd2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	u64 a = MMIO_GPA + 0x100;
	long long hw;
	int e[8], exits;

	e[0] = ioeventfd(0, a, 4, 0, efd);
	e[1] = ioeventfd(0, a, 4, 0, efd2);		/* the same range */
	e[2] = ioeventfd(0, a + 2, 2, 0, efd2);	/* intersects */
	e[3] = ioeventfd(0, a + 3, 0, 0, efd2);	/* any length, inside */
	ksft_test_result(!e[0] && e[1] == EEXIST && e[2] == EEXIST && e[3] == EEXIST,
			 "overlapping match-any registrations: EEXIST (%d %d %d %d)",
			 e[0], e[1], e[2], e[3]);
	e[0] = ioeventfd(DM, a, 4, 7, efd2);
	e[1] = ioeventfd(DM, a, 2, 7, efd2);		/* the same datamatch */
	e[2] = ioeventfd(DM, a, 4, 8, efd2);		/* another one */
	e[3] = ioeventfd(HVM_IOEVENTFD_FLAG_PIO, a & 0xffff, 4, 0, efd2);
	e[4] = ioeventfd(0, a + 4, 4, 0, efd2);	/* adjacent */
	ksft_test_result(!e[0] && e[1] == EEXIST && !e[2] && !e[3] && !e[4],
			 "same datamatch: EEXIST; another datamatch, port space, adjacent: fine (%d %d %d %d %d)",
			 e[0], e[1], e[2], e[3], e[4]);
	/* A write of 7 signals the match-any and the datamatch one. */
	exits = do_writes(false, 0x100, 4, 7, 1, &hw);
	ksft_test_result(exits == 0 && efd_read(efd) == 1 && efd_read(efd2) == 1,
			 "a write both match signals both eventfds (exits %d)", exits);
	e[0] = ioeventfd(DEASSIGN, a, 2, 0, efd);	/* another length */
	e[1] = ioeventfd(DEASSIGN, a, 4, 0, efd2);	/* another eventfd */
	e[2] = ioeventfd(DEASSIGN | DM, a, 4, 9, efd2);	/* another datamatch */
	e[3] = ioeventfd(DEASSIGN, a, 4, 0, efd);
	e[4] = ioeventfd(DEASSIGN, a, 4, 0, efd);	/* twice */
	ksft_test_result(e[0] == ENOENT && e[1] == ENOENT && e[2] == ENOENT &&
			 !e[3] && e[4] == ENOENT,
			 "deassign: only the exact registration, once (%d %d %d %d %d)",
			 e[0], e[1], e[2], e[3], e[4]);
	exits = do_writes(false, 0x100, 4, 5, 2, &hw);
	ksft_test_result(exits == 2 && efd_read(efd) == 0,
			 "after deassign the write exits to userspace (exits %d)", exits);
	e[0] = ioeventfd(0, a, 4, 0, efd);		/* free again */
	e[1] = ioeventfd(DEASSIGN, a, 4, 0, -1);	/* fd -1: any eventfd */
	e[2] = ioeventfd(DEASSIGN | DM, a, 4, 7, efd2);
	e[3] = ioeventfd(DEASSIGN | DM, a, 4, 8, efd2);
	e[4] = ioeventfd(DEASSIGN | HVM_IOEVENTFD_FLAG_PIO, a & 0xffff, 4, 0, efd2);
	e[5] = ioeventfd(DEASSIGN, a + 4, 4, 0, efd2);
	ksft_test_result(!e[0] && !e[1] && !e[2] && !e[3] && !e[4] && !e[5],
			 "the range registers again after deassign; fd -1 deassigns (%d %d %d %d %d %d)",
			 e[0], e[1], e[2], e[3], e[4], e[5]);
	close(efd);
	close(efd2);
}

#define A	(MMIO_GPA + 0x200)
#define FD_EFD		0	/* the eventfd */
#define FD_DEVNULL	-2	/* /dev/null */
#define FD_VM		-3	/* the VM fd */

static void test_bad_args(void)
{
	const u32 PIO = HVM_IOEVENTFD_FLAG_PIO, DM = HVM_IOEVENTFD_FLAG_DATAMATCH;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	const struct {
		const char *what;
		struct hvm_ioeventfd a;
		int want;
	} cases[] = {
		{ "unknown flag 1 << 3", { .flags = 1u << 3, .addr = A, .len = 4 }, EINVAL },
		{ "unknown flag 1 << 31", { .flags = 1u << 31, .addr = A, .len = 4 }, EINVAL },
		{ "padding", { .padding = 1, .addr = A, .len = 4 }, EINVAL },
		{ "reserved[0]", { .reserved = { 1, 0 }, .addr = A, .len = 4 }, EINVAL },
		{ "reserved[1]", { .reserved = { 0, 1 }, .addr = A, .len = 4 }, EINVAL },
		{ "len 3", { .addr = A, .len = 3 }, EINVAL },
		{ "len 16", { .addr = A, .len = 16 }, EINVAL },
		{ "PIO len 8", { .flags = PIO, .addr = 0x10, .len = 8 }, EINVAL },
		{ "PIO past port 0xffff", { .flags = PIO, .addr = 0xfffe, .len = 4 }, EINVAL },
		{ "PIO port 0x10000", { .flags = PIO, .addr = 0x10000, .len = 0 }, EINVAL },
		{ "MMIO addr + len wraps", { .addr = ~0ull - 1, .len = 4 }, EINVAL },
		{ "datamatch without its flag", { .addr = A, .len = 4, .datamatch = 1 }, EINVAL },
		{ "datamatch wider than len", { .flags = DM, .addr = A, .len = 2, .datamatch = 0x10000 }, EINVAL },
		{ "datamatch with len 0", { .flags = DM, .addr = A, .len = 0 }, EINVAL },
		{ "fd not open", { .addr = A, .len = 4, .fd = 1000 }, EBADF },
		{ "fd -1", { .addr = A, .len = 4, .fd = -1 }, EBADF },
		{ "fd not an eventfd (/dev/null)", { .addr = A, .len = 4, .fd = FD_DEVNULL }, EINVAL },
		{ "fd not an eventfd (the VM fd)", { .addr = A, .len = 4, .fd = FD_VM }, EINVAL },
		{ "deassign what was never assigned", { .flags = HVM_IOEVENTFD_FLAG_DEASSIGN, .addr = A, .len = 4 }, ENOENT },
	};
	unsigned int i;
	bool all = true;
	int r;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hvm_ioeventfd a = cases[i].a;

		if (a.fd == FD_EFD)
			a.fd = efd;
		else if (a.fd == FD_DEVNULL)
			a.fd = devnull;
		else if (a.fd == FD_VM)
			a.fd = vm->fd;
		r = ioeventfd_raw(&a);
		if (r != cases[i].want) {
			ksft_print_msg("%s: errno %d, want %d\n", cases[i].what, r,
				       cases[i].want);
			all = false;
		}
	}
	ksft_test_result(all, "%zu bad HVM_IOEVENTFD arguments get their errno",
			 ARRAY_SIZE(cases));
	r = ioctl(vm->fd, HVM_IOEVENTFD, (void *)8) ? errno : 0;
	ksft_test_result(r == EFAULT && !ioeventfd(0, A, 4, 0, efd) &&
			 !ioeventfd(HVM_IOEVENTFD_FLAG_DEASSIGN, A, 4, 0, efd),
			 "a bad pointer: EFAULT; the good argument registers (errno %d)", r);
	close(devnull);
	close(efd);
}

/* The limit, in a VM of its own, freed with its registrations. */
static void test_limit(void)
{
	long max = hvm_check_cap(HVM_CAP_IOEVENTFD);
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct hvm_vm *main_vm = vm;
	long i, n = 0;
	int r = 0;

	vm = vm_create();
	for (i = 0; i < max; i++) {
		r = ioeventfd(0, 0x100000000ull + i * 8, 8, 0, efd);
		if (r)
			break;
		n++;
	}
	r = ioeventfd(0, 0x100000000ull + max * 8, 8, 0, efd);
	ksft_test_result(max > 0 && n == max && r == ENOSPC,
			 "HVM_CAP_IOEVENTFD (%ld) registrations, then ENOSPC (%ld made, errno %d)",
			 max, n, r);
	close(efd);
	vm_free(vm);
	vm = main_vm;
}

/* The registration holds the eventfd: closing the fd changes nothing. */
static void test_closed_eventfd(void)
{
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	long long hw = 0;
	int r, exits, d;

	r = ioeventfd(0, MMIO_GPA + 0x300, 8, 0, efd);
	close(efd);
	exits = do_writes(false, 0x300, 8, 1, NWRITES, &hw);
	d = ioeventfd(HVM_IOEVENTFD_FLAG_DEASSIGN, MMIO_GPA + 0x300, 8, 0, -1);
	ksft_test_result(!r && exits == 0 && hw >= NWRITES && !d,
			 "eventfd closed while registered: writes still done in the kernel, deassign by fd -1 (%d, exits %d, %d)",
			 r, exits, d);
}

static volatile bool churn_stop;
static int churn_efd;
static volatile int churn_errors, churn_rounds;

static void *churn(void *arg)
{
	(void)arg;
	while (!churn_stop) {
		if (ioeventfd(0, MMIO_GPA + 0x400, 4, 0, churn_efd) ||
		    ioeventfd(HVM_IOEVENTFD_FLAG_DEASSIGN, MMIO_GPA + 0x400, 4, 0,
			      churn_efd))
			churn_errors++;
		churn_rounds++;
	}
	return NULL;
}

/* Registrations change under a running vCPU (the array is RCU-replaced). */
static void test_concurrent(void)
{
	long long hw = 0;
	pthread_t t;
	int exits = 0, e, chunk;
	u64 count, n = 0;

	churn_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	churn_stop = false;
	TEST_ASSERT(!pthread_create(&t, NULL, churn, NULL), "pthread_create");
	/* Write until the other thread has made 20 changes, or 50 chunks. */
	for (chunk = 0; chunk < 50 && churn_rounds < 20 && exits >= 0; chunk++) {
		e = do_writes(false, 0x400, 4, 9, 200, &hw);
		exits = e < 0 ? e : exits + e;
		n += 200;
	}
	churn_stop = true;
	pthread_join(t, NULL);
	count = efd_read(churn_efd);
	ksft_test_result(exits >= 0 && !churn_errors && exits + count == n &&
			 churn_rounds >= 20,
			 "%llu writes while another thread assigns and deassigns: each signalled or exited once (%d exits, %llu signalled, %d rounds, %d errors)",
			 (unsigned long long)n, exits, (unsigned long long)count,
			 churn_rounds, churn_errors);
	close(churn_efd);
}

static __guest_code void guest_spin_writes(void)
{
	for (;;) {
		*(volatile uint32_t *)MMIO_GVA = 1;
		asm volatile("outb %%al, %%dx" :: "a"(1), "d"((uint16_t)PORT));
	}
}

/* A child registers, runs a guest writing to both, and is SIGKILLed. */
static void test_sigkill(void)
{
	struct hvm_objects o = { .vms = -1 };
	int status = 0, i;
	pid_t pid;

	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct hvm_vcpu *v;
		struct hvm_vm *m = vm_create_with_vcpu(&v, guest_spin_writes);
		int efd = eventfd(0, EFD_CLOEXEC);

		vm = m;
		virt_map(m, MMIO_GVA, MMIO_GPA, 1);
		if (ioeventfd(0, MMIO_GPA, 4, 0, efd) ||
		    ioeventfd(HVM_IOEVENTFD_FLAG_PIO, PORT, 1, 0, efd) ||
		    ioeventfd(HVM_IOEVENTFD_FLAG_PIO, PORT + 8, 0, 0, eventfd(0, 0)))
			_exit(2);
		for (;;)
			__vcpu_run(v);	/* never returns: every write is in-kernel */
	}
	usleep(300 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	for (i = 0; i < 2000; i++) {
		if (hvm_read_objects(&o) && !o.vms && !o.vcpus)
			break;
		usleep(1000);
	}
	ksft_test_result(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
			 !o.vms && !o.vcpus,
			 "SIGKILL while the guest writes to live registrations: the VM is freed (status %#x, vms %ld, vcpus %ld)",
			 status, o.vms, o.vcpus);
}

int main(void)
{
	static const u32 lens_mmio[] = { 1, 2, 4, 8 };
	static const u32 lens_pio[] = { 1, 2, 4 };
	unsigned int i;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(1 + 10 + 4 + 6 + 2 + 1 + 1 + 1 + 1 + 1);
	/* Not a skip: this tree's module has it. */
	ksft_test_result(hvm_check_cap(HVM_CAP_IOEVENTFD) > 0,
			 "HVM_CAP_IOEVENTFD is there (%lu)",
			 (unsigned long)hvm_check_cap(HVM_CAP_IOEVENTFD));

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	virt_map(vm, MMIO_GVA, MMIO_GPA, 1);
	TEST_ASSERT(vcpu_run_expect_sync(vcpu, 1), "the guest's first ucall");

	for (i = 0; i < ARRAY_SIZE(lens_pio); i++)
		test_hit(true, lens_pio[i], lens_pio[i], 0xa5a5a5a5u);
	test_hit(true, 0, 2, 0x1234);
	for (i = 0; i < ARRAY_SIZE(lens_mmio); i++)
		test_hit(false, lens_mmio[i], lens_mmio[i], 0x0123456789abcdefull);
	test_hit(false, 0, 1, 0x42);
	test_hit(false, 0, 8, ~0ull);
	test_datamatch();
	test_overlap_deassign();
	test_bad_args();
	test_limit();
	test_closed_eventfd();
	test_concurrent();

	cmd.n = 0;
	sync_global_to_guest(vm, cmd);
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest ran every step to the end");
	vm_free(vm);

	test_sigkill();
	ksft_finished();
}
