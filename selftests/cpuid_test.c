// SPDX-License-Identifier: GPL-2.0
/*
 * HVM_SET_CPUID: the guest's CPUID returns the table (made-up leaves, an
 * index that is or is not significant, absent leaves as zeros), with SVM
 * and VMX hidden and OSXSAVE following the guest's CR4; and the ioctl's
 * argument checks.
 */
#include "hvm_util.h"
#include "guest.h"

#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_OSXSAVE	(1u << 27)
#define CPUID_8000_0001_ECX_SVM	(1u << 2)
#define SYNC_SET_OSXSAVE	0xcafe

struct query {
	u32 leaf, sub;
	const char *what;
};

static const struct query queries[] = {
	{ 0x40000000, 0, "made-up leaf 0x40000000" },
	{ 0x40000000, 7, "leaf without significant index ignores ECX" },
	{ 0x40000001, 0, "significant index: subleaf 0" },
	{ 0x40000001, 1, "significant index: subleaf 1" },
	{ 0x40000001, 2, "significant index: subleaf 2" },
	{ 0x40000001, 3, "absent subleaf reads as zeros" },
	{ 0x40000002, 0, "absent leaf reads as zeros" },
	{ 0xc0000000, 0, "absent leaf 0xc0000000 reads as zeros" },
	{ 0, 0, "leaf 0 is the table's (vendor, max leaf)" },
	{ 1, 0, "leaf 1: VMX hidden, OSXSAVE clear with CR4.OSXSAVE=0" },
	{ 0x80000001, 0, "leaf 0x80000001: SVM hidden" },
};

static __guest_code void guest_code(void)
{
	uint32_t a, b, c, d;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(queries); i++) {
		guest_cpuid(queries[i].leaf, queries[i].sub, &a, &b, &c, &d);
		GUEST_SYNC4(a, b, c, d);
	}
	GUEST_SYNC(SYNC_SET_OSXSAVE);
	guest_cpuid(1, 0, &a, &b, &c, &d);
	GUEST_SYNC4(a, b, c, d);
	GUEST_DONE();
}

static struct hvm_cpuid_entry *add(struct hvm_cpuid *c, u32 fn, u32 idx, u32 flags,
				   u32 a, u32 b, u32 cx, u32 d)
{
	struct hvm_cpuid_entry *e = &c->entries[c->nent++];

	*e = (struct hvm_cpuid_entry){ .function = fn, .index = idx, .flags = flags,
				       .eax = a, .ebx = b, .ecx = cx, .edx = d };
	return e;
}

static struct hvm_cpuid_entry *find(struct hvm_cpuid *c, u32 fn, u32 idx)
{
	u32 i;

	for (i = 0; i < c->nent; i++) {
		struct hvm_cpuid_entry *e = &c->entries[i];

		if (e->function == fn &&
		    (!(e->flags & HVM_CPUID_FLAG_SIGNIFICANT_INDEX) || e->index == idx))
			return e;
	}
	return NULL;
}

/* What the guest must see for (fn, idx) given the table and CR4.OSXSAVE. */
static void expected(struct hvm_cpuid *c, u32 fn, u32 idx, bool osxsave, u32 r[4])
{
	struct hvm_cpuid_entry *e = find(c, fn, idx);

	r[0] = r[1] = r[2] = r[3] = 0;
	if (e) {
		r[0] = e->eax;
		r[1] = e->ebx;
		r[2] = e->ecx;
		r[3] = e->edx;
	}
	if (fn == 1) {
		r[2] &= ~CPUID_1_ECX_VMX;
		r[2] = (r[2] & ~CPUID_1_ECX_OSXSAVE) | (osxsave ? CPUID_1_ECX_OSXSAVE : 0);
	}
	if (fn == 0x80000001)
		r[2] &= ~CPUID_8000_0001_ECX_SVM;
}

static bool check_query(struct hvm_vcpu *vcpu, struct hvm_cpuid *c, u32 fn,
			u32 idx, bool osxsave, const char *what)
{
	struct ucall uc;
	u32 want[4];
	int i;

	expected(c, fn, idx, osxsave, want);
	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_SYNC) {
		ksft_test_result_fail("%s: %s", what, vcpu_exit_desc(vcpu));
		return false;
	}
	for (i = 0; i < 4; i++)
		if (uc.args[i] != want[i])
			break;
	ksft_test_result(i == 4,
			 "%s: cpuid(%#x, %u) = %08lx %08lx %08lx %08lx (want %08x %08x %08x %08x)",
			 what, fn, idx, (unsigned long)uc.args[0], (unsigned long)uc.args[1],
			 (unsigned long)uc.args[2], (unsigned long)uc.args[3],
			 want[0], want[1], want[2], want[3]);
	return true;
}

