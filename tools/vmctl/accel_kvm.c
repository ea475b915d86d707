// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl's accelerator on /dev/kvm, for side-by-side runs with hvm (make
 * bench). It gives the guest what accel_hvm.c gives it: local APICs in
 * the kernel (KVM's split irqchip, hvm's HVM_CREATE_LAPIC) and no
 * in-kernel PIC or I/O APIC, so the PIC's interrupts reach the guest
 * from vmctl through KVM_INTERRUPT as they do on hvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>	/* (its SIGNIFCANT spelling is the ABI's) */

#include "accel.h"

/* The TSS KVM needs below 4 GiB on Intel (three pages), clear of the guest's RAM. */
#define KVM_TSS_ADDR	0xfffbd000ul

struct accel_vcpu {
	struct accel *accel;
	int fd;
	struct kvm_run *run;
};

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static int kvm_create_vm(struct accel *a)
{
	int r;

	a->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (a->sys_fd < 0)
		return neg_errno();
	r = ioctl(a->sys_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		r = r < 0 ? neg_errno() : -EPROTO;
		goto err_close;
	}
	r = ioctl(a->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		r = r < 0 ? neg_errno() : -EPROTO;
		goto err_close;
	}
	a->run_size = (size_t)r;
	a->max_cpuid_entries = 256;	/* KVM_MAX_CPUID_ENTRIES */
	if (ioctl(a->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) != 1) {
		r = -EPROTO;	/* the run loop's kicks need it */
		goto err_close;
	}
	a->vm_fd = ioctl(a->sys_fd, KVM_CREATE_VM, 0);
	if (a->vm_fd < 0) {
		r = neg_errno();
		goto err_close;
	}
	/* Real mode on VMX without unrestricted guest needs it; harmless else. */
	if (ioctl(a->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0) {
		r = neg_errno();
		close(a->vm_fd);
		goto err_close;
	}
	return 0;

err_close:
	close(a->sys_fd);
	return r;
}

/*
 * KVM's equivalent of HVM_CREATE_LAPIC: the split irqchip (LAPICs in the
 * kernel, no in-kernel PIC or I/O APIC; KVM_INTERRUPT gives ExtINT).
 */
static int kvm_create_lapic(struct accel *a)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP,
		.args[0] = 0,	/* no routes for a userspace I/O APIC */
	};

	if (ioctl(a->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0)
		return -EOPNOTSUPP;
	a->x2apic = true;	/* KVM's LAPIC always has x2APIC mode */
	a->tsc_deadline = ioctl(a->sys_fd, KVM_CHECK_EXTENSION,
				KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	return ioctl(a->vm_fd, KVM_ENABLE_CAP, &cap) ? neg_errno() : 0;
}

static void kvm_destroy_vm(struct accel *a)
{
	close(a->vm_fd);
	close(a->sys_fd);
}

static int kvm_set_memory(struct accel *a, uint32_t slot, uint64_t gpa,
			  uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	return ioctl(a->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? neg_errno() : 0;
}

static int kvm_vcpu_create(struct accel *a, uint32_t id,
			   struct accel_vcpu **out)
{
	struct accel_vcpu *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	v->accel = a;
	v->fd = ioctl(a->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		r = neg_errno();
		goto err_free;
	}
	v->run = mmap(NULL, a->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		r = neg_errno();
		goto err_close;
	}
	*out = v;
	return 0;

err_close:
	close(v->fd);
err_free:
	free(v);
	return r;
}

static void kvm_vcpu_destroy(struct accel_vcpu *v)
{
	munmap(v->run, v->accel->run_size);
	close(v->fd);
	free(v);
}

static int kvm_supported_cpuid(struct accel *a, struct x86_cpuid_entry *e,
			       unsigned int max)
{
	struct kvm_cpuid2 *c;
	unsigned int i;
	int r;

	c = calloc(1, sizeof(*c) + max * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = max;
	/* -E2BIG if kvm has more than max entries. */
	if (ioctl(a->sys_fd, KVM_GET_SUPPORTED_CPUID, c)) {
		r = neg_errno();
		goto out;
	}
	for (i = 0; i < c->nent && i < max; i++) {
		const struct kvm_cpuid_entry2 *k = &c->entries[i];

		e[i] = (struct x86_cpuid_entry){
			.function = k->function, .index = k->index,
			.index_significant =
				k->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			.eax = k->eax, .ebx = k->ebx,
			.ecx = k->ecx, .edx = k->edx,
		};
	}
	r = (int)i;
out:
	free(c);
	return r;
}

static int kvm_set_cpuid(struct accel_vcpu *v, const struct x86_cpuid_entry *e,
			 unsigned int n)
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
				 KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
			.eax = e[i].eax, .ebx = e[i].ebx,
			.ecx = e[i].ecx, .edx = e[i].edx,
		};
	}
	r = ioctl(v->fd, KVM_SET_CPUID2, c) ? neg_errno() : 0;
	free(c);
	return r;
}

