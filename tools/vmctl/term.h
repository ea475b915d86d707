/* SPDX-License-Identifier: GPL-2.0 */
/* vmctl: the host terminal behind the guest's console (term.c). */
#ifndef VMCTL_TERM_H
#define VMCTL_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

void term_init(void);
void term_restore(void);
/* stdin while it is open, else -1. */
int term_fd(void);
/* Reads what stdin has (up to len bytes for the guest), handling Ctrl-a. */
size_t term_read(struct vm *vm, uint8_t *buf, size_t len);

#endif
