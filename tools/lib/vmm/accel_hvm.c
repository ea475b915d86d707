// SPDX-License-Identifier: GPL-2.0
/* The accelerator on /dev/hvm (the ABI is uapi/hvm.h): what is hvm's own. */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "hvm.h"
#include "accel_abi.h"

ACCEL_ASSERT_KVM_SHAPE(struct hvm_run, struct hvm_regs, struct hvm_segment,
		       struct hvm_sregs, struct hvm_memory_region,
		       struct hvm_cpuid_entry);

static int hvm_open(struct accel *a)
{
	int r = ioctl(a->fd, HVM_CHECK_CAP, HVM_CAP_MAX_CPUID_ENTRIES);

	a->max_cpuid_entries = r > 0 ? (unsigned int)r : 0;
	/* The run loops' kicks need it. */
	if (ioctl(a->fd, HVM_CHECK_CAP, HVM_CAP_IMMEDIATE_EXIT) != 1)
		return -EPROTO;
	return 0;
}

static int hvm_create_lapic(struct accel_vm *vm)
{
	int sys = vm->accel->fd;

	if (ioctl(sys, HVM_CHECK_CAP, HVM_CAP_LAPIC) != 1)
		return -EOPNOTSUPP;
	vm->x2apic = ioctl(sys, HVM_CHECK_CAP, HVM_CAP_X2APIC) == 1;
	vm->tsc_deadline = true;	/* part of HVM_CAP_LAPIC */
	return ioctl(vm->fd, HVM_CREATE_LAPIC, 0) ? accel_neg_errno() : 0;
}

static int hvm_enable_hypercall_exit(struct accel_vm *vm)
{
	(void)vm;	/* hvm hands every hypercall to userspace */
	return 0;
}

static int hvm_ioeventfd(struct accel_vm *vm, const struct accel_ioeventfd *io,
			 bool deassign)
{
	struct hvm_ioeventfd a = {
		.addr = io->addr, .len = io->len, .fd = io->efd,
		.datamatch = io->match ? io->datamatch : 0,
		.flags = (io->pio ? HVM_IOEVENTFD_FLAG_PIO : 0) |
			 (io->match ? HVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
			 (deassign ? HVM_IOEVENTFD_FLAG_DEASSIGN : 0),
	};

	if (ioctl(vm->accel->fd, HVM_CHECK_CAP, HVM_CAP_IOEVENTFD) <= 0)
		return -EOPNOTSUPP;
	return ioctl(vm->fd, HVM_IOEVENTFD, &a) ? accel_neg_errno() : 0;
}

/*
 * hvm has no list of its own: it passes the host's leaves through, less
 * what hvm.ko never gives a guest (kmod/cpuid.c: VMX, SVM) and the XSAVE
 * components its XSETBV refuses (kmod/msr.c, hvm_xcr0_valid(): those the
 * host kernel does not enable, and AMX's tile state).
 */
#define L1_ECX_VMX		(1u << 5)
#define L1_ECX_XSAVE		(1u << 26)
#define L1_ECX_OSXSAVE		(1u << 27)
#define LE1_ECX_SVM		(1u << 2)
#define XFEATURE_MASK_XTILE	((1ull << 17) | (1ull << 18))

static int hvm_supported_cpuid(struct accel *a, struct x86_cpuid_entry *e,
			       unsigned int max)
{
	uint64_t xcr0 = 0;
	uint32_t lo, hi;
	int i, n;

	(void)a;
	n = cpuid_host_leaves(e, max);
	for (i = 0; i < n && e[i].function != 1; i++)
		;
	if (i < n && (e[i].ecx & L1_ECX_OSXSAVE)) {
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		xcr0 = ((uint64_t)hi << 32 | lo) & ~XFEATURE_MASK_XTILE;
	}
	for (i = 0; i < n; i++) {
		if (e[i].function == 1) {
			e[i].ecx &= ~L1_ECX_VMX;
			if (!xcr0)
				e[i].ecx &= ~L1_ECX_XSAVE;
		} else if (e[i].function == 0x80000001) {
			e[i].ecx &= ~LE1_ECX_SVM;
		} else if (e[i].function == 0xd && e[i].index == 0) {
			e[i].eax &= (uint32_t)xcr0;
			e[i].edx &= (uint32_t)(xcr0 >> 32);
		}
	}
	return n;
}

static const char *const internal_errors[] = {
	[HVM_INTERNAL_ERROR_EMULATION] = "MMIO by an instruction hvm does not decode",
	[HVM_INTERNAL_ERROR_UNEXPECTED_EXIT] = "an exit hvm has no handler for",
	[HVM_INTERNAL_ERROR_STRING_IO] = "string or REP port I/O (INS/OUTS)",
	[HVM_INTERNAL_ERROR_MEMORY] = "a nested-page fault hvm could not resolve",
};

static void describe_internal(const struct hvm_run_internal *in, char *buf,
			      size_t len)
{
	const char *what = in->suberror < sizeof(internal_errors) /
			   sizeof(internal_errors[0]) ?
			   internal_errors[in->suberror] : NULL;
	size_t n;
	unsigned int i;

	n = (size_t)snprintf(buf, len, "internal error %u (%s)", in->suberror,
			     what ? what : "unknown");
	for (i = 0; i < in->ndata && i < 6 && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%#llx",
				      i ? " " : ", data ", (unsigned long long)in->data[i]);
	if (in->insn_len && n < len) {
		n += (size_t)snprintf(buf + n, len - n, ", insn");
		for (i = 0; i < in->insn_len && i < 15 && n < len; i++)
			n += (size_t)snprintf(buf + n, len - n, " %02x",
					      in->insn_bytes[i]);
	}
}

static void hvm_exit_detail(const void *r, struct accel_exit *exit)
{
	const struct hvm_run *run = r;

	exit->hw_reason = run->hardware_exit_reason;
	if (exit->reason == ACCEL_EXIT_FAIL_ENTRY)
		snprintf(exit->detail, sizeof(exit->detail),
			 "entry failed: reason %#llx, qualification %#llx, cpu %u",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 (unsigned long long)run->fail_entry.qualification,
			 run->fail_entry.cpu);
	else if (exit->reason == ACCEL_EXIT_INTERNAL_ERROR)
		describe_internal(&run->internal, exit->detail,
				  sizeof(exit->detail));
	else if (exit->reason == ACCEL_EXIT_UNKNOWN)
		snprintf(exit->detail, sizeof(exit->detail),
			 "unknown exit reason %u", run->exit_reason);
}

const struct accel_ops accel_hvm_ops = {
	.name = "hvm",
	.dev_path = "/dev/hvm",
	ACCEL_KVM_SHAPED_OPS(HVM, struct hvm_run, struct hvm_cpuid_entry,
			     HVM_SET_MEMORY_REGION, HVM_SET_CPUID),
	.open = hvm_open,
	.create_lapic = hvm_create_lapic,
	.enable_hypercall_exit = hvm_enable_hypercall_exit,
	.ioeventfd = hvm_ioeventfd,
	.supported_cpuid = hvm_supported_cpuid,
	.exit_detail = hvm_exit_detail,
};
