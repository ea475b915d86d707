// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the vCPU's exits to userspace and their completion
 * (kmod/vcpu.c, kmod/emulate.c): what struct hvm_run says after a port
 * I/O, hypercall, MMIO or internal-error exit, and what the next HVM_RUN
 * makes of userspace's answer. hvm_vcpu_run() with immediate_exit set
 * completes the exit and returns before it would enter the guest, so no
 * hardware is needed; the MMIO cases hand the instruction bytes over as
 * decode assists would, so no guest memory is read.
 */
#include <linux/bits.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "hvm_kunit.h"

#define GPA_MMIO	0xfee00000ULL

static struct hvm_paging paging;	/* what get_paging reports */

static void fake_get_paging(struct hvm_vcpu *vcpu, struct hvm_paging *pg)
{
	*pg = paging;
}

static struct hvm_vcpu *vcpu_setup(struct kunit *test)
{
	struct hvm_npt_format fmt;
	struct hvm_kunit_vm *t;

	hvm_kunit_npt_format(&hvm_kunit_npt_params[0], &fmt);
	t = hvm_kunit_vm_create(test, &fmt);
	t->ops.get_paging = fake_get_paging;
	t->vcpu->run = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->vcpu->run);
	/* 64-bit mode, paging on. */
	paging = (struct hvm_paging){
		.cr0 = X86_CR0_PE | X86_CR0_PG, .cr4 = X86_CR4_PAE,
		.efer = EFER_LME | EFER_LMA, .cs_l = true,
	};
	return t->vcpu;
}

static void vcpu_exit(struct kunit *test)
{
	struct hvm_kunit_vm *t = test->priv;

	if (t && t->vcpu) {
		kvfree(t->vcpu->cpuid);
		t->vcpu->cpuid = NULL;
	}
	hvm_kunit_vm_destroy(t);
	test->priv = NULL;
}

/* The next HVM_RUN: finish the pending exit, then stop (immediate_exit). */
static void finish_exit(struct kunit *test, struct hvm_vcpu *vcpu)
{
	vcpu->run->immediate_exit = 1;
	KUNIT_EXPECT_EQ(test, hvm_vcpu_run(vcpu), -EINTR);
	KUNIT_EXPECT_EQ(test, vcpu->run->exit_reason, HVM_EXIT_INTR);
	KUNIT_EXPECT_EQ(test, vcpu->completion, HVM_COMPLETE_NONE);
	vcpu->run->immediate_exit = 0;
}

static u8 *io_data(struct hvm_vcpu *vcpu)
{
	return (u8 *)vcpu->run + HVM_RUN_IO_DATA_OFFSET;
}

/* struct hvm_regs order in, x86 encoding order inside, and back. */
static void vcpu_regs_round_trip(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_regs in = {
		.rax = 0xa0, .rbx = 0xb0, .rcx = 0xc0, .rdx = 0xd0,
		.rsi = 0x51, .rdi = 0xd1, .rsp = 0x5b, .rbp = 0xbb,
		.r8 = 8, .r9 = 9, .r10 = 10, .r11 = 11, .r12 = 12, .r13 = 13,
		.r14 = 14, .r15 = 15, .rip = 0x1234, .rflags = 0x202,
	}, out;
	static const u64 encoding_order[HVM_NR_REGS] = {
		0xa0, 0xc0, 0xd0, 0xb0, 0x5b, 0xbb, 0x51, 0xd1,
		8, 9, 10, 11, 12, 13, 14, 15,
	};
	int i;

	hvm_vcpu_set_regs(vcpu, &in);
	for (i = 0; i < HVM_NR_REGS; i++)
		KUNIT_EXPECT_EQ_MSG(test, vcpu->regs[i], encoding_order[i], "reg %d", i);
	hvm_vcpu_get_regs(vcpu, &out);
	KUNIT_EXPECT_EQ(test, memcmp(&in, &out, sizeof(in)), 0);
}

