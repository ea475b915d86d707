// SPDX-License-Identifier: GPL-2.0
/*
 * hvm and the stock kvm modules share the machine: whichever holds the
 * virtualization hardware first keeps it, the other gets EBUSY, and hvm
 * says why in one kernel log line, with the remedy. Since Linux 6.12 kvm
 * holds it from the moment kvm_amd/kvm_intel loads (kvm.enable_virt_at_load,
 * on by default), VM or not; with enable_virt_at_load=0 an idle kvm leaves
 * it alone, and kvm and hvm VMs can run one after the other. The lab puts
 * kvm's modules, in load order, in /peer (listed in /peer/modules);
 * without them this test skips. With vmctl and a kernel in /peer too, it
 * checks vmctl's message for the EBUSY as well.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "hvm_util.h"
#include "guest.h"

#define PEER_LIST	"/peer/modules"
#define MAX_PEER	8
#define VMCTL		"/peer/vmctl"
#define VMCTL_KERNEL	"/peer/mbtest.elf"
#define AT_LOAD_PARAM	"/sys/module/kvm/parameters/enable_virt_at_load"

static char peer_path[MAX_PEER][256];
static char peer_name[MAX_PEER][256];
static int npeer;

static bool read_peer_list(void)
{
	FILE *f = fopen(PEER_LIST, "r");
	char line[256];

	if (!f)
		return false;
	while (npeer < MAX_PEER && fgets(line, sizeof(line), f)) {
		char *base, *dot;

		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			continue;
		snprintf(peer_path[npeer], sizeof(peer_path[npeer]), "%s", line);
		base = strrchr(line, '/');
		snprintf(peer_name[npeer], sizeof(peer_name[npeer]), "%s",
			 base ? base + 1 : line);
		dot = strchr(peer_name[npeer], '.');
		if (dot)
			*dot = 0;
		for (dot = peer_name[npeer]; *dot; dot++)
			if (*dot == '-')
				*dot = '_';
		npeer++;
	}
	fclose(f);
	return npeer > 0;
}

/*
 * Loads the peer modules in order, kvm.ko with kvm_params; false at the
 * first that fails.
 */
static bool load_peers_with(int *err, const char *kvm_params)
{
	int i;

	for (i = 0; i < npeer; i++) {
		int fd = open(peer_path[i], O_RDONLY | O_CLOEXEC);
		const char *params = strcmp(peer_name[i], "kvm") ? "" : kvm_params;
		long r;

		if (fd < 0) {
			*err = errno;
			return false;
		}
		r = syscall(SYS_finit_module, fd, params, 0);
		*err = errno;
		close(fd);
		if (r && *err != EEXIST)
			return false;
	}
	*err = 0;
	return true;
}

static bool load_peers(int *err)
{
	return load_peers_with(err, "");
}

/* Unloads what load_peers() loaded, in reverse order. */
static void unload_peers(void)
{
	int i;

	for (i = npeer - 1; i >= 0; i--)
		syscall(SYS_delete_module, peer_name[i], O_NONBLOCK);
}

/* Counts kernel log lines since the last read that contain a (and b, if set). */
static int kmsg_count2(int fd, const char *a, const char *b)
{
	char rec[2048];
	int n = 0;

	for (;;) {
		ssize_t len = read(fd, rec, sizeof(rec) - 1);

		if (len < 0 && errno == EPIPE)
			continue;
		if (len <= 0)
			break;
		rec[len] = 0;
		if (strstr(rec, a) && (!b || strstr(rec, b)))
			n++;
	}
	return n;
}

static int kmsg_count(int fd, const char *needle)
{
	return kmsg_count2(fd, needle, NULL);
}

/* kvm.enable_virt_at_load of the loaded kvm: 'Y', 'N', or 0 if it has none. */
static char kvm_at_load(void)
{
	FILE *f = fopen(AT_LOAD_PARAM, "r");
	int c;

	if (!f)
		return 0;
	c = fgetc(f);
	fclose(f);
	return c == 'Y' || c == 'N' ? c : 0;
}

