// SPDX-License-Identifier: GPL-2.0
/*
 * The CMOS RAM and real-time clock of the PC (MC146818, ports 0x70-0x71):
 * the index port (bit 7 masks NMI) and 128 bytes. The clock registers read
 * the host's time (UTC) in BCD, 24-hour mode, never in an update cycle;
 * writes to them are dropped, and no RTC interrupt (IRQ 8) is ever raised.
 * The other bytes keep what the guest writes; the memory size bytes say
 * what a BIOS would.
 */
#include <stdlib.h>
#include <time.h>

#include "devices.h"
#include "io.h"
#include "vm.h"

#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_DAY_OF_WEEK	0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define CMOS_EXT_MEM_LO	0x17	/* KiB from 1 MiB, up to 64 MiB */
#define CMOS_EXT_MEM_HI	0x18
#define CMOS_EXT_MEM2_LO 0x30
#define CMOS_EXT_MEM2_HI 0x31
#define CMOS_MEM_16M_LO	0x34	/* 64 KiB units above 16 MiB */
#define CMOS_MEM_16M_HI	0x35
#define RTC_CENTURY	0x32

#define REG_A_DIVIDER	0x26	/* 32.768 kHz, 1024 Hz periodic rate */
#define REG_B_24H	0x02	/* BCD (DM = 0), 24-hour */
#define REG_D_VRT	0x80	/* valid RAM and time */

struct cmos {
	struct vm *vm;
	uint8_t index;
	uint8_t ram[128];
};

static uint8_t bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t read_reg(struct cmos *c, uint8_t reg)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (reg) {
	case RTC_SECONDS:
		return bcd(tm.tm_sec > 59 ? 59 : tm.tm_sec);
	case RTC_MINUTES:
		return bcd(tm.tm_min);
	case RTC_HOURS:
		return bcd(tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		return bcd(tm.tm_wday + 1);
	case RTC_DAY_OF_MONTH:
		return bcd(tm.tm_mday);
	case RTC_MONTH:
		return bcd(tm.tm_mon + 1);
	case RTC_YEAR:
		return bcd(tm.tm_year % 100);
	case RTC_CENTURY:
		return bcd((tm.tm_year + 1900) / 100);
	case RTC_REG_A:
		return REG_A_DIVIDER;	/* UIP (bit 7) never set */
	case RTC_REG_C:
		return 0;		/* no interrupt flags */
	case RTC_REG_D:
		return REG_D_VRT;
	default:
		return c->ram[reg];
	}
}

/* Offset 0 (port 0x70): the index; offset 1 (0x71): the byte it selects. */
#define CMOS_INDEX	0

static uint64_t cmos_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct cmos *c = opaque;

	(void)size;
	if (offset == CMOS_INDEX)
		return 0xff;	/* the index port is write-only */
	return read_reg(c, c->index);
}

static void cmos_write(void *opaque, uint64_t offset, unsigned int size,
		       uint64_t val)
{
	struct cmos *c = opaque;

	(void)size;
	if (offset == CMOS_INDEX) {
		c->index = val & 0x7f;	/* bit 7: NMI mask, nothing to mask */
		return;
	}
	switch (c->index) {
	case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS:
	case RTC_DAY_OF_WEEK: case RTC_DAY_OF_MONTH: case RTC_MONTH:
	case RTC_YEAR: case RTC_CENTURY: case RTC_REG_A: case RTC_REG_C:
	case RTC_REG_D:
		break;			/* the clock follows the host */
	case RTC_REG_B:
		/* Keep the interrupt enables, but stay BCD and 24-hour. */
		c->ram[RTC_REG_B] = (val & ~0x06) | REG_B_24H;
		break;
	default:
		c->ram[c->index] = val;
		break;
	}
}

static const struct bus_ops cmos_ops = { .read = cmos_read, .write = cmos_write };

void cmos_create(struct vm *vm)
{
	struct cmos *c = calloc(1, sizeof(*c));
	uint64_t ext_kib, above16;

	if (!c)
		die("out of memory");
	c->vm = vm;
	c->ram[RTC_REG_B] = REG_B_24H;
	ext_kib = vm->low_size > MiB ? (vm->low_size - MiB) / KiB : 0;
	if (ext_kib > 0xffff)
		ext_kib = 0xffff;
	c->ram[CMOS_EXT_MEM_LO] = c->ram[CMOS_EXT_MEM2_LO] = ext_kib & 0xff;
	c->ram[CMOS_EXT_MEM_HI] = c->ram[CMOS_EXT_MEM2_HI] = ext_kib >> 8;
	above16 = vm->low_size > 16 * MiB ? (vm->low_size - 16 * MiB) / (64 * KiB) : 0;
	if (above16 > 0xffff)
		above16 = 0xffff;
	c->ram[CMOS_MEM_16M_LO] = above16 & 0xff;
	c->ram[CMOS_MEM_16M_HI] = above16 >> 8;
	pio_register(vm, 0x70, 2, "cmos", &cmos_ops, c);
}
