// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 programmable interval timer (ports 0x40-0x43) and port 0x61
 * (NMI status and control: channel 2's gate and output, the speaker bits).
 * Counters run at 1.193182 MHz of the host's CLOCK_MONOTONIC, computed from
 * the time a count was loaded, as in the Intel 8254 data sheet: modes 0-5,
 * latch and read-back commands, LSB/MSB/word access. Channel 0's output
 * raises IRQ 0: once per period in modes 2 and 3 (a tick the run loop could
 * not deliver in time is merged with the next), once per load in modes 0
 * and 4. The run loop asks pit_deadline() when to look again.
 */
#include <stdlib.h>

#include "devices.h"
#include "io.h"
#include "irq.h"
#include "vm.h"

#define PIT_HZ		1193182ull
#define NS_PER_SEC	1000000000ull

enum rw_state { RW_LSB = 1, RW_MSB = 2, RW_WORD0 = 3, RW_WORD1 = 4 };

struct pit_channel {
	uint32_t count;			/* 1 .. 0x10000; 0: never loaded */
	uint64_t load_ns;		/* when count was loaded */
	uint16_t latched_count;
	uint8_t count_latched;		/* rw state of the latched value, 0: none */
	bool status_latched;
	uint8_t status;
	uint8_t read_state, write_state, write_latch;
	uint8_t rw_mode, mode, bcd;
	bool gate;
	uint64_t irqs;			/* IRQ edges raised since the load */
};

struct pit {
	struct vm *vm;
	struct pit_channel ch[3];
	bool speaker_data;		/* port 0x61 bit 1 */
};

static uint64_t ticks_since_load(const struct pit_channel *c, uint64_t now)
{
	if (now <= c->load_ns)
		return 0;
	return (uint64_t)((unsigned __int128)(now - c->load_ns) * PIT_HZ / NS_PER_SEC);
}

/* The first time at which ticks_since_load() reaches ticks. */
static uint64_t ticks_to_time(const struct pit_channel *c, uint64_t ticks)
{
	return c->load_ns +
	       (uint64_t)(((unsigned __int128)ticks * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ);
}

static bool periodic(const struct pit_channel *c)
{
	return c->mode == 2 || c->mode == 3;
}

static uint16_t get_count(const struct pit_channel *c, uint64_t now)
{
	uint64_t d = ticks_since_load(c, now);

	if (!c->count)
		return 0;
	switch (c->mode) {
	case 2:
		return c->count - d % c->count;
	case 3:				/* counts down by two */
		return c->count - (2 * d) % c->count;
	default:			/* 0, 1, 4, 5: wraps past zero */
		return (c->count - d) & 0xffff;
	}
}

static bool get_out(const struct pit_channel *c, uint64_t now)
{
	uint64_t d = ticks_since_load(c, now);

	if (!c->count)
		return false;
	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 1:
		return d < c->count;
	case 2:
		return d % c->count != c->count - 1;	/* low for one tick */
	case 3:
		return d % c->count < (c->count + 1) / 2;
	default:			/* 4, 5: low for one tick at zero */
		return d != c->count;
	}
}

/* The number of IRQ edges channel 0 has made by now since its load. */
static uint64_t irq_edges(const struct pit_channel *c, uint64_t now)
{
	uint64_t d = ticks_since_load(c, now);

	if (!c->count)
		return 0;
	if (periodic(c))
		return d / c->count;
	if (c->mode == 0 || c->mode == 4)
		return d >= c->count;
	return 0;			/* 1, 5: triggered by the gate, fixed high */
}

void pit_update(struct pit *pit, uint64_t now)
{
	struct pit_channel *c = &pit->ch[0];
	uint64_t edges = irq_edges(c, now);

	if (edges > c->irqs) {
		c->irqs = edges;
		irq_pulse(pit->vm, 0);
	}
}

uint64_t pit_deadline(struct pit *pit)
{
	const struct pit_channel *c = &pit->ch[0];

	if (!c->count)
		return 0;
	if (periodic(c))
		return ticks_to_time(c, (c->irqs + 1) * c->count);
	if ((c->mode == 0 || c->mode == 4) && c->irqs == 0)
		return ticks_to_time(c, c->count);
	return 0;
}

static void load_count(struct pit_channel *c, uint32_t val)
{
	c->count = val ? val : 0x10000;
	c->load_ns = now_ns();
	c->irqs = 0;
}

static void latch_count(struct pit_channel *c, uint64_t now)
{
	if (c->count_latched)
		return;
	c->latched_count = get_count(c, now);
	c->count_latched = c->rw_mode;
}

static void control_word(struct pit *pit, uint8_t val)
{
	unsigned int sc = val >> 6, access = (val >> 4) & 3, i;
	uint64_t now = now_ns();
	struct pit_channel *c;

	if (sc == 3) {			/* read-back */
		for (i = 0; i < 3; i++) {
			c = &pit->ch[i];
			if (!(val & (2 << i)))
				continue;
			if (!(val & 0x20))
				latch_count(c, now);
			if (!(val & 0x10) && !c->status_latched) {
				c->status = get_out(c, now) << 7 | c->rw_mode << 4 |
					    c->mode << 1 | c->bcd;
				c->status_latched = true;
			}
		}
		return;
	}
	c = &pit->ch[sc];
	if (access == 0) {		/* counter latch */
		latch_count(c, now);
		return;
	}
	c->rw_mode = access;
	c->read_state = access;
	c->write_state = access;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;		/* 6, 7 are 2, 3 */
	c->bcd = val & 1;
	/* Writing the control word stops the counter until a new count. */
	c->count = 0;
	c->irqs = 0;
}

static void write_count(struct pit_channel *c, uint8_t val)
{
	switch (c->write_state) {
	case RW_LSB:
		load_count(c, val);
		break;
	case RW_MSB:
		load_count(c, (uint32_t)val << 8);
		break;
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		break;
	default:
		load_count(c, c->write_latch | (uint32_t)val << 8);
		c->write_state = RW_WORD0;
		break;
	}
}

static uint8_t read_count(struct pit_channel *c)
{
	uint16_t count;
	uint8_t ret;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		switch (c->count_latched) {
		case RW_MSB:
			ret = c->latched_count >> 8;
			c->count_latched = 0;
			break;
		case RW_WORD0:
			ret = c->latched_count & 0xff;
			c->count_latched = RW_MSB;
			break;
		default:
			ret = c->latched_count & 0xff;
			c->count_latched = 0;
			break;
		}
		return ret;
	}
	count = get_count(c, now_ns());
	switch (c->read_state) {
	case RW_MSB:
		return count >> 8;
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return count & 0xff;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return count >> 8;
	default:
		return count & 0xff;
	}
}

