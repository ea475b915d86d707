// SPDX-License-Identifier: GPL-2.0
/*
 * Real-mode guests doing port I/O and HLT: exit fields, IN data supplied by
 * the host, 8/16/32-bit accesses, and string I/O being refused.
 */
#include "hvm_util.h"

#define CODE_GPA	0x1000

/* hardware_exit_reason of an I/O and a HLT exit: SVM / VMX codes. */
#define SVM_EXIT_IOIO	0x7b
#define SVM_EXIT_HLT	0x78
#define VMX_EXIT_IO	30
#define VMX_EXIT_HLT	12

static u64 hw_io(void)
{
	return host_cpu_is_amd() ? SVM_EXIT_IOIO : VMX_EXIT_IO;
}

static u64 hw_hlt(void)
{
	return host_cpu_is_amd() ? SVM_EXIT_HLT : VMX_EXIT_HLT;
}

/* Checks an I/O exit; returns the first item's data in *data. */
static bool check_io(struct hvm_vcpu *vcpu, u8 dir, u16 port, u8 size, u32 *data)
{
	struct hvm_run *run = vcpu->run;

	if (run->exit_reason != HVM_EXIT_IO || run->io.direction != dir ||
	    run->io.port != port || run->io.size != size || run->io.count != 1 ||
	    run->io.data_offset != HVM_RUN_IO_DATA_OFFSET) {
		ksft_print_msg("expected %s port %#x size %u count 1 at data_offset %d, got %s",
			       dir == HVM_EXIT_IO_OUT ? "OUT" : "IN", port, size,
			       HVM_RUN_IO_DATA_OFFSET, vcpu_exit_desc(vcpu));
		return false;
	}
	if (data) {
		*data = 0;
		memcpy(data, vcpu_io_data(vcpu), size);
	}
	return true;
}

static bool check_hlt(struct hvm_vcpu *vcpu, u64 rip)
{
	u64 got = vcpu_get_rip(vcpu);

	if (vcpu->run->exit_reason != HVM_EXIT_HLT || got != rip) {
		ksft_print_msg("expected HLT with rip %#lx, got %s", (unsigned long)rip,
			       vcpu_exit_desc(vcpu));
		return false;
	}
	return true;
}

static void test_out_hlt(void)
{
	static const u8 code[] = {
		0xb0, 0x42,		/* mov $0x42, %al */
		0xe6, 0x10,		/* out %al, $0x10 */
		0xf4,			/* hlt */
		0xb0, 0x43,		/* mov $0x43, %al */
		0xe6, 0x10,		/* out %al, $0x10 */
		0xf4,			/* hlt */
	};
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_real_mode(&vcpu, code, sizeof(code), CODE_GPA);
	u32 data = 0;
	bool ok;

	vcpu_run(vcpu);
	ok = check_io(vcpu, HVM_EXIT_IO_OUT, 0x10, 1, &data);
	ksft_test_result(ok && data == 0x42 && vcpu->run->hardware_exit_reason == hw_io(),
			 "OUT exit: port 0x10, size 1, count 1, data 0x42 (got %#x), hardware exit %#lx",
			 data, (unsigned long)vcpu->run->hardware_exit_reason);

	vcpu_run(vcpu);
	ok = check_hlt(vcpu, CODE_GPA + 5);
	ksft_test_result(ok && vcpu->run->hardware_exit_reason == hw_hlt(),
			 "HLT exit with RIP past the hlt");

	vcpu_run(vcpu);
	ok = check_io(vcpu, HVM_EXIT_IO_OUT, 0x10, 1, &data) && data == 0x43;
	vcpu_run(vcpu);
	ok = ok && check_hlt(vcpu, CODE_GPA + 10);
	ksft_test_result(ok, "running after HLT continues with the next instruction");
	vm_free(vm);
}

