// SPDX-License-Identifier: GPL-2.0
/*
 * VM lifetime, memory slots and the vCPU list. A VM is freed when the last
 * reference goes: its own fd holds one, every vCPU holds one.
 */
#include <linux/completion.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "hvm_core.h"

struct hvm_vm *hvm_vm_create(void)
{
	struct hvm_vm *vm;
	int r;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->mmu_lock);
	hvm_tsc_init_vm(vm);
	spin_lock_init(&vm->irq_lock);
	spin_lock_init(&vm->irqfds_lock);
	INIT_LIST_HEAD(&vm->irqfds);

	r = hvm_ops->vm_check ? hvm_ops->vm_check() : 0;
	if (r)
		goto err_free_vm;
	r = hvm_hardware_get();
	if (r)
		goto err_free_vm;
	r = hvm_mmu_init(vm);
	if (r)
		goto err_hardware_put;

	vm->mm = current->mm;
	mmgrab(vm->mm);
	vm->mn.ops = &hvm_mmu_notifier_ops;
	r = mmu_notifier_register(&vm->mn, vm->mm);
	if (r)
		goto err_mmdrop;

	atomic_inc(&hvm_live_vms);
	return vm;

err_mmdrop:
	mmdrop(vm->mm);
	hvm_mmu_destroy(vm);
err_hardware_put:
	hvm_hardware_put();
err_free_vm:
	kfree(vm);
	return ERR_PTR(r);
}

static void hvm_vm_release(struct kref *ref)
{
	struct hvm_vm *vm = container_of(ref, struct hvm_vm, ref);

	hvm_vm_irqfd_release(vm);	/* no wakeup uses vm after this */
	mmu_notifier_unregister(&vm->mn, vm->mm);
	hvm_vm_ioeventfd_free(vm);
	mmdrop(vm->mm);
	hvm_mmu_destroy(vm);
	hvm_hardware_put();
	atomic_dec(&hvm_live_vms);
	kfree(vm);
}

void hvm_vm_put(struct hvm_vm *vm)
{
	kref_put(&vm->ref, hvm_vm_release);
}

static bool hvm_ranges_overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a < b + b_size && b < a + a_size;
}

/* Called with vm->lock held; region already passed hvm_memslot_check(). */
int hvm_vm_set_memory_region(struct hvm_vm *vm,
			     const struct hvm_memory_region *region)
{
	struct hvm_memslot *slot = &vm->memslots[region->slot];
	int i;

	if (!region->memory_size) {
		if (!slot->size)
			return -EINVAL;
		spin_lock(&vm->mmu_lock);
		hvm_mmu_zap_range(vm, slot->gpa, slot->size);
		slot->size = 0;
		while (vm->memslots_used &&
		       !vm->memslots[vm->memslots_used - 1].size)
			vm->memslots_used--;
		spin_unlock(&vm->mmu_lock);
		hvm_vm_flush_tlbs(vm, true);
		return 0;
	}

	if (slot->size)
		return -EBUSY;
	for (i = 0; i < HVM_MAX_MEMSLOTS; i++) {
		const struct hvm_memslot *other = &vm->memslots[i];

		if (other->size &&
		    hvm_ranges_overlap(other->gpa, other->size,
				       region->guest_phys_addr,
				       region->memory_size))
			return -EBUSY;
	}

	/* The range was unbacked until now, so nothing maps it yet. */
	spin_lock(&vm->mmu_lock);
	slot->gpa = region->guest_phys_addr;
	slot->uaddr = region->userspace_addr;
	slot->flags = region->flags;
	slot->size = region->memory_size;
	vm->memslots_used = max(vm->memslots_used, region->slot + 1);
	spin_unlock(&vm->mmu_lock);
	return 0;
}

static void hvm_kick_nothing(void *unused)
{
}

static void hvm_flush_acked(void *done)
{
	complete(done);
}

/*
 * Returns once cpu has taken an IPI, which a CPU in a guest does only
 * after it left the guest (every host interrupt makes the guest exit).
 */
static void hvm_wait_guest_exit(int cpu, bool may_sleep)
{
	struct completion done;
	call_single_data_t csd;

	if (!may_sleep) {
		smp_call_function_single(cpu, hvm_kick_nothing, NULL, 1);
		return;
	}
	init_completion(&done);
	INIT_CSD(&csd, hvm_flush_acked, &done);
	/* An async call's csd is not touched after its function ran. */
	if (!smp_call_function_single_async(cpu, &csd))
		wait_for_completion(&done);
}

/*
 * Make every vCPU drop its guest TLB entries before it enters the guest
 * again, and return once none still runs on the entries from before. The
 * wait comes after mmu_lock is dropped: under it, one CPU slow to leave
 * its guest would stall every fault, notifier and IPI of the VM, and each
 * task that needs the lock. Where the caller may sleep, so does the wait.
 */
