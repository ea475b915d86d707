// SPDX-License-Identifier: GPL-2.0
/* Host side of ucalls, and human-readable descriptions of exits. */
#include <stdio.h>
#include <sys/ioctl.h>

#include "hvm_util.h"

static const char *const exit_names[] = {
	[HVM_EXIT_UNKNOWN] = "UNKNOWN",
	[HVM_EXIT_IO] = "IO",
	[HVM_EXIT_MMIO] = "MMIO",
	[HVM_EXIT_HYPERCALL] = "HYPERCALL",
	[HVM_EXIT_HLT] = "HLT",
	[HVM_EXIT_SHUTDOWN] = "SHUTDOWN",
	[HVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[HVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[HVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[HVM_EXIT_INTR] = "INTR",
};

const char *exit_reason_str(u32 reason)
{
	if (reason < ARRAY_SIZE(exit_names) && exit_names[reason])
		return exit_names[reason];
	return "(invalid exit reason)";
}

/* Copies guest memory without aborting; false if any byte is unmapped. */
static bool try_read_guest(struct hvm_vm *vm, void *dst, u64 gva, size_t len)
{
	while (len) {
		size_t n = PAGE_SIZE - (gva & ~PAGE_MASK);
		u64 gpa = addr_gva2gpa(vm, gva);
		void *hva;

		if (n > len)
			n = len;
		if (gpa == -1ull || !(hva = addr_gpa2hva(vm, gpa)))
			return false;
		memcpy(dst, hva, n);
		gva += n;
		dst = (char *)dst + n;
		len -= n;
	}
	return true;
}

static bool exit_is_ucall(struct hvm_vcpu *vcpu)
{
	struct hvm_run *run = vcpu->run;

	return run->exit_reason == HVM_EXIT_IO &&
	       run->io.direction == HVM_EXIT_IO_OUT &&
	       run->io.port == UCALL_PORT;
}

u64 get_ucall(struct hvm_vcpu *vcpu, struct ucall *uc)
{
	struct hvm_regs regs;

	memset(uc, 0, sizeof(*uc));
	if (!vcpu->run || !exit_is_ucall(vcpu))
		return UCALL_NONE;
	vcpu_get_regs(vcpu, &regs);
	if (!try_read_guest(vcpu->vm, uc, regs.rdi, sizeof(*uc))) {
		ksft_print_msg("ucall with unreadable struct at %#lx",
			       (unsigned long)regs.rdi);
		memset(uc, 0, sizeof(*uc));
		return UCALL_NONE;
	}
	return uc->cmd;
}

u64 vcpu_run_ucall(struct hvm_vcpu *vcpu, struct ucall *uc)
{
	vcpu_run(vcpu);
	return get_ucall(vcpu, uc);
}

/* A string literal the guest pointed at; it is in this binary. */
static const char *guest_str(u64 p)
{
	const char *s = (const char *)(uintptr_t)p;
	u64 n;

	if (!p || !host_addr_in_binary(p, 1))
		return "?";
	for (n = 0; n < 256 && host_addr_in_binary(p + n, 1); n++)
		if (!s[n])
			return s;
	return "?";
}

static int ucall_desc(char *b, size_t n, const struct ucall *uc)
{
	switch (uc->cmd) {
	case UCALL_SYNC:
		return snprintf(b, n, "GUEST_SYNC(%#lx, %#lx, %#lx, %#lx)",
				(unsigned long)uc->args[0], (unsigned long)uc->args[1],
				(unsigned long)uc->args[2], (unsigned long)uc->args[3]);
	case UCALL_ASSERT:
		return snprintf(b, n, "GUEST_ASSERT failed at %s:%lu: %s "
				"(values %#lx, %#lx)", guest_str(uc->file),
				(unsigned long)uc->line, guest_str(uc->expr),
				(unsigned long)uc->args[0],
				(unsigned long)uc->args[1]);
	case UCALL_DONE:
		return snprintf(b, n, "GUEST_DONE");
	case UCALL_UNHANDLED:
		return snprintf(b, n, "unhandled guest exception vector %lu "
				"error code %#lx at rip %#lx (cr2 %#lx)",
				(unsigned long)uc->args[0], (unsigned long)uc->args[1],
				(unsigned long)uc->args[2], (unsigned long)uc->args[3]);
	default:
		return snprintf(b, n, "unknown ucall %lu", (unsigned long)uc->cmd);
	}
}

const char *vcpu_exit_desc(struct hvm_vcpu *vcpu)
{
	static char buf[512];
	struct hvm_run *run = vcpu->run;
	size_t n = sizeof(buf);
	struct hvm_regs regs;
	struct ucall uc;
	char *b = buf;
	int k, i;

	if (!run)
		return "(run page not mapped)";
	k = snprintf(b, n, "exit %s (%u), hw %#lx", exit_reason_str(run->exit_reason),
		     run->exit_reason, (unsigned long)run->hardware_exit_reason);
	b += k; n -= k;
	if (ioctl(vcpu->fd, HVM_GET_REGS, &regs) == 0) {
		k = snprintf(b, n, ", rip %#lx", (unsigned long)regs.rip);
		b += k; n -= k;
	}
	switch (run->exit_reason) {
	case HVM_EXIT_IO:
		if (exit_is_ucall(vcpu) && get_ucall(vcpu, &uc) != UCALL_NONE) {
			k = snprintf(b, n, ": ");
			ucall_desc(b + k, n - k, &uc);
			break;
		}
		snprintf(b, n, ": %s port %#x size %u count %u data_offset %u",
			 run->io.direction == HVM_EXIT_IO_OUT ? "OUT" : "IN",
			 run->io.port, run->io.size, run->io.count,
			 run->io.data_offset);
		break;
	case HVM_EXIT_MMIO: {
		u64 d = 0;

		memcpy(&d, run->mmio.data, 8);
		snprintf(b, n, ": %s gpa %#lx len %u data %#lx",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long)run->mmio.phys_addr, run->mmio.len,
			 (unsigned long)d);
		break;
	}
	case HVM_EXIT_HYPERCALL:
		snprintf(b, n, ": nr %#lx args %#lx %#lx %#lx %#lx",
			 (unsigned long)run->hypercall.nr,
			 (unsigned long)run->hypercall.args[0],
			 (unsigned long)run->hypercall.args[1],
			 (unsigned long)run->hypercall.args[2],
			 (unsigned long)run->hypercall.args[3]);
		break;
	case HVM_EXIT_FAIL_ENTRY:
		snprintf(b, n, ": reason %#lx qualification %#lx cpu %u",
			 (unsigned long)run->fail_entry.hardware_entry_failure_reason,
			 (unsigned long)run->fail_entry.qualification,
			 run->fail_entry.cpu);
		break;
	case HVM_EXIT_INTERNAL_ERROR:
		k = snprintf(b, n, ": suberror %u ndata %u data",
			     run->internal.suberror, run->internal.ndata);
		b += k; n -= k;
		for (i = 0; i < (int)run->internal.ndata && i < 6; i++) {
			k = snprintf(b, n, " %#lx", (unsigned long)run->internal.data[i]);
			b += k; n -= k;
		}
		k = snprintf(b, n, " insn");
		b += k; n -= k;
		for (i = 0; i < run->internal.insn_len && i < 15; i++) {
			k = snprintf(b, n, " %02x", run->internal.insn_bytes[i]);
			b += k; n -= k;
		}
		break;
	default:
		break;
	}
	return buf;
}

bool vcpu_run_expect_sync4(struct hvm_vcpu *vcpu, u64 a0, struct ucall *uc)
{
	if (vcpu_run_ucall(vcpu, uc) == UCALL_SYNC && uc->args[0] == a0)
		return true;
	ksft_print_msg("expected GUEST_SYNC(%lu, ...), got %s", (unsigned long)a0,
		       vcpu_exit_desc(vcpu));
	memset(uc, 0, sizeof(*uc));
	return false;
}

bool vcpu_run_expect_sync(struct hvm_vcpu *vcpu, u64 val)
{
	struct ucall uc;
	int r = __vcpu_run(vcpu);

	if (r) {
		ksft_print_msg("HVM_RUN returned %d (%s)", r, strerror(errno));
		return false;
	}
	if (get_ucall(vcpu, &uc) != UCALL_SYNC || uc.args[0] != val) {
		ksft_print_msg("expected GUEST_SYNC(%#lx), got %s",
			       (unsigned long)val, vcpu_exit_desc(vcpu));
		return false;
	}
	return true;
}

bool vcpu_run_expect_done(struct hvm_vcpu *vcpu)
{
	struct ucall uc;
	int r = __vcpu_run(vcpu);

	if (r) {
		ksft_print_msg("HVM_RUN returned %d (%s)", r, strerror(errno));
		return false;
	}
	if (get_ucall(vcpu, &uc) != UCALL_DONE) {
		ksft_print_msg("expected GUEST_DONE, got %s", vcpu_exit_desc(vcpu));
		return false;
	}
	return true;
}

bool vcpu_check_mmio(struct hvm_vcpu *vcpu, u64 gpa, u32 len, bool is_write,
		     u64 data)
{
	struct hvm_run *run = vcpu->run;
	u64 got = 0;

	if (run->exit_reason != HVM_EXIT_MMIO || run->mmio.phys_addr != gpa ||
	    run->mmio.len != len || run->mmio.is_write != is_write) {
		ksft_print_msg("expected MMIO %s gpa %#lx len %u, got %s",
			       is_write ? "write" : "read", (unsigned long)gpa,
			       len, vcpu_exit_desc(vcpu));
		return false;
	}
	if (!is_write)
		return true;
	memcpy(&got, run->mmio.data, len <= 8 ? len : 8);
	if (len < 8)
		data &= (1ull << (8 * len)) - 1;
	if (got != data) {
		ksft_print_msg("MMIO write to %#lx: data %#lx, expected %#lx",
			       (unsigned long)gpa, (unsigned long)got,
			       (unsigned long)data);
		return false;
	}
	return true;
}

void vcpu_mmio_complete_read(struct hvm_vcpu *vcpu, u64 data)
{
	/* Garbage past len: hvm must use only len bytes. */
	memset(vcpu->run->mmio.data, 0xcc, sizeof(vcpu->run->mmio.data));
	memcpy(vcpu->run->mmio.data, &data, vcpu->run->mmio.len <= 8 ?
	       vcpu->run->mmio.len : 8);
}
