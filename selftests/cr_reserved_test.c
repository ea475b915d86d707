// SPDX-License-Identifier: GPL-2.0
/*
 * CR0, CR4 and EFER writes are checked as the architecture and the guest's
 * CPUID say (SDM Vol. 3 2.5, "MOV—Move to/from Control Registers"; APM
 * Vol. 2 3.1), on both vendors: a bad write by the guest gets #GP(0) and
 * leaves the register as it was, with CR4.PKE and CR4.LA57 hidden by its
 * CPUID; good writes, LMSW among them, take effect; and HVM_SET_SREGS
 * refuses such states with EINVAL instead of handing them to the hardware.
 */
#include "hvm_util.h"
#include "guest.h"

#define MSR_EFER		0xc0000080
#define X86_CR0_EM		(1ul << 2)
#define X86_CR4_PGE		(1ul << 7)
#define X86_CR4_LA57		(1ul << 12)
#define X86_CR4_VMXE		(1ul << 13)
#define X86_CR4_RSVD15		(1ul << 15)
#define X86_CR4_PKE		(1ul << 22)
#define EFER_RSVD9		(1ul << 9)
#define EFER_SVME		(1ul << 12)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_7_ECX_PKU		(1u << 3)
#define CPUID_7_ECX_OSPKE	(1u << 4)
#define CPUID_7_ECX_LA57	(1u << 16)

/* ---- guest ----------------------------------------------------------------- */

static volatile uint64_t gp_count, gp_error, gp_skip;

static __guest_code void gp_handler(struct ex_regs *regs)
{
	gp_count++;
	gp_error = regs->error_code;
	regs->rip += gp_skip;
}

static __guest_code uint64_t read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static __guest_code uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* Each returns how many #GPs the write took: 0 or 1. */
static __guest_code uint64_t write_cr0(uint64_t v)
{
	uint64_t n = gp_count;

	gp_skip = 3;		/* 0f 22 c0 */
	asm volatile("mov %0, %%cr0" :: "a"(v) : "memory");
	return gp_count - n;
}

static __guest_code uint64_t write_cr4(uint64_t v)
{
	uint64_t n = gp_count;

	gp_skip = 3;		/* 0f 22 e0 */
	asm volatile("mov %0, %%cr4" :: "a"(v) : "memory");
	return gp_count - n;
}

static __guest_code uint64_t write_efer(uint64_t v)
{
	uint64_t n = gp_count;

	gp_skip = 2;		/* 0f 30 */
	asm volatile("wrmsr" :: "c"(MSR_EFER), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
	return gp_count - n;
}

/*
 * A write that must fault: reports #GPs taken, the error code, the value
 * before and after, then puts the old value back in case it took.
 */
#define BAD_WRITE(id, reg, val)						\
	do {								\
		uint64_t __old = read_##reg(), __gp, __new;		\
									\
		gp_error = ~0ull;					\
		__gp = write_##reg(val);				\
		__new = read_##reg();					\
		GUEST_SYNC4(id, __gp | gp_error << 8, __old, __new);	\
		if (__new != __old)					\
			write_##reg(__old);				\
	} while (0)

static __guest_code uint64_t read_efer(void)
{
	return guest_rdmsr(MSR_EFER);
}

enum {
	GOOD_PGE = 1, GOOD_OSXSAVE, GOOD_CR0, GOOD_EFER, GOOD_LMSW,
	BAD_PKE, BAD_EFER_RSVD, BAD_EFER_SVME, BAD_EFER_LME,
	BAD_LA57, BAD_CR0_HIGH, BAD_NW, BAD_PG_NO_PE, BAD_PAE, BAD_VMXE,
	BAD_CR4_RSVD, DONE,
};

static __guest_code void guest_code(uint64_t has_xsave)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4(), efer = read_efer();
	uint64_t a, b, gp;

	/* Good writes: each takes, with no #GP. */
	gp = write_cr4(cr4 | X86_CR4_PGE);
	a = read_cr4();
	gp += write_cr4(cr4);
	GUEST_SYNC4(GOOD_PGE, gp, a, read_cr4());

	gp = 0;
	a = b = 0;
	if (has_xsave) {
		gp = write_cr4(cr4 | X86_CR4_OSXSAVE);
		a = read_cr4();
		gp += write_cr4(cr4);
		b = read_cr4();
	}
	GUEST_SYNC4(GOOD_OSXSAVE, gp, a, b);

	/* WP and CD change: on SVM, the selective CR0 intercept exits. */
	gp = write_cr0(cr0 & ~X86_CR0_WP);
	a = read_cr0();
	gp += write_cr0(cr0 | X86_CR0_CD);
	b = read_cr0();
	gp += write_cr0(cr0);
	GUEST_SYNC4(GOOD_CR0, gp, a, b);

	gp = write_efer(efer | EFER_SCE);
	a = read_efer();
	gp += write_efer(efer);
	GUEST_SYNC4(GOOD_EFER, gp, a, read_efer());

	/*
	 * LMSW sets CR0.EM (an exit on SVM), then clears it with a source
	 * whose PE is 0: LMSW cannot clear PE. No SSE in between (EM).
	 */
	asm volatile("lmsw %w2\n\t"
		     "mov %%cr0, %0\n\t"
		     "lmsw %w3\n\t"
		     "mov %%cr0, %1"
		     : "=&r"(a), "=&r"(b)
		     : "r"(cr0 | X86_CR0_EM), "r"(cr0 & ~(X86_CR0_EM | X86_CR0_PE))
		     : "memory");
	GUEST_SYNC4(GOOD_LMSW, 0, a, b);

	/* Bad writes, the harmless first: each must take #GP(0). */
	BAD_WRITE(BAD_PKE, cr4, cr4 | X86_CR4_PKE);
	BAD_WRITE(BAD_EFER_RSVD, efer, efer | EFER_RSVD9);
	BAD_WRITE(BAD_EFER_SVME, efer, efer | EFER_SVME);
	BAD_WRITE(BAD_EFER_LME, efer, efer & ~EFER_LME);
	BAD_WRITE(BAD_LA57, cr4, cr4 | X86_CR4_LA57);
	BAD_WRITE(BAD_CR0_HIGH, cr0, cr0 | (1ull << 32));
	BAD_WRITE(BAD_NW, cr0, cr0 | X86_CR0_NW);
	BAD_WRITE(BAD_PG_NO_PE, cr0, cr0 & ~X86_CR0_PE);
	BAD_WRITE(BAD_PAE, cr4, cr4 & ~X86_CR4_PAE);
	BAD_WRITE(BAD_VMXE, cr4, cr4 | X86_CR4_VMXE);
	BAD_WRITE(BAD_CR4_RSVD, cr4, cr4 | X86_CR4_RSVD15);
	GUEST_DONE();
}

