// SPDX-License-Identifier: GPL-2.0
/*
 * hvmbench: the /dev/kvm accelerator (stock kvm.ko + kvm-amd/kvm-intel),
 * driven the way a minimal VMM does: no in-kernel irqchip, so HLT, port I/O
 * and MMIO all come to userspace, as on hvm.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel.h"

/* Older <linux/kvm.h> spells it without the second I. */
#ifndef KVM_CPUID_FLAG_SIGNIFICANT_INDEX
#define KVM_CPUID_FLAG_SIGNIFICANT_INDEX	KVM_CPUID_FLAG_SIGNIFCANT_INDEX
#endif

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static bool host_is_intel(void)
{
	unsigned int a = 0, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
}

static int kvm_open(struct accel *a)
{
	int r;

	a->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (a->sys_fd < 0)
		return neg_errno();
	r = ioctl(a->sys_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		close(a->sys_fd);
		return r < 0 ? neg_errno() : -EPROTO;
	}
	r = ioctl(a->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		close(a->sys_fd);
		return r < 0 ? neg_errno() : -EPROTO;
	}
	a->run_size = (size_t)r;
	r = ioctl(a->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL);
	a->hypercall_exit_mask = r > 0 ? (uint64_t)r : 0;
	return 0;
}

static void kvm_close(struct accel *a)
{
	close(a->sys_fd);
}

static int kvm_vm_create(struct accel *a, struct accel_vm *vm)
{
	vm->accel = a;
	vm->fd = ioctl(a->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return neg_errno();
	/* VMX without unrestricted guest needs these three pages for real mode. */
	if (host_is_intel() && ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000ul)) {
		int r = neg_errno();

		close(vm->fd);
		return r;
	}
	return 0;
}

static int kvm_vm_add_memory(struct accel_vm *vm, uint32_t slot, uint64_t gpa,
			     uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	return ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) ? neg_errno() : 0;
}

static int kvm_vm_enable_hypercall_exit(struct accel_vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXIT_HYPERCALL,
		.args[0] = 1ull << KVM_HC_MAP_GPA_RANGE,
	};

	if (!(vm->accel->hypercall_exit_mask & (1ull << KVM_HC_MAP_GPA_RANGE)))
		return -EOPNOTSUPP;
	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap) ? neg_errno() : 0;
}

static void kvm_vm_destroy(struct accel_vm *vm)
{
	close(vm->fd);
}

static int kvm_vcpu_create(struct accel_vm *vm, uint32_t id,
			   struct accel_vcpu *vcpu)
{
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
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

static int kvm_vcpu_set_cpuid(struct accel_vcpu *vcpu,
			      const struct accel_cpuid_entry *e, unsigned int n)
{
	struct kvm_cpuid2 *c;
	unsigned int i;
	int r;

	c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = n;
	for (i = 0; i < n; i++) {
		c->entries[i] = (struct kvm_cpuid_entry2){
			.function = e[i].function,
			.index = e[i].index,
			.flags = e[i].index_significant ?
				 KVM_CPUID_FLAG_SIGNIFICANT_INDEX : 0,
			.eax = e[i].eax, .ebx = e[i].ebx,
			.ecx = e[i].ecx, .edx = e[i].edx,
		};
	}
	r = ioctl(vcpu->fd, KVM_SET_CPUID2, c) ? neg_errno() : 0;
	free(c);
	return r;
}

static int kvm_vcpu_set_long_mode(struct accel_vcpu *vcpu,
				  const struct accel_long_mode *lm)
{
	const struct kvm_segment data = {
		.limit = 0xffffffff, .selector = 0x10, .type = 3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct kvm_regs regs = {
		.rip = lm->rip, .rsp = lm->rsp, .rdi = lm->rdi, .rsi = lm->rsi,
		.rflags = 2,
	};
	struct kvm_sregs s;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &s))
		return neg_errno();
	s.cs = (struct kvm_segment){
		.limit = 0xffffffff, .selector = 0x08, .type = 0xb,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.tr = (struct kvm_segment){
		.base = lm->tss_base, .limit = 0x67, .selector = 0x18,
		.type = 0xb, .present = 1,
	};
	s.ldt = (struct kvm_segment){ .type = 2, .unusable = 1 };
	s.gdt = (struct kvm_dtable){ .base = lm->gdt_base, .limit = lm->gdt_limit };
	s.idt = (struct kvm_dtable){ .base = lm->idt_base, .limit = lm->idt_limit };
	s.cr0 = 0x80050033;	/* PG WP NE ET MP PE */
	s.cr2 = 0;
	s.cr3 = lm->cr3;
	s.cr4 = 0x20;		/* PAE */
	s.cr8 = 0;
	s.efer = 0x500;		/* LMA LME */
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &s))
		return neg_errno();
	return ioctl(vcpu->fd, KVM_SET_REGS, &regs) ? neg_errno() : 0;
}

