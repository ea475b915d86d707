// SPDX-License-Identifier: GPL-2.0
/*
 * HVM_SET_MEMORY_REGION: argument checking on a VM without vCPUs, then
 * guests on a slot whose backing memory is not mapped, and on a read-only
 * slot that is later deleted and re-added.
 */
#include "hvm_util.h"
#include "guest.h"

/* ---- argument checks ----------------------------------------------------- */

struct region_args {
	u32 slot, flags;
	u64 gpa, size, uaddr;
	u64 reserved0, reserved1;
};

/* 0 on success, else errno. */
static int set_region(int vm, const struct region_args *a)
{
	struct hvm_memory_region r = {
		.slot = a->slot, .flags = a->flags, .guest_phys_addr = a->gpa,
		.memory_size = a->size, .userspace_addr = a->uaddr,
		.reserved = { a->reserved0, a->reserved1 },
	};

	return ioctl(vm, HVM_SET_MEMORY_REGION, &r) ? errno : 0;
}

static int del_slot(int vm, u32 slot)
{
	return __vm_set_memory_region(vm, slot, 0, 0, 0, 0) ? errno : 0;
}

static bool expect_del(int vm, u32 slot, int want, const char *what)
{
	int e = del_slot(vm, slot);

	if (e != want)
		ksft_print_msg("delete %s slot %u: got %s (%d), want %s (%d)", what, slot,
			       e ? strerror(e) : "success", e,
			       want ? strerror(want) : "success", want);
	return e == want;
}

/* Expects errno want; an add that unexpectedly succeeds is undone. */
static bool expect_err(int vm, int want, struct region_args a, const char *what)
{
	int e = set_region(vm, &a);

	if (!e && a.size)
		del_slot(vm, a.slot);
	if (e != want)
		ksft_print_msg("%s: got %s (%d), want %s (%d)", what,
			       e ? strerror(e) : "success", e, strerror(want), want);
	return e == want;
}

static bool expect_ok(int vm, struct region_args a, const char *what)
{
	int e = set_region(vm, &a);

	if (e)
		ksft_print_msg("%s: %s", what, strerror(e));
	return !e;
}

#define PG	PAGE_SIZE

