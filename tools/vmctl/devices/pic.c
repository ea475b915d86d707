// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259A programmable interrupt controller pair of the PC: master at
 * ports 0x20-0x21 (IRQ 0-7), slave at 0xa0-0xa1 (IRQ 8-15) cascaded on the
 * master's IRQ 2. Edge-triggered inputs, initialization words ICW1-ICW4,
 * OCW1-OCW3 (masks, specific and non-specific EOI, priority rotation, IRR
 * and ISR reads, poll mode), auto-EOI and special fully nested mode, as the
 * Intel 8259A data sheet describes them. The run loop asks pic_pending()
 * and, when the vCPU can take an interrupt, pic_ack() for the vector (the
 * INTA cycle).
 */
#include <stdlib.h>

#include "devices.h"
#include "io.h"
#include "irq.h"
#include "vm.h"

struct pic_chip {
	struct pic *pic;
	bool master;
	uint8_t irr, imr, isr;
	uint8_t last_level;		/* input lines, for edge detection */
	uint8_t priority_add;		/* lowest priority is IRQ priority_add - 1 */
	uint8_t irq_base;		/* ICW2 */
	uint8_t init_state;		/* 0: ready; 1-3: next is ICW2-ICW4 */
	bool init4, single_mode, auto_eoi, rotate_on_auto_eoi;
	bool special_fully_nested, special_mask;
	bool read_isr, poll;
};

struct pic {
	struct vm *vm;
	struct pic_chip chip[2];	/* master, slave */
};

/* 0 (highest) to 7, relative to the rotation; 8 if mask is empty. */
static int priority_of(const struct pic_chip *c, uint8_t mask)
{
	int p = 0;

	if (!mask)
		return 8;
	while (!(mask & (1 << ((p + c->priority_add) & 7))))
		p++;
	return p;
}

/* The IRQ this chip would signal now, or -1. */
static int chip_get_irq(const struct pic_chip *c)
{
	uint8_t in_service = c->isr;
	int p = priority_of(c, c->irr & ~c->imr);

	if (p == 8)
		return -1;
	if (c->special_mask)
		in_service &= ~c->imr;
	/* Special fully nested: the slave may interrupt its own IRQ 2. */
	if (c->special_fully_nested && c->master)
		in_service &= ~(1 << 2);
	if (p < priority_of(c, in_service))
		return (p + c->priority_add) & 7;
	return -1;
}

static void chip_set_irq(struct pic_chip *c, unsigned int irq, int level)
{
	uint8_t mask = 1 << irq;

	if (level) {
		if (!(c->last_level & mask))
			c->irr |= mask;
		c->last_level |= mask;
	} else {
		c->last_level &= ~mask;
	}
}

/* The slave's INT output drives the master's IRQ 2. */
static void update_cascade(struct pic *pic)
{
	chip_set_irq(&pic->chip[0], 2, chip_get_irq(&pic->chip[1]) >= 0);
}

/* An ISA line changed (irq.h); lines 16 and up are not the PIC's. */
static void pic_set_irq(void *opaque, unsigned int irq, int level)
{
	struct pic *pic = opaque;

	if (irq >= 16)
		return;
	if (irq >= 8) {
		chip_set_irq(&pic->chip[1], irq - 8, level);
		update_cascade(pic);
	} else {
		chip_set_irq(&pic->chip[0], irq, level);
	}
}

static void chip_intack(struct pic_chip *c, int irq)
{
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (irq + 1) & 7;
	} else {
		c->isr |= 1 << irq;
	}
	c->irr &= ~(1 << irq);
}

bool pic_pending(struct pic *pic)
{
	return chip_get_irq(&pic->chip[0]) >= 0;
}

uint8_t pic_ack(struct pic *pic)
{
	struct pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int irq = chip_get_irq(m), irq2;
	uint8_t vector;

	if (irq < 0)	/* spurious: IRQ 7 without its ISR bit */
		return m->irq_base + 7;
	if (irq == 2) {
		irq2 = chip_get_irq(s);
		if (irq2 >= 0)
			chip_intack(s, irq2);
		else
			irq2 = 7;	/* spurious on the slave */
		vector = s->irq_base + irq2;
		update_cascade(pic);	/* may lower IRQ 2 before its ack */
	} else {
		vector = m->irq_base + irq;
	}
	chip_intack(m, irq);
	return vector;
}

