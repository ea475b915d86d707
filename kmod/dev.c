// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl layer of /dev/hvm and of VM and vCPU file descriptors: copy in,
 * validate the ABI's rules, call the core, copy out. No logic lives here.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvm_core.h"

static const struct file_operations hvm_vm_fops;
static const struct file_operations hvm_vcpu_fops;

/* ---- vCPU fd ---------------------------------------------------------- */

static vm_fault_t hvm_vcpu_fault(struct vm_fault *vmf)
{
	struct hvm_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	page = virt_to_page(vcpu->run);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hvm_vcpu_vm_ops = {
	.fault = hvm_vcpu_fault,
};

static int hvm_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	vma->vm_ops = &hvm_vcpu_vm_ops;
	return 0;
}

static int hvm_vcpu_release(struct inode *inode, struct file *file)
{
	hvm_vcpu_destroy(file->private_data);
	return 0;
}

static long hvm_vcpu_set_cpuid_ioctl(struct hvm_vcpu *vcpu,
				     struct hvm_cpuid __user *argp)
{
	struct hvm_cpuid_entry *entries;
	struct hvm_cpuid hdr;
	u32 i;
	int r;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags)
		return -EINVAL;
	if (hdr.nent > HVM_MAX_CPUID_ENTRIES)
		return -E2BIG;
	entries = kvmalloc_array(hdr.nent ? hdr.nent : 1, sizeof(*entries),
				 GFP_KERNEL_ACCOUNT);
	if (!entries)
		return -ENOMEM;
	if (copy_from_user(entries, argp->entries,
			   array_size(hdr.nent, sizeof(*entries)))) {
		r = -EFAULT;
		goto err_free;
	}
	for (i = 0; i < hdr.nent; i++) {
		if (!hvm_cpuid_entry_valid(&entries[i])) {
			r = -EINVAL;
			goto err_free;
		}
	}
	return hvm_vcpu_set_cpuid(vcpu, hdr.nent, entries);

err_free:
	kvfree(entries);
	return r;
}

static long hvm_vcpu_msrs_ioctl(struct hvm_vcpu *vcpu,
				struct hvm_msrs __user *argp, bool set)
{
	struct hvm_msr_entry *entries;
	struct hvm_msrs hdr;
	size_t size;
	u32 i;
	long r;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.padding)
		return -EINVAL;
	if (hdr.nmsrs > HVM_MAX_MSR_ENTRIES)
		return -E2BIG;
	size = array_size(hdr.nmsrs, sizeof(*entries));
	entries = memdup_user(argp->entries, size);
	if (IS_ERR(entries))
		return PTR_ERR(entries);
	r = 0;
	for (i = 0; i < hdr.nmsrs; i++) {
		if (!hvm_msr_entry_valid(&entries[i])) {
			r = -EINVAL;
			goto out_free;
		}
	}
	for (i = 0; i < hdr.nmsrs; i++) {
		if (set)
			r = hvm_set_msr(vcpu, entries[i].index,
					entries[i].data, true);
		else
			r = hvm_get_msr(vcpu, entries[i].index,
					&entries[i].data);
		if (r)
			break;
	}
	r = i;
	if (!set && copy_to_user(argp->entries, entries, size))
		r = -EFAULT;
out_free:
	kfree(entries);
	return r;
}

