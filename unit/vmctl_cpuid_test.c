// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace TAP test for vmctl's CPUID policy (tools/vmctl/cpuid_policy.c):
 * cpuid_build() on made-up "supported" tables, and docs/cpuid.md against
 * the policy's tables. Usage: vmctl_cpuid_test DOCS/cpuid.md
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuid_policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1u << (n))

static int failed;
static unsigned int test_no;

static void report(bool ok, const char *name)
{
	printf("%sok %u - %s\n", ok ? "" : "not ", ++test_no, name);
	if (!ok)
		failed = 1;
}

enum { A, B, C, D };

/* What a guest's CPUID reads: the entry's register, 0 if there is none. */
static uint32_t rd(const struct x86_cpuid_entry *e, int n, uint32_t fn,
		   uint32_t idx, int reg)
{
	int i;

	for (i = 0; i < n; i++) {
		if (e[i].function != fn ||
		    (e[i].index_significant && e[i].index != idx))
			continue;
		return reg == A ? e[i].eax : reg == B ? e[i].ebx :
		       reg == C ? e[i].ecx : e[i].edx;
	}
	return 0;
}

static int count(const struct x86_cpuid_entry *e, int n, uint32_t fn)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += e[i].function == fn;
	return k;
}

/* Checks that bits (all set, or all clear) of fn.idx's register. */
static bool bits(const struct x86_cpuid_entry *e, int n, uint32_t fn,
		 uint32_t idx, int reg, uint32_t mask, bool set)
{
	uint32_t v = rd(e, n, fn, idx, reg);
	bool ok = set ? (v & mask) == mask : !(v & mask);

	if (!ok)
		printf("#   leaf 0x%x.%u reg %c = 0x%08x, want bits 0x%08x %s\n",
		       fn, idx, "abcd"[reg], v, mask, set ? "set" : "clear");
	return ok;
}

#define S(fn, idx, a, b, c, d) \
	{ fn, idx, true, a, b, c, d }

/* AuthenticAMD, with features the policy passes, hides and does not know. */
static const struct x86_cpuid_entry amd_sup[] = {
	S(0x0, 0, 0x14, 0x68747541, 0x444d4163, 0x69746e65),
	/* ECX: SSE3 VMX SSSE3 (16: reserved) XSAVE OSXSAVE AVX; EDX: FPU
	 * TSC MCE APIC (10: reserved) SSE2 HTT. */
	S(0x1, 0, 0x00a20f10, 0x00020800,
	  BIT(0) | BIT(5) | BIT(9) | BIT(16) | BIT(26) | BIT(27) | BIT(28),
	  BIT(0) | BIT(4) | BIT(7) | BIT(9) | BIT(10) | BIT(26) | BIT(28)),
	S(0x4, 0, 0x0c004121, 0x01c0003f, 0x3f, 0),
	S(0x6, 0, 0x7, 0x2, 0x9, 0),	/* thermal, ARAT, ... */
	/* 7.0 EBX: FSGSBASE TSC_ADJUST AVX2 SMEP; ECX: UMIP PKU OSPKE
	 * (26: reserved) PKS; EDX: (0: reserved) FSRM SPEC_CTRL. */
	S(0x7, 0, 2, BIT(0) | BIT(1) | BIT(5) | BIT(7),
	  BIT(2) | BIT(3) | BIT(4) | BIT(26) | BIT(31),
	  BIT(0) | BIT(4) | BIT(26)),
	S(0x7, 1, BIT(4) | BIT(26), 0, 0, 0),	/* AVX_VNNI LAM */
	S(0x7, 2, 0, 0, 0, BIT(0)),		/* PSFD */
	S(0xa, 0, 0x07300402, 0, 0, 0),		/* performance counters */
	S(0xb, 0, 1, 2, 0x100, 6),		/* x2APIC topology */
	/* XCR0 x87 SSE AVX PKRU; XSAVEOPT XSAVEC XSAVES. */
	S(0xd, 0, 0x207, 0x988, 0x988, 0),
	S(0xd, 1, BIT(0) | BIT(1) | BIT(3), 0x988, 0x1800, 0),
	S(0xd, 2, 256, 576, 0, 0),
	S(0xd, 9, 8, 2432, 0, 0),
	S(0xd, 11, 16, 0, 1, 0),		/* CET_U, a supervisor state */
	S(0x14, 0, 1, 0xf, 7, 0),		/* processor trace */
	S(0x40000000, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d),
	S(0x80000000, 0, 0x80000028, 0x68747541, 0x444d4163, 0x69746e65),
	/* ECX: LAHF SVM ABM (31: reserved); EDX: SYSCALL (18: reserved)
	 * NX RDTSCP LM. */
	S(0x80000001, 0, 0x00a20f10, 0x20000000,
	  BIT(0) | BIT(2) | BIT(5) | BIT(31),
	  BIT(11) | BIT(18) | BIT(20) | BIT(27) | BIT(29)),
	S(0x80000008, 0, 0x3030, BIT(0) | BIT(5) | BIT(12), 0x700f, 0),
	S(0x8000000a, 0, 1, 0x8000, 0, 0x1ebfbcff),	/* SVM */
	S(0x8000001e, 0, 2, 0x101, 0, 0),
	S(0x80000021, 0, BIT(2) | BIT(8) | BIT(31), 0, 0, 0),
	S(0x80000026, 0, 1, 2, 0x100, 4),
};

