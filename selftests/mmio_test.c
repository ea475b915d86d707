// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO emulation: a guest page mapped to an unbacked guest-physical page,
 * accessed with every MOV form hvm decodes (explicit encodings). For each
 * access the host checks the exit (address, length, direction, written
 * data) and supplies read data; after each read the guest reports the
 * destination register so the host can check zero/sign extension and that
 * the untouched upper bits of 8/16-bit destinations are preserved.
 * An instruction hvm does not decode (a shift) ends in
 * INTERNAL_ERROR_EMULATION.
 */
#include "hvm_util.h"
#include "guest.h"

#define MMIO_GVA	0xd0000000ul	/* guest-virtual ... */
#define MMIO_GPA	0xc0000000ul	/* ... mapped here, no slot */
#define MMIO_STR	"0xd0000000"	/* MMIO_GVA for movabs operands */
#define PRE		0x1111111111111111ull	/* register before a read */

struct step {
	const char *name;
	u8 write;
	u8 len;
	u16 off;	/* from MMIO_GPA */
	u64 val;	/* data the guest writes / the host supplies */
	u64 expect;	/* reads: the destination register afterwards */
};

static const struct step steps[] = {
	/* writes */
	{ "88: mov %al,(%rbx)", 1, 1, 0x00, 0x5a, 0 },
	{ "66 89: mov %ax,2(%rbx)", 1, 2, 0x02, 0xbeef, 0 },
	{ "89: mov %eax,4(%rbx)", 1, 4, 0x04, 0xdeadbeef, 0 },
	{ "48 89: mov %rax,8(%rbx)", 1, 8, 0x08, 0x0123456789abcdefull, 0 },
	{ "88: mov %ah,0x10(%rbx)", 1, 1, 0x10, 0xc3, 0 },
	{ "88: mov %dh,0x11(%rbx)", 1, 1, 0x11, 0x9d, 0 },
	{ "40 88: mov %sil,0x12(%rbx)", 1, 1, 0x12, 0xe4, 0 },
	{ "4c 89: mov %r8,0x18(%rbx)", 1, 8, 0x18, 0xfedcba9876543210ull, 0 },
	{ "44 89: mov %r15d,0x20(%rbx)", 1, 4, 0x20, 0x13579bdf, 0 },
	{ "48 89 SIB disp32: mov %rax,0x100(%rbx,%rcx,4)", 1, 8, 0x108, 0x1122334455667788ull, 0 },
	{ "41 89: mov %eax,0x30(%r8)", 1, 4, 0x30, 0x0badf00d, 0 },
	{ "4d 89 SIB: mov %r15,0x30(%r12)", 1, 8, 0x130, 0x0f1e2d3c4b5a6978ull, 0 },
	{ "c6: movb $0xab,0x38(%rbx)", 1, 1, 0x38, 0xab, 0 },
	{ "66 c7: movw $0xabcd,0x3a(%rbx)", 1, 2, 0x3a, 0xabcd, 0 },
	{ "c7: movl $0x12345678,0x3c(%rbx)", 1, 4, 0x3c, 0x12345678, 0 },
	{ "48 c7: movq $-0x80000000,0x40(%rbx) (sign-extended imm32)", 1, 8, 0x40, 0xffffffff80000000ull, 0 },
	{ "48 c7: movq $0x7fffffff,0x48(%rbx)", 1, 8, 0x48, 0x7fffffff, 0 },
	{ "a2: movabs %al,moffs64", 1, 1, 0x50, 0x96, 0 },
	{ "66 a3: movabs %ax,moffs64", 1, 2, 0x52, 0x9796, 0 },
	{ "a3: movabs %eax,moffs64", 1, 4, 0x54, 0x99989796, 0 },
	{ "48 a3: movabs %rax,moffs64", 1, 8, 0x58, 0x9f9e9d9c9b9a9998ull, 0 },
	/* reads */
	{ "8a: mov 0x60(%rbx),%al", 0, 1, 0x60, 0x5a, 0x111111111111115aull },
	{ "8a: mov 0x61(%rbx),%ah", 0, 1, 0x61, 0xa5, 0x111111111111a511ull },
	{ "8a: mov 0x62(%rbx),%ch", 0, 1, 0x62, 0x3c, 0x1111111111113c11ull },
	{ "40 8a: mov 0x63(%rbx),%dil", 0, 1, 0x63, 0x77, 0x1111111111111177ull },
	{ "44 8a: mov 0x64(%rbx),%r14b", 0, 1, 0x64, 0xc4, 0x11111111111111c4ull },
	{ "66 8b: mov 0x66(%rbx),%ax", 0, 2, 0x66, 0xbeef, 0x111111111111beefull },
	{ "8b: mov 0x68(%rbx),%eax (zero-extends)", 0, 4, 0x68, 0xdeadbeef, 0xdeadbeef },
	{ "48 8b: mov 0x70(%rbx),%rax", 0, 8, 0x70, 0x0123456789abcdefull, 0x0123456789abcdefull },
	{ "4c 8b: mov 0x78(%rbx),%r10", 0, 8, 0x78, 0xfedcba9876543210ull, 0xfedcba9876543210ull },
	{ "44 8b disp32: mov 0x80(%rbx),%r13d", 0, 4, 0x80, 0x89abcdef, 0x89abcdef },
	{ "0f b6: movzbl 0x88(%rbx),%eax", 0, 1, 0x88, 0x80, 0x80 },
	{ "48 0f b7: movzwq 0x8a(%rbx),%rax", 0, 2, 0x8a, 0xffff, 0xffff },
	{ "0f b7: movzwl 0x8c(%rbx),%eax", 0, 2, 0x8c, 0x8001, 0x8001 },
	{ "48 0f be: movsbq 0x8e(%rbx),%rax", 0, 1, 0x8e, 0x80, 0xffffffffffffff80ull },
	{ "0f bf: movswl 0x90(%rbx),%eax", 0, 2, 0x90, 0x8001, 0xffff8001 },
	{ "66 0f be: movsbw 0x92(%rbx),%ax", 0, 1, 0x92, 0xfe, 0x111111111111fffeull },
	{ "0f be: movsbl 0x93(%rbx),%eax", 0, 1, 0x93, 0x7f, 0x7f },
	{ "48 0f bf: movswq 0x94(%rbx),%rax", 0, 2, 0x94, 0x8000, 0xffffffffffff8000ull },
	{ "8b SIB disp32: mov 0x100(%rbx,%rcx,4),%eax", 0, 4, 0x114, 0xcafef00d, 0xcafef00d },
	{ "41 8b: mov (%r9),%eax", 0, 4, 0x118, 0x600dd00d, 0x600dd00d },
	{ "4f 8b SIB: mov 0x8(%r13,%r11,8),%r10", 0, 8, 0x138, 0x123456789abcdef0ull, 0x123456789abcdef0ull },
	{ "a0: movabs moffs64,%al", 0, 1, 0x120, 0x42, 0x1111111111111142ull },
	{ "66 a1: movabs moffs64,%ax", 0, 2, 0x122, 0x4243, 0x1111111111114243ull },
	{ "a1: movabs moffs64,%eax (zero-extends)", 0, 4, 0x124, 0x44454647, 0x44454647 },
	{ "48 a1: movabs moffs64,%rax", 0, 8, 0x128, 0x48494a4b4c4d4e4full, 0x48494a4b4c4d4e4full },
};

