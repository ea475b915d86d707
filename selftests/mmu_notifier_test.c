// SPDX-License-Identifier: GPL-2.0
/*
 * hvm maps guest pages on demand from a slot's user memory and drops them
 * again when the MMU notifier reports that the process's mapping changed.
 * A 2 MiB slot backed by private anonymous memory is changed under the
 * guest: the backing is unmapped and a new mapping is put at the same
 * address, half of it is MADV_DONTNEED-ed, and it is made read-only and
 * then read-write again. After each change the guest must see the
 * process's current memory, never a stale page.
 *
 * The sequence runs twice: on memory of 4 KiB pages, and on memory the
 * process maps with a transparent huge page, which hvm maps with one
 * 2 MiB nested leaf: each change then hits part of a 2 MiB leaf, which
 * must go as a whole.
 *
 * Every step is a separate guest entry point (vcpu_enter() below points
 * the vCPU at it on a fresh stack), so a step that ends in an error exit
 * does not stop the next one.
 */
#include "hvm_util.h"
#include "guest.h"

#define MN_SLOT		5
#define MN_GPA		0x10000000ul	/* 256 MiB, past slot 0 */
#define MN_SIZE		(2ul << 20)
#define MN_GVA		0x500000000ul
#define MN_PAGES	(MN_SIZE / PAGE_SIZE)
#define MN_QWORDS	(MN_SIZE / 8)
#define QW_PER_PAGE	(PAGE_SIZE / 8)

#define SYNC_FILLED	0xf111
#define SYNC_CHECKED	0xc4ec
#define SYNC_WROTE	0x3707e
#define SYNC_READ	0x4ead

/* Page and word of the read-only step: somewhere in the middle. */
#define RO_PAGE		300
#define RO_QWORD	(RO_PAGE * QW_PER_PAGE + 3)
#define RO_MAGIC	0x0ddba11c0ffee000ull

/* Never zero, so a zeroed page never matches; seeds differ in bits 40+. */
static inline uint64_t pat(uint64_t seed, uint64_t i)
{
	return ((seed << 40) ^ ((i + 1) * 0x9e3779b97f4a7c15ull)) | 1;
}

/* ---- guest ----------------------------------------------------------------- */

/* Writes pat(seed, i) to every qword of the slot. */
static __guest_code void guest_fill(uint64_t seed)
{
	volatile uint64_t *p = (volatile uint64_t *)MN_GVA;
	uint64_t i;

	for (i = 0; i < MN_QWORDS; i++)
		p[i] = pat(seed, i);
	GUEST_SYNC(SYNC_FILLED);
}

/*
 * Reads every qword of the slot: the first zero_pages pages must be zero,
 * the rest pat(seed, i). Reports the number of mismatches, the index of
 * the first one (-1 if none) and the value read there.
 */
static __guest_code void guest_check(uint64_t seed, uint64_t zero_pages)
{
	volatile uint64_t *p = (volatile uint64_t *)MN_GVA;
	uint64_t i, v, want, bad = 0, first = -1ull, first_val = 0;

	for (i = 0; i < MN_QWORDS; i++) {
		v = p[i];
		want = i / QW_PER_PAGE < zero_pages ? 0 : pat(seed, i);
		if (v != want) {
			if (!bad) {
				first = i;
				first_val = v;
			}
			bad++;
		}
	}
	GUEST_SYNC4(SYNC_CHECKED, bad, first, first_val);
}

static __guest_code void guest_write_one(uint64_t gva, uint64_t val)
{
	*(volatile uint64_t *)gva = val;
	GUEST_SYNC(SYNC_WROTE);
}

static __guest_code void guest_read_one(uint64_t gva)
{
	GUEST_SYNC4(SYNC_READ, *(volatile uint64_t *)gva, 0, 0);
}

/* ---- host ------------------------------------------------------------------ */

extern char guest_return_stub[];	/* lib/guest.c */