/* RFLAGS bit 1 reads as 1, bits 63:22 as 0, whatever userspace says. */
static void vcpu_rflags_fixed_bits(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_regs r = { .rflags = 0 };

	hvm_vcpu_set_regs(vcpu, &r);
	KUNIT_EXPECT_EQ(test, vcpu->rflags, 0x2);
	r.rflags = ~0ULL;
	hvm_vcpu_set_regs(vcpu, &r);
	KUNIT_EXPECT_EQ(test, vcpu->rflags, GENMASK_ULL(21, 0));
}

static void vcpu_interrupt_queue(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test);

	KUNIT_EXPECT_EQ(test, hvm_vcpu_interrupt(vcpu, 0x20), 0);
	KUNIT_EXPECT_TRUE(test, vcpu->irq_pending);
	KUNIT_EXPECT_EQ(test, vcpu->irq_vector, 0x20);
	KUNIT_EXPECT_EQ(test, hvm_vcpu_interrupt(vcpu, 0x21), -EBUSY);
	KUNIT_EXPECT_EQ(test, vcpu->irq_vector, 0x20);
}

/* Even a run that returns at once (EINTR) says what userspace injects by. */
static void vcpu_run_reports_interruptibility(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test);

	vcpu->run->immediate_exit = 1;
	vcpu->run->ready_for_interrupt_injection = 1;
	vcpu->run->if_flag = 1;
	KUNIT_EXPECT_EQ(test, hvm_vcpu_run(vcpu), -EINTR);
	KUNIT_EXPECT_EQ(test, vcpu->run->if_flag, 0);
	KUNIT_EXPECT_EQ(test, vcpu->run->ready_for_interrupt_injection, 0);

	vcpu->rflags |= X86_EFLAGS_IF;
	KUNIT_EXPECT_EQ(test, hvm_vcpu_run(vcpu), -EINTR);
	KUNIT_EXPECT_EQ(test, vcpu->run->if_flag, 1);
	KUNIT_EXPECT_EQ(test, vcpu->run->ready_for_interrupt_injection, 1);

	KUNIT_EXPECT_EQ(test, hvm_vcpu_interrupt(vcpu, 0x20), 0);
	KUNIT_EXPECT_EQ(test, hvm_vcpu_run(vcpu), -EINTR);
	KUNIT_EXPECT_EQ(test, vcpu->run->ready_for_interrupt_injection, 0);
}

/* A new table replaces (and frees: KASAN, kmemleak) the old one. */
static void vcpu_set_cpuid_replaces_table(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_cpuid_entry *a, *b;

	a = kvmalloc_array(3, sizeof(*a), GFP_KERNEL | __GFP_ZERO);
	b = kvmalloc_array(1, sizeof(*b), GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, hvm_vcpu_set_cpuid(vcpu, 3, a), 0);
	KUNIT_EXPECT_PTR_EQ(test, vcpu->cpuid, a);
	KUNIT_EXPECT_EQ(test, vcpu->cpuid_nent, 3);
	KUNIT_EXPECT_EQ(test, hvm_vcpu_set_cpuid(vcpu, 1, b), 0);
	KUNIT_EXPECT_PTR_EQ(test, vcpu->cpuid, b);
	KUNIT_EXPECT_EQ(test, vcpu->cpuid_nent, 1);
}