static void test_guest_view(void)
{
	struct hvm_cpuid *host = host_cpuid_table(), *c;
	u32 max = hvm_check_cap(HVM_CAP_MAX_CPUID_ENTRIES);
	struct hvm_cpuid_entry *e;
	struct hvm_sregs sregs;
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	bool has_xsave;
	unsigned int i;
	u32 nhost;

	vm = vm_create_with_vcpu(&vcpu, guest_code);

	/* Host leaves (room permitting) plus the made-up ones. */
	c = cpuid_alloc(host->nent + 8);
	nhost = host->nent;
	if (nhost + 5 > max)	/* room for the 4 made-up leaves + 0x80000001 */
		nhost = max > 5 ? max - 5 : 0;
	memcpy(c->entries, host->entries, nhost * sizeof(c->entries[0]));
	c->nent = nhost;
	add(c, 0x40000000, 0, 0, 0x40000001, 0x746d7668, 0x74736574, 0x21212121);
	add(c, 0x40000001, 0, HVM_CPUID_FLAG_SIGNIFICANT_INDEX, 0x10, 0x11, 0x12, 0x13);
	add(c, 0x40000001, 1, HVM_CPUID_FLAG_SIGNIFICANT_INDEX, 0x20, 0x21, 0x22, 0x23);
	add(c, 0x40000001, 2, HVM_CPUID_FLAG_SIGNIFICANT_INDEX, 0x30, 0x31, 0x32, 0x33);

	/* Ask for SVM, VMX and OSXSAVE: the guest must not get them as such. */
	e = find(c, 1, 0);
	TEST_ASSERT(e, "host CPUID leaf 1");
	has_xsave = e->ecx & CPUID_1_ECX_XSAVE;
	e->ecx |= CPUID_1_ECX_VMX | CPUID_1_ECX_OSXSAVE;
	e = find(c, 0x80000001, 0);
	if (e)
		e->ecx |= CPUID_8000_0001_ECX_SVM;
	else
		add(c, 0x80000001, 0, 0, 0, 0, CPUID_8000_0001_ECX_SVM, 0);
	vcpu_set_cpuid(vcpu, c);

	for (i = 0; i < ARRAY_SIZE(queries); i++)
		if (!check_query(vcpu, c, queries[i].leaf, queries[i].sub, false,
				 queries[i].what))
			break;
	for (i++; i < ARRAY_SIZE(queries); i++)
		ksft_test_result_fail("%s: not reached", queries[i].what);

	if (!vcpu_run_expect_sync(vcpu, SYNC_SET_OSXSAVE)) {
		ksft_test_result_fail("leaf 1 OSXSAVE with CR4.OSXSAVE=1: not reached");
	} else if (!has_xsave) {
		ksft_test_result_skip("leaf 1 OSXSAVE with CR4.OSXSAVE=1: host has no XSAVE");
	} else {
		vcpu_get_sregs(vcpu, &sregs);
		sregs.cr4 |= X86_CR4_OSXSAVE;
		vcpu_set_sregs(vcpu, &sregs);
		check_query(vcpu, c, 1, 0, true, "leaf 1: OSXSAVE set with CR4.OSXSAVE=1");
	}
	vm_free(vm);
	free(host);
	free(c);
}

static int set_cpuid_errno(struct hvm_vcpu *vcpu, struct hvm_cpuid *c)
{
	return __vcpu_set_cpuid(vcpu, c) ? errno : 0;
}

static void test_args(void)
{
	u32 max = hvm_check_cap(HVM_CAP_MAX_CPUID_ENTRIES);
	struct hvm_vm *vm = vm_create_bare();
	struct hvm_vcpu *vcpu = vm_vcpu_add_raw(vm, 0);
	struct hvm_cpuid *c = cpuid_alloc(max + 1);
	int e0, e1, e2;
	u32 i;

	for (i = 0; i <= max; i++)
		c->entries[i] = (struct hvm_cpuid_entry){ .function = 0x40000100 + i,
							  .eax = i };
	c->nent = max + 1;
	e0 = set_cpuid_errno(vcpu, c);
	ksft_test_result(e0 == E2BIG, "nent = MAX_CPUID_ENTRIES + 1 (%u) fails with E2BIG (errno %d)",
			 max + 1, e0);

	c->nent = max;
	e0 = set_cpuid_errno(vcpu, c);
	c->nent = 0;
	e1 = set_cpuid_errno(vcpu, c);
	ksft_test_result(!e0 && !e1, "nent = MAX_CPUID_ENTRIES and nent = 0 are accepted (errno %d, %d)",
			 e0, e1);

	c->nent = 2;
	c->flags = 1;
	e0 = set_cpuid_errno(vcpu, c);
	c->flags = 0x80000000;
	e1 = set_cpuid_errno(vcpu, c);
	c->flags = 0;
	ksft_test_result(e0 == EINVAL && e1 == EINVAL, "hvm_cpuid.flags != 0 fails with EINVAL (errno %d, %d)",
			 e0, e1);

	c->entries[1].reserved = 1;
	e0 = set_cpuid_errno(vcpu, c);
	c->entries[1].reserved = 0;
	ksft_test_result(e0 == EINVAL, "an entry's reserved != 0 fails with EINVAL (errno %d)", e0);

	c->entries[1].flags = 1u << 1;
	e0 = set_cpuid_errno(vcpu, c);
	c->entries[1].flags = 1u << 31;
	e1 = set_cpuid_errno(vcpu, c);
	c->entries[1].flags = 0;
	e2 = set_cpuid_errno(vcpu, c);
	ksft_test_result(e0 == EINVAL && e1 == EINVAL && !e2,
			 "an entry with an unknown flag bit fails with EINVAL (errno %d, %d; valid again: %d)",
			 e0, e1, e2);
	free(c);
	vm_free(vm);
}

int main(void)
{
	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(ARRAY_SIZE(queries) + 1 + 5);

	test_guest_view();
	test_args();
	ksft_finished();
}
