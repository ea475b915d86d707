/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl's devices, one file each in devices/: each creates its state and
 * registers its ranges on a bus (io.h) with offset-based handlers, raises
 * interrupt lines through irq.h, and may register an exit hook (log.h).
 * Below: what the vCPU loop asks of the ones it drives.
 */
#ifndef VMCTL_DEVICES_H
#define VMCTL_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct pic;
struct pit;
struct serial;

/* pic.c: the 8259A pair, attached to ISA lines 0-15. */
struct pic *pic_create(struct vm *vm);
bool pic_pending(struct pic *pic);		/* INTR is asserted */
uint8_t pic_ack(struct pic *pic);		/* INTA: the vector */

/* pit.c: the 8254 and port 0x61. */
struct pit *pit_create(struct vm *vm);
void pit_update(struct pit *pit, uint64_t now);	/* raises IRQ0 when due */
uint64_t pit_deadline(struct pit *pit);		/* next IRQ0, 0 if none */

/* serial.c: a 16550A; its output goes to vm->console_fd. */
struct serial *serial_create(struct vm *vm, uint16_t base, unsigned int irq);
/* Bytes from the console: at most serial_rx_room(), what the FIFO takes. */
void serial_receive(struct serial *s, const uint8_t *buf, size_t len);
size_t serial_rx_room(struct serial *s);
void serial_flush(struct serial *s);

void i8042_create(struct vm *vm);	/* i8042.c */
void debug_exit_create(struct vm *vm);	/* debug_exit.c */
void cmos_create(struct vm *vm);	/* cmos.c */
void post_port_create(struct vm *vm);	/* post.c */

#endif