/* ICW1 resets the chip: masks, requests, in-service bits, modes. */
static void chip_init(struct pic_chip *c, uint8_t icw1)
{
	struct pic *pic = c->pic;
	bool master = c->master;

	*c = (struct pic_chip){ .pic = pic, .master = master };
	c->init_state = 1;
	c->init4 = icw1 & 1;
	c->single_mode = icw1 & 2;
}

static void chip_eoi(struct pic_chip *c, uint8_t ocw2)
{
	unsigned int cmd = ocw2 >> 5;
	int p, irq;

	switch (cmd) {
	case 0:		/* clear rotate in auto-EOI mode */
	case 4:		/* set rotate in auto-EOI mode */
		c->rotate_on_auto_eoi = cmd == 4;
		break;
	case 1:		/* non-specific EOI */
	case 5:		/* rotate on non-specific EOI */
		p = priority_of(c, c->isr);
		if (p == 8)
			break;
		irq = (p + c->priority_add) & 7;
		c->isr &= ~(1 << irq);
		if (cmd == 5)
			c->priority_add = (irq + 1) & 7;
		break;
	case 3:		/* specific EOI */
		c->isr &= ~(1 << (ocw2 & 7));
		break;
	case 6:		/* set priority */
		c->priority_add = (ocw2 + 1) & 7;
		break;
	case 7:		/* rotate on specific EOI */
		irq = ocw2 & 7;
		c->isr &= ~(1 << irq);
		c->priority_add = (irq + 1) & 7;
		break;
	default:	/* 2: no operation */
		break;
	}
}

static void chip_write(struct pic_chip *c, unsigned int a0, uint8_t val)
{
	if (a0 == 0) {
		if (val & 0x10) {
			chip_init(c, val);
		} else if (val & 0x08) {	/* OCW3 */
			if (val & 0x04)
				c->poll = true;
			if (val & 0x02)
				c->read_isr = val & 1;
			if (val & 0x40)
				c->special_mask = (val >> 5) & 1;
		} else {			/* OCW2 */
			chip_eoi(c, val);
		}
		return;
	}
	switch (c->init_state) {
	case 0:				/* OCW1 */
		c->imr = val;
		break;
	case 1:				/* ICW2 */
		c->irq_base = val & 0xf8;
		c->init_state = c->single_mode ? (c->init4 ? 3 : 0) : 2;
		break;
	case 2:				/* ICW3: the cascade is fixed */
		c->init_state = c->init4 ? 3 : 0;
		break;
	case 3:				/* ICW4 */
		c->special_fully_nested = (val >> 4) & 1;
		c->auto_eoi = (val >> 1) & 1;
		c->init_state = 0;
		break;
	}
}

static uint8_t chip_read(struct pic *pic, struct pic_chip *c, unsigned int a0)
{
	int irq;

	if (c->poll) {			/* poll command: ack and say which */
		c->poll = false;
		irq = chip_get_irq(c);
		if (irq < 0)
			return 0;
		if (c->master && irq == 2) {
			/* The slave's IRQ; this reports only the cascade. */
			int irq2 = chip_get_irq(&pic->chip[1]);

			if (irq2 >= 0)
				chip_intack(&pic->chip[1], irq2);
			update_cascade(pic);
		}
		chip_intack(c, irq);
		if (!c->master)
			update_cascade(pic);
		return 0x80 | irq;
	}
	if (a0)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

/* Each chip has two ports: offset 0 is A0 = 0, offset 1 A0 = 1. */
static uint64_t pic_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct pic_chip *c = opaque;

	(void)size;
	return chip_read(c->pic, c, offset & 1);
}

static void pic_write(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t val)
{
	struct pic_chip *c = opaque;

	(void)size;
	chip_write(c, offset & 1, (uint8_t)val);
	if (!c->master)
		update_cascade(c->pic);
}

static const struct bus_ops pic_ops = { .read = pic_read, .write = pic_write };

struct pic *pic_create(struct vm *vm)
{
	struct pic *pic = calloc(1, sizeof(*pic));

	if (!pic)
		die("out of memory");
	pic->vm = vm;
	pic->chip[0].pic = pic->chip[1].pic = pic;
	pic->chip[0].master = true;
	pio_register(vm, 0x20, 2, "pic-master", &pic_ops, &pic->chip[0]);
	pio_register(vm, 0xa0, 2, "pic-slave", &pic_ops, &pic->chip[1]);
	irq_attach(vm, &(struct irq_controller){
		.name = "pic", .set_irq = pic_set_irq, .opaque = pic,
	});
	return pic;
}
