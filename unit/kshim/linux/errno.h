/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/errno.h> so kernel-pure code builds in tests. */
#ifndef HVM_KSHIM_LINUX_ERRNO_H
#define HVM_KSHIM_LINUX_ERRNO_H

/*
 * glibc's <errno.h> itself includes <linux/errno.h>, which finds this shim
 * first; pull in the real UAPI header so the E* values get defined.
 */
#include_next <linux/errno.h>
#include <errno.h>

#endif /* HVM_KSHIM_LINUX_ERRNO_H */
