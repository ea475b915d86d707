// SPDX-License-Identifier: GPL-2.0
// Reproducer of hvmfuzz finding F1 (F1-stuck-run.txt), not built by make: it
// hangs the machine. One long-mode vCPU on hvmfuzz's tables (gen.c), each
// single sregs change in turn, slot 0 read-write then PROT_NONE, HVM_RUN x3
// with a signal every 5 ms; each case is printed before it runs. In the SVM
// lab (6.12) it ran 130 cases, the first FAIL_ENTRY came with
// cr3 = 0x8000000000000000, and the next case (a valid long-mode state,
// cr3 = 0x5000, jmp $ with IF=0) never came back from HVM_RUN: RCU stall on
// that CPU, NMI backtrace in svm_vcpu_run. Build, from the top:
//   cc -std=gnu11 -O2 -static -Iuapi -Itools/hvmfuzz -o build/F1_repro_test \
//      tools/hvmfuzz/findings/F1-repro.c tools/hvmfuzz/gen.c
// and run it as the lab's only test (SELFTESTS_DIR=<dir with it> lab/svm-run-selftests).
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "hvmfuzz.h"
struct shared *sh; const struct options *opt;
u64 mix64(u64 x){x += 0x9e3779b97f4a7c15ull;x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;return x ^ (x >> 31);}
u64 rng_next(struct rng *r){r->s += 0x9e3779b97f4a7c15ull;return mix64(r->s);}
static void h(int s){(void)s;}
int main(void)
{
	int sys = open("/dev/hvm", O_RDWR), vm, vc, c, f, prot, k, ok = 0, bad = 0;
	u8 *m = mmap(NULL, SLOT0_SIZE, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	struct rng r = { 1 };
	struct sigaction sa = { .sa_handler = h };
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1 };
	struct itimerspec its = { .it_value.tv_nsec = 5000000, .it_interval.tv_nsec = 5000000 };
	timer_t t;
	static const u64 vals[] = { 0, 1, 2, 3, 0xb, 0xf, 0xfee00000, 0xffffffff, 0x8000000000000000ull, 0x5000 };
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	sigaction(SIGUSR1, &sa, NULL);
	sev._sigev_un._tid = gettid(); timer_create(CLOCK_MONOTONIC, &sev, &t);
	vm = ioctl(sys, HVM_CREATE_VM, 0);
	ioctl(vm, HVM_CREATE_LAPIC, 0);
	gen_tables(m, &r);
	memset(m + CODE_GPA, 0x90, 0x1000); m[CODE_GPA] = 0xeb; m[CODE_GPA + 1] = 0xfe;	/* jmp $ */
	struct hvm_memory_region mr = { .slot = 0, .memory_size = SLOT0_SIZE, .userspace_addr = (u64)m };
	ioctl(vm, HVM_SET_MEMORY_REGION, &mr);
	vc = ioctl(vm, HVM_CREATE_VCPU, 0);
	struct hvm_run *run = mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, vc, 0);
	for (prot = 0; prot < 2; prot++)
	for (c = 0; c < 16; c++)		/* field */
	for (k = 0; k < 10; k++) {
		struct hvm_sregs s; struct hvm_regs g = { .rip = CODE_GPA, .rsp = STACK_GPA + 0x1ff0, .rflags = 2 };
		int i;
		ioctl(vc, HVM_GET_SREGS, &s);
		gen_sregs(&s, 0, MODE_LONG);
		struct hvm_segment *seg = c < 8 ? &s.cs + (c % 4 == 3 ? 6 : c % 4) : NULL;	/* cs ss? see below */
		u64 v = vals[k];
		f = c / 4;
		if (c < 12) {
			seg = (struct hvm_segment *[]){ &s.cs, &s.ss, &s.ds, &s.tr }[c % 4];
			switch (f) {
			case 0: seg->type = v & 15; break;
			case 1: seg->present = v & 1; seg->dpl = (v >> 1) & 3; seg->l = (v >> 3) & 1; seg->db = !(v & 8); break;
			default: seg->selector = v; seg->base = v; seg->unusable = v & 1; break;
			}
		} else if (c == 12) s.cr3 = v;
		else if (c == 13) s.cr8 = v & 15;
		else if (c == 14) s.efer ^= 1ull << (k + 1);
		else s.cr4 ^= 1ull << (k * 2);
		printf("# case prot=%d field=%d val=%#llx\n", prot, c, (unsigned long long)v);
		if (ioctl(vc, HVM_SET_SREGS, &s)) { continue; }
		ioctl(vc, HVM_SET_REGS, &g);
		mprotect(m, SLOT0_SIZE, prot ? PROT_NONE : PROT_READ|PROT_WRITE);
		for (i = 0; i < 3; i++) {
			run->request_interrupt_window = i & 1;
			timer_settime(t, 0, &its, NULL);
			int x = ioctl(vc, HVM_RUN, 0);
			struct itimerspec z = { 0 }; timer_settime(t, 0, &z, NULL);
			printf("#   run -> %d exit %u\n", x, run->exit_reason);
			if (x == 0) ok++; else bad++;
		}
		mprotect(m, SLOT0_SIZE, PROT_READ|PROT_WRITE);
	}
	printf("ok 1 - survived all cases (%d exits, %d EINTR)\n", ok, bad);
	return 0;
}