static int kvm_vcpu_set_real_mode(struct accel_vcpu *vcpu, uint16_t cs,
				  uint16_t ip)
{
	struct kvm_regs regs = { .rip = ip, .rflags = 2 };
	struct kvm_sregs s;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &s))
		return neg_errno();
	s.cs.selector = cs;
	s.cs.base = (uint64_t)cs << 4;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &s))
		return neg_errno();
	return ioctl(vcpu->fd, KVM_SET_REGS, &regs) ? neg_errno() : 0;
}

static int kvm_vcpu_set_rip_rdi(struct accel_vcpu *vcpu, uint64_t rip,
				uint64_t rdi)
{
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		return neg_errno();
	regs.rip = rip;
	regs.rdi = rdi;
	return ioctl(vcpu->fd, KVM_SET_REGS, &regs) ? neg_errno() : 0;
}

static int kvm_vcpu_run(struct accel_vcpu *vcpu, struct accel_exit *exit)
{
	struct kvm_run *run = vcpu->run;

	if (vcpu->hypercall_pending) {
		run->hypercall.ret = 0;
		vcpu->hypercall_pending = false;
	}
	if (ioctl(vcpu->fd, KVM_RUN, 0))
		return neg_errno();
	exit->raw_reason = run->exit_reason;
	exit->hw_reason = 0;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		exit->reason = ACCEL_EXIT_IO;
		exit->io_port = run->io.port;
		exit->io_size = run->io.size;
		exit->io_out = run->io.direction == KVM_EXIT_IO_OUT;
		break;
	case KVM_EXIT_MMIO:
		exit->reason = ACCEL_EXIT_MMIO;
		exit->mmio_addr = run->mmio.phys_addr;
		exit->mmio_len = run->mmio.len;
		exit->mmio_write = run->mmio.is_write;
		break;
	case KVM_EXIT_HYPERCALL:
		exit->reason = ACCEL_EXIT_HYPERCALL;
		exit->hypercall_nr = run->hypercall.nr;
		vcpu->hypercall_pending = true;
		break;
	case KVM_EXIT_HLT:
		exit->reason = ACCEL_EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		exit->reason = ACCEL_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		exit->reason = ACCEL_EXIT_OTHER;
		exit->hw_reason = run->fail_entry.hardware_entry_failure_reason;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		exit->reason = ACCEL_EXIT_OTHER;
		exit->hw_reason = run->internal.suberror;
		break;
	default:
		exit->reason = ACCEL_EXIT_OTHER;
		break;
	}
	return 0;
}

static void kvm_vcpu_destroy(struct accel_vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->vm->accel->run_size);
	close(vcpu->fd);
}

/* Appends " name=value" for each listed statistic of a VM or vCPU fd. */
static void kvm_stats_append(int fd, const char *const *names, char *buf,
			     size_t len)
{
	struct kvm_stats_header h;
	size_t dsz, i, used;
	char *d = NULL;
	int sfd;

	sfd = ioctl(fd, KVM_GET_STATS_FD, NULL);
	if (sfd < 0)
		return;
	if (pread(sfd, &h, sizeof(h), 0) != sizeof(h))
		goto out;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	d = malloc(dsz * h.num_desc);
	if (!d || pread(sfd, d, dsz * h.num_desc, h.desc_offset) !=
		  (ssize_t)(dsz * h.num_desc))
		goto out;
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *desc = (void *)(d + i * dsz);
		const char *const *n;
		uint64_t v;

		for (n = names; *n && strcmp(*n, desc->name); n++)
			;
		if (!*n || pread(sfd, &v, sizeof(v), h.data_offset +
				 desc->offset) != sizeof(v))
			continue;
		used = strlen(buf);
		snprintf(buf + used, len - used, " %s=%llu", desc->name,
			 (unsigned long long)v);
	}
out:
	free(d);
	close(sfd);
}

static int kvm_stats(struct accel_vcpu *vcpu, char *buf, size_t len)
{
	static const char *const vm_names[] = {
		"pages_4k", "pages_2m", "pages_1g", NULL,
	};
	static const char *const vcpu_names[] = {
		"exits", "pf_taken", "pf_fixed", "pf_emulate", "pf_mmio_spte_created",
		"io_exits", "mmio_exits", "hypercalls", "halt_exits", NULL,
	};

	buf[0] = 0;
	kvm_stats_append(vcpu->vm->fd, vm_names, buf, len);
	kvm_stats_append(vcpu->fd, vcpu_names, buf, len);
	return 0;
}

const struct accel_ops accel_kvm_ops = {
	.name = "kvm",
	.open = kvm_open,
	.close = kvm_close,
	.vm_create = kvm_vm_create,
	.vm_add_memory = kvm_vm_add_memory,
	.vm_enable_hypercall_exit = kvm_vm_enable_hypercall_exit,
	.vm_destroy = kvm_vm_destroy,
	.vcpu_create = kvm_vcpu_create,
	.vcpu_set_cpuid = kvm_vcpu_set_cpuid,
	.vcpu_set_long_mode = kvm_vcpu_set_long_mode,
	.vcpu_set_real_mode = kvm_vcpu_set_real_mode,
	.vcpu_set_rip_rdi = kvm_vcpu_set_rip_rdi,
	.vcpu_run = kvm_vcpu_run,
	.vcpu_destroy = kvm_vcpu_destroy,
	.stats = kvm_stats,
};
