// SPDX-License-Identifier: GPL-2.0
/*
 * The accelerator interface (accel.h) over any KVM-shaped device: opening
 * it, VMs and their memory slots, vCPUs and their run page, register
 * conversion and the exit translation, written once for hvm and kvm.
 * What differs comes from the accelerator's struct accel_ops.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel_abi.h"

int accel_neg_errno(void)
{
	return errno ? -errno : -EIO;
}

const char *accel_name(const struct accel_ops *ops)
{
	return ops->name;
}

const char *accel_dev_path(const struct accel_ops *ops)
{
	return ops->dev_path;
}

int accel_open(struct accel *a, const struct accel_ops *ops)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->ops = ops;
	a->fd = open(ops->dev_path, O_RDWR | O_CLOEXEC);
	if (a->fd < 0)
		return accel_neg_errno();
	r = ioctl(a->fd, ops->ioc.get_api_version, 0);
	if (r != ops->api_version) {
		r = r < 0 ? accel_neg_errno() : -EPROTO;
		goto err_close;
	}
	r = ioctl(a->fd, ops->ioc.get_vcpu_mmap_size, 0);
	if (r <= 0) {
		r = r < 0 ? accel_neg_errno() : -EPROTO;
		goto err_close;
	}
	a->run_size = (size_t)r;
	r = ops->open(a);
	if (r)
		goto err_close;
	return 0;

err_close:
	close(a->fd);
	return r;
}

void accel_close(struct accel *a)
{
	close(a->fd);
}

int accel_supported_cpuid(struct accel *a, struct x86_cpuid_entry *e,
			  unsigned int max)
{
	return a->ops->supported_cpuid(a, e, max);
}

int accel_vm_create(struct accel *a, struct accel_vm *vm)
{
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->accel = a;
	vm->fd = ioctl(a->fd, a->ops->ioc.create_vm, 0);
	if (vm->fd < 0)
		return accel_neg_errno();
	r = a->ops->vm_init ? a->ops->vm_init(vm) : 0;
	if (r)
		close(vm->fd);
	return r;
}

void accel_vm_destroy(struct accel_vm *vm)
{
	close(vm->fd);
}

int accel_vm_create_lapic(struct accel_vm *vm)
{
	return vm->accel->ops->create_lapic(vm);
}

int accel_vm_enable_hypercall_exit(struct accel_vm *vm)
{
	return vm->accel->ops->enable_hypercall_exit(vm);
}

int accel_vm_ioeventfd(struct accel_vm *vm, const struct accel_ioeventfd *io,
		       bool deassign)
{
	return vm->accel->ops->ioeventfd(vm, io, deassign);
}

int accel_vm_set_memory(struct accel_vm *vm, uint32_t slot, uint64_t gpa,
			uint64_t size, void *hva)
{
	struct raw_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	if (slot >= ACCEL_MAX_SLOTS)
		return -EINVAL;
	if (ioctl(vm->fd, vm->accel->ops->ioc.set_memory, &r))
		return accel_neg_errno();
	vm->slots[slot] = (struct accel_slot){ gpa, size, hva };
	return 0;
}

void *accel_gpa_to_hva(const struct accel_vm *vm, uint64_t gpa, uint64_t len)
{
	const struct accel_slot *s;

	if (gpa + len < gpa)
		return NULL;
	for (s = vm->slots; s < vm->slots + ACCEL_MAX_SLOTS; s++)
		if (s->size && gpa >= s->gpa && gpa + len <= s->gpa + s->size)
			return s->hva + (gpa - s->gpa);
	return NULL;
}

int accel_vcpu_create(struct accel_vm *vm, uint32_t id,
		      struct accel_vcpu **out)
{
	struct accel_vcpu *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->fd = ioctl(vm->fd, vm->accel->ops->ioc.create_vcpu, (unsigned long)id);
	if (v->fd < 0) {
		r = accel_neg_errno();
		goto err_free;
	}
	v->run = mmap(NULL, vm->accel->run_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		r = accel_neg_errno();
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

void accel_vcpu_destroy(struct accel_vcpu *v)
{
	munmap(v->run, v->vm->accel->run_size);
	close(v->fd);
	free(v);
}

/* ---- CPUID: the entries' heads are the same, their strides differ ------ */

static struct raw_cpuid_entry *raw_entry(const struct accel_ops *ops,
					 const void *entries, unsigned int i)
{
	return (struct raw_cpuid_entry *)((uintptr_t)entries +
					  i * ops->cpuid_entry_size);
}

int accel_cpuid_from_raw(const struct accel_ops *ops, const void *raw,
			 unsigned int n, struct x86_cpuid_entry *e)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct raw_cpuid_entry *k = raw_entry(ops, raw, i);

		e[i] = (struct x86_cpuid_entry){
			.function = k->function, .index = k->index,
			.index_significant =
				k->flags & RAW_CPUID_FLAG_SIGNIFICANT_INDEX,
			.eax = k->eax, .ebx = k->ebx, .ecx = k->ecx, .edx = k->edx,
		};
	}
	return (int)n;
}