static const struct cpuid_config cfg_apic = {
	.lapic = true, .x2apic = true, .tsc_deadline = true,
	.apic_id = 3, .tsc_khz = 2400000,
};

static void test_amd(void)
{
	struct x86_cpuid_entry g[256];
	struct cpuid_config none = { .apic_id = 0, .tsc_khz = 2400000 };
	int n = cpuid_build(amd_sup, ARRAY_SIZE(amd_sup), &cfg_apic, g,
			    ARRAY_SIZE(g));
	bool ok;

	report(n > 0, "cpuid_build() succeeds");
	if (n <= 0)
		return;
	report(bits(g, n, 7, 0, C, BIT(31), false),
	       "PKS (7.0:ECX[31]) supported: hidden");
	report(bits(g, n, 7, 0, C, BIT(3) | BIT(4), false),
	       "PKU and OSPKE supported: hidden");
	ok = bits(g, n, 1, 0, C, BIT(16), false) &
	     bits(g, n, 1, 0, D, BIT(10), false) &
	     bits(g, n, 7, 0, C, BIT(26), false) &
	     bits(g, n, 7, 0, D, BIT(0), false) &
	     bits(g, n, 0x80000001, 0, C, BIT(31), false) &
	     bits(g, n, 0x80000001, 0, D, BIT(18), false) &
	     bits(g, n, 0x80000021, 0, A, BIT(31), false);
	report(ok, "bits the policy does not know: hidden");
	ok = bits(g, n, 1, 0, C, BIT(0) | BIT(9) | BIT(26) | BIT(28), true) &
	     bits(g, n, 1, 0, D, BIT(0) | BIT(4) | BIT(26), true) &
	     bits(g, n, 7, 0, B, BIT(0) | BIT(5) | BIT(7), true) &
	     bits(g, n, 7, 0, C, BIT(2), true) &
	     bits(g, n, 7, 0, D, BIT(4), true) &
	     bits(g, n, 7, 1, A, BIT(4), true) &
	     bits(g, n, 0xd, 1, A, BIT(0) | BIT(1), true) &
	     bits(g, n, 0x80000001, 0, C, BIT(0) | BIT(5), true) &
	     bits(g, n, 0x80000001, 0, D, BIT(11) | BIT(20) | BIT(29), true) &
	     bits(g, n, 0x80000008, 0, B, BIT(0), true) &
	     bits(g, n, 0x80000021, 0, A, BIT(2), true);
	report(ok, "known-good features supported: passed");
	ok = bits(g, n, 1, 0, C, BIT(5) | BIT(27), false) &
	     bits(g, n, 1, 0, D, BIT(7) | BIT(28), false) &
	     bits(g, n, 7, 0, B, BIT(1), false) &
	     bits(g, n, 7, 0, D, BIT(26), false) &
	     bits(g, n, 7, 1, A, BIT(26), false) &
	     bits(g, n, 0xd, 1, A, BIT(3), false) &
	     bits(g, n, 0x80000001, 0, C, BIT(2), false) &
	     bits(g, n, 0x80000001, 0, D, BIT(27), false) &
	     bits(g, n, 0x80000008, 0, B, BIT(12), false) &
	     bits(g, n, 0x80000021, 0, A, BIT(8), false);
	report(ok, "VMX, OSXSAVE, MCE, HTT, TSC_ADJUST, SPEC_CTRL, LAM, XSAVES, SVM, RDTSCP, IBPB, AutoIBRS: hidden");
	ok = rd(g, n, 7, 0, A) == 1 && !rd(g, n, 7, 2, D) &&
	     !rd(g, n, 0xa, 0, A) && !rd(g, n, 0xb, 0, B) &&
	     !rd(g, n, 0x14, 0, A) && !rd(g, n, 0x8000000a, 0, D) &&
	     !rd(g, n, 0x80000026, 0, A) &&
	     !rd(g, n, 6, 0, B) && !rd(g, n, 6, 0, C) &&
	     rd(g, n, 0x80000000, 0, A) == 0x80000021 &&
	     rd(g, n, 0, 0, A) == 0x14;
	report(ok, "leaves outside the policy read as 0; highest leaves, 7.0:EAX capped");
	ok = bits(g, n, 1, 0, C, BIT(31) | BIT(21) | BIT(24), true) &
	     bits(g, n, 1, 0, D, BIT(9), true) &
	     bits(g, n, 6, 0, A, BIT(2), true) &
	     bits(g, n, 6, 0, A, ~BIT(2), false) &&
	     rd(g, n, 1, 0, B) >> 16 == 0x0301 &&
	     (rd(g, n, 0x80000008, 0, C) & 0xf0ff) == 0 &&
	     !rd(g, n, 0x8000001e, 0, A) && !rd(g, n, 0x8000001e, 0, B);
	report(ok, "vmctl's bits with an x2APIC: hypervisor, x2APIC, TSC-deadline, APIC, ARAT, APIC ID 3, one thread");
	ok = count(g, n, 0x40000000) == 1 &&
	     rd(g, n, 0x40000000, 0, A) == 0x40000010 &&
	     !memcmp((uint32_t[]){ rd(g, n, 0x40000000, 0, B),
				   rd(g, n, 0x40000000, 0, C),
				   rd(g, n, 0x40000000, 0, D) },
		     "hvmhvmhvmhvm", 12) &&
	     rd(g, n, 0x40000010, 0, A) == 2400000 &&
	     rd(g, n, 0x40000010, 0, B) == 1000000;
	report(ok, "hypervisor leaves: vmctl's, not the accelerator's");
	ok = rd(g, n, 0xd, 0, A) == 0x7 && rd(g, n, 0xd, 0, D) == 0 &&
	     rd(g, n, 0xd, 0, C) == 576 + 256 && rd(g, n, 0xd, 2, A) == 256 &&
	     !rd(g, n, 0xd, 9, A) && !rd(g, n, 0xd, 11, A) &&
	     !rd(g, n, 0xd, 1, B) && !rd(g, n, 0xd, 1, C);
	if (!ok)
		printf("#   0xd.0: eax 0x%x ecx %u\n", rd(g, n, 0xd, 0, A),
		       rd(g, n, 0xd, 0, C));
	report(ok, "leaf 0xd: XCR0 x87|SSE|AVX without PKRU, its size, no IA32_XSS states");

	n = cpuid_build(amd_sup, ARRAY_SIZE(amd_sup), &none, g, ARRAY_SIZE(g));
	ok = n > 0 && bits(g, n, 1, 0, C, BIT(21) | BIT(24), false) &
	     bits(g, n, 1, 0, D, BIT(9), false) &
	     bits(g, n, 6, 0, A, BIT(2), false) &
	     bits(g, n, 1, 0, C, BIT(31), true);
	report(ok, "without an in-kernel APIC: no APIC, x2APIC, TSC-deadline, ARAT");

	n = cpuid_build(amd_sup, ARRAY_SIZE(amd_sup), &cfg_apic, g, 10);
	report(n == -E2BIG, "a table that does not fit: -E2BIG");
}