#define NR_STEPS	ARRAY_SIZE(steps)
#define V(i)		(steps[i].val)

/* After a read, report (step, register); GUEST_ASSERTs check bystanders. */
#define REPORT(i, reg)	GUEST_SYNC4(i, reg, 0, 0)

static __guest_code void guest_writes(void)
{
	const uint64_t b = MMIO_GVA;

	asm volatile(".byte 0x88, 0x03" :: "a"(0xa1a2a3a4a5a6a700ull | V(0)), "b"(b) : "memory");
	asm volatile(".byte 0x66, 0x89, 0x43, 0x02" :: "a"(0xa1a2a3a4a5a60000ull | V(1)), "b"(b) : "memory");
	asm volatile(".byte 0x89, 0x43, 0x04" :: "a"(0xa1a2a3a400000000ull | V(2)), "b"(b) : "memory");
	asm volatile(".byte 0x48, 0x89, 0x43, 0x08" :: "a"(V(3)), "b"(b) : "memory");
	asm volatile(".byte 0x88, 0x63, 0x10" :: "a"(V(4) << 8 | 0x7e), "b"(b) : "memory");
	asm volatile(".byte 0x88, 0x73, 0x11" :: "d"(V(5) << 8 | 0x11), "S"(0x55), "b"(b) : "memory");
	asm volatile(".byte 0x40, 0x88, 0x73, 0x12" :: "S"(V(6)), "d"(0x5500), "b"(b) : "memory");
	{
		register uint64_t r8 asm("r8") = V(7);

		asm volatile(".byte 0x4c, 0x89, 0x43, 0x18" :: "r"(r8), "a"(0), "b"(b) : "memory");
	}
	{
		register uint64_t r15 asm("r15") = 0xffffffff00000000ull | V(8);

		asm volatile(".byte 0x44, 0x89, 0x7b, 0x20" :: "r"(r15), "D"(0x2468ace0), "b"(b) : "memory");
	}
	asm volatile(".byte 0x48, 0x89, 0x84, 0x8b, 0x00, 0x01, 0x00, 0x00"
		     :: "a"(V(9)), "b"(b), "c"(2) : "memory");
	{
		register uint64_t r8 asm("r8") = b;

		asm volatile(".byte 0x41, 0x89, 0x40, 0x30" :: "a"(0x7777777700000000ull | V(10)), "r"(r8) : "memory");
	}
	{
		register uint64_t r12 asm("r12") = b + 0x100;
		register uint64_t r15 asm("r15") = V(11);

		asm volatile(".byte 0x4d, 0x89, 0x7c, 0x24, 0x30" :: "r"(r12), "r"(r15) : "memory");
	}
	asm volatile(".byte 0xc6, 0x43, 0x38, 0xab" :: "b"(b) : "memory");
	asm volatile(".byte 0x66, 0xc7, 0x43, 0x3a, 0xcd, 0xab" :: "b"(b) : "memory");
	asm volatile(".byte 0xc7, 0x43, 0x3c, 0x78, 0x56, 0x34, 0x12" :: "b"(b) : "memory");
	asm volatile(".byte 0x48, 0xc7, 0x43, 0x40, 0x00, 0x00, 0x00, 0x80" :: "b"(b) : "memory");
	asm volatile(".byte 0x48, 0xc7, 0x43, 0x48, 0xff, 0xff, 0xff, 0x7f" :: "b"(b) : "memory");
	asm volatile(".byte 0xa2\n\t.quad " MMIO_STR " + 0x50" :: "a"(0xa1a2a3a4a5a6a700ull | V(17)) : "memory");
	asm volatile(".byte 0x66, 0xa3\n\t.quad " MMIO_STR " + 0x52" :: "a"(0xa1a2a3a4a5a60000ull | V(18)) : "memory");
	asm volatile(".byte 0xa3\n\t.quad " MMIO_STR " + 0x54" :: "a"(0xa1a2a3a400000000ull | V(19)) : "memory");
	asm volatile(".byte 0x48, 0xa3\n\t.quad " MMIO_STR " + 0x58" :: "a"(V(20)) : "memory");
}