/* OUT: the low bytes of RAX at data_offset; RIP moves on at once. */
static void vcpu_exit_pio_out(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_run *run = vcpu->run;
	static const u8 sizes[] = { 1, 2, 4 };
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(io_data(vcpu), 0xee, 8);
		vcpu->regs[HVM_RAX] = 0x1122334455667788ULL;
		vcpu->rip = 0x100;
		KUNIT_EXPECT_EQ(test, hvm_exit_pio(vcpu, 0x3f8, sizes[i], false, 0x102),
				HVM_EXIT_TO_USER);
		KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_IO);
		KUNIT_EXPECT_EQ(test, run->io.direction, HVM_EXIT_IO_OUT);
		KUNIT_EXPECT_EQ(test, run->io.size, sizes[i]);
		KUNIT_EXPECT_EQ(test, run->io.port, 0x3f8);
		KUNIT_EXPECT_EQ(test, run->io.count, 1);
		KUNIT_EXPECT_EQ(test, run->io.data_offset, HVM_RUN_IO_DATA_OFFSET);
		/* Little-endian RAX, size bytes of it, nothing after. */
		KUNIT_EXPECT_EQ(test, memcmp(io_data(vcpu), "\x88\x77\x66\x55", sizes[i]), 0);
		KUNIT_EXPECT_EQ(test, io_data(vcpu)[sizes[i]], 0xee);
		KUNIT_EXPECT_EQ(test, vcpu->rip, 0x102);
		KUNIT_EXPECT_EQ(test, vcpu->completion, HVM_COMPLETE_NONE);
	}
}

/* IN: RIP waits for the data; the next run merges it into RAX. */
static void vcpu_exit_pio_in_completes(struct kunit *test)
{
	static const struct {
		u8 size;
		u64 rax;
	} want[] = {
		{ 1, 0xffffffffffffffabULL },	/* AL: the rest stays */
		{ 2, 0xffffffffffffcdabULL },	/* AX: the rest stays */
		{ 4, 0x0000000012efcdabULL },	/* EAX: zero-extends */
	};
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	int i;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		vcpu->regs[HVM_RAX] = ~0ULL;
		vcpu->rip = 0x200;
		hvm_exit_pio(vcpu, 0x60, want[i].size, true, 0x201);
		KUNIT_EXPECT_EQ(test, vcpu->run->io.direction, HVM_EXIT_IO_IN);
		KUNIT_EXPECT_EQ(test, vcpu->rip, 0x200);
		memcpy(io_data(vcpu), "\xab\xcd\xef\x12\x34", 5);
		finish_exit(test, vcpu);
		KUNIT_EXPECT_EQ_MSG(test, vcpu->regs[HVM_RAX], want[i].rax,
				    "size %u", want[i].size);
		KUNIT_EXPECT_EQ(test, vcpu->rip, 0x201);
		/* Completed once: another run changes nothing. */
		vcpu->regs[HVM_RAX] = 7;
		finish_exit(test, vcpu);
		KUNIT_EXPECT_EQ(test, vcpu->regs[HVM_RAX], 7);
	}
}

static void vcpu_exit_hypercall(struct kunit *test)
{
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_run *run = vcpu->run;

	vcpu->regs[HVM_RAX] = 42;
	vcpu->regs[HVM_RBX] = 1;
	vcpu->regs[HVM_RCX] = 2;
	vcpu->regs[HVM_RDX] = 3;
	vcpu->regs[HVM_RSI] = 4;
	vcpu->regs[HVM_RDI] = 5;
	vcpu->rip = 0x1000;
	KUNIT_EXPECT_EQ(test, hvm_exit_hypercall(vcpu, 3), HVM_EXIT_TO_USER);
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_HYPERCALL);
	KUNIT_EXPECT_EQ(test, run->hypercall.nr, 42);
	KUNIT_EXPECT_EQ(test, run->hypercall.args[0], 1);
	KUNIT_EXPECT_EQ(test, run->hypercall.args[1], 2);
	KUNIT_EXPECT_EQ(test, run->hypercall.args[2], 3);
	KUNIT_EXPECT_EQ(test, run->hypercall.args[3], 4);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x1000);
	run->hypercall.ret = 0xfeed;
	finish_exit(test, vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->regs[HVM_RAX], 0xfeed);
	KUNIT_EXPECT_EQ(test, vcpu->regs[HVM_RDI], 5);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x1003);
}