static const struct x86_cpuid_entry intel_sup[] = {
	S(0x0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69),
	S(0x1, 0, 0x50654, 0x00100800, BIT(0), BIT(0)),
	S(0x15, 0, 2, 200, 25000000, 0),
	S(0x80000000, 0, 0x80000008, 0, 0, 0),
};

static void test_intel(void)
{
	struct x86_cpuid_entry g[64];
	int n = cpuid_build(intel_sup, ARRAY_SIZE(intel_sup), &cfg_apic, g,
			    ARRAY_SIZE(g));
	bool ok = n > 0 && rd(g, n, 0, 0, A) == 0x16 &&
		  count(g, n, 0x15) == 1 && !rd(g, n, 0x15, 0, B) &&
		  !rd(g, n, 0x15, 0, C) && rd(g, n, 0x16, 0, A) == 2400;

	report(ok, "Intel: leaf 0x15 empty, leaf 0x16 the TSC rate in MHz");
}

/* Each row applied to a supported table with every bit of every leaf set. */
static void test_rows(void)
{
	static struct x86_cpuid_entry sup[64], g[256];
	static const uint32_t leaves[][2] = {
		{ 0, 0 }, { 1, 0 }, { 6, 0 }, { 7, 0 }, { 7, 1 }, { 0xd, 0 },
		{ 0xd, 1 }, { 0x80000000, 0 }, { 0x80000001, 0 },
		{ 0x80000007, 0 }, { 0x80000008, 0 }, { 0x80000021, 0 },
	};
	unsigned int i, j, nsup = 0, bad = 0, reg;
	int n;

	for (i = 0; i < ARRAY_SIZE(leaves); i++)
		sup[nsup++] = (struct x86_cpuid_entry){
			leaves[i][0], leaves[i][1], true,
			~0u, ~0u, ~0u, ~0u,
		};
	sup[0].eax = 0x16;
	sup[0].ebx = 0x68747541;	/* AuthenticAMD */
	sup[0].ecx = 0x444d4163;
	sup[0].edx = 0x69746e65;
	sup[7].eax = 0x80000021;
	n = cpuid_build(sup, nsup, &cfg_apic, g, ARRAY_SIZE(g));
	if (n <= 0) {
		report(false, "every row's rule, on a table with every bit set");
		return;
	}
	for (i = 0; i < cpuid_nr_features; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		bool set = rd(g, n, f->leaf, f->subleaf, f->reg) & BIT(f->bit);
		bool want = f->rule == CPUID_PASS;

		/* The vmctl-owned bits, with an x2APIC, deadline timer. */
		if (f->rule == CPUID_VMCTL)
			want = strcmp(f->name, "OSXSAVE");
		if (set != want) {
			printf("#   %s (0x%x.%u %c[%u]) is %u\n", f->name, f->leaf,
			       f->subleaf, "abcd"[f->reg], f->bit, set);
			bad++;
		}
	}
	report(!bad, "every row's rule, on a table with every bit set");

	/* Bits no row names: hidden, in every feature register. */
	bad = 0;
	for (i = 0; i < cpuid_nr_leaves; i++) {
		const struct cpuid_leaf *l = &cpuid_leaves[i];
		uint32_t sub = l->subleaf == CPUID_ANY_SUBLEAF ? 0 : l->subleaf;

		for (reg = CPUID_EAX; reg <= CPUID_EDX; reg++) {
			uint32_t named = 0;

			if (!(l->features & CPUID_REG(reg)))
				continue;
			for (j = 0; j < cpuid_nr_features; j++)
				if (cpuid_features[j].leaf == l->leaf &&
				    cpuid_features[j].subleaf == sub &&
				    cpuid_features[j].reg == reg)
					named |= BIT(cpuid_features[j].bit);
			if (rd(g, n, l->leaf, sub, reg) & ~named) {
				printf("#   0x%x.%u %c: unnamed bits 0x%08x\n",
				       l->leaf, sub, "abcd"[reg],
				       rd(g, n, l->leaf, sub, reg) & ~named);
				bad++;
			}
		}
	}
	report(!bad, "bits no row names: hidden in every feature register");
}

