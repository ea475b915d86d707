// SPDX-License-Identifier: GPL-2.0
/* hvmbench: the /dev/hvm accelerator (ABI in uapi/hvm.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvm.h"
#include "accel.h"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static int hvm_open(struct accel *a)
{
	int r;

	a->sys_fd = open("/dev/hvm", O_RDWR | O_CLOEXEC);
	if (a->sys_fd < 0)
		return neg_errno();
	r = ioctl(a->sys_fd, HVM_GET_API_VERSION, 0);
	if (r != HVM_API_VERSION) {
		close(a->sys_fd);
		return r < 0 ? neg_errno() : -EPROTO;
	}
	r = ioctl(a->sys_fd, HVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		close(a->sys_fd);
		return r < 0 ? neg_errno() : -EPROTO;
	}
	a->run_size = (size_t)r;
	a->hypercall_exit_mask = ~0ull;	/* every hypercall exits */
	return 0;
}

static void hvm_close(struct accel *a)
{
	close(a->sys_fd);
}

static int hvm_vm_create(struct accel *a, struct accel_vm *vm)
{
	vm->accel = a;
	vm->fd = ioctl(a->sys_fd, HVM_CREATE_VM, 0);
	return vm->fd < 0 ? neg_errno() : 0;
}

static int hvm_vm_add_memory(struct accel_vm *vm, uint32_t slot, uint64_t gpa,
			     uint64_t size, void *hva)
{
	struct hvm_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	return ioctl(vm->fd, HVM_SET_MEMORY_REGION, &r) ? neg_errno() : 0;
}

static int hvm_vm_enable_hypercall_exit(struct accel_vm *vm)
{
	(void)vm;	/* hvm hands every hypercall to userspace */
	return 0;
}

static void hvm_vm_destroy(struct accel_vm *vm)
{
	close(vm->fd);
}

static int hvm_vcpu_create(struct accel_vm *vm, uint32_t id,
			   struct accel_vcpu *vcpu)
{
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->fd = ioctl(vm->fd, HVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0)
		return neg_errno();
	vcpu->run = mmap(NULL, vm->accel->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		int r = neg_errno();

		close(vcpu->fd);
		return r;
	}
	return 0;
}

static int hvm_vcpu_set_cpuid(struct accel_vcpu *vcpu,
			      const struct accel_cpuid_entry *e, unsigned int n)
{
	struct hvm_cpuid *c;
	unsigned int i;
	int r;

	c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = n;
	for (i = 0; i < n; i++) {
		c->entries[i] = (struct hvm_cpuid_entry){
			.function = e[i].function,
			.index = e[i].index,
			.flags = e[i].index_significant ?
				 HVM_CPUID_FLAG_SIGNIFICANT_INDEX : 0,
			.eax = e[i].eax, .ebx = e[i].ebx,
			.ecx = e[i].ecx, .edx = e[i].edx,
		};
	}
	r = ioctl(vcpu->fd, HVM_SET_CPUID, c) ? neg_errno() : 0;
	free(c);
	return r;
}