/* Offsets 0-2: the channels' counters; 3: the control word. */
#define PIT_CONTROL	3

static uint64_t pit_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct pit *pit = opaque;

	(void)size;
	if (offset == PIT_CONTROL)
		return 0xff;		/* the control word is write-only */
	return read_count(&pit->ch[offset]);
}

static void pit_write(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t val)
{
	struct pit *pit = opaque;

	(void)size;
	if (offset == PIT_CONTROL)
		control_word(pit, (uint8_t)val);
	else
		write_count(&pit->ch[offset], (uint8_t)val);
}

static const struct bus_ops pit_ops = { .read = pit_read, .write = pit_write };

/*
 * Port 0x61: bit 0 channel 2's gate, bit 1 speaker data, bit 4 the DRAM
 * refresh toggle (every 15 us), bit 5 channel 2's output.
 */
static uint64_t port61_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct pit *pit = opaque;
	uint64_t now = now_ns();

	(void)offset, (void)size;
	return pit->ch[2].gate | pit->speaker_data << 1 |
	       ((now / 15085) & 1) << 4 | get_out(&pit->ch[2], now) << 5;
}

static void port61_write(void *opaque, uint64_t offset, unsigned int size,
			 uint64_t val)
{
	struct pit *pit = opaque;
	struct pit_channel *c = &pit->ch[2];
	bool gate = val & 1;

	(void)offset, (void)size;
	/* A rising gate restarts the count in modes 1, 2, 3 and 5. */
	if (gate && !c->gate && c->count && c->mode != 0 && c->mode != 4) {
		c->load_ns = now_ns();
		c->irqs = 0;
	}
	c->gate = gate;
	pit->speaker_data = val & 2;
}

static const struct bus_ops port61_ops = {
	.read = port61_read, .write = port61_write,
};

struct pit *pit_create(struct vm *vm)
{
	struct pit *pit = calloc(1, sizeof(*pit));
	int i;

	if (!pit)
		die("out of memory");
	pit->vm = vm;
	for (i = 0; i < 3; i++) {
		pit->ch[i].gate = i != 2;
		pit->ch[i].rw_mode = pit->ch[i].read_state =
			pit->ch[i].write_state = RW_WORD0;
	}
	pio_register(vm, 0x40, 4, "pit", &pit_ops, pit);
	pio_register(vm, 0x61, 1, "port61", &port61_ops, pit);
	return pit;
}