/* Points the vCPU at fn(arg0, arg1) on its own, fresh stack. */
static void vcpu_enter(struct hvm_vcpu *vcpu, void *fn, u64 arg0, u64 arg1)
{
	u64 ret = (u64)(uintptr_t)guest_return_stub;
	struct hvm_regs regs;

	vm_write_guest(vcpu->vm, vcpu->stack_gva - 8, &ret, 8);
	memset(&regs, 0, sizeof(regs));
	regs.rip = (u64)(uintptr_t)fn;
	regs.rsp = vcpu->stack_gva - 8;
	regs.rdi = arg0;
	regs.rsi = arg1;
	regs.rflags = X86_RFLAGS_FIXED;
	vcpu_set_regs(vcpu, &regs);
}

/* Runs and expects GUEST_SYNC(tag, ...) into uc; prints why not otherwise. */
static bool run_sync(struct hvm_vcpu *vcpu, u64 tag, struct ucall *uc)
{
	int r = __vcpu_run(vcpu);

	memset(uc, 0, sizeof(*uc));
	if (r) {
		ksft_print_msg("HVM_RUN returned %d (%s), %s", r, strerror(errno),
			       vcpu_exit_desc(vcpu));
		return false;
	}
	if (get_ucall(vcpu, uc) != UCALL_SYNC || uc->args[0] != tag) {
		ksft_print_msg("expected GUEST_SYNC(%#lx), got %s",
			       (unsigned long)tag, vcpu_exit_desc(vcpu));
		return false;
	}
	return true;
}

/* Runs fn(seed) and expects it to fill the slot. */
static bool guest_fills(struct hvm_vcpu *vcpu, u64 seed)
{
	struct ucall uc;

	vcpu_enter(vcpu, guest_fill, seed, 0);
	return run_sync(vcpu, SYNC_FILLED, &uc);
}

/* Runs guest_check(seed, zero_pages) and expects no mismatch. */
static bool guest_checks(struct hvm_vcpu *vcpu, u64 seed, u64 zero_pages,
			 const char *what)
{
	struct ucall uc;

	vcpu_enter(vcpu, guest_check, seed, zero_pages);
	if (!run_sync(vcpu, SYNC_CHECKED, &uc))
		return false;
	if (uc.args[1]) {
		u64 i = uc.args[2];

		ksft_print_msg("%s: guest saw %lu wrong qwords; first at page %lu qword %lu: %#lx, want %#lx",
			       what, (unsigned long)uc.args[1],
			       (unsigned long)(i / QW_PER_PAGE),
			       (unsigned long)(i % QW_PER_PAGE),
			       (unsigned long)uc.args[3],
			       (unsigned long)(i / QW_PER_PAGE < zero_pages ?
					       0 : pat(seed, i)));
		return false;
	}
	return true;
}

/* The host's view of the backing: same rule as guest_check(). */
static bool host_checks(const u64 *mem, u64 seed, u64 zero_pages,
			const char *what)
{
	u64 i, bad = 0, first = 0;

	for (i = 0; i < MN_QWORDS; i++) {
		u64 want = i / QW_PER_PAGE < zero_pages ? 0 : pat(seed, i);

		if (mem[i] != want && !bad++)
			first = i;
	}
	if (bad)
		ksft_print_msg("%s: host sees %lu wrong qwords; first at page %lu qword %lu: %#lx, want %#lx",
			       what, (unsigned long)bad,
			       (unsigned long)(first / QW_PER_PAGE),
			       (unsigned long)(first % QW_PER_PAGE),
			       (unsigned long)mem[first],
			       (unsigned long)(first / QW_PER_PAGE < zero_pages ?
					       0 : pat(seed, first)));
	return !bad;
}

/* Every qword of page pg but skip_qword is still pat(seed, i). */
static bool page_intact(const u64 *mem, u64 pg, u64 seed, u64 skip_qword)
{
	u64 i;

	for (i = pg * QW_PER_PAGE; i < (pg + 1) * QW_PER_PAGE; i++) {
		if (i != skip_qword && mem[i] != pat(seed, i)) {
			ksft_print_msg("page %lu qword %lu: %#lx, want %#lx",
				       (unsigned long)pg,
				       (unsigned long)(i % QW_PER_PAGE),
				       (unsigned long)mem[i],
				       (unsigned long)pat(seed, i));
			return false;
		}
	}
	return true;
}

