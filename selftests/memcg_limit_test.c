// SPDX-License-Identifier: GPL-2.0
/*
 * hvm's kernel memory is charged to the memory cgroup of the process that
 * makes it (GFP_KERNEL_ACCOUNT), so a cgroup's memory.max bounds it.
 *
 * In a cgroup v2 with memory.max = LIMIT (cgroup2 is mounted at a
 * temporary directory when /sys/fs/cgroup is not cgroup2; the test skips
 * without the memory controller), a forked child creates VMs, each with a
 * LAPIC, VCPUS_PER_VM vCPUs and a guest that reads one byte in every
 * 2 MiB of a 1 GiB read-only slot (the host's zero page behind it), so
 * that every read costs hvm a nested page table page, until an ioctl fails.
 * Everything the child touches in user memory it touched before it joined
 * the cgroup (mlockall populates it; the slots' page tables are
 * prefaulted), so what the cgroup is charged is hvm's and the kernel's
 * objects for hvm's fds: the failure is hvm's allocation hitting the limit.
 *
 * Round 1: the child has oom_score_adj -1000, the OOM killer finds nothing
 * to kill in the cgroup, and the failing ioctl must return ENOMEM; the
 * child then closes everything and must be able to create a VM, a LAPIC
 * and a vCPU again. Round 2: the child can be killed, and either gets
 * ENOMEM or dies of the cgroup's OOM kill (the test says which). Each
 * round checks memory.events (the limit was hit), that memory.current
 * drops back to within SLACK of where it was once the child is gone (the
 * charges went with the objects), and that hvm's objects are back at 0.
 * At the end the parent, outside the cgroup, still runs a guest, and the
 * kernel log holds no warning, BUG or oops (the memory cgroup's OOM
 * reports, with their stack dumps, are expected and left out).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>

#include "hvm_util.h"
#include "guest.h"

#define LIMIT		(16ul << 20)
#define SLACK		(1ul << 20)	/* per-CPU charge caches, RCU-freed objects */
#define ZERO_GPA	(4ul << 30)
#define ZERO_SIZE	(1ul << 30)
#define CHUNK		(2ul << 20)
#define NCHUNK		(ZERO_SIZE / CHUNK)
#define VCPUS_PER_VM	4
#define MAX_VMS		64	/* LIMIT holds 7; unaccounted, 64 take 140 MiB */
#define CGROUP2_MAGIC	0x63677270

/* ---- the guest: one read per 2 MiB, then HLT with IF=0 ---------------- */

static volatile uint64_t touched;	/* in slot 0, which every VM shares */

static __guest_code void guest_touch(uint64_t base, uint64_t n)
{
	uint64_t i, sum = 0;

	touched = 0;
	for (i = 0; i < n; i++) {
		sum += *(volatile uint8_t *)(base + i * CHUNK);
		touched = i + 1;
	}
	for (;;)
		asm volatile("cli; hlt" :: "a"(sum));
}

static __guest_code void guest_done(void)
{
	GUEST_DONE();
}

/* Identity-maps [gpa, gpa + size) with 2 MiB pages in the guest. */
static void map_2m(struct hvm_vm *vm, u64 gpa, u64 size)
{
	const u64 present_rw = 3, ps = 0x80, addr = 0x000ffffffffff000ull;
	u64 a;

	for (a = gpa; a < gpa + size; a += CHUNK) {
		u64 *pml4 = addr_gpa2hva(vm, vm->pml4_gpa), *pdpt, *pd;

		if (!(pml4[(a >> 39) & 511] & 1))
			pml4[(a >> 39) & 511] = vm_phys_alloc(vm, 1) | present_rw;
		pdpt = addr_gpa2hva(vm, pml4[(a >> 39) & 511] & addr);
		if (!(pdpt[(a >> 30) & 511] & 1))
			pdpt[(a >> 30) & 511] = vm_phys_alloc(vm, 1) | present_rw;
		pd = addr_gpa2hva(vm, pdpt[(a >> 30) & 511] & addr);
		pd[(a >> 21) & 511] = a | present_rw | ps;
	}
}

/* ---- cgroup v2 --------------------------------------------------------- */

static char cg_root[256], cg_mounted[256];
static bool enabled_memory;

static bool read_file(const char *dir, const char *name, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = 0;
	return true;
}

