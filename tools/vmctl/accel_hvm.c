// SPDX-License-Identifier: GPL-2.0
/* vmctl's accelerator on /dev/hvm (the ABI is uapi/hvm.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvm.h"
#include "accel.h"

struct accel_vcpu {
	struct accel *accel;
	int fd;
	struct hvm_run *run;
};

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static int hvm_create_vm(struct accel *a)
{
	int r;

	a->sys_fd = open("/dev/hvm", O_RDWR | O_CLOEXEC);
	if (a->sys_fd < 0)
		return neg_errno();
	r = ioctl(a->sys_fd, HVM_GET_API_VERSION, 0);
	if (r != HVM_API_VERSION) {
		r = r < 0 ? neg_errno() : -EPROTO;
		goto err_close;
	}
	r = ioctl(a->sys_fd, HVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		r = r < 0 ? neg_errno() : -EPROTO;
		goto err_close;
	}
	a->run_size = (size_t)r;
	r = ioctl(a->sys_fd, HVM_CHECK_CAP, HVM_CAP_MAX_CPUID_ENTRIES);
	a->max_cpuid_entries = r > 0 ? (unsigned int)r : 0;
	if (ioctl(a->sys_fd, HVM_CHECK_CAP, HVM_CAP_IMMEDIATE_EXIT) != 1) {
		r = -EPROTO;	/* the run loop's kicks need it */
		goto err_close;
	}
	a->vm_fd = ioctl(a->sys_fd, HVM_CREATE_VM, 0);
	if (a->vm_fd < 0) {
		r = neg_errno();
		goto err_close;
	}
	return 0;

err_close:
	close(a->sys_fd);
	return r;
}

static int hvm_create_lapic(struct accel *a)
{
	if (ioctl(a->sys_fd, HVM_CHECK_CAP, HVM_CAP_LAPIC) != 1)
		return -EOPNOTSUPP;
	a->x2apic = ioctl(a->sys_fd, HVM_CHECK_CAP, HVM_CAP_X2APIC) == 1;
	a->tsc_deadline = true;	/* part of HVM_CAP_LAPIC */
	return ioctl(a->vm_fd, HVM_CREATE_LAPIC, 0) ? neg_errno() : 0;
}

static void hvm_destroy_vm(struct accel *a)
{
	close(a->vm_fd);
	close(a->sys_fd);
}

static int hvm_set_memory(struct accel *a, uint32_t slot, uint64_t gpa,
			  uint64_t size, void *hva)
{
	struct hvm_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	return ioctl(a->vm_fd, HVM_SET_MEMORY_REGION, &r) ? neg_errno() : 0;
}

