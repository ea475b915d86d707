/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl's ground floor: the machine (struct vm), creating it on the
 * accelerator with its vCPUs, and its guest-physical memory map. The
 * layers above (buses, devices, boot loaders, the vCPU loops) build on
 * this; nothing here calls up into them.
 */
#ifndef VMCTL_VM_H
#define VMCTL_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

#include "bus.h"
#include "irq.h"
#include "log.h"
#include "vmm/accel.h"

#define KiB	(1024ull)
#define MiB	(1024ull * KiB)
#define GiB	(1024ull * MiB)

/* The PC memory map vmctl gives every guest (also its e820 map). */
#define LOW_RAM_END	0x9f000ull	/* RAM below, reserved up to 1 MiB */
#define HIGH_RAM_START	0x100000ull
#define MAX_LOW_MEM	(3 * GiB)	/* above: a hole up to 4 GiB */
#define HIGH_MEM_START	(4 * GiB)

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;			/* E820_RAM, E820_RESERVED */
};
#define E820_RAM	1
#define E820_RESERVED	2
#define E820_MAX	8

struct vm_options {
	const char *kernel, *initrd, *cmdline, *console;
	const struct accel_ops *accel;	/* --accel: hvm (default) or kvm */
	const char *mark;		/* --mark: console text to time */
	uint64_t mem;
	unsigned int cpus;
	bool debug;
};

struct pic;
struct pit;
struct serial;

#define MAX_VCPUS	16

struct vm {
	struct vm_options opt;
	struct accel accel;		/* the device */
	struct accel_vm accel_vm;	/* this VM in it, with its memory slots */
	struct accel_vcpu *vcpu;	/* vCPU 0, run by the main thread */
	struct accel_vcpu *vcpus[MAX_VCPUS];
	unsigned int nr_vcpus;
	bool lapic;			/* in-kernel local APICs */
	/* The devices, the buses' use and stop: every vCPU thread takes it around an exit. */
	pthread_mutex_t lock;
	pthread_t main_thread, ap_threads[MAX_VCPUS];

	uint8_t *ram;			/* guest-physical 0 .. ram_size, less the hole */
	uint64_t ram_size;		/* bytes of RAM */
	uint64_t low_size;		/* RAM mapped from 0 */
	struct e820_entry e820[E820_MAX];
	unsigned int e820_n;

	struct bus pio, mmio;		/* io.c: port I/O and MMIO */
	struct irq_controller irq_controllers[IRQ_MAX_CONTROLLERS];
	unsigned int nr_irq_controllers;

	/* The board's devices the vCPU loop drives (devices/). */
	struct pic *pic;
	struct pit *pit;
	struct serial *com1;

	int console_fd;
	bool console_input_wanted;	/* the UART's FIFO ran empty */
	uint64_t start_ns, first_output_ns;
	uint64_t mark_ns;		/* when --mark's text came, or 0 */
	size_t mark_matched;		/* its bytes matched so far */

	/* Set by a device when the guest asks to end: the exit status. */
	bool stop;
	int exit_status;
	const char *stop_reason;
};

/*
 * vm.c: opens the accelerator, creates the VM with vm's memory (and the
 * in-kernel local APICs where there are), and opt.cpus vCPUs with their
 * CPUID. Dies with a message saying what to do on failure.
 */
void vm_create(struct vm *vm);
void vm_destroy(struct vm *vm);
/* The guest asks to end (the first reason counts); callers hold vm->lock. */
void vm_stop(struct vm *vm, int status, const char *reason);

/* memory.c: RAM for opt.mem (mapped, not yet given to the VM) and its e820 map. */
void vm_setup_memory(struct vm *vm);
/*
 * Host pointer to guest-physical [gpa, gpa + len), or NULL unless all of
 * it is RAM in one piece (a range that wraps past 2^64 is none).
 */
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
/* Is [gpa, gpa + len) inside one RAM range of the e820 map? */
bool mem_is_ram(const struct vm *vm, uint64_t gpa, uint64_t len);
/* The lowest page at or above from where len bytes are RAM, or 0. */
uint64_t mem_find_ram(const struct vm *vm, uint64_t from, uint64_t len);

#endif