/* At most six data words reach userspace; the rest of the area is zero. */
static void vcpu_exit_internal(struct kunit *test)
{
	static const u64 data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_run *run = vcpu->run;
	int i;

	memset(&run->internal, 0xff, sizeof(run->internal));
	hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_UNEXPECTED_EXIT, 8, data);
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_INTERNAL_ERROR);
	KUNIT_EXPECT_EQ(test, run->internal.suberror, HVM_INTERNAL_ERROR_UNEXPECTED_EXIT);
	KUNIT_EXPECT_EQ(test, run->internal.ndata, 6);
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, run->internal.data[i], data[i]);
	KUNIT_EXPECT_EQ(test, run->internal.insn_len, 0);

	hvm_exit_internal(vcpu, HVM_INTERNAL_ERROR_MEMORY, 1, data);
	KUNIT_EXPECT_EQ(test, run->internal.ndata, 1);
	KUNIT_EXPECT_EQ(test, run->internal.data[1], 0);
}

/* mov [rax],ecx to MMIO: a 4-byte write of ECX, RIP past it. */
static void vcpu_mmio_write(struct kunit *test)
{
	static const u8 insn[] = { 0x89, 0x08, 0x90, 0x90 };
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_run *run = vcpu->run;
	u32 data;

	vcpu->regs[HVM_RCX] = 0xaabbccdd11223344ULL;
	vcpu->rip = 0x4000;
	KUNIT_EXPECT_EQ(test, hvm_emulate_mmio(vcpu, GPA_MMIO + 0x30, true, insn,
					       sizeof(insn)), HVM_EXIT_TO_USER);
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_MMIO);
	KUNIT_EXPECT_EQ(test, run->mmio.phys_addr, GPA_MMIO + 0x30);
	KUNIT_EXPECT_EQ(test, run->mmio.len, 4);
	KUNIT_EXPECT_EQ(test, run->mmio.is_write, 1);
	memcpy(&data, run->mmio.data, 4);
	KUNIT_EXPECT_EQ(test, data, 0x11223344);
	KUNIT_EXPECT_EQ(test, run->mmio.data[4], 0);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x4002);
	KUNIT_EXPECT_EQ(test, vcpu->completion, HVM_COMPLETE_NONE);
}

/* movzx ecx,word [rsi] from MMIO: userspace's data lands in RCX. */
static void vcpu_mmio_read_completes(struct kunit *test)
{
	static const u8 insn[] = { 0x0f, 0xb7, 0x0e };
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_run *run = vcpu->run;

	vcpu->regs[HVM_RCX] = ~0ULL;
	vcpu->rip = 0x5000;
	KUNIT_EXPECT_EQ(test, hvm_emulate_mmio(vcpu, GPA_MMIO, false, insn,
					       sizeof(insn)), HVM_EXIT_TO_USER);
	KUNIT_EXPECT_EQ(test, run->mmio.len, 2);
	KUNIT_EXPECT_EQ(test, run->mmio.is_write, 0);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x5000);
	memcpy(run->mmio.data, "\x34\x12\xff\xff\xff\xff\xff\xff", 8);
	finish_exit(test, vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->regs[HVM_RCX], 0x1234);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x5003);
}

/* The code segment's mode decides the decoding: 48 is REX.W or DEC. */
static void vcpu_mmio_mode_from_paging(struct kunit *test)
{
	static const u8 insn[] = { 0x48, 0x8b, 0x03 };
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_run *run = vcpu->run;

	KUNIT_EXPECT_EQ(test, hvm_emulate_mmio(vcpu, GPA_MMIO, false, insn, 3),
			HVM_EXIT_TO_USER);
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_MMIO);
	KUNIT_EXPECT_EQ(test, run->mmio.len, 8);
	finish_exit(test, vcpu);

	/* Compatibility mode (CS.L = 0, D = 1): DEC eax, not an MMIO move. */
	paging.cs_l = false;
	paging.cs_db = true;
	vcpu->rip = 0x10;
	hvm_emulate_mmio(vcpu, GPA_MMIO, false, insn, 3);
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_INTERNAL_ERROR);

	/* Real mode: 8B 07 is mov ax,[bx], two bytes. */
	paging = (struct hvm_paging){ .cs_db = false };
	hvm_emulate_mmio(vcpu, GPA_MMIO, false, (const u8 *)"\x8b\x07", 2);
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_MMIO);
	KUNIT_EXPECT_EQ(test, run->mmio.len, 2);
}