static bool write_file(const char *dir, const char *name, const char *val)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val);
}

static long read_long(const char *dir, const char *name)
{
	char buf[64];

	return read_file(dir, name, buf, sizeof(buf)) ? strtol(buf, NULL, 10) : -1;
}

/* A "key value" line of a flat-keyed file such as memory.events. */
static long read_key(const char *dir, const char *name, const char *key)
{
	char buf[1024], *p;
	size_t k = strlen(key);

	if (!read_file(dir, name, buf, sizeof(buf)))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == ' ')
			return strtol(p + k + 1, NULL, 10);
	return -1;
}

static void cgroup_setup_or_skip(void)
{
	struct statfs sfs;
	char ctl[256];

	if (!statfs("/sys/fs/cgroup", &sfs) && sfs.f_type == CGROUP2_MAGIC) {
		strcpy(cg_root, "/sys/fs/cgroup");
	} else {
		strcpy(cg_mounted, "/tmp/hvm-cgroup2.XXXXXX");
		if (!mkdtemp(cg_mounted))
			ksft_exit_fail_msg("mkdtemp: %s", strerror(errno));
		if (mount("cgroup2", cg_mounted, "cgroup2", 0, NULL)) {
			int e = errno;

			rmdir(cg_mounted);
			ksft_exit_skip("cannot mount cgroup2: %s", strerror(e));
		}
		strcpy(cg_root, cg_mounted);
		ksft_print_msg("cgroup2 mounted at %s", cg_mounted);
	}
	if (!read_file(cg_root, "cgroup.controllers", ctl, sizeof(ctl)))
		ksft_exit_skip("%s/cgroup.controllers: %s", cg_root, strerror(errno));
	ctl[strcspn(ctl, "\n")] = 0;
	if (!strstr(ctl, "memory"))
		ksft_exit_skip("no memory controller in cgroup v2 (controllers: '%s'): kernel without CONFIG_MEMCG, or memory bound to cgroup v1",
			       ctl);
	if (!read_file(cg_root, "cgroup.subtree_control", ctl, sizeof(ctl)))
		ksft_exit_fail_msg("%s/cgroup.subtree_control: %s", cg_root, strerror(errno));
	if (!strstr(ctl, "memory")) {
		if (!write_file(cg_root, "cgroup.subtree_control", "+memory"))
			ksft_exit_skip("cannot enable the memory controller in %s: %s",
				       cg_root, strerror(errno));
		enabled_memory = true;
	}
}

static void cgroup_teardown(void)
{
	if (enabled_memory)
		write_file(cg_root, "cgroup.subtree_control", "-memory");
	if (cg_mounted[0]) {
		umount2(cg_mounted, MNT_DETACH);
		rmdir(cg_mounted);
	}
}

/* ---- the child --------------------------------------------------------- */

struct result {
	volatile int stage;		/* enum stage */
	int vms, vcpus, lapics;		/* made inside the cgroup */
	int fail_vm;			/* the VM being set up when it failed */
	int fail_errno;
	char fail_op[48];
	unsigned long fail_touched;	/* chunks the guest had read */
	int again_errno;		/* creating a VM again after freeing */
	char error[160];		/* a setup problem, not the limit */
};

enum stage { ST_START, ST_READY, ST_JOINED, ST_FAILED, ST_DONE };

static struct result *res;
static int fds[MAX_VMS][1 + VCPUS_PER_VM];

static void __attribute__((noinline)) grow_stack(void)
{
	volatile char buf[256 << 10];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 4096)
		buf[i] = 0;
}

static void child_fail_setup(const char *what)
{
	snprintf(res->error, sizeof(res->error), "%s: %s", what, strerror(errno));
	_exit(2);
}

static bool limit_hit(int vm, const char *op, volatile uint64_t *progress)
{
	res->fail_vm = vm;
	res->fail_errno = errno;
	snprintf(res->fail_op, sizeof(res->fail_op), "%s", op);
	res->fail_touched = *progress;
	return false;
}

