// SPDX-License-Identifier: GPL-2.0
/*
 * HVM_GET_API_VERSION, HVM_CHECK_CAP and HVM_GET_VCPU_MMAP_SIZE.
 * HVM_CAP_IOEVENTFD is the number of registrations a VM may hold.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvm_util.h"

static void check_cap_eq(int fd, u32 cap, const char *name, long want)
{
	long v = ioctl(fd, HVM_CHECK_CAP, (unsigned long)cap);

	ksft_test_result(v == want, "HVM_CHECK_CAP(%s) == %ld (got %ld)", name,
			 want, v);
}

static long check_cap_min(int fd, u32 cap, const char *name, long min)
{
	long v = ioctl(fd, HVM_CHECK_CAP, (unsigned long)cap);

	ksft_test_result(v >= min, "HVM_CHECK_CAP(%s) >= %ld (got %ld)", name,
			 min, v);
	return v;
}

int main(void)
{
	long v, vendor, want_vendor;
	int fd;

	ksft_print_header();
	fd = open_hvm_or_skip();
	ksft_set_plan(20);

	v = ioctl(fd, HVM_GET_API_VERSION, 0);
	ksft_test_result(v == HVM_API_VERSION, "HVM_GET_API_VERSION == %d (got %ld)",
			 HVM_API_VERSION, v);

	check_cap_eq(fd, HVM_CAP_NESTED_PAGING, "NESTED_PAGING", 1);
	check_cap_min(fd, HVM_CAP_NR_MEMSLOTS, "NR_MEMSLOTS", 1);
	check_cap_min(fd, HVM_CAP_MAX_VCPUS, "MAX_VCPUS", 1);
	check_cap_eq(fd, HVM_CAP_READONLY_MEM, "READONLY_MEM", 1);
	check_cap_eq(fd, HVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT", 1);
	check_cap_min(fd, HVM_CAP_MAX_CPUID_ENTRIES, "MAX_CPUID_ENTRIES", 1);
	check_cap_min(fd, HVM_CAP_MAX_MSR_ENTRIES, "MAX_MSR_ENTRIES", 1);
	check_cap_eq(fd, HVM_CAP_LAPIC, "LAPIC", 1);
	check_cap_eq(fd, HVM_CAP_X2APIC, "X2APIC", 1);
	check_cap_eq(fd, HVM_CAP_NMI, "NMI", 1);
	check_cap_eq(fd, HVM_CAP_MSI, "MSI", 1);
	check_cap_eq(fd, HVM_CAP_IRQFD, "IRQFD", 1024);
	check_cap_min(fd, HVM_CAP_IOEVENTFD, "IOEVENTFD", 1);
	check_cap_eq(fd, HVM_CAP_EOI_EXIT, "EOI_EXIT", 1);
	/* The tests place slots and MMIO below 4 GiB; x86 allows <= 52 bits. */
	v = ioctl(fd, HVM_CHECK_CAP, (unsigned long)HVM_CAP_GUEST_PHYS_BITS);
	ksft_test_result(v >= 32 && v <= 52,
			 "HVM_CHECK_CAP(GUEST_PHYS_BITS) in [32, 52] (got %ld)", v);

	vendor = ioctl(fd, HVM_CHECK_CAP, (unsigned long)HVM_CAP_VENDOR);
	want_vendor = host_cpu_is_amd() ? HVM_VENDOR_AMD_SVM :
		      host_cpu_is_intel() ? HVM_VENDOR_INTEL_VMX : -1;
	ksft_test_result(vendor == want_vendor,
			 "HVM_CHECK_CAP(VENDOR) matches the CPUID vendor (got %ld, want %ld)",
			 vendor, want_vendor);

	ksft_test_result(ioctl(fd, HVM_CHECK_CAP, 0xdeadul) == 0 &&
			 ioctl(fd, HVM_CHECK_CAP, 0ul) == 0 &&
			 ioctl(fd, HVM_CHECK_CAP, 0xffffffffffffffff) == 0,
			 "unknown capabilities (0xdead, 0, ~0) report 0");

	v = ioctl(fd, HVM_GET_VCPU_MMAP_SIZE, 0);
	ksft_test_result(v >= 4096 && v % 4096 == 0 &&
			 (size_t)v >= sizeof(struct hvm_run) &&
			 v >= HVM_RUN_IO_DATA_OFFSET + HVM_RUN_IO_DATA_SIZE,
			 "HVM_GET_VCPU_MMAP_SIZE is a page multiple holding hvm_run and the I/O data (got %ld)",
			 v);

	/* Capabilities are constant: a second /dev/hvm fd agrees. */
	{
		int fd2 = open_hvm_or_skip();
		bool same = true;
		u32 cap;

		for (cap = HVM_CAP_NESTED_PAGING; cap <= HVM_CAP_EOI_EXIT; cap++)
			same &= ioctl(fd, HVM_CHECK_CAP, (unsigned long)cap) ==
				ioctl(fd2, HVM_CHECK_CAP, (unsigned long)cap);
		ksft_test_result(same, "capabilities are the same on every /dev/hvm fd");
		close(fd2);
	}
	ksft_finished();
}