/* What hvm cannot emulate goes to userspace with the bytes; RIP stays. */
static void vcpu_mmio_emulation_failure(struct kunit *test)
{
	static const u8 shl[] = { 0xd1, 0x20, 0x90 };		/* shl dword [rax],1 */
	static const u8 load[] = { 0x8b, 0x03 };		/* mov eax,[rbx] */
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_run *run = vcpu->run;

	vcpu->rip = 0x7000;
	hvm_emulate_mmio(vcpu, GPA_MMIO + 8, true, shl, sizeof(shl));
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_INTERNAL_ERROR);
	KUNIT_EXPECT_EQ(test, run->internal.suberror, HVM_INTERNAL_ERROR_EMULATION);
	KUNIT_EXPECT_EQ(test, run->internal.ndata, 2);
	KUNIT_EXPECT_EQ(test, run->internal.data[0], GPA_MMIO + 8);
	KUNIT_EXPECT_EQ(test, run->internal.data[1], 0x7000);
	KUNIT_EXPECT_EQ(test, run->internal.insn_len, sizeof(shl));
	KUNIT_EXPECT_EQ(test, memcmp(run->internal.insn_bytes, shl, sizeof(shl)), 0);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x7000);

	/* A write fault from an instruction that reads: not emulated. */
	hvm_emulate_mmio(vcpu, GPA_MMIO, true, load, sizeof(load));
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_INTERNAL_ERROR);
	KUNIT_EXPECT_EQ(test, vcpu->completion, HVM_COMPLETE_NONE);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x7000);
}

/*
 * A read-modify-write is a read exit, then a write exit from the HVM_RUN
 * that completes the read: after an immediate_exit -EINTR if one is set,
 * and the registers change only with the write. CMP only reads. REP STOS
 * writes an element per exit and stays on the instruction until rCX is 0.
 */
