// SPDX-License-Identifier: GPL-2.0
/* /sys/kernel/debug/hvm/objects and /dev/kmsg helpers. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "hvm_util.h"

/*
 * Format: one "name value" per line: "vms N", "vcpus N", "pinned_pages N"
 * (live objects of all VMs; pinned_pages may be absent), "npt_large_maps N".
 */
bool hvm_read_objects(struct hvm_objects *o)
{
	FILE *f = fopen(HVM_DEBUGFS_OBJECTS, "r");
	char name[64];
	long val;
	int found = 0;

	if (!f)
		return false;
	o->vms = o->vcpus = o->pinned_pages = o->npt_large_maps = -1;
	while (fscanf(f, "%63s %ld", name, &val) == 2) {
		if (!strcmp(name, "vms"))
			o->vms = val, found |= 1;
		else if (!strcmp(name, "vcpus"))
			o->vcpus = val, found |= 2;
		else if (!strcmp(name, "pinned_pages"))
			o->pinned_pages = val, found |= 4;
		else if (!strcmp(name, "npt_large_maps"))
			o->npt_large_maps = val;
	}
	fclose(f);
	/* pinned_pages is optional (-1 when the module does not report it). */
	if ((found & 3) != 3)
		ksft_print_msg("%s: unexpected format", HVM_DEBUGFS_OBJECTS);
	return (found & 3) == 3;
}

long long hvm_exit_count(u64 code)
{
	FILE *f = fopen(HVM_DEBUGFS_EXITS, "r");
	unsigned long long c, n;
	char name[32];
	long long count = 0;

	if (!f)
		return -1;
	/* Lines "CODE COUNT", CODE in hex; "other COUNT" for the rest. */
	while (fscanf(f, "%31s %llu", name, &n) == 2) {
		if (sscanf(name, "%llx", &c) == 1 && c == code)
			count = n;
	}
	fclose(f);
	return count;
}

static int kmsg_fd = -1;

bool kmsg_begin(void)
{
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd < 0)
		return false;
	return lseek(kmsg_fd, 0, SEEK_END) >= 0;
}

static bool kmsg_memcg_oom_ok;

void kmsg_allow_memcg_oom(bool allow)
{
	kmsg_memcg_oom_ok = allow;
}

static const char *kmsg_problem(const char *rec)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "general protection fault",
		"Call Trace", "UBSAN", "KASAN", "refcount_t",
		/* the lockup, hung-task and RCU stall detectors */
		"soft lockup", "hard LOCKUP", "blocked for more than",
		"self-detected stall", "detected stalls", "rcu: INFO:",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (strstr(rec, bad[i]))
			return bad[i];
	return NULL;
}

static void kmsg_print(const char *prefix, char *rec)
{
	char *nl = strchr(rec, '\n');

	if (nl)
		*nl = 0;
	ksft_print_msg("%s%s", prefix, rec);
}

/*
 * An OOM report is "invoked oom-killer:", a stack dump ("Call Trace:"
 * ... "</TASK>"), then for a memory cgroup "memory: usage ...". With
 * kmsg_allow_memcg_oom(true) such a report's stack is not a problem (a
 * test that hits a cgroup's memory.max on purpose); any other is.
 */
int kmsg_count_problems(void)
{
	enum { NONE, IN_STACK, AFTER_STACK } oom = NONE;
	int problems = 0, held = 0;
	char rec[2048];

	if (kmsg_fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		const char *what;

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (n <= 0)
			break;
		rec[n] = 0;
		if (kmsg_memcg_oom_ok) {
			if (strstr(rec, "invoked oom-killer:")) {
				problems += held;	/* an earlier one unresolved */
				held = 0;
				oom = IN_STACK;
				kmsg_print("kmsg (OOM report): ", rec);
				continue;
			}
			if (oom == AFTER_STACK) {
				if (strstr(rec, "memory: usage")) {
					kmsg_print("kmsg (memory cgroup OOM, its stack is expected): ", rec);
					held = 0;
				}
				problems += held;
				held = 0;
				oom = NONE;
			}
			if (oom == IN_STACK) {
				if (strstr(rec, "</TASK>"))
					oom = AFTER_STACK;
				if (kmsg_problem(rec)) {
					kmsg_print("kmsg (in an OOM report): ", rec);
					held++;	/* counted unless a memcg's */
				}
				continue;
			}
		}
		what = kmsg_problem(rec);
		if (what) {
			kmsg_print("kmsg: ", rec);
			problems++;
		}
	}
	return problems + held;
}
