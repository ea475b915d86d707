// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-physical memory map: RAM from 0 up to 3 GiB (the legacy video
 * and BIOS areas below 1 MiB are backed too, but reserved in e820), the
 * hole below 4 GiB, and the rest of RAM from 4 GiB. One host mapping holds
 * it all; vm.c gives it to the accelerator as two slots.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "vm.h"

static void add_e820(struct vm *vm, uint64_t addr, uint64_t size, uint32_t type)
{
	vm->e820[vm->e820_n++] = (struct e820_entry){ addr, size, type };
}

void vm_setup_memory(struct vm *vm)
{
	uint64_t high;

	vm->ram_size = vm->opt.mem & ~0xfffull;
	vm->low_size = vm->ram_size < MAX_LOW_MEM ? vm->ram_size : MAX_LOW_MEM;
	high = vm->ram_size - vm->low_size;
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED)
		die("cannot allocate %llu MiB of guest memory: %s",
		    (unsigned long long)vm->ram_size / MiB, strerror(errno));
	/* Legacy video RAM and BIOS areas are RAM too, reserved in e820. */
	add_e820(vm, 0, LOW_RAM_END, E820_RAM);
	add_e820(vm, LOW_RAM_END, HIGH_RAM_START - LOW_RAM_END, E820_RESERVED);
	add_e820(vm, HIGH_RAM_START, vm->low_size - HIGH_RAM_START, E820_RAM);
	if (high)
		add_e820(vm, HIGH_MEM_START, high, E820_RAM);
}

/* Is [gpa, gpa + len) inside [base, base + size)? No sum can overflow. */
static bool inside(uint64_t gpa, uint64_t len, uint64_t base, uint64_t size)
{
	return gpa >= base && gpa - base <= size && len <= size - (gpa - base);
}

void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t high = vm->ram_size - vm->low_size;

	if (gpa + len < gpa)
		return NULL;
	if (inside(gpa, len, 0, vm->low_size))
		return vm->ram + gpa;
	if (high && inside(gpa, len, HIGH_MEM_START, high))
		return vm->ram + vm->low_size + (gpa - HIGH_MEM_START);
	return NULL;
}

bool mem_is_ram(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < vm->e820_n; i++) {
		const struct e820_entry *e = &vm->e820[i];

		if (e->type == E820_RAM && inside(gpa, len, e->addr, e->size))
			return true;
	}
	return false;
}

uint64_t mem_find_ram(const struct vm *vm, uint64_t from, uint64_t len)
{
	uint64_t at = (from + 0xfff) & ~0xfffull, best = 0;
	unsigned int i;

	if (at < from)
		return 0;
	for (i = 0; i < vm->e820_n; i++) {
		const struct e820_entry *e = &vm->e820[i];
		uint64_t start = at > e->addr ? at : e->addr;

		start = (start + 0xfff) & ~0xfffull;
		if (e->type == E820_RAM && mem_is_ram(vm, start, len) &&
		    (!best || start < best))
			best = start;
	}
	return best;
}
