// SPDX-License-Identifier: GPL-2.0
/*
 * HVM_GET_MSRS / HVM_SET_MSRS of the syscall/sysenter MSRs, PAT and TSC,
 * partial counts at an unknown MSR, array limits, and what the guest sees
 * with RDMSR/WRMSR/RDTSC, including #GP for an MSR that does not exist.
 */
#include "hvm_util.h"
#include "guest.h"

#define MSR_IA32_TSC		0x10
#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_PAT		0x277
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_BOGUS		0x12345

#define GUEST_LSTAR		0xffffffff81234560ull
#define TSC_START		(1ull << 40)

static const struct hvm_msr_entry syscall_msrs[] = {
	{ .index = MSR_IA32_SYSENTER_CS, .data = 0x10 },
	{ .index = MSR_IA32_SYSENTER_ESP, .data = 0xffffc90000001000ull },
	{ .index = MSR_IA32_SYSENTER_EIP, .data = 0xffffffff81000100ull },
	{ .index = MSR_STAR, .data = 0x0023001000000000ull },
	{ .index = MSR_LSTAR, .data = 0xffffffff81000200ull },
	{ .index = MSR_CSTAR, .data = 0xffffffff81000300ull },
	{ .index = MSR_SYSCALL_MASK, .data = 0x47700 },
	{ .index = MSR_KERNEL_GS_BASE, .data = 0xffff888012345000ull },
};

static u64 syscall_msr_val(u32 index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(syscall_msrs); i++)
		if (syscall_msrs[i].index == index)
			return syscall_msrs[i].data;
	return 0;
}

/* ---- guest ----------------------------------------------------------------- */

static volatile uint64_t gp_count, gp_error;

static __guest_code void gp_handler(struct ex_regs *regs)
{
	gp_count++;
	gp_error = regs->error_code;
	regs->rip += 2;		/* skip the 2-byte RDMSR/WRMSR */
}

static __guest_code void guest_code(void)
{
	GUEST_SYNC(guest_rdmsr(MSR_LSTAR));
	GUEST_SYNC4(guest_rdmsr(MSR_STAR), guest_rdmsr(MSR_SYSCALL_MASK),
		    guest_rdmsr(MSR_KERNEL_GS_BASE), guest_rdmsr(MSR_IA32_SYSENTER_EIP));
	guest_wrmsr(MSR_LSTAR, GUEST_LSTAR);
	GUEST_SYNC(1);
	guest_rdmsr(MSR_BOGUS);
	GUEST_SYNC4(gp_count, gp_error, 0, 0);
	guest_wrmsr(MSR_BOGUS, 1);
	GUEST_SYNC4(gp_count, gp_error, 0, 0);
	GUEST_SYNC(guest_rdtsc());
	GUEST_DONE();
}

/* ---- host ------------------------------------------------------------------- */

static int msrs_ioctl(struct hvm_vcpu *vcpu, unsigned long cmd, struct hvm_msrs *m)
{
	int r = ioctl(vcpu->fd, cmd, m);

	return r < 0 ? -errno : r;
}

