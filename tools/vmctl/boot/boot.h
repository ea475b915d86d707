/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl's boot loaders (boot/): load the kernel and its data into guest
 * memory, write the firmware tables an OS looks for (the MP table; the
 * e820 map goes in each boot protocol's own format), and say in which
 * state vCPU 0 starts. They fail with a message (die) on a kernel they
 * cannot boot or too little memory.
 */
#ifndef VMCTL_BOOT_H
#define VMCTL_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/accel.h"

struct vm;

struct boot_state {
	struct x86_regs regs;
	struct x86_sregs sregs;
};

/* The kernel file, read and recognised before the VM exists. */
struct boot_image {
	uint8_t *data;
	size_t size;
	bool is_linux;		/* else multiboot */
};

/* boot.c: the whole file at path into memory (malloc'ed); 0, or -1 with a message. */
int read_file(const char *path, uint8_t **data, size_t *size);
/* Reads opt.kernel and says which loader boots it; dies if none does. */
void boot_open(struct vm *vm, struct boot_image *img);
/* Loads it (the VM created: loaders want vm->lapic), then frees the image. */
void boot_load(struct vm *vm, struct boot_image *img, struct boot_state *st);
/* vCPU 0's starting state; the MP table with in-kernel local APICs. */
void boot_set_state(struct vm *vm, const struct boot_state *st);

/* linux.c, multiboot.c */
bool linux_detect(const uint8_t *image, size_t size);
int boot_linux(struct vm *vm, const uint8_t *image, size_t size,
	       struct boot_state *st);
bool multiboot_detect(const uint8_t *image, size_t size);
int boot_multiboot(struct vm *vm, const uint8_t *image, size_t size,
		   struct boot_state *st);

/* mptable.c: the MP table that tells the guest its CPUs and APICs. */
void mptable_setup(struct vm *vm);

#endif
