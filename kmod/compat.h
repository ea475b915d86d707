/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences between the kernels hvm builds on, in one
 * place: every other file calls the hvm_ name and never tests
 * LINUX_VERSION_CODE itself.
 */
#ifndef HVM_COMPAT_H
#define HVM_COMPAT_H

#include <linux/eventfd.h>
#include <linux/version.h>

/* Linux 6.8 dropped eventfd_signal()'s count argument. */
static inline void hvm_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

#endif