/* ---- docs/cpuid.md against the tables ---- */

static const char *const rule_names[] = { "pass", "hide", "vmctl" };

static void regs_str(uint8_t mask, char *buf, size_t size)
{
	static const char *const names[] = { "EAX", "EBX", "ECX", "EDX" };
	size_t len = 0;
	int r;

	buf[0] = 0;
	for (r = 0; r < 4; r++)
		if (mask & CPUID_REG(r))
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? " " : "", names[r]);
	if (!len)
		snprintf(buf, size, "-");
}

/* The key columns of each row as docs/cpuid.md writes them. */
static void leaf_row(const struct cpuid_leaf *l, char *buf, size_t size)
{
	char sub[16], copy[32], feat[32];

	if (l->subleaf == CPUID_ANY_SUBLEAF)
		snprintf(sub, sizeof(sub), "any");
	else
		snprintf(sub, sizeof(sub), "%u", l->subleaf);
	regs_str(l->copy, copy, sizeof(copy));
	regs_str(l->features, feat, sizeof(feat));
	snprintf(buf, size, "| 0x%08x | %s | %s | %s |", l->leaf, sub, copy,
		 feat);
}

static void feature_row(const struct cpuid_feature *f, char *buf, size_t size)
{
	static const char *const names[] = { "EAX", "EBX", "ECX", "EDX" };

	snprintf(buf, size, "| 0x%08x | %u | %s | %u | %s | %s |", f->leaf,
		 f->subleaf, names[f->reg], f->bit, f->name,
		 rule_names[f->rule]);
}

