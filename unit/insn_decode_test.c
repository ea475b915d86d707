// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace TAP test for the MMIO instruction decoder in kmod/insn_decode.c.
 * Expected values come from the Intel SDM / AMD APM encoding rules.
 */
#include <stdio.h>
#include <string.h>

#include <linux/errno.h>
#include <linux/types.h>

#include "insn_decode.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "insn_decode_cases.h"

static int failed;
static unsigned int test_no;

static void report(bool ok, const char *name)
{
	printf("%sok %u - %s\n", ok ? "" : "not ", ++test_no, name);
	if (!ok)
		failed = 1;
}

static bool same(const struct hvm_insn *a, const struct hvm_insn *b)
{
	return a->len == b->len && a->kind == b->kind && a->size == b->size &&
	       a->dst_size == b->dst_size && a->reg == b->reg &&
	       a->high_byte == b->high_byte &&
	       a->sign_extend == b->sign_extend &&
	       a->has_imm == b->has_imm && a->imm == b->imm;
}

static void dump(const char *what, const struct hvm_insn *i)
{
	printf("#   %s: len %u kind %u size %u dst %u reg %u hb %d sx %d imm %d 0x%llx\n",
	       what, i->len, i->kind, i->size, i->dst_size, i->reg,
	       i->high_byte, i->sign_extend, i->has_imm,
	       (unsigned long long)i->imm);
}

static void run_dcase(const struct dcase *c)
{
	struct hvm_insn want = {
		.len = c->len, .kind = c->kind, .size = c->size,
		.dst_size = c->dst_size, .reg = c->reg, .high_byte = c->hb,
		.sign_extend = c->sx, .has_imm = c->has_imm, .imm = c->imm,
	};
	struct hvm_insn got, pad;
	u8 buf[32] = { 0 };
	bool ok;
	int rc;

	memset(&got, 0xa5, sizeof(got));
	rc = hvm_insn_decode(c->b, c->n, c->mode, &got);
	ok = rc == c->rc;
	if (ok && rc == 0) {
		ok = same(&got, &want) && got.len == c->n;
		/* One byte short must fail (page-boundary truncation). */
		if (hvm_insn_decode(c->b, c->n - 1, c->mode, &pad) != -EINVAL) {
			printf("#   accepted with avail = len - 1\n");
			ok = false;
		}
		/* Trailing bytes must not change the result. */
		memcpy(buf, c->b, c->n);
		memset(buf + c->n, 0x90, sizeof(buf) - c->n);
		if (hvm_insn_decode(buf, sizeof(buf), c->mode, &pad) ||
		    !same(&pad, &want)) {
			printf("#   differs with trailing bytes\n");
			ok = false;
		}
	}
	if (!ok) {
		printf("#   rc %d, want %d\n", rc, c->rc);
		if (rc == 0)
			dump("got ", &got);
		if (c->rc == 0)
			dump("want", &want);
	}
	report(ok, c->name);
}

static void run_mcase(const struct mcase *c)
{
	struct hvm_insn insn;
	u64 got;

	if (hvm_insn_decode(c->b, c->n, c->mode, &insn)) {
		printf("#   decode failed\n");
		report(false, c->name);
		return;
	}
	if (c->store)
		got = hvm_insn_store_value(&insn, c->old);
	else
		got = hvm_insn_load_merge(&insn, c->old, c->data);
	if (got != c->want || (insn.kind == HVM_INSN_STORE) != c->store)
		printf("#   got 0x%llx want 0x%llx kind %u\n",
		       (unsigned long long)got, (unsigned long long)c->want,
		       insn.kind);
	report(got == c->want && (insn.kind == HVM_INSN_STORE) == c->store,
	       c->name);
}

int main(void)
{
	static const u8 mov[] = { 0x8b, 0x03 };
	struct hvm_insn insn;
	size_t i;

	printf("TAP version 13\n");
	printf("1..%zu\n", ARRAY_SIZE(dcases) + ARRAY_SIZE(mcases) + 1);

	for (i = 0; i < ARRAY_SIZE(dcases); i++)
		run_dcase(&dcases[i]);
	for (i = 0; i < ARRAY_SIZE(mcases); i++)
		run_mcase(&mcases[i]);
	report(hvm_insn_decode(mov, 0, 64, &insn) == -EINVAL,
	       "avail 0 rejected");

	return failed;
}
