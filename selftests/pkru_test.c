// SPDX-License-Identifier: GPL-2.0
/*
 * PKRU belongs to whoever runs: a guest that turns on CR4.PKE and writes
 * PKRU (WRPKRU needs no exit) must not change the host thread's PKRU, and
 * must find its own value again after an exit to userspace.
 */
#include "hvm_util.h"
#include "guest.h"

#define CR4_PKE		(1ul << 22)
#define CPUID_7_ECX_OSPKE	(1u << 4)
/* Keys 1-15 denied, key 0 (every page of the guest's) open. */
#define GUEST_PKRU	0xfffffffcu
#define SYNC_WROTE	1
#define SYNC_READ	2

static inline uint32_t read_pkru(void)
{
	uint32_t eax, edx;

	asm volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static inline void write_pkru(uint32_t v)
{
	asm volatile(".byte 0x0f, 0x01, 0xef" : : "a"(v), "c"(0), "d"(0));
}

static __guest_code void guest_code(void)
{
	unsigned long cr4;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_PKE));
	write_pkru(GUEST_PKRU);
	GUEST_SYNC(SYNC_WROTE);
	GUEST_SYNC4(SYNC_READ, read_pkru(), 0, 0);
	GUEST_DONE();
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	uint32_t a, b, c, d, host_pkru, now;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	if (!(c & CPUID_7_ECX_OSPKE))
		ksft_exit_skip("the host does not use protection keys (no OSPKE)");
	ksft_set_plan(3);

	host_pkru = read_pkru();
	ksft_print_msg("host PKRU %#x, guest writes %#x", host_pkru, GUEST_PKRU);
	vm = vm_create_with_vcpu(&vcpu, guest_code);

	ok = vcpu_run_expect_sync(vcpu, SYNC_WROTE);
	now = read_pkru();
	ksft_test_result(ok && now == host_pkru,
			 "after the guest's WRPKRU and an exit the host's PKRU is its own (%#x, want %#x)",
			 now, host_pkru);

	ok = vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == SYNC_READ;
	if (!ok)
		ksft_print_msg("expected GUEST_SYNC(%d), got %s", SYNC_READ,
			       vcpu_exit_desc(vcpu));
	ksft_test_result(ok && uc.args[1] == GUEST_PKRU,
			 "the guest reads its own PKRU back after the exit (%#lx, want %#x)",
			 (unsigned long)uc.args[1], GUEST_PKRU);

	ok = vcpu_run_expect_done(vcpu);
	now = read_pkru();
	ksft_test_result(ok && now == host_pkru,
			 "the host's PKRU is still its own when the guest is done (%#x)", now);

	vm_free(vm);
	ksft_finished();
}
