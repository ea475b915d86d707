/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of the hvm selftest library: code that runs inside the VM.
 *
 * Guest code must not call libc (no memcpy, printf, errno, TLS: glibc may
 * use AVX and the guest has no FS base); keep guest functions small and use
 * the helpers below.
 */
#ifndef HVM_SELFTEST_GUEST_H
#define HVM_SELFTEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "ucall.h"

#define __guest_code	__attribute__((noinline, used))

/* Frame built by the IDT stubs (lib/guest.c), lowest address first. */
struct ex_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* Set by the library before the binary is copied into a VM. */
extern bool guest_is_amd;
/* Per-vector handlers, written by vm_install_handler(). */
extern void (*guest_handlers[256])(struct ex_regs *regs);

void ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
__attribute__((noreturn))
void guest_assert_fail(const char *file, uint64_t line, const char *expr,
		       uint64_t a, uint64_t b);

#define GUEST_SYNC(v)		ucall(UCALL_SYNC, (uint64_t)(v), 0, 0, 0)
#define GUEST_SYNC4(a, b, c, d)						\
	ucall(UCALL_SYNC, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c),	\
	      (uint64_t)(d))
#define GUEST_DONE()		ucall(UCALL_DONE, 0, 0, 0, 0)

/* A failed assert reports and never continues. */
#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			guest_assert_fail(__FILE__, __LINE__, #cond, 0, 0); \
	} while (0)

#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __ga = (uint64_t)(a), __gb = (uint64_t)(b);	\
		if (__ga != __gb)					\
			guest_assert_fail(__FILE__, __LINE__,		\
					  #a " == " #b, __ga, __gb);	\
	} while (0)

static inline void guest_cli(void)
{
	asm volatile("cli" ::: "memory");
}

/* sti; nop: interrupts can be taken after the nop (STI shadow). */
static inline void guest_sti_nop(void)
{
	asm volatile("sti; nop" ::: "memory");
}

static inline uint64_t guest_rflags(void)
{
	uint64_t f;

	asm volatile("pushfq; popq %0" : "=r"(f) :: "memory");
	return f;
}

static inline void guest_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a,
			       uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub)
		     : "memory");
}

static inline uint64_t guest_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void guest_wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr"
		     :: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
}

static inline uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return lo | ((uint64_t)hi << 32);
}

/*
 * Hypercall: RAX = nr, RBX, RCX, RDX, RSI = args, RAX = return value.
 * VMMCALL (0f 01 d9) on AMD, VMCALL (0f 01 c1) on Intel.
 */
static inline uint64_t guest_hypercall(uint64_t nr, uint64_t a0, uint64_t a1,
				       uint64_t a2, uint64_t a3)
{
	uint64_t ret;

	if (guest_is_amd)
		asm volatile(".byte 0x0f, 0x01, 0xd9"
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			     : "memory");
	else
		asm volatile(".byte 0x0f, 0x01, 0xc1"
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			     : "memory");
	return ret;
}

#endif
