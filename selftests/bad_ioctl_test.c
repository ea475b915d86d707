// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed calls: unknown ioctls, ioctls on the wrong kind of fd, bad
 * pointers, reserved/padding fields, bad mmap()s of the vCPU fd, huge array
 * counts, HVM_RUN without a mapped run page and from another process. The
 * kernel must answer each with the documented errno and log no warning.
 */
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>

#include "hvm_util.h"

#define KERNEL_PTR	((void *)0xffff888000000000ul)

static size_t page_size = PAGE_SIZE;

/* errno of an ioctl, 0 if it succeeded (a returned fd is closed). */
static int err_of(int fd, unsigned long cmd, unsigned long arg)
{
	int r = ioctl(fd, cmd, arg);

	if (r < 0)
		return errno;
	if ((cmd == HVM_CREATE_VM || cmd == HVM_CREATE_VCPU) && r > 2)
		close(r);
	return 0;
}

struct call {
	unsigned long cmd;
	const char *name;
};

#define CALL(c) { c, #c }

static const struct call vcpu_calls[] = {
	CALL(HVM_RUN), CALL(HVM_GET_REGS), CALL(HVM_SET_REGS), CALL(HVM_GET_SREGS),
	CALL(HVM_SET_SREGS), CALL(HVM_SET_CPUID), CALL(HVM_GET_MSRS),
	CALL(HVM_SET_MSRS), CALL(HVM_INTERRUPT),
};

static const struct call vm_calls[] = {
	CALL(HVM_SET_MEMORY_REGION), CALL(HVM_CREATE_VCPU), CALL(HVM_IOEVENTFD),
	CALL(HVM_SET_EOI_EXITS),
};

/* The VM ioctls that take a pointer. */
static const struct call vm_ptr_calls[] = {
	CALL(HVM_SET_MEMORY_REGION), CALL(HVM_IOEVENTFD), CALL(HVM_SET_EOI_EXITS),
};

static const struct call sys_calls[] = {
	CALL(HVM_GET_API_VERSION), CALL(HVM_CHECK_CAP), CALL(HVM_CREATE_VM),
	CALL(HVM_GET_VCPU_MMAP_SIZE),
};

/* Every call must fail with want; arg points at a zeroed 4 KiB buffer. */
static bool expect_all(int fd, const struct call *calls, int n, int want,
		       unsigned long arg, const char *fdname)
{
	bool ok = true;
	int i, e;

	for (i = 0; i < n; i++) {
		e = err_of(fd, calls[i].cmd, arg);
		if (e != want) {
			ksft_print_msg("%s on %s: errno %d (%s), want %d", calls[i].name,
				       fdname, e, e ? strerror(e) : "success", want);
			ok = false;
		}
	}
	return ok;
}

static bool unknown_ioctls(int fd, const char *fdname)
{
	static const struct call unknown[] = {
		CALL(_IO(HVMIO, 0x7f)), CALL(_IO(HVMIO, 0xff)), CALL(TCGETS),
		/* right numbers, wrong size or direction */
		CALL(_IOR(HVMIO, 0x21, __u64)), CALL(_IOW(HVMIO, 0x10, __u64)),
		CALL(_IOR(HVMIO, 0x00, __u32)),
	};

	return expect_all(fd, unknown, ARRAY_SIZE(unknown), EINVAL, 0, fdname);
}