/* HVM_CREATE_VM alone: 0 when it works (the VM is closed again), or errno. */
static int hvm_create_errno(void)
{
	int fd = ioctl(hvm_sys_fd(), HVM_CREATE_VM, 0);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static __guest_code void hvm_guest(void)
{
	GUEST_DONE();
}

/* An hvm VM runs a guest to GUEST_DONE (only tried once HVM_CREATE_VM works). */
static bool hvm_vm_runs(void)
{
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	bool ok;

	if (hvm_create_errno())
		return false;
	vm = vm_create_with_vcpu(&vcpu, hvm_guest);
	ok = vcpu_run_expect_done(vcpu);
	vm_free(vm);
	return ok;
}

/* A kvm VM runs one HLT in real mode: what kvm needs the hardware for. */
static bool kvm_vm_runs(void)
{
	struct kvm_userspace_memory_region region = { .memory_size = 0x1000 };
	int kvm, vm = -1, vcpu = -1, size;
	struct kvm_run *run = MAP_FAILED;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0, .rflags = 2 };
	uint8_t *mem;
	bool ok = false;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (kvm < 0 || mem == MAP_FAILED)
		goto out;
	mem[0] = 0xf4;	/* hlt */
	region.userspace_addr = (uintptr_t)mem;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		goto out;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size <= 0)
		goto out;
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs))
		goto out;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		goto out;
	ok = !ioctl(vcpu, KVM_RUN, 0) && run->exit_reason == KVM_EXIT_HLT;
	if (!ok)
		ksft_print_msg("KVM_RUN: %s, exit reason %u", strerror(errno), run->exit_reason);
out:
	if (run != MAP_FAILED)
		munmap(run, size);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	if (mem != MAP_FAILED)
		munmap(mem, 0x1000);
	if (kvm >= 0)
		close(kvm);
	return ok;
}

/*
 * What a user meets first: vmctl's message for that EBUSY names the cause
 * and the remedy. The lab puts vmctl and a kernel for it in /peer.
 */
static void vmctl_names_remedy(const char *remedy)
{
	char out[4096] = "", line[1024];
	FILE *p;
	int rc;

	if (access(VMCTL, X_OK) || access(VMCTL_KERNEL, R_OK)) {
		ksft_test_result_skip("no " VMCTL " or " VMCTL_KERNEL " in this initramfs");
		return;
	}
	p = popen(VMCTL " run --kernel " VMCTL_KERNEL " 2>&1 </dev/null", "r");
	while (p && fgets(line, sizeof(line), p))
		if (strlen(out) + strlen(line) < sizeof(out))
			strcat(out, line);
	rc = p ? pclose(p) : -1;
	ksft_print_msg("vmctl said: %s", out);
	ksft_test_result(rc != 0 && strstr(out, "enable_virt_at_load=0") && strstr(out, remedy),
			 "vmctl fails naming kvm.enable_virt_at_load and the remedy (%s)", remedy);
}

