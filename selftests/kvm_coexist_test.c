// SPDX-License-Identifier: GPL-2.0
/*
 * hvm and the stock kvm modules share the machine: whichever holds the
 * virtualization hardware first keeps it, the other gets EBUSY, and hvm
 * says why in one kernel log line. The lab puts kvm's modules, in load
 * order, in /peer (listed in /peer/modules); without them this test skips.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/syscall.h>

#include "hvm_util.h"

#define PEER_LIST	"/peer/modules"
#define MAX_PEER	8

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

/* Loads the peer modules in order; false at the first that fails. */
static bool load_peers(int *err)
{
	int i;

	for (i = 0; i < npeer; i++) {
		int fd = open(peer_path[i], O_RDONLY | O_CLOEXEC);
		long r;

		if (fd < 0) {
			*err = errno;
			return false;
		}
		r = syscall(SYS_finit_module, fd, "", 0);
		*err = errno;
		close(fd);
		if (r && *err != EEXIST)
			return false;
	}
	*err = 0;
	return true;
}

/* Unloads what load_peers() loaded, in reverse order. */
static void unload_peers(void)
{
	int i;

	for (i = npeer - 1; i >= 0; i--)
		syscall(SYS_delete_module, peer_name[i], O_NONBLOCK);
}

/* Counts kernel log lines since kmsg_begin() that contain needle. */
static int kmsg_count(int fd, const char *needle)
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
		if (strstr(rec, needle))
			n++;
	}
	return n;
}

int main(void)
{
	int kvm, kvm_vm, hvm_vm, kmsg, err;
	bool loaded;

	ksft_print_header();
	open_hvm_or_skip();
	if (!read_peer_list()) {
		ksft_print_msg("no kvm modules in /peer: nothing to coexist with");
		ksft_exit_skip("kvm modules not in this initramfs");
	}
	ksft_set_plan(6);

	/* kvm first: it holds the hardware while its VM exists. */
	loaded = load_peers(&err);
	ksft_test_result(loaded, "kvm loads while hvm has no VM (%s)",
			 strerror(err));
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	kvm_vm = kvm >= 0 ? ioctl(kvm, KVM_CREATE_VM, 0) : -1;
	if (kvm_vm < 0)
		ksft_print_msg("KVM_CREATE_VM: %s", strerror(errno));

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
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

	hvm_vm = ioctl(hvm_sys_fd(), HVM_CREATE_VM, 0);
	ksft_test_result(hvm_vm >= 0, "once kvm is gone, HVM_CREATE_VM works (%s)",
			 hvm_vm >= 0 ? "ok" : strerror(errno));

	/* hvm first: kvm cannot take the hardware from a live hvm VM. */
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

	hvm_vm = ioctl(hvm_sys_fd(), HVM_CREATE_VM, 0);
	ksft_test_result(hvm_vm >= 0, "hvm works again afterwards");
	if (hvm_vm >= 0)
		close(hvm_vm);
	ksft_finished();
}