int accel_vcpu_set_cpuid(struct accel_vcpu *v, const struct x86_cpuid_entry *e,
			 unsigned int n)
{
	const struct accel_ops *ops = v->vm->accel->ops;
	struct raw_cpuid *c;
	unsigned int i;
	int r;

	c = calloc(1, sizeof(*c) + n * ops->cpuid_entry_size);
	if (!c)
		return -ENOMEM;
	c->nent = n;
	for (i = 0; i < n; i++)
		*raw_entry(ops, c + 1, i) = (struct raw_cpuid_entry){
			.function = e[i].function,
			.index = e[i].index,
			.flags = e[i].index_significant ?
				 RAW_CPUID_FLAG_SIGNIFICANT_INDEX : 0,
			.eax = e[i].eax, .ebx = e[i].ebx,
			.ecx = e[i].ecx, .edx = e[i].edx,
		};
	r = ioctl(v->fd, ops->ioc.set_cpuid, c) ? accel_neg_errno() : 0;
	free(c);
	return r;
}

/* ---- registers: x86_regs is both ABIs' layout (ACCEL_ASSERT_KVM_SHAPE) -- */

int accel_vcpu_get_regs(struct accel_vcpu *v, struct x86_regs *regs)
{
	return ioctl(v->fd, v->vm->accel->ops->ioc.get_regs, regs) ?
	       accel_neg_errno() : 0;
}

int accel_vcpu_set_regs(struct accel_vcpu *v, const struct x86_regs *regs)
{
	return ioctl(v->fd, v->vm->accel->ops->ioc.set_regs, regs) ?
	       accel_neg_errno() : 0;
}

static void seg_from_raw(struct x86_segment *x, const struct raw_segment *h)
{
	*x = (struct x86_segment){
		.base = h->base, .limit = h->limit, .selector = h->selector,
		.type = h->type, .present = h->present, .dpl = h->dpl,
		.db = h->db, .s = h->s, .l = h->l, .g = h->g, .avl = h->avl,
		.unusable = h->unusable,
	};
}

static void seg_to_raw(struct raw_segment *h, const struct x86_segment *x)
{
	*h = (struct raw_segment){
		.base = x->base, .limit = x->limit, .selector = x->selector,
		.type = x->type, .present = x->present, .dpl = x->dpl,
		.db = x->db, .s = x->s, .l = x->l, .g = x->g, .avl = x->avl,
		.unusable = x->unusable,
	};
}

int accel_vcpu_get_sregs(struct accel_vcpu *v, struct x86_sregs *x)
{
	union {
		struct raw_sregs s;
		uint8_t whole[RAW_SREGS_MAX];
	} u;
	const struct raw_sregs *s = &u.s;

	if (ioctl(v->fd, v->vm->accel->ops->ioc.get_sregs, &u))
		return accel_neg_errno();
	seg_from_raw(&x->cs, &s->cs);
	seg_from_raw(&x->ds, &s->ds);
	seg_from_raw(&x->es, &s->es);
	seg_from_raw(&x->fs, &s->fs);
	seg_from_raw(&x->gs, &s->gs);
	seg_from_raw(&x->ss, &s->ss);
	seg_from_raw(&x->tr, &s->tr);
	seg_from_raw(&x->ldt, &s->ldt);
	x->gdt = (struct x86_dtable){ .base = s->gdt.base, .limit = s->gdt.limit };
	x->idt = (struct x86_dtable){ .base = s->idt.base, .limit = s->idt.limit };
	x->cr0 = s->cr0;
	x->cr2 = s->cr2;
	x->cr3 = s->cr3;
	x->cr4 = s->cr4;
	x->cr8 = s->cr8;
	x->efer = s->efer;
	x->apic_base = s->apic_base;
	return 0;
}

/*
 * The tails stay zero: hvm's reserved words must be, and kvm's
 * interrupt_bitmap of zeros queues nothing (nor clears what is queued).
 */
int accel_vcpu_set_sregs(struct accel_vcpu *v, const struct x86_sregs *x)
{
	union {
		struct raw_sregs s;
		uint8_t whole[RAW_SREGS_MAX];
	} u;
	struct raw_sregs *s = &u.s;

	memset(&u, 0, sizeof(u));
	seg_to_raw(&s->cs, &x->cs);
	seg_to_raw(&s->ds, &x->ds);
	seg_to_raw(&s->es, &x->es);
	seg_to_raw(&s->fs, &x->fs);
	seg_to_raw(&s->gs, &x->gs);
	seg_to_raw(&s->ss, &x->ss);
	seg_to_raw(&s->tr, &x->tr);
	seg_to_raw(&s->ldt, &x->ldt);
	s->gdt.base = x->gdt.base;
	s->gdt.limit = x->gdt.limit;
	s->idt.base = x->idt.base;
	s->idt.limit = x->idt.limit;
	s->cr0 = x->cr0;
	s->cr2 = x->cr2;
	s->cr3 = x->cr3;
	s->cr4 = x->cr4;
	s->cr8 = x->cr8;
	s->efer = x->efer;
	s->apic_base = x->apic_base;
	return ioctl(v->fd, v->vm->accel->ops->ioc.set_sregs, &u) ?
	       accel_neg_errno() : 0;
}

