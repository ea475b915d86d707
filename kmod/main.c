// SPDX-License-Identifier: GPL-2.0
/*
 * hvm module entry: picks the vendor backend, turns virtualization on in
 * every CPU while at least one VM exists, and follows CPU hotplug.
 */
#include <linux/module.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <linux/reboot.h>

#include "hvm_core.h"

const struct hvm_vendor_ops *hvm_ops;
atomic_t hvm_live_vms, hvm_live_vcpus;
atomic_long_t hvm_npt_large_maps;

static DEFINE_MUTEX(hvm_hw_lock);
static unsigned int hvm_hw_users;	/* VMs alive: >0 means enabled */
static DEFINE_PER_CPU(bool, hvm_cpu_enabled);
static enum cpuhp_state hvm_cpuhp_state;
static struct dentry *hvm_debugfs;

static void hvm_disable_this_cpu(void *unused)
{
	if (!this_cpu_read(hvm_cpu_enabled))
		return;
	hvm_ops->disable_cpu();
	this_cpu_write(hvm_cpu_enabled, false);
}

static void hvm_enable_this_cpu(void *failed)
{
	int r;

	if (this_cpu_read(hvm_cpu_enabled))
		return;
	r = hvm_ops->enable_cpu();
	if (r) {
		atomic_inc(failed);
		return;
	}
	this_cpu_write(hvm_cpu_enabled, true);
}

/*
 * One line that names the likely holder and the remedy. Since 6.12 an idle
 * kvm holds the hardware too: the case users meet most.
 */
static void hvm_warn_busy(void)
{
	const char *m = hvm_ops->kvm_module;

	if (HVM_KVM_ENABLES_AT_LOAD)
		pr_warn_ratelimited("hvm: cannot create a VM: %s; if that is %s: with kvm.enable_virt_at_load=1 (the default since Linux 6.12) it holds it from load on, VM or not: unload it (modprobe -r %s) or load kvm with enable_virt_at_load=0 (options kvm enable_virt_at_load=0 in /etc/modprobe.d/)\n",
				    hvm_ops->busy_msg, m, m);
	else
		pr_warn_ratelimited("hvm: cannot create a VM: %s; if that is %s: it holds it while a kvm VM exists: end that VM or unload it (modprobe -r %s)\n",
				    hvm_ops->busy_msg, m, m);
}

/* A VM is being created: make sure every online CPU can run guests. */
int hvm_hardware_get(void)
{
	atomic_t failed = ATOMIC_INIT(0);
	int r = 0;

	cpus_read_lock();
	mutex_lock(&hvm_hw_lock);
	if (hvm_hw_users++ == 0) {
		on_each_cpu(hvm_enable_this_cpu, &failed, 1);
		if (atomic_read(&failed)) {
			on_each_cpu(hvm_disable_this_cpu, NULL, 1);
			hvm_warn_busy();
			hvm_hw_users = 0;
			r = -EBUSY;
		}
	}
	mutex_unlock(&hvm_hw_lock);
	cpus_read_unlock();
	return r;
}

void hvm_hardware_put(void)
{
	cpus_read_lock();
	mutex_lock(&hvm_hw_lock);
	if (--hvm_hw_users == 0)
		on_each_cpu(hvm_disable_this_cpu, NULL, 1);
	mutex_unlock(&hvm_hw_lock);
	cpus_read_unlock();
}

static int hvm_cpu_online(unsigned int cpu)
{
	atomic_t failed = ATOMIC_INIT(0);

	mutex_lock(&hvm_hw_lock);
	if (hvm_hw_users)
		hvm_enable_this_cpu(&failed);
	mutex_unlock(&hvm_hw_lock);
	return atomic_read(&failed) ? -EBUSY : 0;
}

static int hvm_cpu_offline(unsigned int cpu)
{
	mutex_lock(&hvm_hw_lock);
	hvm_disable_this_cpu(NULL);
	mutex_unlock(&hvm_hw_lock);
	return 0;
}

/*
 * Reboot: leave the CPUs as firmware expects them. (The kernel's own crash
 * path already turns SVM and VMX off on every CPU.)
 */