static long hvm_vcpu_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct hvm_vcpu *vcpu = file->private_data;
	void __user *argp = (void __user *)arg;
	union {
		struct hvm_regs regs;
		struct hvm_sregs sregs;
		struct hvm_interrupt irq;
	} u;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EINVAL;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	hvm_vcpu_load(vcpu);

	switch (cmd) {
	case HVM_RUN:
		r = arg ? -EINVAL : hvm_vcpu_run(vcpu);
		break;
	case HVM_GET_REGS:
		hvm_vcpu_get_regs(vcpu, &u.regs);
		r = copy_to_user(argp, &u.regs, sizeof(u.regs)) ? -EFAULT : 0;
		break;
	case HVM_SET_REGS:
		r = -EFAULT;
		if (copy_from_user(&u.regs, argp, sizeof(u.regs)))
			break;
		hvm_vcpu_set_regs(vcpu, &u.regs);
		r = 0;
		break;
	case HVM_GET_SREGS:
		hvm_vcpu_get_sregs(vcpu, &u.sregs);
		r = copy_to_user(argp, &u.sregs, sizeof(u.sregs)) ? -EFAULT : 0;
		break;
	case HVM_SET_SREGS:
		r = -EFAULT;
		if (copy_from_user(&u.sregs, argp, sizeof(u.sregs)))
			break;
		r = -EINVAL;
		if (!hvm_sregs_valid(&u.sregs))
			break;
		r = hvm_vcpu_set_sregs(vcpu, &u.sregs);
		break;
	case HVM_SET_CPUID:
		r = hvm_vcpu_set_cpuid_ioctl(vcpu, argp);
		break;
	case HVM_GET_MSRS:
	case HVM_SET_MSRS:
		r = hvm_vcpu_msrs_ioctl(vcpu, argp, cmd == HVM_SET_MSRS);
		break;
	case HVM_INTERRUPT:
		r = -EFAULT;
		if (copy_from_user(&u.irq, argp, sizeof(u.irq)))
			break;
		r = -EINVAL;
		if (!hvm_interrupt_valid(&u.irq))
			break;
		r = hvm_vcpu_interrupt(vcpu, u.irq.vector);
		break;
	case HVM_NMI:
		r = -EINVAL;
		if (arg)
			break;
		hvm_vcpu_nmi(vcpu);
		r = 0;
		break;
	default:
		r = -EINVAL;
	}
	hvm_vcpu_put(vcpu);
	mutex_unlock(&vcpu->mutex);
	return r;
}

static const struct file_operations hvm_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= hvm_vcpu_release,
	.unlocked_ioctl	= hvm_vcpu_ioctl,
	.mmap		= hvm_vcpu_mmap,
	.llseek		= noop_llseek,
};

/* ---- VM fd ------------------------------------------------------------ */

static int hvm_vm_release(struct inode *inode, struct file *file)
{
	hvm_vm_put(file->private_data);
	return 0;
}

static long hvm_vm_create_vcpu_ioctl(struct hvm_vm *vm, unsigned long id)
{
	struct hvm_vcpu *vcpu;
	int fd;

	if (id >= HVM_MAX_VCPUS)
		return -EINVAL;
	vcpu = hvm_vm_create_vcpu(vm, id);
	if (IS_ERR(vcpu))
		return PTR_ERR(vcpu);
	fd = anon_inode_getfd("hvm-vcpu", &hvm_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hvm_vcpu_destroy(vcpu);
	return fd;
}

static long hvm_vm_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct hvm_vm *vm = file->private_data;
	union {
		struct hvm_memory_region region;
		struct hvm_irqfd irqfd;
		struct hvm_msi msi;
		struct hvm_ioeventfd ioeventfd;
		struct hvm_eoi_exits eoi_exits;
	} u;
	long r;

	if (vm->mm != current->mm)
		return -EINVAL;

	switch (cmd) {
	case HVM_SET_MEMORY_REGION:
		if (copy_from_user(&u.region, (void __user *)arg,
				   sizeof(u.region)))
			return -EFAULT;
		r = hvm_memslot_check(&u.region);
		if (r)
			return r;
		if (mutex_lock_killable(&vm->lock))
			return -EINTR;
		r = hvm_vm_set_memory_region(vm, &u.region);
		mutex_unlock(&vm->lock);
		return r;
	case HVM_CREATE_VCPU:
		return hvm_vm_create_vcpu_ioctl(vm, arg);
	case HVM_CREATE_LAPIC:
		if (arg)
			return -EINVAL;
		if (mutex_lock_killable(&vm->lock))
			return -EINTR;
		r = hvm_vm_create_lapic(vm);
		mutex_unlock(&vm->lock);
		return r;
	case HVM_SIGNAL_MSI:
		if (copy_from_user(&u.msi, (void __user *)arg, sizeof(u.msi)))
			return -EFAULT;
		if (!hvm_msi_valid(&u.msi))
			return -EINVAL;
		return hvm_vm_signal_msi(vm, &u.msi);
	case HVM_IRQFD:
		if (copy_from_user(&u.irqfd, (void __user *)arg,
				   sizeof(u.irqfd)))
			return -EFAULT;
		if (!hvm_irqfd_valid(&u.irqfd))
			return -EINVAL;
		return hvm_vm_irqfd(vm, &u.irqfd);
	case HVM_IOEVENTFD:
		if (copy_from_user(&u.ioeventfd, (void __user *)arg,
				   sizeof(u.ioeventfd)))
			return -EFAULT;
		if (!hvm_ioeventfd_valid(&u.ioeventfd))
			return -EINVAL;
		if (mutex_lock_killable(&vm->lock))
			return -EINTR;
		r = hvm_vm_ioeventfd(vm, &u.ioeventfd);
		mutex_unlock(&vm->lock);
		return r;
	case HVM_SET_EOI_EXITS:
		if (copy_from_user(&u.eoi_exits, (void __user *)arg,
				   sizeof(u.eoi_exits)))
			return -EFAULT;
		if (!hvm_eoi_exits_valid(&u.eoi_exits))
			return -EINVAL;
		hvm_vm_set_eoi_exits(vm, &u.eoi_exits);
		return 0;
	default:
		return -EINVAL;
	}
}

