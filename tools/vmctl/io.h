/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl: the machine's two buses (bus.h), port I/O (vm->pio) and MMIO
 * (vm->mmio). Devices register a range with offset-based handlers; the
 * exit dispatcher hands each access to the device that claims its first
 * address. Addresses no device claims behave as on a PC: reads return all
 * ones, writes are dropped (--debug logs the first few per port or page).
 */
#ifndef VMCTL_IO_H
#define VMCTL_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

struct vm;

/* Claim a range; an overlap with a range already claimed ends vmctl with a message. */
void pio_register(struct vm *vm, uint16_t base, uint16_t len, const char *name,
		  const struct bus_ops *ops, void *opaque);
void mmio_register(struct vm *vm, uint64_t base, uint64_t len, const char *name,
		   const struct bus_ops *ops, void *opaque);

/* An exit's access: count string elements of size bytes at data. */
void pio_access(struct vm *vm, uint16_t port, uint8_t size, bool out,
		uint8_t *data, uint32_t count);
void mmio_access(struct vm *vm, uint64_t addr, uint32_t len, bool write,
		 uint8_t *data);
/* --debug: the busiest ports, at exit. */
void pio_report(struct vm *vm);

#endif