static __guest_code void guest_reads(void)
{
	uint64_t b = MMIO_GVA, v, d;

	v = PRE;
	asm volatile(".byte 0x8a, 0x43, 0x60" : "+a"(v) : "b"(b) : "memory");
	REPORT(21, v);
	v = PRE;
	asm volatile(".byte 0x8a, 0x63, 0x61" : "+a"(v) : "b"(b) : "memory");
	REPORT(22, v);
	v = PRE;
	asm volatile(".byte 0x8a, 0x6b, 0x62" : "+c"(v) : "b"(b) : "memory");
	REPORT(23, v);
	v = PRE;
	asm volatile(".byte 0x40, 0x8a, 0x7b, 0x63" : "+D"(v), "+b"(b) :: "memory");
	GUEST_ASSERT_EQ(b, MMIO_GVA);	/* BH if REX were ignored */
	REPORT(24, v);
	{
		register uint64_t r14 asm("r14") = PRE;

		d = 0x2222222222222222ull;	/* DH/ESI decoys */
		asm volatile(".byte 0x44, 0x8a, 0x73, 0x64" : "+r"(r14), "+d"(d), "+b"(b) :: "memory");
		GUEST_ASSERT_EQ(d, 0x2222222222222222ull);
		REPORT(25, r14);
	}
	v = PRE;
	asm volatile(".byte 0x66, 0x8b, 0x43, 0x66" : "+a"(v) : "b"(b) : "memory");
	REPORT(26, v);
	v = PRE;
	asm volatile(".byte 0x8b, 0x43, 0x68" : "+a"(v) : "b"(b) : "memory");
	REPORT(27, v);
	v = PRE;
	asm volatile(".byte 0x48, 0x8b, 0x43, 0x70" : "+a"(v) : "b"(b) : "memory");
	REPORT(28, v);
	{
		register uint64_t r10 asm("r10") = PRE;

		d = 0x3333333333333333ull;	/* RDX: reg 2 without REX.R */
		asm volatile(".byte 0x4c, 0x8b, 0x53, 0x78" : "+r"(r10), "+d"(d) : "b"(b) : "memory");
		GUEST_ASSERT_EQ(d, 0x3333333333333333ull);
		REPORT(29, r10);
	}
	{
		register uint64_t r13 asm("r13") = PRE;

		asm volatile(".byte 0x44, 0x8b, 0xab, 0x80, 0x00, 0x00, 0x00" : "+r"(r13) : "b"(b) : "memory");
		REPORT(30, r13);
	}
	v = PRE;
	asm volatile(".byte 0x0f, 0xb6, 0x83, 0x88, 0x00, 0x00, 0x00" : "+a"(v) : "b"(b) : "memory");
	REPORT(31, v);
	v = PRE;
	asm volatile(".byte 0x48, 0x0f, 0xb7, 0x83, 0x8a, 0x00, 0x00, 0x00" : "+a"(v) : "b"(b) : "memory");
	REPORT(32, v);
	v = PRE;
	asm volatile(".byte 0x0f, 0xb7, 0x83, 0x8c, 0x00, 0x00, 0x00" : "+a"(v) : "b"(b) : "memory");
	REPORT(33, v);
	v = PRE;
	asm volatile(".byte 0x48, 0x0f, 0xbe, 0x83, 0x8e, 0x00, 0x00, 0x00" : "+a"(v) : "b"(b) : "memory");
	REPORT(34, v);
	v = PRE;
	asm volatile(".byte 0x0f, 0xbf, 0x83, 0x90, 0x00, 0x00, 0x00" : "+a"(v) : "b"(b) : "memory");
	REPORT(35, v);
	v = PRE;
	asm volatile(".byte 0x66, 0x0f, 0xbe, 0x83, 0x92, 0x00, 0x00, 0x00" : "+a"(v) : "b"(b) : "memory");
	REPORT(36, v);
	v = PRE;
	asm volatile(".byte 0x0f, 0xbe, 0x83, 0x93, 0x00, 0x00, 0x00" : "+a"(v) : "b"(b) : "memory");
	REPORT(37, v);
	v = PRE;
	asm volatile(".byte 0x48, 0x0f, 0xbf, 0x83, 0x94, 0x00, 0x00, 0x00" : "+a"(v) : "b"(b) : "memory");
	REPORT(38, v);
	v = PRE;
	asm volatile(".byte 0x8b, 0x84, 0x8b, 0x00, 0x01, 0x00, 0x00" : "+a"(v) : "b"(b), "c"(5) : "memory");
	REPORT(39, v);
	{
		register uint64_t r9 asm("r9") = b + 0x118;

		v = PRE;
		asm volatile(".byte 0x41, 0x8b, 0x01" : "+a"(v) : "r"(r9) : "memory");
		REPORT(40, v);
	}
	{
		register uint64_t r10 asm("r10") = PRE;
		register uint64_t r11 asm("r11") = 6;
		register uint64_t r13 asm("r13") = b + 0x100;

		asm volatile(".byte 0x4f, 0x8b, 0x54, 0xdd, 0x08" : "+r"(r10) : "r"(r11), "r"(r13) : "memory");
		REPORT(41, r10);
	}
	v = PRE;
	asm volatile(".byte 0xa0\n\t.quad " MMIO_STR " + 0x120" : "+a"(v) :: "memory");
	REPORT(42, v);
	v = PRE;
	asm volatile(".byte 0x66, 0xa1\n\t.quad " MMIO_STR " + 0x122" : "+a"(v) :: "memory");
	REPORT(43, v);
	v = PRE;
	asm volatile(".byte 0xa1\n\t.quad " MMIO_STR " + 0x124" : "+a"(v) :: "memory");
	REPORT(44, v);
	v = PRE;
	asm volatile(".byte 0x48, 0xa1\n\t.quad " MMIO_STR " + 0x128" : "+a"(v) :: "memory");
	REPORT(45, v);
}