static void test_args(void)
{
	long nr_slots = hvm_check_cap(HVM_CAP_NR_MEMSLOTS);
	long phys_bits = hvm_check_cap(HVM_CAP_GUEST_PHYS_BITS);
	struct hvm_vm *vm = vm_create_bare();
	int fd = vm->fd;
	u64 buf = (u64)(uintptr_t)mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* slot 0: guest [0x100000, 0x110000), backed by buf */
	struct region_args s0 = { .slot = 0, .gpa = 0x100000, .size = 16 * PG,
				  .uaddr = buf };
	struct region_args a;
	bool ok;

	TEST_ASSERT(buf != (u64)(uintptr_t)MAP_FAILED, "mmap");

	ok = expect_ok(fd, s0, "add slot 0");
	ok &= del_slot(fd, 0) == 0;
	ok &= expect_ok(fd, s0, "re-add slot 0");
	ksft_test_result(ok, "add, delete and re-add a slot");

	a = s0;
	a.gpa = 0x200000;
	a.uaddr = buf + 16 * PG;
	ksft_test_result(expect_err(fd, EBUSY, a, "occupied slot"),
			 "adding to an occupied slot fails with EBUSY");

	a = (struct region_args){ .slot = 1, .size = 16 * PG, .uaddr = buf + 16 * PG };
	ok = true;
	a.gpa = 0x108000;			/* overlaps the end */
	ok &= expect_err(fd, EBUSY, a, "overlap at the end of slot 0");
	a.gpa = 0x0f8000;			/* overlaps the start */
	ok &= expect_err(fd, EBUSY, a, "overlap at the start of slot 0");
	a.gpa = 0x100000;			/* identical range */
	ok &= expect_err(fd, EBUSY, a, "same range as slot 0");
	a.gpa = 0x104000;
	a.size = 4 * PG;			/* inside */
	ok &= expect_err(fd, EBUSY, a, "inside slot 0");
	a.gpa = 0x0f0000;
	a.size = 48 * PG;			/* around */
	ok &= expect_err(fd, EBUSY, a, "around slot 0");
	a.size = 16 * PG;
	a.gpa = 0x110000;			/* adjacent after */
	ok &= expect_ok(fd, a, "slot adjacent after slot 0");
	a.slot = 2;
	a.gpa = 0x0f0000;			/* adjacent before */
	a.uaddr = buf + 32 * PG;
	ok &= expect_ok(fd, a, "slot adjacent before slot 0");
	ksft_test_result(ok, "overlapping guest ranges fail with EBUSY, adjacent ones work");

	ok = expect_del(fd, 2, 0, "used");
	ok &= expect_del(fd, 2, EINVAL, "just deleted");
	ok &= expect_del(fd, 3, EINVAL, "never used");
	ok &= expect_del(fd, 1, 0, "used");
	ksft_test_result(ok, "deleting an empty slot fails with EINVAL");

	/* From here on only slot 0 is in use; slot 1 is the one to try. */

	a = (struct region_args){ .slot = 1, .gpa = 0x400000, .size = 4 * PG,
				  .uaddr = buf + 48 * PG };
	ok = true;
	a.gpa += 0x800;
	ok &= expect_err(fd, EINVAL, a, "misaligned gpa");
	a.gpa = 0x400000;
	a.size = 4 * PG + 1;
	ok &= expect_err(fd, EINVAL, a, "misaligned size");
	a.size = 4 * PG;
	a.uaddr += 8;
	ok &= expect_err(fd, EINVAL, a, "misaligned uaddr");
	ksft_test_result(ok, "misaligned gpa, size or uaddr fail with EINVAL");

	a = (struct region_args){ .slot = 1, .gpa = -PG, .size = 2 * PG,
				  .uaddr = buf + 48 * PG };
	ok = expect_err(fd, EINVAL, a, "gpa + size wraps");
	a.gpa = 0x400000;
	a.uaddr = -PG;
	ok &= expect_err(fd, EINVAL, a, "uaddr + size wraps");
	ksft_test_result(ok, "wrapping gpa + size or uaddr + size fails with EINVAL");

	a = (struct region_args){ .slot = nr_slots, .gpa = 0x400000,
				  .size = PG, .uaddr = buf + 48 * PG };
	ok = expect_err(fd, EINVAL, a, "slot == NR_MEMSLOTS");
	a.slot = 0xffffffff;
	ok &= expect_err(fd, EINVAL, a, "slot 0xffffffff");
	ok &= expect_del(fd, nr_slots, EINVAL, "out-of-range");
	if (nr_slots >= 2) {	/* slot 0 is in use */
		a.slot = nr_slots - 1;
		ok &= expect_ok(fd, a, "slot NR_MEMSLOTS - 1");
		ok &= del_slot(fd, nr_slots - 1) == 0;
	}
	ksft_test_result(ok, "slot >= NR_MEMSLOTS (%ld) fails with EINVAL, NR_MEMSLOTS-1 works",
			 nr_slots);

	a = (struct region_args){ .slot = 1, .gpa = 0x400000, .size = PG,
				  .uaddr = buf + 48 * PG };
	a.flags = 1u << 1;
	ok = expect_err(fd, EINVAL, a, "flags bit 1");
	a.flags = 1u << 31;
	ok &= expect_err(fd, EINVAL, a, "flags bit 31");
	ksft_test_result(ok, "unknown flag bits fail with EINVAL");

	a.flags = 0;
	a.reserved0 = 1;
	ok = expect_err(fd, EINVAL, a, "reserved[0]");
	a.reserved0 = 0;
	a.reserved1 = 1ull << 63;
	ok &= expect_err(fd, EINVAL, a, "reserved[1]");
	ksft_test_result(ok, "non-zero reserved[] fails with EINVAL");

	if (phys_bits < 32 || phys_bits > 52) {
		ksft_test_result_skip("GUEST_PHYS_BITS %ld is out of range", phys_bits);
	} else {
		u64 top = 1ull << phys_bits;

		a = (struct region_args){ .slot = 1, .gpa = top - PG, .size = PG,
					  .uaddr = buf + 60 * PG };
		ok = expect_ok(fd, a, "slot ending at 1 << GUEST_PHYS_BITS");
		ok &= del_slot(fd, 1) == 0;
		a.size = 2 * PG;
		ok &= expect_err(fd, EINVAL, a, "slot ending past 1 << GUEST_PHYS_BITS");
		a.gpa = top;
		a.size = PG;
		ok &= expect_err(fd, EINVAL, a, "slot starting at 1 << GUEST_PHYS_BITS");
		ksft_test_result(ok, "guest ranges end at or below 1 << GUEST_PHYS_BITS (%ld), else EINVAL",
				 phys_bits);
	}

	vm_free(vm);
	munmap((void *)(uintptr_t)buf, 64 * PG);
}