int main(void)
{
	int kvm, kvm_vm, hvm_vm, kmsg, err;
	bool loaded;
	char at_load;

	ksft_print_header();
	open_hvm_or_skip();
	if (!read_peer_list()) {
		ksft_print_msg("no kvm modules in /peer: nothing to coexist with");
		ksft_exit_skip("kvm modules not in this initramfs");
	}
	ksft_set_plan(13);

	/* kvm with its defaults: on 6.12+ it holds the hardware from load on. */
	loaded = load_peers(&err);
	ksft_test_result(loaded, "kvm loads while hvm has no VM (%s)",
			 strerror(err));
	at_load = kvm_at_load();
	ksft_print_msg("kvm.enable_virt_at_load: %s",
		       at_load == 'Y' ? "Y" : at_load == 'N' ? "N" : "(no such parameter)");
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	err = hvm_create_errno();
	ksft_test_result(at_load == 'Y' ? err == EBUSY : err == 0,
			 "with kvm loaded and no kvm VM, HVM_CREATE_VM %s (%s)",
			 at_load == 'Y' ? "fails with EBUSY (enable_virt_at_load=Y)" :
			 "works (kvm idle does not hold the hardware)", strerror(err));
	if (at_load == 'Y') {
		char remedy[64];

		snprintf(remedy, sizeof(remedy), "modprobe -r %s", peer_name[npeer - 1]);
		ksft_test_result(kmsg >= 0 &&
				 kmsg_count2(kmsg, "enable_virt_at_load=0", remedy) == 1,
				 "one kernel log line names kvm.enable_virt_at_load and the remedy (%s)",
				 remedy);
		vmctl_names_remedy(remedy);
	} else {
		ksft_test_result_skip("no EBUSY with an idle kvm here: no log line to check");
		ksft_test_result_skip("no EBUSY with an idle kvm here: no vmctl message to check");
	}

	/* kvm first, with a VM: it holds the hardware while its VM exists. */
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	kvm_vm = kvm >= 0 ? ioctl(kvm, KVM_CREATE_VM, 0) : -1;
	if (kvm_vm < 0)
		ksft_print_msg("KVM_CREATE_VM: %s", strerror(errno));
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	hvm_vm = ioctl(hvm_sys_fd(), HVM_CREATE_VM, 0);
	err = errno;
	ksft_test_result(kvm_vm >= 0 && hvm_vm == -1 && err == EBUSY,
			 "with a kvm VM alive, HVM_CREATE_VM fails with EBUSY (got %d, %s)",
			 hvm_vm, strerror(err));
	ksft_test_result(kmsg >= 0 && kmsg_count(kmsg, "hvm: cannot create a VM") == 1,
			 "one kernel log line says why");
	if (hvm_vm >= 0)
		close(hvm_vm);
	if (kvm_vm >= 0)
		close(kvm_vm);
	if (kvm >= 0)
		close(kvm);
	unload_peers();

	err = hvm_create_errno();
	ksft_test_result(!err, "once kvm is gone, HVM_CREATE_VM works (%s)", strerror(err));

	/*
	 * kvm with enable_virt_at_load=0 (a kvm without the parameter, before
	 * 6.12, gets none): VMs of both, one after the other.
	 */
	loaded = load_peers_with(&err, at_load ? "enable_virt_at_load=0" : "");
	at_load = kvm_at_load();
	ksft_test_result(loaded && at_load != 'Y',
			 "kvm loads with enable_virt_at_load=0 (%s, parameter %s)", strerror(err),
			 at_load == 'N' ? "N" : at_load ? "Y" : "absent before 6.12");
	ksft_test_result(loaded && hvm_vm_runs(),
			 "with kvm loaded and idle, an hvm VM runs its guest");
	ksft_test_result(loaded && kvm_vm_runs(), "then a kvm VM runs its guest");
	ksft_test_result(loaded && hvm_vm_runs(), "then an hvm VM runs its guest again");
	unload_peers();

	/* hvm first: kvm cannot take the hardware from a live hvm VM. */
	hvm_vm = ioctl(hvm_sys_fd(), HVM_CREATE_VM, 0);
	loaded = load_peers(&err);
	kvm_vm = -1;
	if (loaded) {
		kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		kvm_vm = kvm >= 0 ? ioctl(kvm, KVM_CREATE_VM, 0) : -1;
		if (kvm_vm >= 0)
			close(kvm_vm);
		if (kvm >= 0)
			close(kvm);
	}
	ksft_test_result(hvm_vm >= 0 && kvm_vm < 0,
			 "with an hvm VM alive, kvm cannot enable the hardware (%s)",
			 loaded ? "KVM_CREATE_VM failed" : "its module refused to load");
	unload_peers();
	if (hvm_vm >= 0)
		close(hvm_vm);

	err = hvm_create_errno();
	ksft_test_result(!err, "hvm works again afterwards (%s)", strerror(err));
	if (kmsg >= 0)
		close(kmsg);
	ksft_finished();
}
