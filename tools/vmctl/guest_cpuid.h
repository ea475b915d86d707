/* SPDX-License-Identifier: GPL-2.0 */
/* vmctl: the guest's CPUID (cpuid.c, by the policy of cpuid_policy.c). */
#ifndef VMCTL_GUEST_CPUID_H
#define VMCTL_GUEST_CPUID_H

#include <stdint.h>

struct vm;
struct accel_vcpu;

/* Gives vCPU id its CPUID table; 0 or -errno. */
int cpuid_setup(struct vm *vm, struct accel_vcpu *vcpu, unsigned int id);
/* The host's TSC rate in kHz (the guest's too). */
uint64_t host_tsc_khz(void);

#endif