static void test_in(void)
{
	static const u8 code[] = {
		0xe4, 0x11,		/* in $0x11, %al */
		0xe6, 0x12,		/* out %al, $0x12 */
		0xf4,			/* hlt */
	};
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_real_mode(&vcpu, code, sizeof(code), CODE_GPA);
	struct hvm_regs regs;
	u32 data = 0;
	bool ok;

	vcpu_get_regs(vcpu, &regs);
	regs.rax = 0x1234;
	vcpu_set_regs(vcpu, &regs);

	vcpu_run(vcpu);
	ok = check_io(vcpu, HVM_EXIT_IO_IN, 0x11, 1, NULL);
	if (ok) {
		*(u8 *)vcpu_io_data(vcpu) = 0x5a;
		vcpu_run(vcpu);
		ok = check_io(vcpu, HVM_EXIT_IO_OUT, 0x12, 1, &data);
		vcpu_get_regs(vcpu, &regs);
	}
	ksft_test_result(ok && data == 0x5a && (regs.rax & 0xffff) == 0x125a,
			 "IN: the host's 0x5a lands in AL only (OUT data %#x, rax %#lx)",
			 data, (unsigned long)regs.rax);
	vcpu_run(vcpu);
	ksft_test_result(check_hlt(vcpu, CODE_GPA + 5), "IN/OUT guest reaches its HLT");
	vm_free(vm);
}

static void test_wide(void)
{
	static const u8 code[] = {
		0xba, 0x34, 0x12,	/* mov $0x1234, %dx */
		0xed,			/* in (%dx), %ax */
		0xef,			/* out %ax, (%dx) */
		0x66, 0xed,		/* in (%dx), %eax */
		0x66, 0xef,		/* out %eax, (%dx) */
		0xf4,			/* hlt */
	};
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_real_mode(&vcpu, code, sizeof(code), CODE_GPA);
	struct hvm_regs regs;
	u32 data = 0, v;
	bool ok;

	vcpu_get_regs(vcpu, &regs);
	regs.rax = 0xcafe0000;
	vcpu_set_regs(vcpu, &regs);

	vcpu_run(vcpu);
	ok = check_io(vcpu, HVM_EXIT_IO_IN, 0x1234, 2, NULL);
	if (ok) {
		v = 0xbeef;
		memcpy(vcpu_io_data(vcpu), &v, 2);
		vcpu_run(vcpu);
		ok = check_io(vcpu, HVM_EXIT_IO_OUT, 0x1234, 2, &data);
		vcpu_get_regs(vcpu, &regs);
	}
	ksft_test_result(ok && data == 0xbeef && (u32)regs.rax == 0xcafebeef,
			 "16-bit IN/OUT through DX (OUT data %#x, eax %#x)", data,
			 (u32)regs.rax);

	vcpu_run(vcpu);
	ok = check_io(vcpu, HVM_EXIT_IO_IN, 0x1234, 4, NULL);
	if (ok) {
		v = 0xdeadbeef;
		memcpy(vcpu_io_data(vcpu), &v, 4);
		vcpu_run(vcpu);
		ok = check_io(vcpu, HVM_EXIT_IO_OUT, 0x1234, 4, &data);
		vcpu_run(vcpu);
		ok = check_hlt(vcpu, CODE_GPA + sizeof(code)) && ok;
	}
	ksft_test_result(ok && data == 0xdeadbeef,
			 "32-bit IN/OUT through DX with an operand-size prefix (OUT data %#x)",
			 data);
	vm_free(vm);
}

static void test_string_io(const char *name, const u8 *code, size_t len)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm = vm_create_real_mode(&vcpu, code, len, CODE_GPA);
	struct hvm_run *run = vcpu->run;
	int r = __vcpu_run(vcpu);

	ksft_test_result(!r && run->exit_reason == HVM_EXIT_INTERNAL_ERROR &&
			 run->internal.suberror == HVM_INTERNAL_ERROR_STRING_IO,
			 "%s exits with INTERNAL_ERROR_STRING_IO (%s)", name,
			 vcpu_exit_desc(vcpu));
	vm_free(vm);
}

int main(void)
{
	static const u8 outsb[] = {
		0xbe, 0x00, 0x20,	/* mov $0x2000, %si */
		0xba, 0x10, 0x00,	/* mov $0x10, %dx */
		0x6e,			/* outsb */
		0xf4,
	};
	static const u8 rep_insb[] = {
		0xbf, 0x00, 0x20,	/* mov $0x2000, %di */
		0xb9, 0x02, 0x00,	/* mov $2, %cx */
		0xba, 0x11, 0x00,	/* mov $0x11, %dx */
		0xf3, 0x6c,		/* rep insb */
		0xf4,
	};

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(9);

	test_out_hlt();
	test_in();
	test_wide();
	test_string_io("outsb", outsb, sizeof(outsb));
	test_string_io("rep insb", rep_insb, sizeof(rep_insb));
	ksft_finished();
}