/* ---- running ------------------------------------------------------------ */

static void exit_data(const struct accel_ops *ops, struct raw_run_head *run,
		      struct accel_exit *exit)
{
	uint8_t *data = (uint8_t *)run + ops->run_exit_data;
	struct raw_run_io *io = (void *)data;
	struct raw_run_mmio *mmio = (void *)data;
	struct raw_run_hypercall *hc = (void *)data;

	switch (exit->reason) {
	case ACCEL_EXIT_IO:
		exit->io.port = io->port;
		exit->io.size = io->size;
		exit->io.out = io->direction == RAW_EXIT_IO_OUT;
		exit->io.count = io->count;
		exit->io.data = (uint8_t *)run + io->data_offset;
		break;
	case ACCEL_EXIT_MMIO:
		exit->mmio.addr = mmio->phys_addr;
		exit->mmio.len = mmio->len;
		exit->mmio.write = mmio->is_write;
		exit->mmio.data = mmio->data;
		break;
	case ACCEL_EXIT_HYPERCALL:
		exit->hypercall.nr = hc->nr;
		memcpy(exit->hypercall.args, hc->args,
		       sizeof(exit->hypercall.args));
		exit->hypercall.ret = (uint64_t *)((uint8_t *)run +
						   ops->run_hypercall_ret);
		break;
	default:
		break;
	}
}

int accel_vcpu_run(struct accel_vcpu *v, struct accel_exit *exit)
{
	const struct accel_ops *ops = v->vm->accel->ops;
	struct raw_run_head *run = v->run;
	int r = ioctl(v->fd, ops->ioc.run, 0);
	int err = errno;

	/* A kick that came while the exit was on its way is spent too. */
	run->immediate_exit = 0;
	/*
	 * kvm's RUN fails with EAGAIN once when an AP leaves wait-for-SIPI
	 * (its state changed under it): run it again, like an EINTR.
	 */
	if (r && err != EINTR && err != EAGAIN)
		return -err;
	exit->raw_reason = run->exit_reason;
	exit->hw_reason = 0;
	exit->if_flag = run->if_flag;
	exit->detail[0] = '\0';
	if (r) {
		exit->reason = ACCEL_EXIT_INTR;
	} else {
		exit->reason = run->exit_reason < ACCEL_RAW_EXITS ?
			       ops->exits[run->exit_reason] : ACCEL_EXIT_UNKNOWN;
		exit_data(ops, run, exit);
	}
	ops->exit_detail(run, exit);
	return 0;
}

bool accel_vcpu_interrupt_ready(struct accel_vcpu *v)
{
	return ((struct raw_run_head *)v->run)->ready_for_interrupt_injection;
}

int accel_vcpu_interrupt(struct accel_vcpu *v, uint8_t vector)
{
	/* hvm_interrupt {vector, flags} and kvm_interrupt {irq} alike. */
	uint32_t irq[2] = { vector, 0 };

	if (ioctl(v->fd, v->vm->accel->ops->ioc.interrupt, irq))
		return accel_neg_errno();
	/* Queued: no other until an exit says the guest can take one. */
	((struct raw_run_head *)v->run)->ready_for_interrupt_injection = 0;
	return 0;
}

void accel_vcpu_request_window(struct accel_vcpu *v, bool on)
{
	((struct raw_run_head *)v->run)->request_interrupt_window = on;
}

void accel_vcpu_kick(struct accel_vcpu *v)
{
	struct raw_run_head *run = v->run;

	__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_RELAXED);
}

int accel_vcpu_stats(struct accel_vcpu *v, char *buf, size_t len)
{
	const struct accel_ops *ops = v->vm->accel->ops;

	return ops->stats ? ops->stats(v, buf, len) : -EOPNOTSUPP;
}

const char *accel_exit_name(enum accel_exit_reason reason)
{
	static const char *const names[ACCEL_NR_EXITS] = {
		[ACCEL_EXIT_UNKNOWN] = "unknown",
		[ACCEL_EXIT_IO] = "port I/O",
		[ACCEL_EXIT_MMIO] = "MMIO",
		[ACCEL_EXIT_HLT] = "HLT",
		[ACCEL_EXIT_IRQ_WINDOW] = "interrupt window",
		[ACCEL_EXIT_INTR] = "interrupted",
		[ACCEL_EXIT_HYPERCALL] = "hypercall",
		[ACCEL_EXIT_SHUTDOWN] = "shutdown",
		[ACCEL_EXIT_FAIL_ENTRY] = "entry failure",
		[ACCEL_EXIT_INTERNAL_ERROR] = "internal error",
	};

	return (unsigned int)reason < ACCEL_NR_EXITS ? names[reason] : "?";
}