static void test_wrong_fds(int sys, struct hvm_vm *vm, struct hvm_vcpu *vcpu)
{
	static u8 zero[4096];
	unsigned long z = (unsigned long)zero;

	ksft_test_result(unknown_ioctls(sys, "/dev/hvm"), "unknown ioctls on /dev/hvm fail with EINVAL");
	ksft_test_result(unknown_ioctls(vm->fd, "VM fd"), "unknown ioctls on a VM fd fail with EINVAL");
	ksft_test_result(unknown_ioctls(vcpu->fd, "vCPU fd"), "unknown ioctls on a vCPU fd fail with EINVAL");

	ksft_test_result(expect_all(vm->fd, vcpu_calls, ARRAY_SIZE(vcpu_calls), EINVAL, z, "VM fd"),
			 "vCPU ioctls on a VM fd fail with EINVAL");
	ksft_test_result(expect_all(sys, vcpu_calls, ARRAY_SIZE(vcpu_calls), EINVAL, z, "/dev/hvm"),
			 "vCPU ioctls on /dev/hvm fail with EINVAL");
	ksft_test_result(expect_all(sys, vm_calls, ARRAY_SIZE(vm_calls), EINVAL, z, "/dev/hvm"),
			 "VM ioctls on /dev/hvm fail with EINVAL");
	ksft_test_result(expect_all(vcpu->fd, vm_calls, ARRAY_SIZE(vm_calls), EINVAL, z, "vCPU fd"),
			 "VM ioctls on a vCPU fd fail with EINVAL");
	ksft_test_result(expect_all(vm->fd, sys_calls, ARRAY_SIZE(sys_calls), EINVAL, 0, "VM fd") &
			 expect_all(vcpu->fd, sys_calls, ARRAY_SIZE(sys_calls), EINVAL, 0, "vCPU fd"),
			 "/dev/hvm ioctls on VM and vCPU fds fail with EINVAL");
}

