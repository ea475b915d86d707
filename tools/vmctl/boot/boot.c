// SPDX-License-Identifier: GPL-2.0
/*
 * Which loader boots the kernel file, and vCPU 0's state once it is
 * loaded. A bzImage's setup code is no multiboot kernel: it is checked
 * first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "vm.h"

int read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		warn("cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		warn("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		die("out of memory reading %s", path);
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			warn("cannot read %s: %s", path,
			     n ? strerror(errno) : "file shrank");
			free(buf);
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = done;
	return 0;
}

void boot_open(struct vm *vm, struct boot_image *img)
{
	if (read_file(vm->opt.kernel, &img->data, &img->size))
		exit(EXIT_VMCTL_ERROR);
	img->is_linux = linux_detect(img->data, img->size);
	if (!img->is_linux && !multiboot_detect(img->data, img->size))
		die("%s: not a kernel vmctl can boot (neither a Linux bzImage nor a multiboot kernel)",
		    vm->opt.kernel);
}

void boot_load(struct vm *vm, struct boot_image *img, struct boot_state *st)
{
	if (img->is_linux)
		boot_linux(vm, img->data, img->size, st);
	else
		boot_multiboot(vm, img->data, img->size, st);
	free(img->data);
	img->data = NULL;
}

/* vCPU 0 starts where the boot loader says; the others wait for its SIPI. */
void boot_set_state(struct vm *vm, const struct boot_state *st)
{
	struct x86_sregs sregs = st->sregs;
	int r;

	/* The local APIC as at reset: enabled, at 0xfee00000, the BSP's. */
	sregs.apic_base = 0xfee00000 | (1u << 11) | (1u << 8);
	r = accel_vcpu_set_sregs(vm->vcpu, &sregs);
	if (!r)
		r = accel_vcpu_set_regs(vm->vcpu, &st->regs);
	if (r)
		die("cannot set the vCPU's boot state: %s", strerror(-r));
	if (vm->lapic)
		mptable_setup(vm);
}
