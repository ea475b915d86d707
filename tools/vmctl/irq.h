/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl's ground floor: the machine's interrupt lines. Devices raise and
 * lower a line by number (irq_line, irq_pulse for an edge) and know
 * nothing of who listens. Interrupt controllers attach themselves to the
 * lines: today the 8259A pair (ISA IRQs 0-15); an I/O APIC would attach
 * beside it and see the same line changes, as on a PC where both are
 * wired to the ISA lines.
 */
#ifndef VMCTL_IRQ_H
#define VMCTL_IRQ_H

struct vm;

/* Lines 0-15 are the ISA IRQs; an I/O APIC has 24 inputs. */
#define IRQ_LINES		24
#define IRQ_MAX_CONTROLLERS	4

struct irq_controller {
	const char *name;
	/* The line's new level (0 or 1); a line a controller lacks it ignores. */
	void (*set_irq)(void *opaque, unsigned int line, int level);
	void *opaque;
};

/* Every later line change reaches ctl too, after the controllers before it. */
void irq_attach(struct vm *vm, const struct irq_controller *ctl);
void irq_line(struct vm *vm, unsigned int irq, int level);
/* An edge: the line up, then down. */
void irq_pulse(struct vm *vm, unsigned int irq);

#endif