static void test_bad_pointers(struct hvm_vm *vm, struct hvm_vcpu *vcpu)
{
	const struct call *c;
	char *none, *ro;
	bool ok;
	unsigned int i;
	int p;

	none = mmap(NULL, page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(none != MAP_FAILED, "mmap");

	for (p = 0; p < 3; p++) {
		unsigned long arg = p == 0 ? 0 : p == 1 ? (unsigned long)KERNEL_PTR :
				    (unsigned long)none;

		ok = true;
		for (i = 0; i < ARRAY_SIZE(vm_ptr_calls); i++) {
			c = &vm_ptr_calls[i];
			if (err_of(vm->fd, c->cmd, arg) != EFAULT) {
				ksft_print_msg("%s(%#lx): not EFAULT", c->name, arg);
				ok = false;
			}
		}
		for (i = 1; i < ARRAY_SIZE(vcpu_calls); i++) {	/* not HVM_RUN */
			int e;

			c = &vcpu_calls[i];
			e = err_of(vcpu->fd, c->cmd, arg);
			if (e != EFAULT) {
				ksft_print_msg("%s(%#lx): errno %d, want EFAULT", c->name, arg, e);
				ok = false;
			}
		}
		ksft_test_result(ok, "%s pointers fail with EFAULT",
				 p == 0 ? "NULL" : p == 1 ? "kernel" : "PROT_NONE");
	}

	/* Output into read-only memory. */
	ro = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(ro != MAP_FAILED, "mmap");
	{
		struct hvm_msrs *m = (struct hvm_msrs *)ro;

		m->nmsrs = 1;
		m->entries[0].index = 0xc0000081;	/* STAR */
	}
	TEST_ASSERT(mprotect(ro, page_size, PROT_READ) == 0, "mprotect");
	ok = err_of(vcpu->fd, HVM_GET_REGS, (unsigned long)ro) == EFAULT;
	ok &= err_of(vcpu->fd, HVM_GET_SREGS, (unsigned long)ro) == EFAULT;
	ok &= err_of(vcpu->fd, HVM_GET_MSRS, (unsigned long)ro) == EFAULT;
	ksft_test_result(ok, "HVM_GET_REGS/SREGS/MSRS into read-only memory fail with EFAULT");

	/* A valid header whose entries run into an unmapped page. */
	{
		char *two = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct hvm_cpuid *c2;
		struct hvm_msrs *m2;

		TEST_ASSERT(two != MAP_FAILED, "mmap");
		TEST_ASSERT(mprotect(two + page_size, page_size, PROT_NONE) == 0, "mprotect");
		c2 = (struct hvm_cpuid *)(two + page_size - sizeof(*c2) -
					  sizeof(struct hvm_cpuid_entry));
		memset(c2, 0, sizeof(*c2) + sizeof(struct hvm_cpuid_entry));
		c2->nent = 2;	/* the second entry is in the PROT_NONE page */
		m2 = (struct hvm_msrs *)(two + page_size - sizeof(*m2) -
					 sizeof(struct hvm_msr_entry));
		memset(m2, 0, sizeof(*m2) + sizeof(struct hvm_msr_entry));
		m2->nmsrs = 2;
		m2->entries[0].index = 0xc0000081;
		ok = err_of(vcpu->fd, HVM_SET_CPUID, (unsigned long)c2) == EFAULT;
		m2->entries[0].data = 0;
		ok &= err_of(vcpu->fd, HVM_SET_MSRS, (unsigned long)m2) == EFAULT;
		ok &= err_of(vcpu->fd, HVM_GET_MSRS, (unsigned long)m2) == EFAULT;
		ksft_test_result(ok, "arrays that run into unmapped memory fail with EFAULT");
		munmap(two, 2 * page_size);
	}
	munmap(none, page_size);
	munmap(ro, page_size);
}

static void test_huge_counts(struct hvm_vcpu *vcpu)
{
	struct hvm_cpuid c = { .nent = 0xffffffff };
	struct hvm_msrs m = { .nmsrs = 0xffffffff };
	int e0 = err_of(vcpu->fd, HVM_SET_CPUID, (unsigned long)&c);
	int e1 = err_of(vcpu->fd, HVM_GET_MSRS, (unsigned long)&m);
	int e2 = err_of(vcpu->fd, HVM_SET_MSRS, (unsigned long)&m);

	ksft_test_result(e0 == E2BIG && e1 == E2BIG && e2 == E2BIG,
			 "nent/nmsrs = 0xffffffff fail with E2BIG (errno %d, %d, %d)", e0, e1, e2);
}

static bool sregs_out_zero(const struct hvm_sregs *s)
{
	const struct hvm_segment *segs[] = { &s->cs, &s->ds, &s->es, &s->fs,
					     &s->gs, &s->ss, &s->tr, &s->ldt };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (segs[i]->padding)
			return false;
	for (i = 0; i < 3; i++)
		if (s->gdt.padding[i] || s->idt.padding[i])
			return false;
	for (i = 0; i < 8; i++)
		if (s->reserved[i])
			return false;
	return true;
}

static void test_sregs(struct hvm_vcpu *vcpu)
{
	struct hvm_sregs good, s, after;
	int e0, e1, e2, e3;

	memset(&good, 0xff, sizeof(good));
	vcpu_get_sregs(vcpu, &good);
	ksft_test_result(sregs_out_zero(&good),
			 "HVM_GET_SREGS writes zeros to every padding and reserved field");

	s = good;
	s.reserved[0] = 1;
	e0 = __vcpu_ioctl(vcpu, HVM_SET_SREGS, &s) ? errno : 0;
	s = good;
	s.reserved[7] = 1ull << 63;
	e1 = __vcpu_ioctl(vcpu, HVM_SET_SREGS, &s) ? errno : 0;
	ksft_test_result(e0 == EINVAL && e1 == EINVAL,
			 "HVM_SET_SREGS with reserved[0] or reserved[7] set fails with EINVAL (errno %d, %d)",
			 e0, e1);

	s = good;
	s.cs.padding = 1;
	e0 = __vcpu_ioctl(vcpu, HVM_SET_SREGS, &s) ? errno : 0;
	s = good;
	s.ldt.padding = 0x80;
	e1 = __vcpu_ioctl(vcpu, HVM_SET_SREGS, &s) ? errno : 0;
	ksft_test_result(e0 == EINVAL && e1 == EINVAL,
			 "HVM_SET_SREGS with segment padding set fails with EINVAL (errno %d, %d)",
			 e0, e1);

	s = good;
	s.gdt.padding[0] = 1;
	e2 = __vcpu_ioctl(vcpu, HVM_SET_SREGS, &s) ? errno : 0;
	s = good;
	s.idt.padding[2] = 0x8000;
	e3 = __vcpu_ioctl(vcpu, HVM_SET_SREGS, &s) ? errno : 0;
	ksft_test_result(e2 == EINVAL && e3 == EINVAL,
			 "HVM_SET_SREGS with descriptor-table padding set fails with EINVAL (errno %d, %d)",
			 e2, e3);

	vcpu_get_sregs(vcpu, &after);
	ksft_test_result(!memcmp(&good, &after, sizeof(good)),
			 "rejected HVM_SET_SREGS calls changed nothing");
}

static void test_mmap(int sys, struct hvm_vm *vm, struct hvm_vcpu *vcpu)
{
	size_t size = hvm_vcpu_mmap_size();
	void *p0, *p1, *p2, *p3;
	int e0, e1;

	errno = 0;
	p0 = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, size);
	e0 = errno;
	errno = 0;
	p1 = mmap(NULL, size + page_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	e1 = errno;
	ksft_test_result(p0 == MAP_FAILED && e0 == EINVAL && p1 == MAP_FAILED && e1 == EINVAL,
			 "mmap of the vCPU fd at a non-zero offset or beyond the mmap size fails with EINVAL (errno %d, %d)",
			 e0, e1);
	if (p0 != MAP_FAILED)
		munmap(p0, size);
	if (p1 != MAP_FAILED)
		munmap(p1, size + page_size);

	p2 = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->fd, 0);
	p3 = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, sys, 0);
	ksft_test_result(p2 == MAP_FAILED && p3 == MAP_FAILED,
			 "VM and /dev/hvm fds cannot be mmap()ed");
	if (p2 != MAP_FAILED)
		munmap(p2, page_size);
	if (p3 != MAP_FAILED)
		munmap(p3, page_size);
}

