// SPDX-License-Identifier: GPL-2.0
/*
 * The 8042 keyboard controller (ports 0x60 and 0x64), enough for Linux's
 * i8042 driver to find a controller with a keyboard and an AUX port with
 * nothing plugged in, without waiting for time-outs: controller commands
 * (command byte, self tests, port enable/disable, output port, AUX
 * loopback), a PS/2 keyboard that acknowledges its commands (reset,
 * identify, LEDs, typematic rate, scan code set) but never types (input
 * comes through the UART), IRQ 1 and IRQ 12. Pulsing the reset line
 * (command 0xFE, or the output port's bit 0 cleared) ends the VM with
 * exit status 0: it is how Linux reboots a PC without ACPI.
 */
#include <stdlib.h>

#include "devices.h"
#include "io.h"
#include "irq.h"
#include "vm.h"

#define I8042_DATA	0x60
#define I8042_CMD	0x64

/* Status register */
#define STR_OBF		0x01
#define STR_SYS		0x04
#define STR_CMDDAT	0x08
#define STR_KEYLOCK	0x10	/* 1: keyboard not inhibited */
#define STR_AUXDATA	0x20

/* Command byte */
#define CTR_KBDINT	0x01
#define CTR_AUXINT	0x02
#define CTR_SYS		0x04
#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20
#define CTR_XLATE	0x40

/* Controller commands */
#define CMD_READ_CTR	0x20
#define CMD_WRITE_CTR	0x60
#define CMD_AUX_DISABLE	0xa7
#define CMD_AUX_ENABLE	0xa8
#define CMD_AUX_TEST	0xa9
#define CMD_SELF_TEST	0xaa
#define CMD_KBD_TEST	0xab
#define CMD_KBD_DISABLE	0xad
#define CMD_KBD_ENABLE	0xae
#define CMD_READ_INPUT	0xc0
#define CMD_READ_OUTPUT	0xd0
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_WRITE_KBD_OBUF 0xd2
#define CMD_WRITE_AUX_OBUF 0xd3
#define CMD_WRITE_AUX	0xd4

/* PS/2 keyboard */
#define KBD_ACK		0xfa
#define KBD_BAT_OK	0xaa
#define KBD_NAK		0xfe

#define QUEUE_SIZE	16

struct i8042 {
	struct vm *vm;
	uint8_t ctr;
	uint8_t pending_cmd;		/* controller command awaiting its byte */
	uint8_t kbd_pending;		/* keyboard command awaiting its byte */
	bool last_was_cmd;
	struct { uint8_t byte; bool aux; } q[QUEUE_SIZE];
	unsigned int q_head, q_count;
	uint8_t last_read;
};

static void update_irqs(struct i8042 *k)
{
	bool aux = k->q_count && k->q[k->q_head].aux;

	irq_line(k->vm, 1, k->q_count && !aux && (k->ctr & CTR_KBDINT));
	irq_line(k->vm, 12, k->q_count && aux && (k->ctr & CTR_AUXINT));
}

static void queue(struct i8042 *k, uint8_t byte, bool aux)
{
	if (k->q_count == QUEUE_SIZE)
		return;
	k->q[(k->q_head + k->q_count) % QUEUE_SIZE].byte = byte;
	k->q[(k->q_head + k->q_count) % QUEUE_SIZE].aux = aux;
	k->q_count++;
	update_irqs(k);
}

static void reset_machine(struct i8042 *k)
{
	vm_stop(k->vm, 0, "the guest reset the machine (keyboard controller)");
}

static void controller_command(struct i8042 *k, uint8_t cmd)
{
	k->pending_cmd = 0;
	if (cmd >= 0x20 && cmd < 0x40) {	/* read controller RAM */
		queue(k, cmd == CMD_READ_CTR ? k->ctr : 0, false);
		return;
	}
	if (cmd >= 0xf0) {			/* pulse output lines */
		if (!(cmd & 1))
			reset_machine(k);
		return;
	}
	switch (cmd) {
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPUT:
	case CMD_WRITE_KBD_OBUF:
	case CMD_WRITE_AUX_OBUF:
	case CMD_WRITE_AUX:
		k->pending_cmd = cmd;
		break;
	case CMD_AUX_DISABLE:
		k->ctr |= CTR_AUXDIS;
		break;
	case CMD_AUX_ENABLE:
		k->ctr &= ~CTR_AUXDIS;
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		queue(k, 0x00, false);		/* no error */
		break;
	case CMD_SELF_TEST:
		k->ctr |= CTR_SYS;
		queue(k, 0x55, false);
		break;
	case CMD_KBD_DISABLE:
		k->ctr |= CTR_KBDDIS;
		break;
	case CMD_KBD_ENABLE:
		k->ctr &= ~CTR_KBDDIS;
		break;
	case CMD_READ_INPUT:
		queue(k, 0x80, false);		/* keyboard not inhibited */
		break;
	case CMD_READ_OUTPUT:
		queue(k, 0x03, false);		/* reset line high, A20 on */
		break;
	default:
		break;
	}
}