static __guest_code void guest_code(void)
{
	guest_writes();
	guest_reads();
	GUEST_DONE();
}

/* Runs one step; false if the guest is off the expected sequence. */
static bool run_step(struct hvm_vcpu *vcpu, unsigned int i)
{
	const struct step *s = &steps[i];
	struct ucall uc;

	vcpu_run(vcpu);
	if (!vcpu_check_mmio(vcpu, MMIO_GPA + s->off, s->len, s->write, s->val)) {
		ksft_test_result_fail("%s", s->name);
		return false;
	}
	if (s->write) {
		ksft_test_result_pass("%s", s->name);
		return true;
	}
	vcpu_mmio_complete_read(vcpu, s->val);
	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_SYNC || uc.args[0] != i) {
		ksft_test_result_fail("%s: expected the guest's report, got %s",
				      s->name, vcpu_exit_desc(vcpu));
		return false;
	}
	ksft_test_result(uc.args[1] == s->expect, "%s: register %#lx (want %#lx)",
			 s->name, (unsigned long)uc.args[1], (unsigned long)s->expect);
	return true;
}

static __guest_code void guest_shl(void)
{
	/* shll 0x20(%rbx): hvm does not emulate shifts (mmio_alu_test: ALU) */
	asm volatile(".byte 0xd1, 0x63, 0x20" :: "b"(MMIO_GVA) : "memory", "cc");
	GUEST_DONE();
}