static int hvm_vcpu_create(struct accel *a, uint32_t id,
			   struct accel_vcpu **out)
{
	struct accel_vcpu *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	v->accel = a;
	v->fd = ioctl(a->vm_fd, HVM_CREATE_VCPU, (unsigned long)id);
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

static void hvm_vcpu_destroy(struct accel_vcpu *v)
{
	munmap(v->run, v->accel->run_size);
	close(v->fd);
	free(v);
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

static int hvm_set_cpuid(struct accel_vcpu *v, const struct x86_cpuid_entry *e,
			 unsigned int n)
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
	r = ioctl(v->fd, HVM_SET_CPUID, c) ? neg_errno() : 0;
	free(c);
	return r;
}

static int hvm_get_regs(struct accel_vcpu *v, struct x86_regs *x)
{
	struct hvm_regs r;

	if (ioctl(v->fd, HVM_GET_REGS, &r))
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

static int hvm_set_regs(struct accel_vcpu *v, const struct x86_regs *x)
{
	struct hvm_regs r = {
		.rax = x->rax, .rbx = x->rbx, .rcx = x->rcx, .rdx = x->rdx,
		.rsi = x->rsi, .rdi = x->rdi, .rsp = x->rsp, .rbp = x->rbp,
		.r8 = x->r8, .r9 = x->r9, .r10 = x->r10, .r11 = x->r11,
		.r12 = x->r12, .r13 = x->r13, .r14 = x->r14, .r15 = x->r15,
		.rip = x->rip, .rflags = x->rflags,
	};

	return ioctl(v->fd, HVM_SET_REGS, &r) ? neg_errno() : 0;
}

static void seg_from_hvm(struct x86_segment *x, const struct hvm_segment *h)
{
	*x = (struct x86_segment){
		.base = h->base, .limit = h->limit, .selector = h->selector,
		.type = h->type, .present = h->present, .dpl = h->dpl,
		.db = h->db, .s = h->s, .l = h->l, .g = h->g, .avl = h->avl,
		.unusable = h->unusable,
	};
}

static void seg_to_hvm(struct hvm_segment *h, const struct x86_segment *x)
{
	*h = (struct hvm_segment){
		.base = x->base, .limit = x->limit, .selector = x->selector,
		.type = x->type, .present = x->present, .dpl = x->dpl,
		.db = x->db, .s = x->s, .l = x->l, .g = x->g, .avl = x->avl,
		.unusable = x->unusable,
	};
}

static int hvm_get_sregs(struct accel_vcpu *v, struct x86_sregs *x)
{
	struct hvm_sregs s;

	if (ioctl(v->fd, HVM_GET_SREGS, &s))
		return neg_errno();
	seg_from_hvm(&x->cs, &s.cs);
	seg_from_hvm(&x->ds, &s.ds);
	seg_from_hvm(&x->es, &s.es);
	seg_from_hvm(&x->fs, &s.fs);
	seg_from_hvm(&x->gs, &s.gs);
	seg_from_hvm(&x->ss, &s.ss);
	seg_from_hvm(&x->tr, &s.tr);
	seg_from_hvm(&x->ldt, &s.ldt);
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

static int hvm_set_sregs(struct accel_vcpu *v, const struct x86_sregs *x)
{
	struct hvm_sregs s;

	memset(&s, 0, sizeof(s));
	seg_to_hvm(&s.cs, &x->cs);
	seg_to_hvm(&s.ds, &x->ds);
	seg_to_hvm(&s.es, &x->es);
	seg_to_hvm(&s.fs, &x->fs);
	seg_to_hvm(&s.gs, &x->gs);
	seg_to_hvm(&s.ss, &x->ss);
	seg_to_hvm(&s.tr, &x->tr);
	seg_to_hvm(&s.ldt, &x->ldt);
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
	return ioctl(v->fd, HVM_SET_SREGS, &s) ? neg_errno() : 0;
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

static int hvm_run(struct accel_vcpu *v, struct accel_exit *exit)
{
	struct hvm_run *run = v->run;
	int r = ioctl(v->fd, HVM_RUN, 0);
	int err = errno;

	/* A kick that came while the exit was on its way is spent too. */
	run->immediate_exit = 0;
	if (r && err != EINTR)
		return -err;
	exit->hw_reason = run->hardware_exit_reason;
	exit->if_flag = run->if_flag;
	exit->detail[0] = '\0';
	if (r) {
		exit->reason = ACCEL_EXIT_INTR;
		return 0;
	}
	switch (run->exit_reason) {
	case HVM_EXIT_IO:
		exit->reason = ACCEL_EXIT_IO;
		exit->io.port = run->io.port;
		exit->io.size = run->io.size;
		exit->io.out = run->io.direction == HVM_EXIT_IO_OUT;
		exit->io.count = run->io.count;
		exit->io.data = (uint8_t *)run + run->io.data_offset;
		break;
	case HVM_EXIT_MMIO:
		exit->reason = ACCEL_EXIT_MMIO;
		exit->mmio.addr = run->mmio.phys_addr;
		exit->mmio.len = run->mmio.len;
		exit->mmio.write = run->mmio.is_write;
		exit->mmio.data = run->mmio.data;
		break;
	case HVM_EXIT_HYPERCALL:
		exit->reason = ACCEL_EXIT_HYPERCALL;
		exit->hypercall.nr = run->hypercall.nr;
		memcpy(exit->hypercall.args, run->hypercall.args,
		       sizeof(exit->hypercall.args));
		exit->hypercall.ret = (uint64_t *)&run->hypercall.ret;
		break;
	case HVM_EXIT_HLT:
		exit->reason = ACCEL_EXIT_HLT;
		break;
	case HVM_EXIT_IRQ_WINDOW_OPEN:
		exit->reason = ACCEL_EXIT_IRQ_WINDOW;
		break;
	case HVM_EXIT_INTR:
		exit->reason = ACCEL_EXIT_INTR;
		break;
	case HVM_EXIT_SHUTDOWN:
		exit->reason = ACCEL_EXIT_SHUTDOWN;
		break;
	case HVM_EXIT_FAIL_ENTRY:
		exit->reason = ACCEL_EXIT_FAIL_ENTRY;
		snprintf(exit->detail, sizeof(exit->detail),
			 "entry failed: reason %#llx, qualification %#llx, cpu %u",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 (unsigned long long)run->fail_entry.qualification,
			 run->fail_entry.cpu);
		break;
	case HVM_EXIT_INTERNAL_ERROR:
		exit->reason = ACCEL_EXIT_INTERNAL_ERROR;
		describe_internal(&run->internal, exit->detail,
				  sizeof(exit->detail));
		break;
	default:
		exit->reason = ACCEL_EXIT_UNKNOWN;
		snprintf(exit->detail, sizeof(exit->detail),
			 "unknown exit reason %u", run->exit_reason);
		break;
	}
	return 0;
}

static bool hvm_interrupt_ready(struct accel_vcpu *v)
{
	return v->run->ready_for_interrupt_injection;
}

static int hvm_interrupt(struct accel_vcpu *v, uint8_t vector)
{
	struct hvm_interrupt irq = { .vector = vector };

	if (ioctl(v->fd, HVM_INTERRUPT, &irq))
		return neg_errno();
	/* Queued: no other until an exit says the guest can take one. */
	v->run->ready_for_interrupt_injection = 0;
	return 0;
}

static void hvm_request_window(struct accel_vcpu *v, bool on)
{
	v->run->request_interrupt_window = on;
}

static void hvm_kick(struct accel_vcpu *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELAXED);
}

const struct accel_ops accel_hvm_ops = {
	.name = "hvm",
	.dev_path = "/dev/hvm",
	.create_vm = hvm_create_vm,
	.destroy_vm = hvm_destroy_vm,
	.create_lapic = hvm_create_lapic,
	.set_memory = hvm_set_memory,
	.vcpu_create = hvm_vcpu_create,
	.vcpu_destroy = hvm_vcpu_destroy,
	.supported_cpuid = hvm_supported_cpuid,
	.set_cpuid = hvm_set_cpuid,
	.get_regs = hvm_get_regs,
	.set_regs = hvm_set_regs,
	.get_sregs = hvm_get_sregs,
	.set_sregs = hvm_set_sregs,
	.run = hvm_run,
	.interrupt_ready = hvm_interrupt_ready,
	.interrupt = hvm_interrupt,
	.request_window = hvm_request_window,
	.kick = hvm_kick,
};
