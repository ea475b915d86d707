// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART (National Semiconductor data sheet), as on COM1: 8 ports,
 * divisor latch, 16-byte receive FIFO, interrupts for received data, an
 * empty transmitter, line and modem status, and loopback mode (which
 * Linux's probe uses). Transmission is instantaneous: a byte written to
 * THR goes to the console (stdout or --console FILE) at once, and the
 * transmitter-empty interrupt comes back at once, as a new edge for the
 * edge-triggered PIC. Received bytes come from the run loop (stdin).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "io.h"
#include "irq.h"
#include "vm.h"

/* Registers (offsets from the base port). */
#define UART_RX		0	/* read, DLAB = 0 */
#define UART_TX		0	/* write, DLAB = 0 */
#define UART_DLL	0	/* DLAB = 1 */
#define UART_IER	1	/* DLAB = 0 */
#define UART_DLM	1	/* DLAB = 1 */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_IER_RLSI	0x04
#define UART_IER_MSI	0x08

#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled (16550A) */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLEAR_RCVR 0x02

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10

#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_BI_FE_PE 0x1c
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80
#define UART_MSR_DELTAS	0x0f

#define RX_FIFO_SIZE	16
#define OUT_BUF_SIZE	4096

struct serial {
	struct vm *vm;
	unsigned int irq;

	uint8_t ier, lcr, mcr, lsr, msr, scr, fcr, dll, dlm;
	bool thr_ipending;		/* THRE interrupt not yet acknowledged */
	uint8_t rx[RX_FIFO_SIZE];
	unsigned int rx_head, rx_count;

	uint8_t out[OUT_BUF_SIZE];
	size_t out_len;
};

static uint8_t compute_iir(const struct serial *s)
{
	if ((s->ier & UART_IER_RLSI) && (s->lsr & (UART_LSR_OE | UART_LSR_BI_FE_PE)))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_count)
		return UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void update_irq(struct serial *s)
{
	irq_line(s->vm, s->irq, compute_iir(s) != UART_IIR_NO_INT);
}

void serial_flush(struct serial *s)
{
	size_t done = 0;
	ssize_t n;

	while (done < s->out_len) {
		n = write(s->vm->console_fd, s->out + done, s->out_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* the console went away: drop the output */
		done += (size_t)n;
	}
	s->out_len = 0;
}

/* Notes when --mark's text first shows on the console (a plain stream match). */
static void console_mark(struct vm *vm, uint8_t c)
{
	const char *mark = vm->opt.mark;

	if (!mark || vm->mark_ns)
		return;
	if ((uint8_t)mark[vm->mark_matched] != c)
		vm->mark_matched = (uint8_t)mark[0] == c;
	else
		vm->mark_matched++;
	if (!mark[vm->mark_matched])
		vm->mark_ns = now_ns();
}

static void console_put(struct serial *s, uint8_t c)
{
	if (!s->vm->first_output_ns)
		s->vm->first_output_ns = now_ns();
	console_mark(s->vm, c);
	s->out[s->out_len++] = c;
	if (c == '\n' || s->out_len == sizeof(s->out))
		serial_flush(s);
}

static void rx_push(struct serial *s, uint8_t c)
{
	if (s->rx_count == RX_FIFO_SIZE) {
		s->lsr |= UART_LSR_OE;
		return;
	}
	s->rx[(s->rx_head + s->rx_count++) % RX_FIFO_SIZE] = c;
	s->lsr |= UART_LSR_DR;
}

size_t serial_rx_room(struct serial *s)
{
	return s->mcr & UART_MCR_LOOP ? 0 : RX_FIFO_SIZE - s->rx_count;
}

void serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		rx_push(s, buf[i]);
	update_irq(s);
}

/* In loopback mode the modem inputs follow the modem outputs. */
static uint8_t loop_msr(uint8_t mcr)
{
	return (mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
	       (mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
	       (mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
	       (mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

static void set_msr_inputs(struct serial *s, uint8_t inputs)
{
	uint8_t old = s->msr, deltas = 0;

	if ((old ^ inputs) & UART_MSR_CTS)
		deltas |= UART_MSR_DCTS;
	if ((old ^ inputs) & UART_MSR_DSR)
		deltas |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(inputs & UART_MSR_RI))
		deltas |= UART_MSR_TERI;
	if ((old ^ inputs) & UART_MSR_DCD)
		deltas |= UART_MSR_DDCD;
	s->msr = inputs | (old & UART_MSR_DELTAS) | deltas;
}

static void transmit(struct serial *s, uint8_t c)
{
	/* Writing THR acknowledges the THRE interrupt: the line drops... */
	s->thr_ipending = false;
	update_irq(s);
	if (s->mcr & UART_MCR_LOOP)
		rx_push(s, c);
	else
		console_put(s, c);
	/* ...and the byte is sent: THR is empty again, a new edge. */
	s->thr_ipending = true;
	update_irq(s);
}

static uint64_t serial_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct serial *s = opaque;
	uint8_t ret = 0xff, iir;

	(void)size;
	switch (offset) {
	case UART_RX:
		if (s->lcr & UART_LCR_DLAB)
			return s->dll;
		ret = 0;
		if (s->rx_count) {
			ret = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % RX_FIFO_SIZE;
			if (!--s->rx_count) {
				s->lsr &= ~UART_LSR_DR;
				s->vm->console_input_wanted = true;
			}
		}
		update_irq(s);
		break;
	case UART_IER:
		if (s->lcr & UART_LCR_DLAB)
			return s->dlm;
		ret = s->ier;
		break;
	case UART_IIR:
		iir = compute_iir(s);
		/* Reading IIR that says THRE acknowledges it. */
		if (iir == UART_IIR_THRI) {
			s->thr_ipending = false;
			update_irq(s);
		}
		ret = iir | (s->fcr & UART_FCR_ENABLE ? UART_IIR_FIFO : 0);
		break;
	case UART_LCR:
		ret = s->lcr;
		break;
	case UART_MCR:
		ret = s->mcr;
		break;
	case UART_LSR:
		ret = s->lsr;
		/* Reading LSR clears the error bits. */
		s->lsr &= ~(UART_LSR_OE | UART_LSR_BI_FE_PE);
		update_irq(s);
		break;
	case UART_MSR:
		ret = s->msr;
		s->msr &= ~UART_MSR_DELTAS;
		update_irq(s);
		break;
	case UART_SCR:
		ret = s->scr;
		break;
	}
	return ret;
}

static void serial_write(void *opaque, uint64_t offset, unsigned int size,
			 uint64_t val)
{
	struct serial *s = opaque;
	uint8_t v = (uint8_t)val, old;

	(void)size;
	switch (offset) {
	case UART_TX:
		if (s->lcr & UART_LCR_DLAB)
			s->dll = v;
		else
			transmit(s, v);
		break;
	case UART_IER:
		if (s->lcr & UART_LCR_DLAB) {
			s->dlm = v;
			break;
		}
		old = s->ier;
		s->ier = v & 0x0f;
		/* Enabling THRI with THR empty raises it (again). */
		if ((s->ier & UART_IER_THRI) && !(old & UART_IER_THRI) &&
		    (s->lsr & UART_LSR_THRE))
			s->thr_ipending = true;
		update_irq(s);
		break;
	case UART_FCR:
		if ((v ^ s->fcr) & UART_FCR_ENABLE)
			v |= UART_FCR_CLEAR_RCVR;	/* toggling clears the FIFOs */
		if (v & UART_FCR_CLEAR_RCVR) {
			s->rx_count = 0;
			s->lsr &= ~UART_LSR_DR;
		}
		s->fcr = v & 0xc9;	/* enable, DMA mode, trigger level */
		update_irq(s);
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		set_msr_inputs(s, s->mcr & UART_MCR_LOOP ? loop_msr(s->mcr) :
				  UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
		update_irq(s);
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default:	/* LSR and MSR are read-only */
		break;
	}
}

static const struct bus_ops serial_ops = {
	.read = serial_read, .write = serial_write,
};

/* The guest's output so far, before vmctl's own last words. */
static void serial_exit_hook(void *opaque)
{
	serial_flush(opaque);
}

struct serial *serial_create(struct vm *vm, uint16_t base, unsigned int irq)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		die("out of memory");
	s->vm = vm;
	s->irq = irq;
	s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	s->dll = 12;		/* 9600 baud */
	pio_register(vm, base, 8, "serial", &serial_ops, s);
	log_add_exit_hook(serial_exit_hook, s);
	return s;
}