/* Real-mode guest: out %al,$0x10 with al = 0x42, then hlt. */
static const u8 out_code[] = { 0xb0, 0x42, 0xe6, 0x10, 0xf4 };

static void test_run_unmapped(void)
{
	struct hvm_vm *vm = vm_create_bare();
	struct hvm_vcpu vcpu = { .vm = vm, .id = 0 };
	char *mem = vm_mem_add(vm, 0, 0, 0, 1ul << 20, NULL);
	struct hvm_run *run;
	int r;

	memcpy(mem + 0x1000, out_code, sizeof(out_code));
	vcpu.fd = __vm_create_vcpu(vm->fd, 0);
	TEST_ASSERT(vcpu.fd >= 0, "HVM_CREATE_VCPU");
	vcpu_setup_real_mode(&vcpu, 0x1000);
	r = __vcpu_run(&vcpu);
	run = mmap(NULL, hvm_vcpu_mmap_size(), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu.fd, 0);
	TEST_ASSERT(run != MAP_FAILED, "mmap");
	ksft_test_result(!r && run->exit_reason == HVM_EXIT_IO && run->io.port == 0x10 &&
			 *((u8 *)run + run->io.data_offset) == 0x42,
			 "HVM_RUN works before the run page is ever mapped, the exit is there once it is (rc %d, exit %s)",
			 r, exit_reason_str(run->exit_reason));
	munmap(run, hvm_vcpu_mmap_size());
	close(vcpu.fd);
	vm_free(vm);
}

static void test_run_other_process(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_real_mode(&vcpu, out_code, sizeof(out_code), 0x1000);
	int status = 0, child_errno = -1, r;
	pid_t pid;

	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		alarm(10);
		r = ioctl(vcpu->fd, HVM_RUN, 0);
		_exit(r ? errno : 254);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	if (WIFEXITED(status))
		child_errno = WEXITSTATUS(status);
	r = __vcpu_run(vcpu);
	ksft_test_result(child_errno == EINVAL && !r && vcpu->run->exit_reason == HVM_EXIT_IO &&
			 vcpu->run->io.port == 0x10,
			 "HVM_RUN from a forked child fails with EINVAL (got %d, status %#x); the owner still runs it (%s)",
			 child_errno, status, exit_reason_str(vcpu->run->exit_reason));
	vm_free(vm);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	bool have_kmsg;
	int sys, n;

	ksft_print_header();
	sys = open_hvm_or_skip();
	ksft_set_plan(24);
	have_kmsg = kmsg_begin();

	vm = vm_create_bare();
	vcpu = vm_vcpu_add_raw(vm, 0);

	test_wrong_fds(sys, vm, vcpu);
	test_bad_pointers(vm, vcpu);
	test_huge_counts(vcpu);
	test_sregs(vcpu);
	test_mmap(sys, vm, vcpu);
	vm_free(vm);
	test_run_unmapped();
	test_run_other_process();

	if (!have_kmsg) {
		ksft_test_result_skip("kernel log: /dev/kmsg is not readable");
	} else {
		n = kmsg_count_problems();
		ksft_test_result(n == 0, "the kernel logged no warning, BUG or oops (%d lines)", n);
	}
	ksft_finished();
}