static int kvm_get_regs(struct accel_vcpu *v, struct x86_regs *x)
{
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_REGS, &r))
		return neg_errno();
	*x = (struct x86_regs){
		.rax = r.rax, .rbx = r.rbx, .rcx = r.rcx, .rdx = r.rdx,
		.rsi = r.rsi, .rdi = r.rdi, .rsp = r.rsp, .rbp = r.rbp,
		.r8 = r.r8, .r9 = r.r9, .r10 = r.r10, .r11 = r.r11,
		.r12 = r.r12, .r13 = r.r13, .r14 = r.r14, .r15 = r.r15,
		.rip = r.rip, .rflags = r.rflags,
	};
	return 0;
}

static int kvm_set_regs(struct accel_vcpu *v, const struct x86_regs *x)
{
	struct kvm_regs r = {
		.rax = x->rax, .rbx = x->rbx, .rcx = x->rcx, .rdx = x->rdx,
		.rsi = x->rsi, .rdi = x->rdi, .rsp = x->rsp, .rbp = x->rbp,
		.r8 = x->r8, .r9 = x->r9, .r10 = x->r10, .r11 = x->r11,
		.r12 = x->r12, .r13 = x->r13, .r14 = x->r14, .r15 = x->r15,
		.rip = x->rip, .rflags = x->rflags,
	};

	return ioctl(v->fd, KVM_SET_REGS, &r) ? neg_errno() : 0;
}

static void seg_from_kvm(struct x86_segment *x, const struct kvm_segment *k)
{
	*x = (struct x86_segment){
		.base = k->base, .limit = k->limit, .selector = k->selector,
		.type = k->type, .present = k->present, .dpl = k->dpl,
		.db = k->db, .s = k->s, .l = k->l, .g = k->g, .avl = k->avl,
		.unusable = k->unusable,
	};
}

static void seg_to_kvm(struct kvm_segment *k, const struct x86_segment *x)
{
	*k = (struct kvm_segment){
		.base = x->base, .limit = x->limit, .selector = x->selector,
		.type = x->type, .present = x->present, .dpl = x->dpl,
		.db = x->db, .s = x->s, .l = x->l, .g = x->g, .avl = x->avl,
		.unusable = x->unusable,
	};
}

static int kvm_get_sregs(struct accel_vcpu *v, struct x86_sregs *x)
{
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_SREGS, &s))
		return neg_errno();
	seg_from_kvm(&x->cs, &s.cs);
	seg_from_kvm(&x->ds, &s.ds);
	seg_from_kvm(&x->es, &s.es);
	seg_from_kvm(&x->fs, &s.fs);
	seg_from_kvm(&x->gs, &s.gs);
	seg_from_kvm(&x->ss, &s.ss);
	seg_from_kvm(&x->tr, &s.tr);
	seg_from_kvm(&x->ldt, &s.ldt);
	x->gdt = (struct x86_dtable){ .base = s.gdt.base, .limit = s.gdt.limit };
	x->idt = (struct x86_dtable){ .base = s.idt.base, .limit = s.idt.limit };
	x->cr0 = s.cr0;
	x->cr2 = s.cr2;
	x->cr3 = s.cr3;
	x->cr4 = s.cr4;
	x->cr8 = s.cr8;
	x->efer = s.efer;
	x->apic_base = s.apic_base;
	return 0;
}

static int kvm_set_sregs(struct accel_vcpu *v, const struct x86_sregs *x)
{
	struct kvm_sregs s;

	/* Keeps what vmctl does not set (the pending-interrupt bitmap). */
	if (ioctl(v->fd, KVM_GET_SREGS, &s))
		return neg_errno();
	seg_to_kvm(&s.cs, &x->cs);
	seg_to_kvm(&s.ds, &x->ds);
	seg_to_kvm(&s.es, &x->es);
	seg_to_kvm(&s.fs, &x->fs);
	seg_to_kvm(&s.gs, &x->gs);
	seg_to_kvm(&s.ss, &x->ss);
	seg_to_kvm(&s.tr, &x->tr);
	seg_to_kvm(&s.ldt, &x->ldt);
	s.gdt.base = x->gdt.base;
	s.gdt.limit = x->gdt.limit;
	s.idt.base = x->idt.base;
	s.idt.limit = x->idt.limit;
	s.cr0 = x->cr0;
	s.cr2 = x->cr2;
	s.cr3 = x->cr3;
	s.cr4 = x->cr4;
	s.cr8 = x->cr8;
	s.efer = x->efer;
	s.apic_base = x->apic_base;
	return ioctl(v->fd, KVM_SET_SREGS, &s) ? neg_errno() : 0;
}