static int hvm_reboot(struct notifier_block *nb, unsigned long code, void *v)
{
	on_each_cpu(hvm_disable_this_cpu, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block hvm_reboot_nb = {
	.notifier_call = hvm_reboot,
};

static int hvm_objects_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "vms %d\n", atomic_read(&hvm_live_vms));
	seq_printf(m, "vcpus %d\n", atomic_read(&hvm_live_vcpus));
	seq_printf(m, "npt_large_maps %ld\n",
		   atomic_long_read(&hvm_npt_large_maps));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvm_objects);

u64 __percpu *hvm_exit_counts;

/* "CODE COUNT" per hardware exit code seen since load or the last write. */
static int hvm_exits_show(struct seq_file *m, void *unused)
{
	int cpu, i;

	for (i = 0; i < HVM_EXIT_STAT_SLOTS; i++) {
		u64 n = 0;

		for_each_possible_cpu(cpu)
			n += per_cpu_ptr(hvm_exit_counts, cpu)[i];
		if (!n)
			continue;
		if (i == HVM_EXIT_STAT_SLOTS - 1)
			seq_printf(m, "other %llu\n", n);
		else
			seq_printf(m, "%#x %llu\n", i, n);
	}
	return 0;
}

static int hvm_exits_open(struct inode *inode, struct file *file)
{
	return single_open(file, hvm_exits_show, NULL);
}

/* Any write clears the counts (a measurement window). */
static ssize_t hvm_exits_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *pos)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(hvm_exit_counts, cpu), 0,
		       HVM_EXIT_STAT_SLOTS * sizeof(u64));
	return len;
}

static const struct file_operations hvm_exits_fops = {
	.owner = THIS_MODULE,
	.open = hvm_exits_open,
	.read = seq_read,
	.write = hvm_exits_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init hvm_init(void)
{
	int r;

	if (boot_cpu_has(X86_FEATURE_VMX)) {
		hvm_ops = &hvm_vmx_ops;
	} else if (boot_cpu_has(X86_FEATURE_SVM)) {
		hvm_ops = &hvm_svm_ops;
	} else {
		pr_err("hvm: this CPU has neither Intel VMX nor AMD SVM\n");
		return -ENODEV;
	}
	hvm_exit_counts = __alloc_percpu(HVM_EXIT_STAT_SLOTS * sizeof(u64),
					 sizeof(u64));
	if (!hvm_exit_counts)
		return -ENOMEM;
	/* What entries restore; the guest's XCR0 may use less (msr.c). */
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		hvm_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	r = hvm_ops->init();
	if (r)
		goto err_free_counts;
	if (hvm_ops->vcpu_load)
		preempt_notifier_inc();

	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "hvm:online",
				      hvm_cpu_online, hvm_cpu_offline);
	if (r < 0)
		goto err_vendor_exit;
	hvm_cpuhp_state = r;
	register_reboot_notifier(&hvm_reboot_nb);

	r = hvm_irqfd_init();
	if (r)
		goto err_cpuhp;
	r = hvm_dev_init();
	if (r)
		goto err_irqfd_exit;

	hvm_debugfs = debugfs_create_dir("hvm", NULL);
	debugfs_create_file("objects", 0444, hvm_debugfs, NULL,
			    &hvm_objects_fops);
	debugfs_create_file("exits", 0644, hvm_debugfs, NULL, &hvm_exits_fops);
	pr_info("hvm: %s backend ready, /dev/hvm API %d\n", hvm_ops->name,
		HVM_API_VERSION);
	return 0;

err_irqfd_exit:
	hvm_irqfd_exit();
err_cpuhp:
	unregister_reboot_notifier(&hvm_reboot_nb);
	cpuhp_remove_state_nocalls(hvm_cpuhp_state);
err_vendor_exit:
	if (hvm_ops->vcpu_load)
		preempt_notifier_dec();
	hvm_ops->exit();
err_free_counts:
	free_percpu(hvm_exit_counts);
	return r;
}

static void __exit hvm_exit(void)
{
	debugfs_remove_recursive(hvm_debugfs);
	hvm_dev_exit();
	hvm_irqfd_exit();
	unregister_reboot_notifier(&hvm_reboot_nb);
	cpuhp_remove_state_nocalls(hvm_cpuhp_state);
	if (hvm_ops->vcpu_load)
		preempt_notifier_dec();
	hvm_ops->exit();
	free_percpu(hvm_exit_counts);
}

module_init(hvm_init);
module_exit(hvm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvm: a hardware-assisted hypervisor behind /dev/hvm");