static void keyboard_command(struct i8042 *k, uint8_t cmd)
{
	if (k->kbd_pending) {			/* the argument of ED, F0, F3 */
		uint8_t pending = k->kbd_pending;

		k->kbd_pending = 0;
		queue(k, KBD_ACK, false);
		if (pending == 0xf0 && cmd == 0)
			queue(k, 2, false);	/* scan code set 2 */
		return;
	}
	switch (cmd) {
	case 0xed:				/* set LEDs */
	case 0xf0:				/* scan code set */
	case 0xf3:				/* typematic rate */
		k->kbd_pending = cmd;
		queue(k, KBD_ACK, false);
		break;
	case 0xee:				/* echo */
		queue(k, 0xee, false);
		break;
	case 0xf2:				/* identify: an MF2 keyboard */
		queue(k, KBD_ACK, false);
		queue(k, 0xab, false);
		queue(k, k->ctr & CTR_XLATE ? 0x41 : 0x83, false);
		break;
	case 0xff:				/* reset and self test */
		queue(k, KBD_ACK, false);
		queue(k, KBD_BAT_OK, false);
		break;
	default:				/* enable, disable, defaults... */
		queue(k, KBD_ACK, false);
		break;
	}
}

static void write_data(struct i8042 *k, uint8_t val)
{
	uint8_t cmd = k->pending_cmd;

	k->pending_cmd = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->ctr = val;
		update_irqs(k);
		break;
	case CMD_WRITE_OUTPUT:
		if (!(val & 1))
			reset_machine(k);
		break;
	case CMD_WRITE_KBD_OBUF:
		queue(k, val, false);
		break;
	case CMD_WRITE_AUX_OBUF:
		queue(k, val, true);
		break;
	case CMD_WRITE_AUX:
		queue(k, KBD_NAK, true);	/* no mouse plugged in */
		break;
	default:
		keyboard_command(k, val);
		break;
	}
}

static uint8_t read_data(struct i8042 *k)
{
	if (!k->q_count)
		return k->last_read;
	k->last_read = k->q[k->q_head].byte;
	k->q_head = (k->q_head + 1) % QUEUE_SIZE;
	k->q_count--;
	/* Each byte is its own edge. */
	irq_line(k->vm, 1, 0);
	irq_line(k->vm, 12, 0);
	update_irqs(k);
	return k->last_read;
}

static uint8_t read_status(const struct i8042 *k)
{
	uint8_t s = STR_KEYLOCK;

	if (k->q_count)
		s |= STR_OBF | (k->q[k->q_head].aux ? STR_AUXDATA : 0);
	if (k->ctr & CTR_SYS)
		s |= STR_SYS;
	if (k->last_was_cmd)
		s |= STR_CMDDAT;
	return s;
}

/* Two one-port ranges: the data port and the status/command port. */
static uint64_t data_read(void *opaque, uint64_t offset, unsigned int size)
{
	(void)offset, (void)size;
	return read_data(opaque);
}

static void data_write(void *opaque, uint64_t offset, unsigned int size,
		       uint64_t val)
{
	struct i8042 *k = opaque;

	(void)offset, (void)size;
	k->last_was_cmd = false;
	write_data(k, (uint8_t)val);
}

static uint64_t status_read(void *opaque, uint64_t offset, unsigned int size)
{
	(void)offset, (void)size;
	return read_status(opaque);
}

static void command_write(void *opaque, uint64_t offset, unsigned int size,
			  uint64_t val)
{
	struct i8042 *k = opaque;

	(void)offset, (void)size;
	k->last_was_cmd = true;
	controller_command(k, (uint8_t)val);
}

static const struct bus_ops data_ops = { .read = data_read, .write = data_write };
static const struct bus_ops command_ops = {
	.read = status_read, .write = command_write,
};

void i8042_create(struct vm *vm)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		die("out of memory");
	k->vm = vm;
	k->ctr = CTR_KBDINT | CTR_SYS | CTR_XLATE;
	pio_register(vm, I8042_DATA, 1, "i8042", &data_ops, k);
	pio_register(vm, I8042_CMD, 1, "i8042", &command_ops, k);
}