static void vcpu_mmio_read_modify_write(struct kunit *test)
{
	static const u8 or[] = { 0x09, 0x08 };		/* or [rax],ecx */
	static const u8 cmp[] = { 0x39, 0x08 };		/* cmp [rax],ecx */
	static const u8 stos[] = { 0xf3, 0xab };	/* rep stosd */
	struct hvm_vcpu *vcpu = vcpu_setup(test);
	struct hvm_run *run = vcpu->run;
	u64 data = 0xf0;

	vcpu->rip = 0x1000;
	vcpu->rflags = X86_EFLAGS_FIXED | X86_EFLAGS_CF;
	vcpu->regs[HVM_RCX] = 0xffffffff0000000fULL;
	KUNIT_EXPECT_EQ(test, hvm_emulate_mmio(vcpu, GPA_MMIO + 4, true, or,
					       sizeof(or)), HVM_EXIT_TO_USER);
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_MMIO);
	KUNIT_EXPECT_EQ(test, run->mmio.phys_addr, GPA_MMIO + 4);
	KUNIT_EXPECT_EQ(test, run->mmio.len, 4);
	KUNIT_EXPECT_FALSE(test, run->mmio.is_write);
	memcpy(run->mmio.data, &data, sizeof(data));

	run->immediate_exit = 1;
	KUNIT_EXPECT_EQ(test, hvm_vcpu_run(vcpu), -EINTR);
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_INTR);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x1000);
	KUNIT_EXPECT_EQ(test, vcpu->rflags, X86_EFLAGS_FIXED | X86_EFLAGS_CF);
	KUNIT_EXPECT_TRUE(test, vcpu->mmio_write_pending);
	run->immediate_exit = 0;

	/* The write exit comes before any guest entry. */
	KUNIT_EXPECT_EQ(test, hvm_vcpu_run(vcpu), 0);
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_MMIO);
	KUNIT_EXPECT_TRUE(test, run->mmio.is_write);
	KUNIT_EXPECT_EQ(test, run->mmio.len, 4);
	KUNIT_EXPECT_EQ(test, run->mmio.data[0], 0xff);
	KUNIT_EXPECT_EQ(test, run->mmio.data[1], 0);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x1002);
	/* 0xff: PF; OR clears CF */
	KUNIT_EXPECT_EQ(test, vcpu->rflags, X86_EFLAGS_FIXED | X86_EFLAGS_PF);
	KUNIT_EXPECT_FALSE(test, vcpu->mmio_write_pending);
	finish_exit(test, vcpu);

	data = 0x0f;
	hvm_emulate_mmio(vcpu, GPA_MMIO, false, cmp, sizeof(cmp));
	KUNIT_EXPECT_FALSE(test, run->mmio.is_write);
	memcpy(run->mmio.data, &data, sizeof(data));
	finish_exit(test, vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x1004);
	KUNIT_EXPECT_EQ(test, vcpu->rflags,
			X86_EFLAGS_FIXED | X86_EFLAGS_ZF | X86_EFLAGS_PF);
	KUNIT_EXPECT_FALSE(test, vcpu->mmio_write_pending);

	vcpu->regs[HVM_RCX] = 2;
	vcpu->regs[HVM_RDI] = 0x100;
	vcpu->regs[HVM_RAX] = 0x11223344;
	KUNIT_EXPECT_EQ(test, hvm_emulate_mmio(vcpu, GPA_MMIO, true, stos,
					       sizeof(stos)), HVM_EXIT_TO_USER);
	KUNIT_EXPECT_TRUE(test, run->mmio.is_write);
	KUNIT_EXPECT_EQ(test, run->mmio.data[0], 0x44);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x1004);
	KUNIT_EXPECT_EQ(test, vcpu->regs[HVM_RCX], 1);
	KUNIT_EXPECT_EQ(test, vcpu->regs[HVM_RDI], 0x104);
	hvm_emulate_mmio(vcpu, GPA_MMIO + 4, true, stos, sizeof(stos));
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x1006);
	KUNIT_EXPECT_EQ(test, vcpu->regs[HVM_RCX], 0);
	KUNIT_EXPECT_EQ(test, vcpu->regs[HVM_RDI], 0x108);
	/* With rCX 0 it accesses nothing: not the instruction that faulted. */
	vcpu->rip = 0x1004;
	hvm_emulate_mmio(vcpu, GPA_MMIO, true, stos, sizeof(stos));
	KUNIT_EXPECT_EQ(test, run->exit_reason, HVM_EXIT_INTERNAL_ERROR);
	KUNIT_EXPECT_EQ(test, vcpu->rip, 0x1004);
}

static struct kunit_case vcpu_cases[] = {
	KUNIT_CASE(vcpu_regs_round_trip),
	KUNIT_CASE(vcpu_rflags_fixed_bits),
	KUNIT_CASE(vcpu_interrupt_queue),
	KUNIT_CASE(vcpu_run_reports_interruptibility),
	KUNIT_CASE(vcpu_set_cpuid_replaces_table),
	KUNIT_CASE(vcpu_exit_pio_out),
	KUNIT_CASE(vcpu_exit_pio_in_completes),
	KUNIT_CASE(vcpu_exit_hypercall),
	KUNIT_CASE(vcpu_exit_internal),
	KUNIT_CASE(vcpu_mmio_write),
	KUNIT_CASE(vcpu_mmio_read_completes),
	KUNIT_CASE(vcpu_mmio_mode_from_paging),
	KUNIT_CASE(vcpu_mmio_emulation_failure),
	KUNIT_CASE(vcpu_mmio_read_modify_write),
	{}
};

static struct kunit_suite vcpu_suite = {
	.name = "hvm_vcpu_exits",
	.exit = vcpu_exit,
	.test_cases = vcpu_cases,
};

kunit_test_suites(&vcpu_suite);