/* AnonHugePages of the mapping that holds addr, in kB; -1 if unknown. */
static long thp_kb(const void *addr)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	char line[256];
	bool in = false;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * Private anonymous memory at hint (MAP_FIXED) or anywhere, 2 MiB-aligned
 * and MADV_HUGEPAGE for thp. *thp_ok: the kernel took MADV_HUGEPAGE (a
 * kernel without transparent huge pages refuses it with EINVAL).
 */
static u64 *map_backing(void *hint, bool thp, bool *thp_ok)
{
	size_t len = thp ? 2 * MN_SIZE : MN_SIZE;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (hint ? MAP_FIXED : 0);
	char *p;

	p = mmap(hint, hint ? MN_SIZE : len, PROT_READ | PROT_WRITE, flags, -1, 0);
	TEST_ASSERT(p != MAP_FAILED, "mmap %#lx bytes", (unsigned long)len);
	if (thp && !hint) {
		char *aligned = (char *)ALIGN_UP((uintptr_t)p, MN_SIZE);

		if (aligned > p)
			munmap(p, aligned - p);
		munmap(aligned + MN_SIZE, p + len - (aligned + MN_SIZE));
		p = aligned;
	}
	if (thp) {
		*thp_ok = madvise(p, MN_SIZE, MADV_HUGEPAGE) == 0;
		TEST_ASSERT(*thp_ok || errno == EINVAL, "madvise(MADV_HUGEPAGE)");
	}
	return (u64 *)p;
}

#define NR_STEPS	9

