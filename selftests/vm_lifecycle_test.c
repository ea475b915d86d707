// SPDX-License-Identifier: GPL-2.0
/*
 * VM and vCPU lifetime: many create/destroy cycles with different close
 * orders, the debugfs object counts returning to where they started, a vCPU
 * fd (or its run mapping) keeping the VM alive, vCPU id rules, and
 * HVM_CREATE_VM's argument.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hvm_util.h"
#include "guest.h"

#define NR_VMS		1000
#define NR_MULTI_VCPUS	16

static __guest_code void guest_code(void)
{
	GUEST_SYNC(0x1234);
	GUEST_DONE();
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static bool objects_equal(const struct hvm_objects *a,
			  const struct hvm_objects *b)
{
	return a->vms == b->vms && a->vcpus == b->vcpus &&
	       a->pinned_pages == b->pinned_pages;
}

/*
 * Waits up to 2 s for the counts to reach want (destruction may be
 * deferred to a workqueue or RCU); returns the last reading in got.
 */
static bool objects_wait(const struct hvm_objects *want, struct hvm_objects *got)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (hvm_read_objects(got) && objects_equal(got, want))
			return true;
		msleep(10);
	}
	return false;
}

static const char *objects_str(const struct hvm_objects *o)
{
	static char buf[2][96];
	static int n;

	n ^= 1;
	snprintf(buf[n], sizeof(buf[n]), "vms %ld vcpus %ld pinned_pages %ld",
		 o->vms, o->vcpus, o->pinned_pages);
	return buf[n];
}

static void check_objects(bool have, const struct hvm_objects *want,
			  const char *what)
{
	struct hvm_objects got;

	if (!have) {
		ksft_test_result_skip("%s: %s missing", what, HVM_DEBUGFS_OBJECTS);
		return;
	}
	if (objects_wait(want, &got))
		ksft_test_result_pass("%s", what);
	else
		ksft_test_result_fail("%s: want %s, got %s", what,
				      objects_str(want), objects_str(&got));
}

/* Creates and destroys NR_VMS VMs with one vCPU each. */
static void test_many_vms(int sys)
{
	size_t mmap_size = hvm_vcpu_mmap_size();
	int i, errors = 0;

	for (i = 0; i < NR_VMS; i++) {
		int vm = ioctl(sys, HVM_CREATE_VM, 0);
		int vcpu;
		void *run;

		if (vm < 0) {
			ksft_print_msg("VM %d: HVM_CREATE_VM: %s", i, strerror(errno));
			errors++;
			continue;
		}
		vcpu = ioctl(vm, HVM_CREATE_VCPU, 0ul);
		if (vcpu < 0) {
			ksft_print_msg("VM %d: HVM_CREATE_VCPU: %s", i, strerror(errno));
			errors++;
			close(vm);
			continue;
		}
		switch (i % 3) {
		case 0:		/* vCPU first */
			errors += close(vcpu) != 0;
			errors += close(vm) != 0;
			break;
		case 1:		/* VM first */
			errors += close(vm) != 0;
			errors += close(vcpu) != 0;
			break;
		case 2:		/* both fds, then the run mapping */
			run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, vcpu, 0);
			errors += run == MAP_FAILED;
			errors += close(vcpu) != 0;
			errors += close(vm) != 0;
			if (run != MAP_FAILED)
				errors += munmap(run, mmap_size) != 0;
			break;
		}
		if (errors > 10)
			break;
	}
	ksft_test_result(!errors, "%d VMs with a vCPU created and closed in varying orders (%d errors)",
			 NR_VMS, errors);
}

/* A vCPU fd keeps its VM alive after the VM fd is closed. */
static void test_vcpu_keeps_vm(bool have, const struct hvm_objects *base)
{
	struct hvm_objects got;
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_with_vcpu(&vcpu, guest_code);
	bool ok;

	vm_close_fd(vm);
	ok = vcpu_run_expect_sync(vcpu, 0x1234);
	if (ok && have) {
		hvm_read_objects(&got);
		ok = got.vms == base->vms + 1 && got.vcpus == base->vcpus + 1;
		if (!ok)
			ksft_print_msg("with only the vCPU fd open: got %s (start: %s)",
				       objects_str(&got), objects_str(base));
	}
	ksft_test_result(ok, "a vCPU fd keeps the VM alive after the VM fd is closed (the guest runs)");
	vm_free(vm);
	check_objects(have, base, "object counts return to the start after the last vCPU fd is closed");
}