/* ---- host ------------------------------------------------------------------- */

static const char *const bad_names[] = {
	[BAD_PKE] = "CR4.PKE with CPUID.7.0:ECX.PKU hidden",
	[BAD_EFER_RSVD] = "EFER bit 9 (reserved)",
	[BAD_EFER_SVME] = "EFER.SVME (the guest has no SVM)",
	[BAD_EFER_LME] = "EFER.LME cleared while paging",
	[BAD_LA57] = "CR4.LA57 with CPUID.7.0:ECX.LA57 hidden, in IA-32e mode",
	[BAD_CR0_HIGH] = "CR0 bit 32",
	[BAD_NW] = "CR0.NW without CR0.CD",
	[BAD_PG_NO_PE] = "CR0.PG without CR0.PE",
	[BAD_PAE] = "CR4.PAE cleared in IA-32e mode",
	[BAD_VMXE] = "CR4.VMXE",
	[BAD_CR4_RSVD] = "CR4 bit 15 (reserved)",
};

/* The host's CPUID less PKU and LA57, so the guest must not use them. */
static void set_cpuid_without_pku_la57(struct hvm_vcpu *vcpu, bool *has_xsave)
{
	struct hvm_cpuid *c = host_cpuid_table();
	u32 i;

	*has_xsave = false;
	for (i = 0; i < c->nent; i++) {
		struct hvm_cpuid_entry *e = &c->entries[i];

		if (e->function == 1)
			*has_xsave = e->ecx & CPUID_1_ECX_XSAVE;
		if (e->function == 7 && e->index == 0)
			e->ecx &= ~(CPUID_7_ECX_PKU | CPUID_7_ECX_OSPKE |
				    CPUID_7_ECX_LA57);
	}
	vcpu_set_cpuid(vcpu, c);
	free(c);
}

static bool same_crs(const struct hvm_sregs *a, const struct hvm_sregs *b)
{
	return a->cr0 == b->cr0 && a->cr4 == b->cr4 && a->efer == b->efer;
}

/* HVM_SET_SREGS of a state no CPU can be in: EINVAL, and nothing changes. */
static void test_set_sregs(struct hvm_vcpu *vcpu)
{
	static const struct {
		const char *what;
		u64 cr0_set, cr0_clear, cr4_set, cr4_clear, efer_set, efer_clear;
	} bad[] = {
		{ "CR4 bit 15 (reserved)", .cr4_set = X86_CR4_RSVD15 },
		{ "CR4.VMXE", .cr4_set = X86_CR4_VMXE },
		{ "CR0.PG without CR0.PE", .cr0_clear = X86_CR0_PE },
		{ "EFER.LMA without EFER.LME", .efer_clear = EFER_LME },
		{ "IA-32e paging without CR4.PAE", .cr4_clear = X86_CR4_PAE },
		{ "EFER.SVME", .efer_set = EFER_SVME },
		{ "EFER bit 9 (reserved)", .efer_set = EFER_RSVD9 },
	};
	struct hvm_sregs good, s, after;
	unsigned int i;
	int r, e;

	vcpu_get_sregs(vcpu, &good);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		s = good;
		s.cr0 = (s.cr0 | bad[i].cr0_set) & ~bad[i].cr0_clear;
		s.cr4 = (s.cr4 | bad[i].cr4_set) & ~bad[i].cr4_clear;
		s.efer = (s.efer | bad[i].efer_set) & ~bad[i].efer_clear;
		r = __vcpu_ioctl(vcpu, HVM_SET_SREGS, &s);
		e = errno;
		vcpu_get_sregs(vcpu, &after);
		ksft_test_result(r == -1 && e == EINVAL && same_crs(&after, &good),
				 "HVM_SET_SREGS with %s: EINVAL (got %d, %s), CR0/CR4/EFER unchanged",
				 bad[i].what, r, r ? strerror(e) : "success");
		vcpu_set_sregs(vcpu, &good);
	}
}

