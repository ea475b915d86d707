/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites of hvm_kunit.ko share: a vendor without hardware,
 * VMs built without /dev/hvm, and an independent nested-page-table walker.
 */
#ifndef _HVM_KUNIT_H
#define _HVM_KUNIT_H

#include <kunit/test.h>

#include "hvm_core.h"

/* A VM as the core builds it, with one vCPU that never enters a guest. */
struct hvm_kunit_vm {
	struct hvm_vendor_ops ops;	/* hvm_ops while the test runs */
	struct hvm_npt_format npt;
	struct hvm_vm *vm;
	struct hvm_vcpu *vcpu;		/* vcpus[0]: NPT page cache, requests */
};

/*
 * Makes hvm_ops a vendor with nested tables in format fmt, no MSRs of its
 * own (get_msr/set_msr say -ENOENT) and interrupts allowed by IF alone,
 * then a VM with empty nested tables (hvm_mmu_init) and vCPU 0. Fails the
 * test if it cannot.
 */
struct hvm_kunit_vm *hvm_kunit_vm_create(struct kunit *test,
					 const struct hvm_npt_format *fmt);
/* Frees what hvm_kunit_vm_create() made; for a suite's exit(). */
void hvm_kunit_vm_destroy(struct hvm_kunit_vm *t);

/* Maps gpa to leaf as a nested-page fault does: topup, mmu_lock, map. */
void hvm_kunit_map(struct kunit *test, struct hvm_kunit_vm *t, u64 gpa,
		   u64 leaf);
/* The same at level 2 (a 2 MiB leaf); returns hvm_npt_map()'s flush. */
bool hvm_kunit_map_large(struct kunit *test, struct hvm_kunit_vm *t, u64 gpa,
			 u64 leaf);
/* Zaps [gpa, gpa + size) under mmu_lock, as slot deletion does. */
void hvm_kunit_zap(struct hvm_kunit_vm *t, u64 gpa, u64 size);

/*
 * Walks the nested tables from the root, as the hardware would, and
 * returns the leaf entry for gpa (a 2 MiB leaf's, if one maps it), or 0 if a
 * level is not present. Every
 * directory entry on the way must hold exactly the format's directory bits
 * and a table address (checked with KUNIT_EXPECT).
 */
u64 hvm_kunit_walk(struct kunit *test, const struct hvm_vm *vm, u64 gpa);
/* Table pages reachable from the root, root included; up to max in pages[]. */
unsigned long hvm_kunit_table_pages(const struct hvm_vm *vm, u64 **pages,
				    unsigned long max);

/* The nested-page formats the MMU suites run on. */
struct hvm_kunit_npt_param {
	const char *name;
	const struct hvm_vendor_ops *vendor;	/* whose npt format */
	unsigned int levels;
};
extern const struct hvm_kunit_npt_param hvm_kunit_npt_params[3];
void hvm_kunit_npt_param_desc(const struct hvm_kunit_npt_param *p, char *desc);
/* The format a parameter names. */
void hvm_kunit_npt_format(const struct hvm_kunit_npt_param *p,
			  struct hvm_npt_format *fmt);

/* One address field of an entry: bits 51:12. */
#define HVM_KUNIT_NPT_ADDR	GENMASK_ULL(51, 12)

#endif /* _HVM_KUNIT_H */