static void xsave_row(const struct cpuid_xsave_component *x, char *buf,
		      size_t size)
{
	snprintf(buf, size, "| %u | %s | %s |", x->bit, x->name,
		 rule_names[x->rule]);
}

#define MAX_DOC_ROWS	512

struct doc {
	char *rows[3][MAX_DOC_ROWS];	/* leaves, features, XSAVE */
	unsigned int n[3];
	bool used[3][MAX_DOC_ROWS];
};

/*
 * A table row's first ncols cells, normalized to "| a | b |"; the notes
 * column after them is free text.
 */
static char *doc_key(const char *line, int ncols)
{
	char *out = malloc(strlen(line) + 4), *o = out;
	const char *p = line + 1;
	int col;

	*o++ = '|';
	for (col = 0; col < ncols; col++) {
		const char *end = strchr(p, '|');

		if (!end) {
			free(out);
			return NULL;
		}
		while (p < end && *p == ' ')
			p++;
		*o++ = ' ';
		while (end > p && end[-1] == ' ')
			end--;
		memcpy(o, p, (size_t)(end - p));
		o += end - p;
		*o++ = ' ';
		*o++ = '|';
		p = strchr(p, '|') + 1;
	}
	*o = 0;
	return out;
}

static bool doc_read(const char *path, struct doc *d)
{
	static const char *const heads[3] = {
		"## Leaves", "## Feature bits", "## XSAVE components"
	};
	static const int ncols[3] = { 4, 6, 3 };
	char line[1024];
	int table = -1, t;
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("#   %s: %s\n", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3)) {
			table = -1;
			for (t = 0; t < 3; t++)
				if (!strncmp(line, heads[t], strlen(heads[t])))
					table = t;
			continue;
		}
		/* Data rows start with a number: "| 0x..." or "| 9 ". */
		if (table < 0 || line[0] != '|' || line[1] != ' ' ||
		    line[2] < '0' || line[2] > '9')
			continue;
		if (d->n[table] == MAX_DOC_ROWS)
			break;
		d->rows[table][d->n[table]] = doc_key(line, ncols[table]);
		if (d->rows[table][d->n[table]])
			d->n[table]++;
	}
	fclose(f);
	return true;
}

static unsigned int doc_match(struct doc *d, int table, const char *row)
{
	unsigned int i;

	for (i = 0; i < d->n[table]; i++) {
		if (!d->used[table][i] && !strcmp(d->rows[table][i], row)) {
			d->used[table][i] = true;
			return 0;
		}
	}
	printf("#   not in the docs: %s\n", row);
	return 1;
}

static void test_docs(const char *path)
{
	static const char *const what[3] = {
		"docs: the leaves table agrees with cpuid_leaves[]",
		"docs: the feature bits table agrees with cpuid_features[]",
		"docs: the XSAVE components table agrees with cpuid_xsave_components[]",
	};
	static struct doc d;
	char row[256];
	unsigned int i, bad[3] = { 0 };
	int t;

	if (!doc_read(path, &d)) {
		for (t = 0; t < 3; t++)
			report(false, what[t]);
		return;
	}
	for (i = 0; i < cpuid_nr_leaves; i++) {
		leaf_row(&cpuid_leaves[i], row, sizeof(row));
		bad[0] += doc_match(&d, 0, row);
	}
	for (i = 0; i < cpuid_nr_features; i++) {
		feature_row(&cpuid_features[i], row, sizeof(row));
		bad[1] += doc_match(&d, 1, row);
	}
	for (i = 0; i < cpuid_nr_xsave_components; i++) {
		xsave_row(&cpuid_xsave_components[i], row, sizeof(row));
		bad[2] += doc_match(&d, 2, row);
	}
	for (t = 0; t < 3; t++) {
		for (i = 0; i < d.n[t]; i++) {
			if (!d.used[t][i]) {
				printf("#   only in the docs: %s\n", d.rows[t][i]);
				bad[t]++;
			}
		}
		report(!bad[t] && d.n[t], what[t]);
	}
}

int main(int argc, char **argv)
{
	printf("TAP version 13\n");
	test_amd();
	test_intel();
	test_rows();
	test_docs(argc > 1 ? argv[1] : "docs/cpuid.md");
	printf("1..%u\n", test_no);
	return failed;
}