/* The good writes: each took, with no #GP. */
static void check_good(u64 id, const struct ucall *uc, bool has_xsave)
{
	unsigned long long a = uc->args[2], b = uc->args[3];
	bool nogp = !uc->args[1];

	switch (id) {
	case GOOD_PGE:
		ksft_test_result(nogp && (a & X86_CR4_PGE) && !(b & X86_CR4_PGE),
				 "CR4.PGE set and cleared (CR4 %#llx, then %#llx)", a, b);
		break;
	case GOOD_OSXSAVE:
		if (!has_xsave)
			ksft_test_result_skip("CR4.OSXSAVE: no XSAVE");
		else
			ksft_test_result(nogp && (a & X86_CR4_OSXSAVE) &&
					 !(b & X86_CR4_OSXSAVE),
					 "CR4.OSXSAVE, which CPUID allows, set and cleared (CR4 %#llx, then %#llx)",
					 a, b);
		break;
	case GOOD_CR0:
		ksft_test_result(nogp && !(a & X86_CR0_WP) && (b & X86_CR0_CD),
				 "CR0.WP cleared, CR0.CD set, CR0 restored (CR0 %#llx, then %#llx)",
				 a, b);
		break;
	case GOOD_EFER:
		ksft_test_result(nogp && (a & EFER_SCE) && b == GUEST_EFER,
				 "EFER.SCE set and cleared (EFER %#llx, then %#llx)", a, b);
		break;
	default:		/* GOOD_LMSW */
		ksft_test_result((a & X86_CR0_EM) && !(b & X86_CR0_EM) && (b & X86_CR0_PE),
				 "LMSW sets CR0.EM, clears it, and cannot clear PE (CR0 %#llx, then %#llx)",
				 a, b);
		break;
	}
}

static void test_guest(struct hvm_vcpu *vcpu, bool has_xsave)
{
	struct ucall uc;
	u64 id;

	for (id = GOOD_PGE; id < DONE; id++) {
		if (!vcpu_run_expect_sync4(vcpu, id, &uc)) {
			ksft_print_msg("case %llu: %s", (unsigned long long)id,
				       vcpu_exit_desc(vcpu));
			break;
		}
		if (id < BAD_PKE) {
			check_good(id, &uc, has_xsave);
			continue;
		}
		/*
		 * QEMU's SVM compares only CR0[31:0] for the selective
		 * intercept, and its MOV to CR0 drops bits 63:32 without
		 * #GP: there the write of bit 32 neither exits nor takes.
		 */
		if (id == BAD_CR0_HIGH && !(uc.args[1] & 0xff) &&
		    uc.args[2] == uc.args[3]) {
			ksft_test_result_skip("%s: dropped without an exit or #GP (QEMU's SVM)",
					      bad_names[id]);
			continue;
		}
		/* args[1]: #GPs taken, and the error code from bit 8. */
		ksft_test_result(uc.args[1] == 1 && uc.args[2] == uc.args[3],
				 "%s: #GP(0) and the value stays (#GPs %llu, error %#llx, %#llx -> %#llx)",
				 bad_names[id], (unsigned long long)(uc.args[1] & 0xff),
				 (unsigned long long)(uc.args[1] >> 8),
				 (unsigned long long)uc.args[2], (unsigned long long)uc.args[3]);
	}
	if (id == DONE) {
		ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");
		return;
	}
	/* The vCPU's state is lost (a failed entry, say): run it no more. */
	for (; id < DONE; id++)
		ksft_test_result_fail("case %llu (%s): not reached", (unsigned long long)id,
				      id >= BAD_PKE ? bad_names[id] : "a good write");
	ksft_test_result_fail("the guest finishes: not reached");
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	bool has_xsave;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(7 + DONE);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	set_cpuid_without_pku_la57(vcpu, &has_xsave);
	vm_install_handler(vm, GP_VECTOR, gp_handler);
	vcpu_args_set(vcpu, has_xsave, 0);

	test_set_sregs(vcpu);
	test_guest(vcpu, has_xsave);
	vm_free(vm);
	ksft_finished();
}