/* ---- a slot whose backing memory is not mapped ----------------------------- */

#define HOLE_GPA	0x8000000ul	/* 128 MiB, past slot 0 */
#define HOLE_GVA	0x300000000ul

static __guest_code void hole_guest(void)
{
	GUEST_SYNC(*(volatile uint64_t *)(HOLE_GVA + 0x40));
	GUEST_DONE();
}

static void test_unmapped_backing(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_with_vcpu(&vcpu, hole_guest);
	void *hole = mmap(NULL, 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct hvm_run *run = vcpu->run;
	int r;

	TEST_ASSERT(hole != MAP_FAILED, "mmap");
	munmap(hole, 2 * PG);	/* now nothing is mapped there */

	r = __vm_set_memory_region(vm->fd, 1, 0, HOLE_GPA, 2 * PG,
				   (u64)(uintptr_t)hole);
	if (r) {
		ksft_test_result(errno == EFAULT,
				 "a slot over unmapped memory is refused with EFAULT at once (errno %d)",
				 errno);
		vm_free(vm);
		return;
	}
	virt_map(vm, HOLE_GVA, HOLE_GPA, 2);
	r = __vcpu_run(vcpu);
	ksft_test_result(!r && run->exit_reason == HVM_EXIT_INTERNAL_ERROR &&
			 run->internal.suberror == HVM_INTERNAL_ERROR_MEMORY &&
			 run->internal.ndata >= 1 &&
			 ALIGN_DOWN(run->internal.data[0], PG) == HOLE_GPA,
			 "guest access to a slot over unmapped memory exits with INTERNAL_ERROR_MEMORY, data[0] = gpa %#lx (rc %d, %s)",
			 HOLE_GPA, r, vcpu_exit_desc(vcpu));
	vm_free(vm);
}

/* ---- a read-only slot ---------------------------------------------------- */

#define RO_GPA		0x9000000ul	/* 144 MiB, past slot 0 */
#define RO_GVA		0x200000000ul
#define RO_SYNC_DELETE	0x5107
#define RO_SYNC_WRITTEN	0x5108
#define MMIO_READ_VAL	0x0123456789abcdefull

static inline void mmio_write64(uint64_t addr, uint64_t v)
{
	asm volatile(".byte 0x48, 0x89, 0x03"	/* mov %rax, (%rbx) */
		     :: "a"(v), "b"(addr) : "memory");
}

static inline void mmio_write8(uint64_t addr, uint8_t v)
{
	asm volatile(".byte 0x88, 0x03"		/* mov %al, (%rbx) */
		     :: "a"(v), "b"(addr) : "memory");
}

static inline uint64_t mmio_read64(uint64_t addr)
{
	uint64_t v;

	asm volatile(".byte 0x48, 0x8b, 0x03"	/* mov (%rbx), %rax */
		     : "=a"(v) : "b"(addr) : "memory");
	return v;
}

static __guest_code void ro_guest(void)
{
	volatile uint64_t *p = (volatile uint64_t *)RO_GVA;

	GUEST_SYNC(p[0]);
	mmio_write64(RO_GVA + 8, 0x1122334455667788ull);
	GUEST_SYNC(p[1]);
	mmio_write8(RO_GVA + 0x10, 0x99);
	GUEST_SYNC(RO_SYNC_DELETE);
	/* The slot is gone: this read is MMIO. */
	GUEST_SYNC(mmio_read64(RO_GVA + 0x18));
	/* A new read-write slot is there. */
	GUEST_SYNC(p[4]);
	p[5] = 0xabcdef;
	GUEST_SYNC(RO_SYNC_WRITTEN);
	GUEST_DONE();
}

static u64 pattern(int seed, int i)
{
	return 0xfeed000000000000ull | ((u64)seed << 32) | (u64)i;
}

static void test_readonly(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_with_vcpu(&vcpu, ro_guest);
	u64 *ro = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u64 *rw;
	bool ok;
	int i;

	TEST_ASSERT(ro != MAP_FAILED, "mmap");
	for (i = 0; i < 512; i++)
		ro[i] = pattern(1, i);
	vm_mem_add(vm, 1, HVM_MEM_READONLY, RO_GPA, PG, ro);
	virt_map(vm, RO_GVA, RO_GPA, 1);

	ksft_test_result(vcpu_run_expect_sync(vcpu, pattern(1, 0)),
			 "guest reads the backing data of a read-only slot");

	vcpu_run(vcpu);
	ok = vcpu_check_mmio(vcpu, RO_GPA + 8, 8, true, 0x1122334455667788ull);
	ok = ok && vcpu_run_expect_sync(vcpu, pattern(1, 1));
	ksft_test_result(ok && ro[1] == pattern(1, 1),
			 "8-byte guest write to a read-only slot exits as an MMIO write, memory unchanged");

	vcpu_run(vcpu);
	ok = vcpu_check_mmio(vcpu, RO_GPA + 0x10, 1, true, 0x99);
	ok = ok && vcpu_run_expect_sync(vcpu, RO_SYNC_DELETE);
	ksft_test_result(ok && ro[2] == pattern(1, 2),
			 "1-byte guest write to a read-only slot exits as an MMIO write, memory unchanged");

	vm_mem_delete(vm, 1);
	vcpu_run(vcpu);
	ok = vcpu_check_mmio(vcpu, RO_GPA + 0x18, 8, false, 0);
	if (ok) {
		vcpu_mmio_complete_read(vcpu, MMIO_READ_VAL);
		ok = vcpu_run_expect_sync(vcpu, MMIO_READ_VAL);
	}
	ksft_test_result(ok, "after the slot is deleted, a guest read of it is an MMIO read");

	rw = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(rw != MAP_FAILED, "mmap");
	for (i = 0; i < 512; i++)
		rw[i] = pattern(2, i);
	vm_mem_add(vm, 1, 0, RO_GPA, PG, rw);
	ok = vcpu_run_expect_sync(vcpu, pattern(2, 4));
	ok = ok && vcpu_run_expect_sync(vcpu, RO_SYNC_WRITTEN);
	ok = ok && vcpu_run_expect_done(vcpu);
	ksft_test_result(ok && rw[5] == 0xabcdef && ro[5] == pattern(1, 5),
			 "a new read-write slot at the same address: guest reads and writes the new memory");

	vm_free(vm);
	munmap(ro, PG);
	munmap(rw, PG);
}

int main(void)
{
	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(16);

	test_args();
	test_unmapped_backing();
	test_readonly();
	ksft_finished();
}