static void test_ioctls(struct hvm_vcpu *vcpu)
{
	u32 n = ARRAY_SIZE(syscall_msrs), max = hvm_check_cap(HVM_CAP_MAX_MSR_ENTRIES);
	struct hvm_msrs *m = msrs_alloc(n > max + 1 ? n : max + 1);
	u64 pat, tsc, v;
	int r, r2;
	u32 i;

	m->nmsrs = n;
	memcpy(m->entries, syscall_msrs, sizeof(syscall_msrs));
	r = msrs_ioctl(vcpu, HVM_SET_MSRS, m);
	ksft_test_result(r == (int)n, "HVM_SET_MSRS of %u sysenter/syscall MSRs returns %u (got %d)",
			 n, n, r);

	memset(m->entries, 0, n * sizeof(m->entries[0]));
	for (i = 0; i < n; i++)
		m->entries[i].index = syscall_msrs[i].index;
	r = msrs_ioctl(vcpu, HVM_GET_MSRS, m);
	for (i = 0; r == (int)n && i < n; i++) {
		if (m->entries[i].data != syscall_msrs[i].data) {
			ksft_print_msg("MSR %#x: %#lx, want %#lx", m->entries[i].index,
				       (unsigned long)m->entries[i].data,
				       (unsigned long)syscall_msrs[i].data);
			break;
		}
	}
	ksft_test_result(r == (int)n && i == n, "HVM_GET_MSRS reads them back (returned %d)", r);

	/* PAT: types 0, 1, 4, 5, 6, 7 are valid; 2 and 3 are not. */
	r = __vcpu_set_msr(vcpu, MSR_IA32_PAT, 0x0007010600070406ull);
	r2 = __vcpu_get_msr(vcpu, MSR_IA32_PAT, &pat);
	ksft_test_result(r == 1 && r2 == 1 && pat == 0x0007010600070406ull,
			 "valid PAT is set and read back (%#lx)", (unsigned long)pat);
	r = __vcpu_set_msr(vcpu, MSR_IA32_PAT, 0x0007040600070402ull);
	r2 = __vcpu_set_msr(vcpu, MSR_IA32_PAT, 0x0307040600070406ull);
	pat = vcpu_get_msr(vcpu, MSR_IA32_PAT);
	ksft_test_result(r == 0 && r2 == 0 && pat == 0x0007010600070406ull,
			 "PAT with memory type 2 or 3 is refused (returns %d, %d) and PAT stays %#lx",
			 r, r2, (unsigned long)pat);

	r = __vcpu_set_msr(vcpu, MSR_IA32_TSC, TSC_START);
	tsc = vcpu_get_msr(vcpu, MSR_IA32_TSC);
	ksft_test_result(r == 1 && tsc >= TSC_START && tsc - TSC_START < (1ull << 38),
			 "TSC set to %#llx reads back at or just above it (%#lx)",
			 TSC_START, (unsigned long)tsc);

	m->nmsrs = 3;
	m->entries[0] = (struct hvm_msr_entry){ .index = MSR_LSTAR };
	m->entries[1] = (struct hvm_msr_entry){ .index = MSR_BOGUS };
	m->entries[2] = (struct hvm_msr_entry){ .index = MSR_STAR };
	r = msrs_ioctl(vcpu, HVM_GET_MSRS, m);
	ksft_test_result(r == 1 && m->entries[0].data == syscall_msr_val(MSR_LSTAR),
			 "HVM_GET_MSRS stops at an unknown MSR: returns 1 (got %d)", r);

	m->entries[0] = (struct hvm_msr_entry){ .index = MSR_STAR, .data = 0x0033002000000000ull };
	m->entries[1] = (struct hvm_msr_entry){ .index = MSR_BOGUS, .data = 1 };
	m->entries[2] = (struct hvm_msr_entry){ .index = MSR_LSTAR, .data = 0xffffffff8badf00dull };
	r = msrs_ioctl(vcpu, HVM_SET_MSRS, m);
	v = vcpu_get_msr(vcpu, MSR_LSTAR);
	ksft_test_result(r == 1 && vcpu_get_msr(vcpu, MSR_STAR) == 0x0033002000000000ull &&
			 v == syscall_msr_val(MSR_LSTAR),
			 "HVM_SET_MSRS stops at an unknown MSR: returns 1 (got %d), later entries untouched",
			 r);
	vcpu_set_msr(vcpu, MSR_STAR, syscall_msr_val(MSR_STAR));

	for (i = 0; i <= max; i++)
		m->entries[i] = (struct hvm_msr_entry){ .index = MSR_STAR,
							.data = syscall_msr_val(MSR_STAR) };
	m->nmsrs = max + 1;
	r = msrs_ioctl(vcpu, HVM_GET_MSRS, m);
	r2 = msrs_ioctl(vcpu, HVM_SET_MSRS, m);
	ksft_test_result(r == -E2BIG && r2 == -E2BIG,
			 "nmsrs = MAX_MSR_ENTRIES + 1 (%u) fails with E2BIG (got %d, %d)", max + 1, r, r2);
	m->nmsrs = max;
	r = msrs_ioctl(vcpu, HVM_GET_MSRS, m);
	m->nmsrs = 0;
	r2 = msrs_ioctl(vcpu, HVM_GET_MSRS, m);
	ksft_test_result(r == (int)max && r2 == 0,
			 "nmsrs = MAX_MSR_ENTRIES returns MAX (got %d), nmsrs = 0 returns 0 (got %d)",
			 r, r2);

	m->nmsrs = 1;
	m->entries[0] = (struct hvm_msr_entry){ .index = MSR_STAR, .reserved = 1 };
	r = msrs_ioctl(vcpu, HVM_GET_MSRS, m);
	m->entries[0].reserved = 0;
	m->padding = 1;
	r2 = msrs_ioctl(vcpu, HVM_GET_MSRS, m);
	m->padding = 0;
	ksft_test_result(r == -EINVAL && r2 == -EINVAL,
			 "non-zero entry reserved or hvm_msrs.padding fails with EINVAL (got %d, %d)",
			 r, r2);
	free(m);
}

