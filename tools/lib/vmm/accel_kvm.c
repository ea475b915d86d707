// SPDX-License-Identifier: GPL-2.0
/*
 * The accelerator on /dev/kvm, for side-by-side runs with hvm (make
 * bench): what is kvm's own. It gives the guest what hvm gives it: local
 * APICs in the kernel on request (KVM's split irqchip, hvm's
 * HVM_CREATE_LAPIC) and no in-kernel PIC or I/O APIC, so HLT, port I/O,
 * MMIO and the PIC's interrupts (KVM_INTERRUPT) go through the VMM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>	/* (its SIGNIFCANT spelling is the ABI's) */
#include <linux/kvm_para.h>

#include "accel_abi.h"

ACCEL_ASSERT_KVM_SHAPE(struct kvm_run, struct kvm_regs, struct kvm_segment,
		       struct kvm_sregs, struct kvm_userspace_memory_region,
		       struct kvm_cpuid_entry2);
_Static_assert(KVM_CPUID_FLAG_SIGNIFCANT_INDEX == RAW_CPUID_FLAG_SIGNIFICANT_INDEX,
	       "kvm's CPUID flag");

/* The TSS KVM needs below 4 GiB on Intel (three pages), clear of the guest's RAM. */
#define KVM_TSS_ADDR	0xfffbd000ul
/* Its limit of KVM_SET_CPUID2 entries. */
#define KVM_MAX_CPUID_ENTRIES	256

static int kvm_open(struct accel *a)
{
	a->max_cpuid_entries = KVM_MAX_CPUID_ENTRIES;
	/* The run loops' kicks need it. */
	if (ioctl(a->fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) != 1)
		return -EPROTO;
	return 0;
}

/* Real mode on VMX without unrestricted guest needs it; SVM ignores it. */
static int kvm_vm_init(struct accel_vm *vm)
{
	if (!cpuid_host_is_intel())
		return 0;
	return ioctl(vm->fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) ?
	       accel_neg_errno() : 0;
}

/*
 * KVM's equivalent of HVM_CREATE_LAPIC: the split irqchip (LAPICs in the
 * kernel, no in-kernel PIC or I/O APIC; KVM_INTERRUPT gives ExtINT).
 */
static int kvm_create_lapic(struct accel_vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP,
		.args[0] = 0,	/* no routes for a userspace I/O APIC */
	};
	int sys = vm->accel->fd;

	if (ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0)
		return -EOPNOTSUPP;
	vm->x2apic = true;	/* KVM's LAPIC always has x2APIC mode */
	vm->tsc_deadline = ioctl(sys, KVM_CHECK_EXTENSION,
				 KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap) ? accel_neg_errno() : 0;
}

/* KVM_IOEVENTFD: the same registration (KVM puts len 0 on its fast MMIO bus). */
static int kvm_ioeventfd(struct accel_vm *vm, const struct accel_ioeventfd *io,
			 bool deassign)
{
	struct kvm_ioeventfd a = {
		.addr = io->addr, .len = io->len, .fd = io->efd,
		.datamatch = io->match ? io->datamatch : 0,
		.flags = (io->pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
			 (io->match ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
			 (deassign ? KVM_IOEVENTFD_FLAG_DEASSIGN : 0),
	};

	if (ioctl(vm->accel->fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0)
		return -EOPNOTSUPP;
	return ioctl(vm->fd, KVM_IOEVENTFD, &a) ? accel_neg_errno() : 0;
}

static int kvm_enable_hypercall_exit(struct accel_vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXIT_HYPERCALL,
		.args[0] = 1ull << KVM_HC_MAP_GPA_RANGE,
	};
	int mask = ioctl(vm->accel->fd, KVM_CHECK_EXTENSION,
			 KVM_CAP_EXIT_HYPERCALL);

	if (mask <= 0 || !(mask & (1 << KVM_HC_MAP_GPA_RANGE)))
		return -EOPNOTSUPP;
	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap) ? accel_neg_errno() : 0;
}

static int kvm_supported_cpuid(struct accel *a, struct x86_cpuid_entry *e,
			       unsigned int max)
{
	struct kvm_cpuid2 *c;
	int r;

	c = calloc(1, sizeof(*c) + max * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = max;
	/* -E2BIG if kvm has more than max entries. */
	if (ioctl(a->fd, KVM_GET_SUPPORTED_CPUID, c))
		r = accel_neg_errno();
	else
		r = accel_cpuid_from_raw(a->ops, c->entries,
					 c->nent < max ? c->nent : max, e);
	free(c);
	return r;
}

static void kvm_exit_detail(const void *r, struct accel_exit *exit)
{
	const struct kvm_run *run = r;
	size_t n, len = sizeof(exit->detail);
	unsigned int i;

	if (exit->reason == ACCEL_EXIT_FAIL_ENTRY) {
		exit->hw_reason = run->fail_entry.hardware_entry_failure_reason;
		snprintf(exit->detail, len, "entry failed: reason %#llx, cpu %u",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
	} else if (exit->reason == ACCEL_EXIT_INTERNAL_ERROR) {
		n = (size_t)snprintf(exit->detail, len, "kvm internal error %u",
				     run->internal.suberror);
		for (i = 0; i < run->internal.ndata && i < 6 && n < len; i++)
			n += (size_t)snprintf(exit->detail + n, len - n, "%s%#llx",
					      i ? " " : ", data ",
					      (unsigned long long)run->internal.data[i]);
	} else if (exit->reason == ACCEL_EXIT_UNKNOWN) {
		snprintf(exit->detail, len, "kvm exit reason %u", run->exit_reason);
	}
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
	.dev_path = "/dev/kvm",
	ACCEL_KVM_SHAPED_OPS(KVM, struct kvm_run, struct kvm_cpuid_entry2,
			     KVM_SET_USER_MEMORY_REGION, KVM_SET_CPUID2),
	.open = kvm_open,
	.vm_init = kvm_vm_init,
	.create_lapic = kvm_create_lapic,
	.enable_hypercall_exit = kvm_enable_hypercall_exit,
	.ioeventfd = kvm_ioeventfd,
	.supported_cpuid = kvm_supported_cpuid,
	.exit_detail = kvm_exit_detail,
	.stats = kvm_stats,
};