/* One VM made inside the cgroup; false (and res->fail_*) when an ioctl fails. */
static bool make_vm(int i, struct hvm_vm *tmpl, void *zero, const struct hvm_regs *regs,
		    const struct hvm_sregs *sregs, struct hvm_cpuid *cpuid,
		    volatile uint64_t *progress)
{
	struct hvm_memory_region slot0 = {
		.slot = 0, .memory_size = HVM_SLOT0_SIZE,
		.userspace_addr = (u64)(uintptr_t)addr_gpa2hva(tmpl, 0),
	};
	struct hvm_memory_region slot1 = {
		.slot = 1, .flags = HVM_MEM_READONLY, .guest_phys_addr = ZERO_GPA,
		.memory_size = ZERO_SIZE, .userspace_addr = (u64)(uintptr_t)zero,
	};
	int vm, j, v0;

	vm = fds[i][0] = ioctl(hvm_sys_fd(), HVM_CREATE_VM, 0);
	if (vm < 0)
		return limit_hit(i, "HVM_CREATE_VM", progress);
	if (ioctl(vm, HVM_SET_MEMORY_REGION, &slot0) ||
	    ioctl(vm, HVM_SET_MEMORY_REGION, &slot1))
		return limit_hit(i, "HVM_SET_MEMORY_REGION", progress);
	if (ioctl(vm, HVM_CREATE_LAPIC, 0))
		return limit_hit(i, "HVM_CREATE_LAPIC", progress);
	res->lapics++;
	for (j = 0; j < VCPUS_PER_VM; j++) {
		fds[i][1 + j] = ioctl(vm, HVM_CREATE_VCPU, j);
		if (fds[i][1 + j] < 0)
			return limit_hit(i, "HVM_CREATE_VCPU", progress);
		res->vcpus++;
	}
	v0 = fds[i][1];
	if (ioctl(v0, HVM_SET_SREGS, sregs) || ioctl(v0, HVM_SET_REGS, regs))
		return limit_hit(i, "HVM_SET_SREGS/REGS", progress);
	if (ioctl(v0, HVM_SET_CPUID, cpuid))
		return limit_hit(i, "HVM_SET_CPUID", progress);
	*progress = 0;
	if (ioctl(v0, HVM_RUN, 0))
		return limit_hit(i, "HVM_RUN", progress);
	if (*progress != NCHUNK) {
		struct hvm_regs r;

		ioctl(v0, HVM_GET_REGS, &r);
		errno = 0;
		snprintf(res->error, sizeof(res->error),
			 "VM %d: HVM_RUN returned 0 with the guest at rip %#lx after %lu of %lu reads",
			 i, (unsigned long)r.rip, (unsigned long)*progress, NCHUNK);
		return limit_hit(i, "HVM_RUN (no ENOMEM, the guest stopped)", progress);
	}
	res->vms++;
	return true;
}

static void close_all(void)
{
	int i, j;

	for (i = 0; i < MAX_VMS; i++)
		for (j = VCPUS_PER_VM; j >= 0; j--)
			if (fds[i][j] > 0) {
				close(fds[i][j]);
				fds[i][j] = -1;
			}
}