static void test_guest(struct hvm_vm *vm, struct hvm_vcpu *vcpu)
{
	struct ucall uc;
	bool ok;

	vm_install_handler(vm, GP_VECTOR, gp_handler);
	/* Fresh values: test_ioctls() changed some. */
	vcpu_set_msr(vcpu, MSR_LSTAR, syscall_msr_val(MSR_LSTAR));
	vcpu_set_msr(vcpu, MSR_IA32_TSC, TSC_START);

	ksft_test_result(vcpu_run_expect_sync(vcpu, syscall_msr_val(MSR_LSTAR)),
			 "guest RDMSR of LSTAR sees the value set with HVM_SET_MSRS");

	ok = vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC &&
	     uc.args[0] == syscall_msr_val(MSR_STAR) &&
	     uc.args[1] == syscall_msr_val(MSR_SYSCALL_MASK) &&
	     uc.args[2] == syscall_msr_val(MSR_KERNEL_GS_BASE) &&
	     uc.args[3] == syscall_msr_val(MSR_IA32_SYSENTER_EIP);
	ksft_test_result(ok, "guest RDMSR of STAR, SFMASK, KERNEL_GS_BASE, SYSENTER_EIP (%s)",
			 vcpu_exit_desc(vcpu));

	ok = vcpu_run_expect_sync(vcpu, 1);
	ksft_test_result(ok && vcpu_get_msr(vcpu, MSR_LSTAR) == GUEST_LSTAR,
			 "guest WRMSR of LSTAR is what HVM_GET_MSRS reads");

	ok = vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 1 && uc.args[1] == 0;
	ksft_test_result(ok, "guest RDMSR of unknown MSR %#x takes #GP(0) (%s)", MSR_BOGUS,
			 vcpu_exit_desc(vcpu));
	ok = vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 2 && uc.args[1] == 0;
	ksft_test_result(ok, "guest WRMSR of unknown MSR %#x takes #GP(0) (%s)", MSR_BOGUS,
			 vcpu_exit_desc(vcpu));

	ok = vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC;
	ksft_test_result(ok && uc.args[0] >= TSC_START && uc.args[0] - TSC_START < (1ull << 38),
			 "guest RDTSC counts from the TSC set by the host (%#lx)",
			 (unsigned long)uc.args[0]);
	ksft_test_result(vcpu_run_expect_done(vcpu), "guest completes");
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(17);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	test_ioctls(vcpu);
	test_guest(vm, vcpu);
	vm_free(vm);
	ksft_finished();
}
