/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl: what the parts of the VMM share. The machine (struct vm), the port
 * I/O bus the devices register on, the interrupt lines into the PIC, the
 * boot loaders and the devices' entry points. Layout as in kvmtool: one
 * file per device, boot loaders apart, one event loop (main.c).
 */
#ifndef VMCTL_H
#define VMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/accel.h"

#define KiB	(1024ull)
#define MiB	(1024ull * KiB)
#define GiB	(1024ull * MiB)

/* The PC memory map vmctl gives every guest (also its e820 map). */
#define LOW_RAM_END	0x9f000ull	/* RAM below, reserved up to 1 MiB */
#define HIGH_RAM_START	0x100000ull
#define MAX_LOW_MEM	(3 * GiB)	/* above: a hole up to 4 GiB */
#define HIGH_MEM_START	(4 * GiB)

/* vmctl's exit status when vmctl itself fails (guests choose their own). */
#define EXIT_VMCTL_ERROR	1
#define EXIT_USAGE		2

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
	/* The devices, and stop: every vCPU thread takes it around an exit. */
	pthread_mutex_t lock;
	pthread_t main_thread, ap_threads[MAX_VCPUS];

	uint8_t *ram;			/* guest-physical 0 .. ram_size, less the hole */
	uint64_t ram_size;		/* bytes of RAM */
	uint64_t low_size;		/* RAM mapped from 0 */
	struct e820_entry e820[E820_MAX];
	unsigned int e820_n;

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

/* util */
uint64_t now_ns(void);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void debug(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Host pointer to guest-physical [gpa, gpa + len), or NULL if not all RAM. */
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
int read_file(const char *path, uint8_t **data, size_t *size);
void vm_stop(struct vm *vm, int status, const char *reason);

/* ioport.c: the port I/O bus; ports no device claims read as all ones. */
struct io_device {
	const char *name;
	uint16_t base, len;
	void *opaque;
	uint32_t (*in)(void *opaque, uint16_t port, uint8_t size);
	void (*out)(void *opaque, uint16_t port, uint8_t size, uint32_t val);
};
void ioport_register(struct io_device *dev);
void ioport_access(struct vm *vm, uint16_t port, uint8_t size, bool out,
		   uint8_t *data, uint32_t count);
void ioport_report(struct vm *vm);
void mmio_access(struct vm *vm, uint64_t addr, uint32_t len, bool write,
		 uint8_t *data);

/* Interrupt lines: edge-triggered ISA IRQs into the PIC pair. */
void irq_line(struct vm *vm, unsigned int irq, int level);
void irq_pulse(struct vm *vm, unsigned int irq);

/* cpuid.c */
int cpuid_setup(struct vm *vm, struct accel_vcpu *vcpu, unsigned int id);

/* mptable.c: the MP table that tells Linux its CPUs and APICs */
void mptable_setup(struct vm *vm);
uint64_t host_tsc_khz(void);

/*
 * boot_linux.c, boot_multiboot.c: load the kernel and its data into guest
 * memory and say in which state the vCPU starts. They fail with a message
 * (die) on a kernel they cannot boot or too little memory.
 */
struct boot_state {
	struct x86_regs regs;
	struct x86_sregs sregs;
};
bool multiboot_detect(const uint8_t *image, size_t size);
int boot_multiboot(struct vm *vm, const uint8_t *image, size_t size,
		   struct boot_state *st);
bool linux_detect(const uint8_t *image, size_t size);
int boot_linux(struct vm *vm, const uint8_t *image, size_t size,
	       struct boot_state *st);

/* Devices. */
struct pic *pic_create(struct vm *vm);
bool pic_pending(struct pic *pic);		/* INTR is asserted */
uint8_t pic_ack(struct pic *pic);		/* INTA: the vector */
void pic_set_irq(struct pic *pic, unsigned int irq, int level);

struct pit *pit_create(struct vm *vm);
void pit_update(struct pit *pit, uint64_t now);	/* raises IRQ0 when due */
uint64_t pit_deadline(struct pit *pit);		/* next IRQ0, 0 if none */

struct serial *serial_create(struct vm *vm, uint16_t base, unsigned int irq);
/* Bytes from the console: at most serial_rx_room(), what the FIFO takes. */
void serial_receive(struct serial *s, const uint8_t *buf, size_t len);
size_t serial_rx_room(struct serial *s);
void serial_flush(struct serial *s);

void i8042_create(struct vm *vm);
void debug_exit_create(struct vm *vm);
void cmos_create(struct vm *vm);
void post_port_create(struct vm *vm);

#endif
