// SPDX-License-Identifier: GPL-2.0
/* The interrupt lines of irq.h: each change goes to every controller. */
#include "irq.h"
#include "log.h"
#include "vm.h"

void irq_attach(struct vm *vm, const struct irq_controller *ctl)
{
	if (vm->nr_irq_controllers == IRQ_MAX_CONTROLLERS)
		die("more than %d interrupt controllers", IRQ_MAX_CONTROLLERS);
	vm->irq_controllers[vm->nr_irq_controllers++] = *ctl;
}

void irq_line(struct vm *vm, unsigned int irq, int level)
{
	unsigned int i;

	if (irq >= IRQ_LINES)
		return;
	for (i = 0; i < vm->nr_irq_controllers; i++)
		vm->irq_controllers[i].set_irq(vm->irq_controllers[i].opaque,
					       irq, level);
}

void irq_pulse(struct vm *vm, unsigned int irq)
{
	irq_line(vm, irq, 1);
	irq_line(vm, irq, 0);
}
