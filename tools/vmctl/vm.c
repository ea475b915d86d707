// SPDX-License-Identifier: GPL-2.0
/*
 * The machine on the accelerator: the device opened, the VM with its two
 * memory slots (below 3 GiB and from 4 GiB), the in-kernel local APICs
 * where the accelerator has them, and the vCPUs with their CPUID.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_cpuid.h"
#include "vm.h"

void vm_stop(struct vm *vm, int status, const char *reason)
{
	if (vm->stop)
		return;
	vm->stop = true;
	vm->exit_status = status;
	vm->stop_reason = reason;
}

/* 'Y', 'N', or 0 when the file is not there (no such module or parameter). */
static char sysfs_flag(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c;
}

/*
 * HVM_CREATE_VM said EBUSY: name who holds VMX/SVM and the remedy. Since
 * Linux 6.12 kvm_amd/kvm_intel hold it from load on, VM or not
 * (kvm.enable_virt_at_load=Y, the default).
 */
static void die_hvm_busy(const char *dev)
{
	const char *mod = NULL;
	struct stat st;

	if (!stat("/sys/module/kvm_amd", &st))
		mod = "kvm_amd";
	else if (!stat("/sys/module/kvm_intel", &st))
		mod = "kvm_intel";
	if (!mod)
		die("%s: busy: another hypervisor (not kvm: VirtualBox? VMware?) holds VMX/SVM; stop it and retry",
		    dev);
	if (sysfs_flag("/sys/module/kvm/parameters/enable_virt_at_load") == 'Y')
		die("%s: busy: %s holds VMX/SVM since it loaded (kvm.enable_virt_at_load=Y, the default since Linux 6.12), "
		    "even with no kvm VM: unload it (modprobe -r %s), or load kvm with enable_virt_at_load=0 "
		    "(echo 'options kvm enable_virt_at_load=0' > /etc/modprobe.d/kvm-hvm.conf, then reload kvm)",
		    dev, mod, mod);
	die("%s: busy: %s holds VMX/SVM while a kvm VM runs: end that VM, or unload it (modprobe -r %s)",
	    dev, mod, mod);
}

void vm_create(struct vm *vm)
{
	const struct accel_ops *ops = vm->opt.accel;
	const char *dev = accel_dev_path(ops);
	bool kvm = ops == &accel_kvm_ops;
	uint64_t high = vm->ram_size - vm->low_size;
	unsigned int i;
	int r;

	r = accel_open(&vm->accel, ops);
	if (!r) {
		r = accel_vm_create(&vm->accel, &vm->accel_vm);
		if (r)
			accel_close(&vm->accel);
	}
	if (r == -ENOENT || r == -ENODEV || r == -ENXIO)
		die("%s: %s: %s", dev, strerror(-r),
		    kvm ? "load kvm (modprobe kvm_amd or kvm_intel)" : "load hvm.ko (insmod hvm.ko)");
	if (r == -EBUSY && kvm)
		die("%s: busy: another hypervisor holds VMX/SVM (is an hvm VM running?)", dev);
	if (r == -EBUSY)
		die_hvm_busy(dev);
	if (r == -EPROTO)
		die("%s: not the %s ABI vmctl was built for (with immediate_exit)",
		    dev, accel_name(ops));
	if (r)
		die("%s: cannot create a VM: %s", dev, strerror(-r));
	r = accel_vm_set_memory(&vm->accel_vm, 0, 0, vm->low_size, vm->ram);
	if (!r && high)
		r = accel_vm_set_memory(&vm->accel_vm, 1, HIGH_MEM_START, high,
					vm->ram + vm->low_size);
	if (r)
		die("cannot give the VM %llu MiB of memory: %s",
		    (unsigned long long)vm->ram_size / MiB, strerror(-r));
	r = accel_vm_create_lapic(&vm->accel_vm);
	if (r && r != -EOPNOTSUPP)
		die("%s: cannot create the in-kernel local APIC: %s", dev,
		    strerror(-r));
	vm->lapic = !r;
	if (!vm->lapic && vm->opt.cpus > 1)
		die("--cpus %u: %s has no in-kernel local APIC, and more than one vCPU needs one",
		    vm->opt.cpus, dev);
	vm->nr_vcpus = vm->opt.cpus;
	for (i = 0; i < vm->nr_vcpus; i++) {
		r = accel_vcpu_create(&vm->accel_vm, i, &vm->vcpus[i]);
		if (r)
			die("cannot create vCPU %u: %s", i, strerror(-r));
		r = cpuid_setup(vm, vm->vcpus[i], i);
		if (r)
			die("cannot set vCPU %u's CPUID: %s", i, strerror(-r));
	}
	vm->vcpu = vm->vcpus[0];
}

void vm_destroy(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		accel_vcpu_destroy(vm->vcpus[i]);
	accel_vm_destroy(&vm->accel_vm);
	accel_close(&vm->accel);
	bus_free(&vm->pio);
	bus_free(&vm->mmio);
}