static void __attribute__((noreturn)) child(const char *cg, bool unkillable)
{
	struct rlimit nofile = { 4096, 4096 };
	volatile uint64_t *progress;
	struct hvm_vcpu *vcpu;
	struct hvm_sregs sregs;
	struct hvm_regs regs;
	struct hvm_cpuid *cpuid;
	struct hvm_vm *tmpl;
	char pid[32];
	int i, fd;
	char *zero;

	memset(fds, 0xff, sizeof(fds));
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		child_fail_setup("setrlimit");
	/* The fd table never shrinks: grow it now, outside the cgroup. */
	if (dup2(0, 1000) != 1000)
		child_fail_setup("dup2");
	close(1000);
	if (unkillable && !write_file("/proc/self", "oom_score_adj", "-1000"))
		child_fail_setup("oom_score_adj");
	grow_stack();
	/* Every page of this process that exists now, in place and charged here. */
	if (mlockall(MCL_CURRENT) || munlockall())
		child_fail_setup("mlockall");

	tmpl = vm_create();
	vcpu = vm_vcpu_add(tmpl, 0, guest_touch);
	vcpu_args_set(vcpu, ZERO_GPA, NCHUNK);
	map_2m(tmpl, ZERO_GPA, ZERO_SIZE);
	vcpu_get_regs(vcpu, &regs);
	vcpu_get_sregs(vcpu, &sregs);
	cpuid = host_cpuid_table();
	zero = mmap(NULL, ZERO_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (zero == MAP_FAILED)
		child_fail_setup("mmap");
	/* 4 KiB pages: the guest's every read then needs a nested page table page. */
	if (madvise(zero, ZERO_SIZE, MADV_NOHUGEPAGE))
		child_fail_setup("madvise");
	for (i = 0; i < (int)NCHUNK; i++)	/* the process's page tables, outside */
		(void)*(volatile char *)(zero + i * CHUNK);
	vm_mem_add(tmpl, 1, HVM_MEM_READONLY, ZERO_GPA, ZERO_SIZE, zero);
	progress = guest_global_ptr(tmpl, touched);
	/* The template runs once, outside the cgroup: the guest works. */
	if (__vcpu_run(vcpu) || vcpu->run->exit_reason != HVM_EXIT_HLT || *progress != NCHUNK) {
		snprintf(res->error, sizeof(res->error), "the guest outside the cgroup: %s, %lu reads",
			 vcpu_exit_desc(vcpu), (unsigned long)*progress);
		_exit(2);
	}
	snprintf(pid, sizeof(pid), "%d", getpid());
	res->stage = ST_READY;

	if (!write_file(cg, "cgroup.procs", pid))
		child_fail_setup("joining the cgroup");
	res->stage = ST_JOINED;
	for (i = 0; i < MAX_VMS; i++)
		if (!make_vm(i, tmpl, zero, &regs, &sregs, cpuid, progress))
			break;
	if (i == MAX_VMS)
		snprintf(res->error, sizeof(res->error), "%d VMs and no failure", MAX_VMS);
	res->stage = ST_FAILED;
	close_all();

	/* With its memory back, the child makes a VM again in the cgroup. */
	res->again_errno = 0;
	fd = ioctl(hvm_sys_fd(), HVM_CREATE_VM, 0);
	if (fd < 0 || ioctl(fd, HVM_CREATE_LAPIC, 0)) {
		res->again_errno = errno;
	} else {
		int v = ioctl(fd, HVM_CREATE_VCPU, 0);

		if (v < 0)
			res->again_errno = errno;
		else
			close(v);
	}
	if (fd >= 0)
		close(fd);
	res->stage = ST_DONE;
	_exit(0);
}

/* ---- the parent -------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool objects_zero(struct hvm_objects *o)
{
	double end = now_s() + 2;

	do {
		if (hvm_read_objects(o) && !o->vms && !o->vcpus)
			return true;
		usleep(10 * 1000);
	} while (now_s() < end);
	return false;
}

static void round_(int n, bool unkillable)
{
	long before, after = -1, peak, max_ev, oom_ev, kill_ev;
	char cg[300], limit[32];
	struct hvm_objects o = { -1, -1, -1, -1 };
	int status = 0;
	double end;
	pid_t pid, w = 0;
	bool enomem, killed, ok;

	snprintf(cg, sizeof(cg), "%s/hvm-memcg-test-%d-%d", cg_root, getpid(), n);
	if (mkdir(cg, 0755))
		ksft_exit_fail_msg("mkdir %s: %s", cg, strerror(errno));
	snprintf(limit, sizeof(limit), "%lu", LIMIT);
	if (!write_file(cg, "memory.max", limit))
		ksft_exit_fail_msg("%s/memory.max: %s", cg, strerror(errno));
	write_file(cg, "memory.swap.max", "0");
	before = read_long(cg, "memory.current");
	memset(res, 0, sizeof(*res));

	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid)
		child(cg, unkillable);
	end = now_s() + 120;
	while (now_s() < end && !(w = waitpid(pid, &status, WNOHANG)))
		usleep(10 * 1000);
	if (!w) {
		ksft_print_msg("round %d: the child is still running at stage %d after 120 s: killed",
			       n, res->stage);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (res->error[0])
		ksft_print_msg("round %d: child: %s", n, res->error);
	if (res->stage < ST_JOINED)
		ksft_exit_fail_msg("round %d: the child did not get into the cgroup (status %#x, stage %d): %s",
				   n, status, res->stage, res->error);

	peak = read_long(cg, "memory.peak");
	max_ev = read_key(cg, "memory.events", "max");
	oom_ev = read_key(cg, "memory.events", "oom");
	kill_ev = read_key(cg, "memory.events", "oom_kill");
	enomem = WIFEXITED(status) && !WEXITSTATUS(status) && res->fail_errno == ENOMEM &&
		 !strncmp(res->fail_op, "HVM_", 4) && !res->error[0];
	killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && kill_ev > 0;
	ksft_print_msg("round %d: %d VMs, %d LAPICs and %d vCPUs made in the cgroup; memory.events max %ld oom %ld oom_kill %ld; memory.peak %ld",
		       n, res->vms, res->lapics, res->vcpus, max_ev, oom_ev, kill_ev, peak);
	if (unkillable) {
		ksft_test_result(enomem && !kill_ev,
				 "round %d (oom_score_adj -1000): %s failed with %s in VM %d, its guest having read %lu of %lu chunks (%d VMs, %d vCPUs before it; status %#x)",
				 n, res->fail_op[0] ? res->fail_op : "nothing",
				 strerror(res->fail_errno), res->fail_vm, res->fail_touched,
				 NCHUNK, res->vms, res->vcpus, status);
	} else {
		ksft_test_result(enomem || killed,
				 "round %d (killable): %s (status %#x, oom_kill %ld)", n,
				 killed ? "the cgroup's OOM killer killed the child in its loop of hvm ioctls" :
				 enomem ? "ENOMEM from an ioctl, no OOM kill" : "neither ENOMEM nor an OOM kill",
				 status, kill_ev);
		if (enomem)
			ksft_print_msg("round %d: %s failed with ENOMEM in VM %d", n,
				       res->fail_op, res->fail_vm);
	}
	ksft_test_result(max_ev > 0 && oom_ev > 0 && peak >= (long)(LIMIT - LIMIT / 8),
			 "round %d: memory.events says the limit was hit (max %ld, oom %ld), memory.peak %ld of memory.max %lu",
			 n, max_ev, oom_ev, peak, LIMIT);
	if (unkillable)
		ksft_test_result(res->stage == ST_DONE && !res->again_errno,
				 "round %d: after closing its fds the child made a VM, a LAPIC and a vCPU in the cgroup again (%s)",
				 n, res->stage == ST_DONE ? strerror(res->again_errno) : "did not get there");

	end = now_s() + 5;
	do {
		after = read_long(cg, "memory.current");
		if (after >= 0 && after <= before + (long)SLACK)
			break;
		usleep(20 * 1000);
	} while (now_s() < end);
	ksft_test_result(before >= 0 && after >= 0 && after <= before + (long)SLACK,
			 "round %d: memory.current back to %ld bytes after the child (before %ld, peak %ld, slack %lu)",
			 n, after, before, peak, SLACK);
	ok = objects_zero(&o);
	ksft_test_result(ok, "round %d: hvm objects vms %ld vcpus %ld after the child",
			 n, o.vms, o.vcpus);
	if (rmdir(cg))
		ksft_print_msg("rmdir %s: %s", cg, strerror(errno));
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct hvm_objects o;
	bool ok;
	int problems;

	ksft_print_header();
	open_hvm_or_skip();
	if (hvm_check_cap(HVM_CAP_LAPIC) != 1 || hvm_check_cap(HVM_CAP_READONLY_MEM) != 1)
		ksft_exit_skip("needs HVM_CAP_LAPIC and HVM_CAP_READONLY_MEM");
	cgroup_setup_or_skip();
	ksft_set_plan(11);
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(res != MAP_FAILED, "mmap");
	if (!hvm_read_objects(&o) || o.vms || o.vcpus)
		ksft_exit_fail_msg("expected vms 0 vcpus 0 before the test (%ld, %ld)", o.vms, o.vcpus);
	kmsg_begin();
	kmsg_allow_memcg_oom(true);

	round_(1, true);
	round_(2, false);

	vm = vm_create_with_vcpu(&vcpu, guest_done);
	ok = vcpu_run_expect_done(vcpu);
	vm_free(vm);
	ksft_test_result(ok, "the host is fine: outside the cgroup a VM runs a guest to GUEST_DONE");
	problems = kmsg_count_problems();
	ksft_test_result(!problems, "no WARNING, BUG, oops or stack dump but the cgroup's OOM reports in the kernel log (%d lines)",
			 problems);
	cgroup_teardown();
	ksft_finished();
}