void hvm_vm_flush_tlbs(struct hvm_vm *vm, bool may_sleep)
{
	int cpus[HVM_MAX_VCPUS];
	int i, n = 0;

	spin_lock(&vm->mmu_lock);
	for (i = 0; i < HVM_MAX_VCPUS; i++) {
		struct hvm_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		set_bit(HVM_REQ_TLB_FLUSH, &vcpu->requests);
		/* Pairs with the barrier between mode and requests in entry. */
		smp_mb__after_atomic();
		if (READ_ONCE(vcpu->mode) == HVM_IN_GUEST)
			cpus[n++] = READ_ONCE(vcpu->cpu);
	}
	spin_unlock(&vm->mmu_lock);

	for (i = 0; i < n; i++)
		hvm_wait_guest_exit(cpus[i], may_sleep);
}

/* HVM_CREATE_LAPIC; vm->lock held. Only before the first vCPU. */
int hvm_vm_create_lapic(struct hvm_vm *vm)
{
	int i;

	if (vm->lapic)
		return -EBUSY;
	for (i = 0; i < HVM_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			return -EBUSY;
	WRITE_ONCE(vm->lapic, true);
	return 0;
}

struct hvm_vcpu *hvm_vm_create_vcpu(struct hvm_vm *vm, u32 id)
{
	struct hvm_vcpu *vcpu;
	struct page *run_page;
	int r;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return ERR_PTR(-ENOMEM);
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);

	r = -ENOMEM;
	run_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!run_page)
		goto err_free_vcpu;
	vcpu->run = page_address(run_page);
	if (hvm_guest_fpu_alloc(&vcpu->guest_fpu))
		goto err_free_run;

	/* Architectural state after RESET (SDM Vol. 3A, 10.1.1). */
	vcpu->rip = 0xfff0;
	vcpu->rflags = 0x2;
	vcpu->regs[HVM_RDX] = 0x600;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->apic_base = 0xfee00000 | BIT(11) | (id == 0 ? BIT(8) : 0);
	vcpu->mode = HVM_OUTSIDE_GUEST;
	vcpu->tsc_offset = hvm_tsc_vm_offset(vm);
	init_waitqueue_head(&vcpu->wq);
	hvm_vcpu_init_preempt(vcpu);

	/* vm->lapic only goes from false to true, before any vCPU exists. */
	if (READ_ONCE(vm->lapic)) {
		r = hvm_lapic_create(vcpu);
		if (r)
			goto err_free_fpu;
		vcpu->wait_sipi = id != 0;	/* the APs, as on a PC */
	}

	r = hvm_ops->vcpu_create(vcpu);
	if (r)
		goto err_free_lapic;

	r = -EINTR;
	if (mutex_lock_killable(&vm->lock))
		goto err_vendor_destroy;
	/* Or HVM_CREATE_LAPIC came in between: this vCPU lacks one. */
	if (vm->vcpus[id] || vm->lapic != !!vcpu->lapic) {
		mutex_unlock(&vm->lock);
		r = -EBUSY;
		goto err_vendor_destroy;
	}
	kref_get(&vm->ref);
	spin_lock(&vm->mmu_lock);
	spin_lock_irq(&vm->irq_lock);
	vm->vcpus[id] = vcpu;
	spin_unlock_irq(&vm->irq_lock);
	spin_unlock(&vm->mmu_lock);
	mutex_unlock(&vm->lock);
	atomic_inc(&hvm_live_vcpus);
	return vcpu;

err_vendor_destroy:
	hvm_ops->vcpu_destroy(vcpu);
err_free_lapic:
	hvm_lapic_destroy(vcpu);
err_free_fpu:
	hvm_guest_fpu_free(&vcpu->guest_fpu);
err_free_run:
	free_page((unsigned long)vcpu->run);
err_free_vcpu:
	kfree(vcpu);
	return ERR_PTR(r);
}

void hvm_vcpu_destroy(struct hvm_vcpu *vcpu)
{
	struct hvm_vm *vm = vcpu->vm;

	mutex_lock(&vm->lock);
	spin_lock(&vm->mmu_lock);
	spin_lock_irq(&vm->irq_lock);
	vm->vcpus[vcpu->id] = NULL;
	spin_unlock_irq(&vm->irq_lock);
	spin_unlock(&vm->mmu_lock);
	mutex_unlock(&vm->lock);

	hvm_ops->vcpu_destroy(vcpu);
	hvm_lapic_destroy(vcpu);	/* no more kicks */
	hvm_npt_cache_free(vcpu);
	kvfree(vcpu->cpuid);
	hvm_guest_fpu_free(&vcpu->guest_fpu);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
	atomic_dec(&hvm_live_vcpus);
	hvm_vm_put(vm);
}
