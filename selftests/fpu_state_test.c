// SPDX-License-Identifier: GPL-2.0
/*
 * The FPU and SSE registers belong to whoever runs: the guest's XMM0-15,
 * MXCSR and x87 control word survive an exit to userspace while the host
 * thread changes its own, and the host thread's survive the HVM_RUN that
 * runs the guest (checked across the raw syscall, with nothing in between
 * that could save them). hvm swaps them with the kernel's guest fpstate
 * before Linux 6.18 and with its own XSAVE area since (kmod/compat.h).
 */
#include <sys/syscall.h>

#include "hvm_util.h"
#include "guest.h"

#define SYNC_PORT	0x80
#define SYNC_CHECKED	2
#define GUEST_MXCSR	0x7f80u		/* round toward zero, all masked */
#define GUEST_FCW	0x0f7fu		/* round toward zero, 64-bit precision */
#define HOST_MXCSR	0x3f80u		/* round down */
#define HOST_FCW	0x077fu		/* round down */

static const uint64_t guest_xmm[32] = {
	0x0101010101010101, 0x1111111111111111, 0x0202020202020202, 0x2222222222222222,
	0x0303030303030303, 0x3333333333333333, 0x0404040404040404, 0x4444444444444444,
	0x0505050505050505, 0x5555555555555555, 0x0606060606060606, 0x6666666666666666,
	0x0707070707070707, 0x7777777777777777, 0x0808080808080808, 0x8888888888888888,
	0x0909090909090909, 0x9999999999999999, 0x0a0a0a0a0a0a0a0a, 0xaaaaaaaaaaaaaaaa,
	0x0b0b0b0b0b0b0b0b, 0xbbbbbbbbbbbbbbbb, 0x0c0c0c0c0c0c0c0c, 0xcccccccccccccccc,
	0x0d0d0d0d0d0d0d0d, 0xdddddddddddddddd, 0x0e0e0e0e0e0e0e0e, 0xeeeeeeeeeeeeeeee,
	0x0f0f0f0f0f0f0f0f, 0xffffffffffffffff, 0x1010101010101010, 0x1212121212121212,
};

#define XMM_LOAD(p)							\
	"movdqu 0x00(" p "), %%xmm0\n\t movdqu 0x10(" p "), %%xmm1\n\t"	\
	"movdqu 0x20(" p "), %%xmm2\n\t movdqu 0x30(" p "), %%xmm3\n\t"	\
	"movdqu 0x40(" p "), %%xmm4\n\t movdqu 0x50(" p "), %%xmm5\n\t"	\
	"movdqu 0x60(" p "), %%xmm6\n\t movdqu 0x70(" p "), %%xmm7\n\t"	\
	"movdqu 0x80(" p "), %%xmm8\n\t movdqu 0x90(" p "), %%xmm9\n\t"	\
	"movdqu 0xa0(" p "), %%xmm10\n\t movdqu 0xb0(" p "), %%xmm11\n\t"	\
	"movdqu 0xc0(" p "), %%xmm12\n\t movdqu 0xd0(" p "), %%xmm13\n\t"	\
	"movdqu 0xe0(" p "), %%xmm14\n\t movdqu 0xf0(" p "), %%xmm15\n\t"
#define XMM_STORE(p)							\
	"movdqu %%xmm0, 0x00(" p ")\n\t movdqu %%xmm1, 0x10(" p ")\n\t"	\
	"movdqu %%xmm2, 0x20(" p ")\n\t movdqu %%xmm3, 0x30(" p ")\n\t"	\
	"movdqu %%xmm4, 0x40(" p ")\n\t movdqu %%xmm5, 0x50(" p ")\n\t"	\
	"movdqu %%xmm6, 0x60(" p ")\n\t movdqu %%xmm7, 0x70(" p ")\n\t"	\
	"movdqu %%xmm8, 0x80(" p ")\n\t movdqu %%xmm9, 0x90(" p ")\n\t"	\
	"movdqu %%xmm10, 0xa0(" p ")\n\t movdqu %%xmm11, 0xb0(" p ")\n\t"	\
	"movdqu %%xmm12, 0xc0(" p ")\n\t movdqu %%xmm13, 0xd0(" p ")\n\t"	\
	"movdqu %%xmm14, 0xe0(" p ")\n\t movdqu %%xmm15, 0xf0(" p ")\n\t"
#define XMM_CLOBBERS							\
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",	\
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

/*
 * Loads the registers, exits to the host with OUT (one asm statement, so
 * no guest code in between can touch them), and stores what it finds
 * after the host let it run again.
 */