static int hvm_vcpu_set_long_mode(struct accel_vcpu *vcpu,
				  const struct accel_long_mode *lm)
{
	const struct hvm_segment data = {
		.limit = 0xffffffff, .selector = 0x10, .type = 3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct hvm_regs regs = {
		.rip = lm->rip, .rsp = lm->rsp, .rdi = lm->rdi, .rsi = lm->rsi,
		.rflags = 2,
	};
	struct hvm_sregs s;

	if (ioctl(vcpu->fd, HVM_GET_SREGS, &s))
		return neg_errno();
	s.cs = (struct hvm_segment){
		.limit = 0xffffffff, .selector = 0x08, .type = 0xb,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.tr = (struct hvm_segment){
		.base = lm->tss_base, .limit = 0x67, .selector = 0x18,
		.type = 0xb, .present = 1,
	};
	s.ldt = (struct hvm_segment){ .type = 2, .unusable = 1 };
	s.gdt = (struct hvm_dtable){ .base = lm->gdt_base, .limit = lm->gdt_limit };
	s.idt = (struct hvm_dtable){ .base = lm->idt_base, .limit = lm->idt_limit };
	s.cr0 = 0x80050033;	/* PG WP NE ET MP PE */
	s.cr2 = 0;
	s.cr3 = lm->cr3;
	s.cr4 = 0x20;		/* PAE */
	s.cr8 = 0;
	s.efer = 0x500;		/* LMA LME */
	if (ioctl(vcpu->fd, HVM_SET_SREGS, &s))
		return neg_errno();
	return ioctl(vcpu->fd, HVM_SET_REGS, &regs) ? neg_errno() : 0;
}

static int hvm_vcpu_set_real_mode(struct accel_vcpu *vcpu, uint16_t cs,
				  uint16_t ip)
{
	struct hvm_regs regs = { .rip = ip, .rflags = 2 };
	struct hvm_sregs s;

	if (ioctl(vcpu->fd, HVM_GET_SREGS, &s))
		return neg_errno();
	s.cs.selector = cs;
	s.cs.base = (uint64_t)cs << 4;
	if (ioctl(vcpu->fd, HVM_SET_SREGS, &s))
		return neg_errno();
	return ioctl(vcpu->fd, HVM_SET_REGS, &regs) ? neg_errno() : 0;
}

static int hvm_vcpu_set_rip_rdi(struct accel_vcpu *vcpu, uint64_t rip,
				uint64_t rdi)
{
	struct hvm_regs regs;

	if (ioctl(vcpu->fd, HVM_GET_REGS, &regs))
		return neg_errno();
	regs.rip = rip;
	regs.rdi = rdi;
	return ioctl(vcpu->fd, HVM_SET_REGS, &regs) ? neg_errno() : 0;
}

static int hvm_vcpu_run(struct accel_vcpu *vcpu, struct accel_exit *exit)
{
	struct hvm_run *run = vcpu->run;

	if (vcpu->hypercall_pending) {
		run->hypercall.ret = 0;
		vcpu->hypercall_pending = false;
	}
	if (ioctl(vcpu->fd, HVM_RUN, 0))
		return neg_errno();
	exit->raw_reason = run->exit_reason;
	exit->hw_reason = run->hardware_exit_reason;
	switch (run->exit_reason) {
	case HVM_EXIT_IO:
		exit->reason = ACCEL_EXIT_IO;
		exit->io_port = run->io.port;
		exit->io_size = run->io.size;
		exit->io_out = run->io.direction == HVM_EXIT_IO_OUT;
		break;
	case HVM_EXIT_MMIO:
		exit->reason = ACCEL_EXIT_MMIO;
		exit->mmio_addr = run->mmio.phys_addr;
		exit->mmio_len = run->mmio.len;
		exit->mmio_write = run->mmio.is_write;
		break;
	case HVM_EXIT_HYPERCALL:
		exit->reason = ACCEL_EXIT_HYPERCALL;
		exit->hypercall_nr = run->hypercall.nr;
		vcpu->hypercall_pending = true;
		break;
	case HVM_EXIT_HLT:
		exit->reason = ACCEL_EXIT_HLT;
		break;
	case HVM_EXIT_SHUTDOWN:
		exit->reason = ACCEL_EXIT_SHUTDOWN;
		break;
	default:
		exit->reason = ACCEL_EXIT_OTHER;
		if (run->exit_reason == HVM_EXIT_INTERNAL_ERROR)
			exit->hw_reason = run->internal.suberror;
		break;
	}
	return 0;
}

static void hvm_vcpu_destroy(struct accel_vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->vm->accel->run_size);
	close(vcpu->fd);
}

const struct accel_ops accel_hvm_ops = {
	.name = "hvm",
	.open = hvm_open,
	.close = hvm_close,
	.vm_create = hvm_vm_create,
	.vm_add_memory = hvm_vm_add_memory,
	.vm_enable_hypercall_exit = hvm_vm_enable_hypercall_exit,
	.vm_destroy = hvm_vm_destroy,
	.vcpu_create = hvm_vcpu_create,
	.vcpu_set_cpuid = hvm_vcpu_set_cpuid,
	.vcpu_set_long_mode = hvm_vcpu_set_long_mode,
	.vcpu_set_real_mode = hvm_vcpu_set_real_mode,
	.vcpu_set_rip_rdi = hvm_vcpu_set_rip_rdi,
	.vcpu_run = hvm_vcpu_run,
	.vcpu_destroy = hvm_vcpu_destroy,
};