static const struct file_operations hvm_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= hvm_vm_release,
	.unlocked_ioctl	= hvm_vm_ioctl,
	.llseek		= noop_llseek,
};

/* ---- /dev/hvm --------------------------------------------------------- */

static long hvm_check_cap(unsigned long cap)
{
	switch (cap) {
	case HVM_CAP_NESTED_PAGING:
	case HVM_CAP_READONLY_MEM:
	case HVM_CAP_IMMEDIATE_EXIT:
	case HVM_CAP_LAPIC:
	case HVM_CAP_X2APIC:
	case HVM_CAP_NMI:
	case HVM_CAP_MSI:
		return 1;
	case HVM_CAP_IRQFD:
		return HVM_MAX_IRQFDS;
	case HVM_CAP_EOI_EXIT:
		return 1;
	case HVM_CAP_IOEVENTFD:
		return HVM_MAX_IOEVENTFDS;
	case HVM_CAP_NR_MEMSLOTS:
		return HVM_MAX_MEMSLOTS;
	case HVM_CAP_MAX_VCPUS:
		return HVM_MAX_VCPUS;
	case HVM_CAP_VENDOR:
		return hvm_ops->vendor;
	case HVM_CAP_MAX_CPUID_ENTRIES:
		return HVM_MAX_CPUID_ENTRIES;
	case HVM_CAP_MAX_MSR_ENTRIES:
		return HVM_MAX_MSR_ENTRIES;
	case HVM_CAP_GUEST_PHYS_BITS:
		return HVM_GUEST_PHYS_BITS;
	default:
		return 0;
	}
}

static long hvm_create_vm_ioctl(void)
{
	struct hvm_vm *vm;
	int fd;

	vm = hvm_vm_create();
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	fd = anon_inode_getfd("hvm-vm", &hvm_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hvm_vm_put(vm);
	return fd;
}

static long hvm_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case HVM_GET_API_VERSION:
		return arg ? -EINVAL : HVM_API_VERSION;
	case HVM_CHECK_CAP:
		return hvm_check_cap(arg);
	case HVM_CREATE_VM:
		return arg ? -EINVAL : hvm_create_vm_ioctl();
	case HVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : PAGE_SIZE;
	default:
		return -EINVAL;
	}
}

static const struct file_operations hvm_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvm_dev_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice hvm_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hvm",
	.fops	= &hvm_dev_fops,
	.mode	= 0660,
};

int hvm_dev_init(void)
{
	return misc_register(&hvm_dev);
}

void hvm_dev_exit(void)
{
	misc_deregister(&hvm_dev);
}