/* The run page mapping holds the vCPU (and so the VM) too. */
static void test_mapping_keeps_vm(int sys, bool have, const struct hvm_objects *base)
{
	size_t mmap_size = hvm_vcpu_mmap_size();
	struct hvm_objects got;
	int vm = ioctl(sys, HVM_CREATE_VM, 0);
	int vcpu = ioctl(vm, HVM_CREATE_VCPU, 0ul);
	struct hvm_run *run;
	bool ok;

	TEST_ASSERT(vm >= 0 && vcpu >= 0, "create VM and vCPU");
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	TEST_ASSERT(run != MAP_FAILED, "mmap vCPU");
	close(vcpu);
	close(vm);
	/* The page is still there and usable. */
	run->immediate_exit = 1;
	ok = run->immediate_exit == 1;
	if (have) {
		hvm_read_objects(&got);
		ok &= got.vms == base->vms + 1 && got.vcpus == base->vcpus + 1;
		if (!ok)
			ksft_print_msg("with only the mapping left: %s (start: %s)",
				       objects_str(&got), objects_str(base));
	}
	ksft_test_result(ok, "the vCPU's run mapping keeps the VM alive after both fds are closed");
	munmap(run, mmap_size);
	check_objects(have, base, "object counts return to the start after munmap of the run page");
}

static void test_vcpu_ids(void)
{
	long max = hvm_check_cap(HVM_CAP_MAX_VCPUS);
	struct hvm_vm *vm = vm_create_bare();
	int fds[NR_MULTI_VCPUS];
	int fd, n, i, e1, e2, e3;
	bool ok = true;

	fd = __vm_create_vcpu(vm->fd, 0);
	TEST_ASSERT(fd >= 0, "vCPU 0");
	errno = 0;
	ksft_test_result(__vm_create_vcpu(vm->fd, 0) == -1 && errno == EBUSY,
			 "HVM_CREATE_VCPU with an id in use fails with EBUSY (errno %d)",
			 errno);
	close(fd);

	/* Highest valid id works, MAX_VCPUS and above do not. */
	fd = __vm_create_vcpu(vm->fd, max - 1);
	e1 = fd < 0 ? errno : 0;
	errno = 0;
	e2 = __vm_create_vcpu(vm->fd, max) == -1 ? errno : 0;
	errno = 0;
	e3 = __vm_create_vcpu(vm->fd, 0xffffffffu) == -1 ? errno : 0;
	ksft_test_result(fd >= 0 && e2 == EINVAL && e3 == EINVAL,
			 "vCPU id MAX_VCPUS-1 (%ld) is accepted (errno %d), MAX_VCPUS and 0xffffffff get EINVAL (errno %d, %d)",
			 max - 1, e1, e2, e3);
	if (fd >= 0)
		close(fd);
	vm_free(vm);

	/* Several vCPUs in one VM, each with its own fd and run page. */
	vm = vm_create_bare();
	n = max < NR_MULTI_VCPUS ? max : NR_MULTI_VCPUS;
	for (i = 0; i < n; i++) {
		fds[i] = __vm_create_vcpu(vm->fd, i);
		if (fds[i] < 0) {
			ksft_print_msg("vCPU %d: %s", i, strerror(errno));
			ok = false;
		} else {
			void *p = mmap(NULL, hvm_vcpu_mmap_size(),
				       PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);

			ok &= p != MAP_FAILED;
			if (p != MAP_FAILED)
				munmap(p, hvm_vcpu_mmap_size());
		}
	}
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	ksft_test_result(ok, "%d vCPUs (ids 0..%d) in one VM", n, n - 1);
	vm_free(vm);
}

/* errno of HVM_CREATE_VM(type), 0 if it succeeded (the fd is closed). */
static int create_vm_errno(int sys, unsigned long type)
{
	int fd = ioctl(sys, HVM_CREATE_VM, type);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

int main(void)
{
	struct hvm_objects base;
	bool have;
	int sys, e1, e2;

	ksft_print_header();
	sys = open_hvm_or_skip();
	ksft_set_plan(11);

	have = hvm_read_objects(&base);
	if (have)
		ksft_print_msg("at start: %s", objects_str(&base));

	test_many_vms(sys);
	check_objects(have, &base, "object counts return to the start after the create/destroy loop");

	test_vcpu_keeps_vm(have, &base);
	test_mapping_keeps_vm(sys, have, &base);
	test_vcpu_ids();

	e1 = create_vm_errno(sys, 1);
	e2 = create_vm_errno(sys, ~0ul);
	ksft_test_result(e1 == EINVAL && e2 == EINVAL,
			 "HVM_CREATE_VM with a non-zero machine type fails with EINVAL (errno %d, %d)",
			 e1, e2);

	check_objects(have, &base, "object counts are back to the start at the end");
	ksft_finished();
}