static int kvm_run(struct accel_vcpu *v, struct accel_exit *exit)
{
	struct kvm_run *run = v->run;
	int r = ioctl(v->fd, KVM_RUN, 0);
	int err = errno;
	unsigned int i;
	size_t n;

	/* A kick that came while the exit was on its way is spent too. */
	run->immediate_exit = 0;
	/*
	 * KVM_RUN fails with EAGAIN once when an AP leaves wait-for-SIPI
	 * (its state changed under it): run it again, like an EINTR.
	 */
	if (r && err != EINTR && err != EAGAIN)
		return -err;
	exit->hw_reason = 0;
	exit->if_flag = run->if_flag;
	exit->detail[0] = '\0';
	if (r) {
		exit->reason = ACCEL_EXIT_INTR;
		return 0;
	}
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		exit->reason = ACCEL_EXIT_IO;
		exit->io.port = run->io.port;
		exit->io.size = run->io.size;
		exit->io.out = run->io.direction == KVM_EXIT_IO_OUT;
		exit->io.count = run->io.count;
		exit->io.data = (uint8_t *)run + run->io.data_offset;
		break;
	case KVM_EXIT_MMIO:
		exit->reason = ACCEL_EXIT_MMIO;
		exit->mmio.addr = run->mmio.phys_addr;
		exit->mmio.len = run->mmio.len;
		exit->mmio.write = run->mmio.is_write;
		exit->mmio.data = run->mmio.data;
		break;
	case KVM_EXIT_HYPERCALL:
		exit->reason = ACCEL_EXIT_HYPERCALL;
		exit->hypercall.nr = run->hypercall.nr;
		memcpy(exit->hypercall.args, run->hypercall.args,
		       sizeof(exit->hypercall.args));
		exit->hypercall.ret = (uint64_t *)&run->hypercall.ret;
		break;
	case KVM_EXIT_HLT:
		exit->reason = ACCEL_EXIT_HLT;
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		exit->reason = ACCEL_EXIT_IRQ_WINDOW;
		break;
	case KVM_EXIT_INTR:
		exit->reason = ACCEL_EXIT_INTR;
		break;
	case KVM_EXIT_SHUTDOWN:
		exit->reason = ACCEL_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		exit->reason = ACCEL_EXIT_FAIL_ENTRY;
		exit->hw_reason = run->fail_entry.hardware_entry_failure_reason;
		snprintf(exit->detail, sizeof(exit->detail),
			 "entry failed: reason %#llx, cpu %u",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		exit->reason = ACCEL_EXIT_INTERNAL_ERROR;
		n = (size_t)snprintf(exit->detail, sizeof(exit->detail),
				     "kvm internal error %u", run->internal.suberror);
		for (i = 0; i < run->internal.ndata && i < 6 && n < sizeof(exit->detail); i++)
			n += (size_t)snprintf(exit->detail + n, sizeof(exit->detail) - n,
					      "%s%#llx", i ? " " : ", data ",
					      (unsigned long long)run->internal.data[i]);
		break;
	default:
		exit->reason = ACCEL_EXIT_UNKNOWN;
		snprintf(exit->detail, sizeof(exit->detail),
			 "kvm exit reason %u", run->exit_reason);
		break;
	}
	return 0;
}

static bool kvm_interrupt_ready(struct accel_vcpu *v)
{
	return v->run->ready_for_interrupt_injection;
}

static int kvm_interrupt(struct accel_vcpu *v, uint8_t vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	if (ioctl(v->fd, KVM_INTERRUPT, &irq))
		return neg_errno();
	/* Queued: no other until an exit says the guest can take one. */
	v->run->ready_for_interrupt_injection = 0;
	return 0;
}

static void kvm_request_window(struct accel_vcpu *v, bool on)
{
	v->run->request_interrupt_window = on;
}

static void kvm_kick(struct accel_vcpu *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELAXED);
}

const struct accel_ops accel_kvm_ops = {
	.name = "kvm",
	.dev_path = "/dev/kvm",
	.create_vm = kvm_create_vm,
	.destroy_vm = kvm_destroy_vm,
	.create_lapic = kvm_create_lapic,
	.set_memory = kvm_set_memory,
	.vcpu_create = kvm_vcpu_create,
	.vcpu_destroy = kvm_vcpu_destroy,
	.supported_cpuid = kvm_supported_cpuid,
	.set_cpuid = kvm_set_cpuid,
	.get_regs = kvm_get_regs,
	.set_regs = kvm_set_regs,
	.get_sregs = kvm_get_sregs,
	.set_sregs = kvm_set_sregs,
	.run = kvm_run,
	.interrupt_ready = kvm_interrupt_ready,
	.interrupt = kvm_interrupt,
	.request_window = kvm_request_window,
	.kick = kvm_kick,
};