static void test_unsupported(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_with_vcpu(&vcpu, guest_shl);
	struct hvm_run *run = vcpu->run;
	int r;

	virt_map(vm, MMIO_GVA, MMIO_GPA, 1);
	r = __vcpu_run(vcpu);
	ksft_test_result(!r && run->exit_reason == HVM_EXIT_INTERNAL_ERROR &&
			 run->internal.suberror == HVM_INTERNAL_ERROR_EMULATION &&
			 run->internal.insn_len >= 3 && run->internal.insn_len <= 15 &&
			 run->internal.insn_bytes[0] == 0xd1 &&
			 run->internal.insn_bytes[1] == 0x63 &&
			 run->internal.insn_bytes[2] == 0x20,
			 "MMIO by 'shll 0x20(%%rbx)' exits with INTERNAL_ERROR_EMULATION and its bytes d1 63 20 (%s)",
			 vcpu_exit_desc(vcpu));
	vm_free(vm);
}

int main(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	unsigned int i;
	bool on_track = true;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(NR_STEPS + 2);

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	virt_map(vm, MMIO_GVA, MMIO_GPA, 1);
	for (i = 0; i < NR_STEPS; i++) {
		if (!on_track) {
			ksft_test_result_fail("%s: not reached", steps[i].name);
			continue;
		}
		on_track = run_step(vcpu, i);
	}
	if (on_track)
		ksft_test_result(vcpu_run_expect_done(vcpu), "guest completes every access");
	else
		ksft_test_result_fail("guest completes every access: not reached");
	vm_free(vm);

	test_unsupported();
	ksft_finished();
}