static void run_sequence(const char *tag, bool thp)
{
	const u64 ro_gva = MN_GVA + RO_QWORD * 8;
	const u64 ro_gpa = MN_GPA + RO_PAGE * PAGE_SIZE;
	struct hvm_objects before, after;
	struct hvm_vcpu *vcpu;
	struct hvm_run *run;
	struct hvm_vm *vm;
	struct ucall uc;
	u64 *mem, *again, i;
	bool ok, thp_ok = true;
	int r;

	mem = map_backing(NULL, thp, &thp_ok);
	if (thp) {
		long kb;

		memset(mem, 0, MN_SIZE);
		kb = thp_ok ? thp_kb(mem) : -1;
		if (kb < (long)(MN_SIZE >> 10)) {
			for (i = 0; i < NR_STEPS + 1; i++)
				ksft_test_result_skip("%s: no transparent huge page backs the slot (%s; AnonHugePages %ld kB)",
						      tag, thp_ok ? "THP did not take" :
						      "the kernel has no THP", kb);
			munmap(mem, MN_SIZE);
			return;
		}
	}

	vm = vm_create_with_vcpu(&vcpu, guest_fill);
	run = vcpu->run;
	vm_mem_add(vm, MN_SLOT, 0, MN_GPA, MN_SIZE, mem);
	virt_map(vm, MN_GVA, MN_GPA, MN_PAGES);

	/* 1. Guest writes reach the process's memory. */
	TEST_ASSERT(hvm_read_objects(&before), "read %s", HVM_DEBUGFS_OBJECTS);
	ok = guest_fills(vcpu, 1) && host_checks(mem, 1, 0, "after guest fill");
	ksft_test_result(ok, "%s: guest writes pattern 1 to all %lu pages of slot %d (gpa %#lx), host reads it through its own mapping",
			 tag, MN_PAGES, MN_SLOT, MN_GPA);
	if (thp) {
		TEST_ASSERT(hvm_read_objects(&after), "read %s", HVM_DEBUGFS_OBJECTS);
		ok = before.npt_large_maps >= 0 &&
		     after.npt_large_maps > before.npt_large_maps;
		ksft_test_result(ok, "%s: the slot is mapped with a 2 MiB nested leaf (npt_large_maps %ld -> %ld)",
				 tag, before.npt_large_maps, after.npt_large_maps);
	}

	/*
	 * 2. New memory at the same address. The guest mapped every old page
	 * above; only the notifier's zap keeps it from reading them now.
	 */
	TEST_ASSERT(munmap(mem, MN_SIZE) == 0, "munmap backing");
	again = map_backing(mem, thp, &thp_ok);
	TEST_ASSERT(again == mem, "mmap MAP_FIXED at %p returned %p", (void *)mem,
		    (void *)again);
	for (i = 0; i < MN_QWORDS; i++)
		mem[i] = pat(2, i);
	ok = guest_checks(vcpu, 2, 0, "after munmap + mmap");
	ksft_test_result(ok, "%s: after munmap() and a new mmap(MAP_FIXED) at the same address the guest reads the new data (pattern 2) in every page",
			 tag);

	ok = guest_fills(vcpu, 3) && host_checks(mem, 3, 0, "new mapping after guest fill");
	ksft_test_result(ok, "%s: guest writes (pattern 3) land in the new mapping", tag);

	/* 3. The first half is dropped: private anonymous memory reads as 0. */
	r = madvise(mem, MN_SIZE / 2, MADV_DONTNEED);
	TEST_ASSERT(r == 0, "madvise(MADV_DONTNEED) of the first half");
	ok = guest_checks(vcpu, 3, MN_PAGES / 2, "after MADV_DONTNEED");
	ksft_test_result(ok, "%s: after MADV_DONTNEED of the first %lu pages the guest reads zeros there and pattern 3 in the rest",
			 tag, MN_PAGES / 2);

	ok = guest_fills(vcpu, 4) &&
	     host_checks(mem, 4, 0, "after MADV_DONTNEED and guest fill");
	ksft_test_result(ok, "%s: guest writes (pattern 4) after MADV_DONTNEED reach the process's memory in both halves",
			 tag);

	/* 4. Read-only backing: writes must stop, reads must go on. */
	r = mprotect(mem, MN_SIZE, PROT_READ);
	TEST_ASSERT(r == 0, "mprotect(PROT_READ)");
	vcpu_enter(vcpu, guest_write_one, ro_gva, RO_MAGIC);
	r = __vcpu_run(vcpu);
	ok = !r && run->exit_reason == HVM_EXIT_INTERNAL_ERROR &&
	     run->internal.suberror == HVM_INTERNAL_ERROR_MEMORY &&
	     run->internal.ndata >= 1 &&
	     ALIGN_DOWN(run->internal.data[0], PAGE_SIZE) == ro_gpa;
	ksft_test_result(ok, "%s: guest write to a PROT_READ backing exits with INTERNAL_ERROR/MEMORY, data[0] in gpa page %#lx (rc %d, %s)",
			 tag, (unsigned long)ro_gpa, r, vcpu_exit_desc(vcpu));

	ok = page_intact(mem, RO_PAGE, 4, -1ull);
	ksft_test_result(ok, "%s: the refused write did not change the read-only page", tag);

	vcpu_enter(vcpu, guest_read_one, ro_gva, 0);
	ok = run_sync(vcpu, SYNC_READ, &uc);
	if (ok && uc.args[1] != pat(4, RO_QWORD)) {
		ksft_print_msg("guest read %#lx, want %#lx",
			       (unsigned long)uc.args[1],
			       (unsigned long)pat(4, RO_QWORD));
		ok = false;
	}
	ksft_test_result(ok, "%s: guest read of the PROT_READ backing still returns its data", tag);

	r = mprotect(mem, MN_SIZE, PROT_READ | PROT_WRITE);
	TEST_ASSERT(r == 0, "mprotect(PROT_READ | PROT_WRITE)");
	vcpu_enter(vcpu, guest_write_one, ro_gva, RO_MAGIC);
	ok = run_sync(vcpu, SYNC_WROTE, &uc);
	if (ok && mem[RO_QWORD] != RO_MAGIC) {
		ksft_print_msg("host sees %#lx, want %#lx",
			       (unsigned long)mem[RO_QWORD],
			       (unsigned long)RO_MAGIC);
		ok = false;
	}
	ok = ok && page_intact(mem, RO_PAGE, 4, RO_QWORD);
	ksft_test_result(ok, "%s: after mprotect back to read-write the same guest write lands in the process's memory",
			 tag);

	vm_free(vm);
	munmap(mem, MN_SIZE);
}

int main(void)
{
	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(2 * NR_STEPS + 1);
	run_sequence("4k", false);
	run_sequence("thp", true);
	ksft_finished();
}
