// SPDX-License-Identifier: GPL-2.0
/*
 * A 64-bit guest hashes (FNV-1a, 64-bit) a 1 MiB buffer the host wrote into
 * guest memory, and writes the complement of every byte to a second buffer
 * the host then checks. Repeated with new data to catch stale mappings.
 */
#include "hvm_util.h"
#include "guest.h"

#define BUF_SIZE	(1ul << 20)

static uint64_t fnv1a(const uint8_t *p, uint64_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint64_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Its own copy of the loop: the guest must not share code with libc. */
static __guest_code uint64_t guest_fnv1a(const volatile uint8_t *p, uint64_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint64_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static __guest_code void guest_code(const uint8_t *in, uint8_t *out)
{
	uint64_t i;

	for (;;) {
		GUEST_SYNC(guest_fnv1a(in, BUF_SIZE));
		for (i = 0; i < BUF_SIZE; i += 8)
			*(volatile uint64_t *)(out + i) = ~*(volatile uint64_t *)(in + i);
		GUEST_SYNC(0xc0de);
	}
}

/* xorshift64 fill */
static void fill(uint8_t *p, uint64_t seed)
{
	uint64_t x = seed, i;

	for (i = 0; i < BUF_SIZE; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, 8);
	}
}

/* Host buffers come from malloc: globals would be copied into the guest. */
static bool check_out(struct hvm_vm *vm, u64 out, const uint8_t *in)
{
	uint8_t *got = malloc(BUF_SIZE);
	bool ok = true;
	u64 i;

	TEST_ASSERT(got, "malloc");
	vm_read_guest(vm, got, out, BUF_SIZE);
	for (i = 0; i < BUF_SIZE; i++) {
		uint8_t want = ~in[i];

		if (got[i] != want) {
			ksft_print_msg("output byte %#lx: %#x, want %#x",
				       (unsigned long)i, got[i], want);
			ok = false;
			break;
		}
	}
	free(got);
	return ok;
}

int main(void)
{
	uint8_t *data = malloc(BUF_SIZE), *back = malloc(BUF_SIZE);
	struct hvm_vcpu *vcpu;
	struct hvm_vm *vm;
	u64 in, out;
	bool ok;
	int round;

	ksft_print_header();
	open_hvm_or_skip();
	ksft_set_plan(7);
	TEST_ASSERT(data && back, "malloc");

	vm = vm_create_with_vcpu(&vcpu, guest_code);
	in = vm_vaddr_alloc(vm, BUF_SIZE);
	out = vm_vaddr_alloc(vm, BUF_SIZE);
	vcpu_args_set(vcpu, in, out);

	for (round = 1; round <= 2; round++) {
		fill(data, 0x9e3779b97f4a7c15ull * round);
		vm_write_guest(vm, in, data, BUF_SIZE);
		ok = vcpu_run_expect_sync(vcpu, fnv1a(data, BUF_SIZE));
		ksft_test_result(ok, "round %d: guest FNV-1a of 1 MiB matches the host's", round);
		ok = vcpu_run_expect_sync(vcpu, 0xc0de) && check_out(vm, out, data);
		ksft_test_result(ok, "round %d: 1 MiB the guest wrote is what the host reads", round);
	}

	/* One byte changed at each end of the buffer, same guest mappings. */
	data[0] ^= 0x01;
	data[BUF_SIZE - 1] ^= 0x80;
	vm_write_guest(vm, in, data, 1);
	vm_write_guest(vm, in + BUF_SIZE - 1, data + BUF_SIZE - 1, 1);
	ok = vcpu_run_expect_sync(vcpu, fnv1a(data, BUF_SIZE));
	ksft_test_result(ok, "host changes to the first and last byte are seen by the guest");
	ok = vcpu_run_expect_sync(vcpu, 0xc0de) && check_out(vm, out, data);
	ksft_test_result(ok, "guest output reflects the changed bytes");

	/* The guest only read the input buffer. */
	vm_read_guest(vm, back, in, BUF_SIZE);
	ksft_test_result(!memcmp(back, data, BUF_SIZE),
			 "the input buffer is unchanged in guest memory");
	vm_free(vm);
	free(data);
	free(back);
	ksft_finished();
}