static __guest_code void guest_code(void)
{
	uint64_t got[32];
	uint32_t mxcsr_in = GUEST_MXCSR, mxcsr_out;
	uint16_t fcw_in = GUEST_FCW, fcw_out;
	uint64_t bad = 0;
	int i;

	asm volatile("ldmxcsr %[mxin]\n\t"
		     "fldcw %[fcwin]\n\t"
		     XMM_LOAD("%[in]")
		     "outb %%al, %[port]\n\t"
		     XMM_STORE("%[out]")
		     "stmxcsr %[mxout]\n\t"
		     "fnstcw %[fcwout]\n\t"
		     : [mxout] "=m"(mxcsr_out), [fcwout] "=m"(fcw_out)
		     : [in] "r"(guest_xmm), [out] "r"(got), [mxin] "m"(mxcsr_in),
		       [fcwin] "m"(fcw_in), [port] "i"(SYNC_PORT), "a"(0)
		     : "memory", XMM_CLOBBERS);
	for (i = 0; i < 32; i++)
		bad += got[i] != guest_xmm[i];
	GUEST_SYNC4(SYNC_CHECKED, bad, mxcsr_out, fcw_out);
	GUEST_DONE();
}

/*
 * HVM_RUN as a raw syscall between loading the host's registers and
 * storing them, so only the kernel (and the guest) could change them.
 */
static long run_with_host_regs(int fd, const uint64_t *in, uint64_t *out,
			       uint32_t *mxcsr, uint16_t *fcw)
{
	uint32_t mxcsr_in = HOST_MXCSR, mxcsr_default = 0x1f80;
	uint16_t fcw_in = HOST_FCW, fcw_default = 0x037f;
	long ret;

	asm volatile("ldmxcsr %[mxin]\n\t"
		     "fldcw %[fcwin]\n\t"
		     XMM_LOAD("%[in]")
		     "syscall\n\t"
		     XMM_STORE("%[out]")
		     "stmxcsr %[mxout]\n\t"
		     "fnstcw %[fcwout]\n\t"
		     "ldmxcsr %[mxdef]\n\t"
		     "fldcw %[fcwdef]\n\t"
		     : "=a"(ret), [mxout] "=m"(*mxcsr), [fcwout] "=m"(*fcw)
		     : "a"((long)SYS_ioctl), "D"((long)fd), "S"((long)HVM_RUN), "d"(0L),
		       [in] "r"(in), [out] "r"(out), [mxin] "m"(mxcsr_in),
		       [fcwin] "m"(fcw_in), [mxdef] "m"(mxcsr_default),
		       [fcwdef] "m"(fcw_default)
		     : "rcx", "r11", "memory", XMM_CLOBBERS);
	return ret;
}

int main(void)
{
	uint64_t host_xmm[32], host_got[32];
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	struct ucall uc;
	uint32_t mxcsr;
	uint16_t fcw;
	int i, bad = 0;
	long r;
	bool ok;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(4);
	for (i = 0; i < 32; i++)
		host_xmm[i] = 0xa5a5a5a500000000ull | (uint64_t)i * 0x01010101u;

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	vcpu_run(vcpu);
	ok = vcpu->run->exit_reason == HVM_EXIT_IO && vcpu->run->io.port == SYNC_PORT;
	if (!ok)
		ksft_print_msg("expected OUT to %#x, got %s", SYNC_PORT, vcpu_exit_desc(vcpu));
	ksft_test_result(ok, "the guest loaded its registers and exited");

	r = run_with_host_regs(vcpu->fd, host_xmm, host_got, &mxcsr, &fcw);
	for (i = 0; i < 32; i++)
		bad += host_got[i] != host_xmm[i];
	ksft_test_result(r == 0 && !bad && mxcsr == HOST_MXCSR && fcw == HOST_FCW,
			 "the host thread's XMM0-15, MXCSR and FCW survive HVM_RUN (ret %ld, %d bad, mxcsr %#x, fcw %#x)",
			 r, bad, mxcsr, fcw);

	ok = get_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == SYNC_CHECKED;
	if (!ok)
		ksft_print_msg("expected GUEST_SYNC(%d), got %s", SYNC_CHECKED,
			       vcpu_exit_desc(vcpu));
	ksft_test_result(ok && uc.args[1] == 0 && uc.args[2] == GUEST_MXCSR &&
			 uc.args[3] == GUEST_FCW,
			 "the guest's XMM0-15, MXCSR and FCW survive its exit (%lu bad, mxcsr %#lx, fcw %#lx)",
			 (unsigned long)uc.args[1], (unsigned long)uc.args[2],
			 (unsigned long)uc.args[3]);
	ksft_test_result(vcpu_run_expect_done(vcpu), "the guest finishes");

	vm_free(vm);
	ksft_finished();
}
