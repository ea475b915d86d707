/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest -> host reporting ("ucall"), shared by guest and host code.
 *
 * The guest fills a struct ucall in its own memory and executes
 * "out %eax, %dx" with DX = UCALL_PORT and RDI = the struct's guest-virtual
 * address. The host sees HVM_EXIT_IO (OUT, 4 bytes, port UCALL_PORT), reads
 * RDI with HVM_GET_REGS and translates it through the guest page tables.
 *
 * file and expr are pointers to string literals of this binary: the guest
 * runs a copy of the binary at the same addresses, so the host can read
 * them directly.
 */
#ifndef HVM_SELFTEST_UCALL_H
#define HVM_SELFTEST_UCALL_H

#include <stdint.h>

#define UCALL_PORT	0x1000

enum {
	UCALL_NONE = 0,		/* host side: the exit was not a ucall */
	UCALL_SYNC = 1,		/* GUEST_SYNC: args[] are checkpoint values */
	UCALL_ASSERT = 2,	/* GUEST_ASSERT*: args[0], args[1] = values */
	UCALL_DONE = 3,		/* GUEST_DONE */
	UCALL_UNHANDLED = 4,	/* exception without handler: args[] = vector,
				 * error code, rip, cr2 */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[4];
	uint64_t line;
	uint64_t file;		/* const char * */
	uint64_t expr;		/* const char * */
};

#endif
