// SPDX-License-Identifier: GPL-2.0
/*
 * hvmfuzz: seeded, reproducible fuzzing of hvm (see docs/fuzzing.md).
 *
 *   hvmfuzz [--seed S] [--programs N] [--seconds T] [--threads K]
 *           [--allow-known HVM13-1] [--ops N] [--prog-seconds X]
 *           [--run-timeout X] [--kill-pct P] [--tap] [--verbose]
 *
 * Program i of a run has seed s_i (s_0 = S, s_i+1 = mix64(s_i)) and prints
 * it; "hvmfuzz --seed s_i --programs 1" runs that program again. After each
 * program the child is reaped, /sys/kernel/debug/hvm/objects must be back
 * to "vms 0" and "vcpus 0", and /dev/kmsg must hold no new kernel report.
 *
 * Under a name ending in "_test" (build/selftests/hvmfuzz_test) and without
 * arguments it prints TAP: a few fixed seeds and one from the clock, about a
 * minute in all, or the arguments in /etc/hvmfuzz.args if that file exists
 * (`make fuzz` puts it there).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvmfuzz.h"
#include "hvm_util.h"	/* hvm_read_objects(), selftests/lib/debugfs.c */
#include "ksft.h"

struct shared *sh;
const struct options *opt;
static struct options options = {
	.threads = 3,
	.ops_per_thread = 150,
	.prog_seconds = 2.0,
	.run_timeout = 5.0,
	.kill_pct = 10,
};

u64 mix64(u64 x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

u64 rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}

u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void print_ring(int t)
{
	struct thread_state *ts = &sh->thr[t];
	u64 n = atomic_load(&ts->nops), i;

	printf("#   thread %d, last %llu of %llu operations (oldest first):\n", t,
	       (unsigned long long)(n < RING_SIZE ? n : RING_SIZE), (unsigned long long)n);
	for (i = n > RING_SIZE ? n - RING_SIZE : 0; i < n; i++) {
		struct op_rec *o = &ts->ring[i % RING_SIZE];

		if (o->seq != i + 1)
			continue;
		char ret[32];

		if (o->ret == RET_RUNNING)
			snprintf(ret, sizeof(ret), "(not returned)");
		else
			snprintf(ret, sizeof(ret), "%lld", (long long)o->ret);
		printf("#     %6llu %-24s %#llx %#llx %#llx %#llx -> %s\n",
		       (unsigned long long)o->seq, o->name,
		       (unsigned long long)o->arg[0], (unsigned long long)o->arg[1],
		       (unsigned long long)o->arg[2], (unsigned long long)o->arg[3], ret);
	}
}

static void print_seg(const char *n, const struct hvm_segment *g)
{
	printf("#     %-3s sel %#06x base %#llx limit %#x type %u p %u dpl %u db %u s %u l %u g %u unusable %u\n",
	       n, g->selector, (unsigned long long)g->base, g->limit, g->type, g->present,
	       g->dpl, g->db, g->s, g->l, g->g, g->unusable);
}

void print_snap(s64 fd)
{
	int i, k;

	for (i = 0; i < NR_SNAPS; i++) {
		const struct vcpu_snap *v = &sh->snap[i];

		if (!v->fd || v->fd != fd)
			continue;
		printf("#   vCPU fd %lld, as last set: %u-bit code, rip %#llx rsp %#llx rflags %#llx\n",
		       (long long)fd, v->mode, (unsigned long long)v->regs.rip,
		       (unsigned long long)v->regs.rsp, (unsigned long long)v->regs.rflags);
		printf("#     cr0 %#llx cr3 %#llx cr4 %#llx cr8 %#llx efer %#llx apic_base %#llx\n",
		       (unsigned long long)v->sregs.cr0, (unsigned long long)v->sregs.cr3,
		       (unsigned long long)v->sregs.cr4, (unsigned long long)v->sregs.cr8,
		       (unsigned long long)v->sregs.efer, (unsigned long long)v->sregs.apic_base);
		print_seg("cs", &v->sregs.cs);
		print_seg("ss", &v->sregs.ss);
		print_seg("ds", &v->sregs.ds);
		print_seg("tr", &v->sregs.tr);
		printf("#     gdt %#llx/%#x idt %#llx/%#x\n", (unsigned long long)v->sregs.gdt.base,
		       v->sregs.gdt.limit, (unsigned long long)v->sregs.idt.base, v->sregs.idt.limit);
		printf("#     code:");
		for (k = 0; k < (int)sizeof(v->code); k++)
			printf(" %02x", v->code[k]);
		printf("\n");
	}
}

void print_all_rings(void)
{
	int t;

	for (t = 0; t <= MAX_THREADS; t++)
		if (atomic_load(&sh->thr[t].nops))
			print_ring(t);
}

/* ---- the kernel log ----------------------------------------------------- */

static int kmsg_fd = -1;

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/* Prints the kernel's reports logged since the last call; returns how many lines. */
static int kmsg_reports(void)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "general protection", "soft lockup",
		"hard LOCKUP", "blocked for more than", "KASAN", "UBSAN", "lockdep",
		"possible circular locking", "possible recursive locking",
		"inconsistent lock state", "rcu: INFO", "self-detected stall",
		"Call Trace", "refcount_t", "list_add corruption", "list_del corruption",
		"Bad page", "kernel BUG",
	};
	char rec[2048];
	int n = 0;
	unsigned int i;

	if (kmsg_fd < 0)
		return 0;
	for (;;) {
		ssize_t len = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *text, *nl;

		if (len < 0 && errno == EPIPE)
			continue;
		if (len <= 0)
			break;
		rec[len] = 0;
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		nl = strchr(text, '\n');
		if (nl)
			*nl = 0;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(text, bad[i])) {
				printf("# kernel: %s\n", text);
				n++;
				break;
			}
		if (i == sizeof(bad) / sizeof(bad[0]) && opt->verbose)
			printf("# kmsg: %s\n", text);
	}
	return n;
}

/* ---- one program -------------------------------------------------------- */

struct totals {
	u64 programs, killed, findings, ops, runs, eintr, exits[NR_EXIT_SLOTS];
	double seconds;
	bool stop;		/* the machine is in no state to go on */
};

static bool objects_note_said;

/* Waits up to grace seconds for no VM and no vCPU; false if some are left. */
static bool objects_gone(double grace, struct hvm_objects *o)
{
	u64 t0 = now_ns();

	for (;;) {
		if (!hvm_read_objects(o)) {
			if (!objects_note_said)
				printf("# no %s: objects not checked\n", HVM_DEBUGFS_OBJECTS);
			objects_note_said = true;
			return true;
		}
		if (o->vms == 0 && o->vcpus == 0)
			return true;
		if (now_ns() - t0 > grace * 1e9)
			return false;
		usleep(20000);
	}
}

static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void program_finding(u64 seed, const char *what)
{
	atomic_fetch_add(&sh->findings, 1);
	printf("# FINDING: program seed %#llx: %s\n", (unsigned long long)seed, what);
}

static void run_one(u64 seed, struct totals *tot)
{
	u64 f0 = atomic_load(&sh->findings), t0 = now_ns(), kill_at = 0, dl;
	double limit = opt->prog_seconds + 20 + opt->run_timeout;
	bool planned_kill = false, killed = false, rings_printed = false;
	struct hvm_objects o;
	char msg[256];
	pid_t pid;
	int st = 0, t, nk = 0;

	memset(sh->thr, 0, sizeof(sh->thr));
	memset(sh->snap, 0, sizeof(sh->snap));
	sh->prog_seed = seed;
	atomic_store(&sh->stage, 0);
	if (mix64(seed ^ 0x6b696c6cull) % 100 < (u64)opt->kill_pct)
		kill_at = t0 + (mix64(seed ^ 0x74696d65ull) % (u64)(opt->prog_seconds * 1e9 + 1));
	printf("# program %llu seed %#llx%s\n", (unsigned long long)tot->programs,
	       (unsigned long long)seed, kill_at ? " (killed at a random point)" : "");
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("hvmfuzz: fork");
		tot->stop = true;
		return;
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		st = run_program(seed);
		fflush(stdout);
		_exit(st);
	}
	setpgid(pid, pid);
	dl = t0 + limit * 1e9;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		u64 now = now_ns();

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			perror("hvmfuzz: waitpid");
			break;
		}
		if (kill_at && !killed && now >= kill_at) {
			planned_kill = killed = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			dl = now + 10e9;
		}
		for (t = 0; t < MAX_THREADS && !killed; t++) {
			u64 since = atomic_load(&sh->thr[t].run_since);

			if (since && now > since && now - since > opt->run_timeout * 1e9) {
				snprintf(msg, sizeof(msg),
					 "thread %d: HVM_RUN has not returned for %.1f s, with a signal every %u us",
					 t, (now - since) / 1e9, atomic_load(&sh->thr[t].run_period_us));
				program_finding(seed, msg);
				print_all_rings();
				{
					u64 n = atomic_load(&sh->thr[t].nops);

					if (n)
						print_snap(sh->thr[t].ring[(n - 1) % RING_SIZE].arg[0]);
				}
				rings_printed = true;
				killed = true;
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				dl = now + 10e9;
			}
		}
		if (now > dl) {
			if (!killed) {
				snprintf(msg, sizeof(msg), "the program did not end within %.0f s", limit);
				program_finding(seed, msg);
				print_all_rings();
				rings_printed = true;
				killed = true;
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				dl = now + 10e9;
				continue;
			}
			snprintf(msg, sizeof(msg),
				 "the program's process did not die within 10 s of SIGKILL: stuck in the kernel");
			program_finding(seed, msg);
			if (!rings_printed)
				print_all_rings();
			snprintf(msg, sizeof(msg), "/proc/%d/stack", pid);
			{
				FILE *f = fopen(msg, "r");
				char line[256];

				while (f && fgets(line, sizeof(line), f))
					printf("#   stack: %s", line);
				if (f)
					fclose(f);
			}
			kmsg_reports();
			tot->stop = true;
			goto count;
		}
		usleep(10000);
	}
	kill(-pid, SIGKILL);	/* forked children of the program */
	reap_orphans();
	if (WIFSIGNALED(st) && !(WTERMSIG(st) == SIGKILL && killed)) {
		snprintf(msg, sizeof(msg), "the program's process died of signal %d (%s)",
			 WTERMSIG(st), strsignal(WTERMSIG(st)));
		program_finding(seed, msg);
	} else if (WIFEXITED(st) && WEXITSTATUS(st)) {
		snprintf(msg, sizeof(msg), "the program's process exited with status %d",
			 WEXITSTATUS(st));
		program_finding(seed, msg);
		if (WEXITSTATUS(st) == 2)
			tot->stop = true;	/* it could not set up */
	}
	if (planned_kill)
		tot->killed++;
	for (t = 0; t < 50; t++) {	/* forked children die with the group */
		reap_orphans();
		if (!objects_gone(0.1, &o))
			continue;
		break;
	}
	if (!objects_gone(opt->run_timeout, &o)) {
		snprintf(msg, sizeof(msg), "objects left after the program ended: vms %ld vcpus %ld",
			 o.vms, o.vcpus);
		program_finding(seed, msg);
		tot->stop = true;	/* every later program would say the same */
	}
	nk = kmsg_reports();
	if (nk) {
		snprintf(msg, sizeof(msg), "%d kernel report line(s) during the program (above)", nk);
		program_finding(seed, msg);
	}
count:
	tot->programs++;
	if (atomic_load(&sh->findings) != f0) {
		if (!rings_printed && (nk || !WIFEXITED(st) || WEXITSTATUS(st)))
			print_all_rings();
		printf("# program seed %#llx: %llu finding(s); replay: hvmfuzz --seed %#llx --programs 1 --threads %d%s\n",
		       (unsigned long long)seed, (unsigned long long)(atomic_load(&sh->findings) - f0),
		       (unsigned long long)seed, opt->threads,
		       opt->allow_known == KNOWN_HVM13_1 ? " --allow-known HVM13-1" : "");
	}
	fflush(stdout);
}

/* A batch: programs from seed on, until programs or seconds run out. */
static void run_batch(u64 seed, u64 programs, double seconds, struct totals *tot)
{
	u64 t0 = now_ns(), s = seed, i;

	for (i = 0; (!programs || i < programs) && !tot->stop; i++) {
		if (seconds && i && now_ns() - t0 > seconds * 1e9)
			break;
		run_one(s, tot);
		s = mix64(s);
	}
	tot->seconds += (now_ns() - t0) / 1e9;
}

static void summary(const struct totals *tot, FILE *f)
{
	static const char *const names[NR_EXIT_SLOTS] = {
		"UNKNOWN", "IO", "MMIO", "HYPERCALL", "HLT", "SHUTDOWN", "IRQ_WINDOW_OPEN",
		"FAIL_ENTRY", "INTERNAL_ERROR", "INTR", [15] = "out-of-range",
	};
	u64 runs = atomic_load(&sh->runs), ops = atomic_load(&sh->ops);
	int i;

	fprintf(f, "# hvmfuzz summary: %llu programs (%llu killed at a random point), %llu operations, "
		"%llu HVM_RUNs (%llu -EINTR), %.1f s: %.2f programs/s, %.0f ops/s, %.0f runs/s\n",
		(unsigned long long)tot->programs, (unsigned long long)tot->killed,
		(unsigned long long)ops, (unsigned long long)runs,
		(unsigned long long)atomic_load(&sh->runs_eintr), tot->seconds,
		tot->seconds ? tot->programs / tot->seconds : 0,
		tot->seconds ? ops / tot->seconds : 0, tot->seconds ? runs / tot->seconds : 0);
	fprintf(f, "# hvmfuzz guest code: %llu random guest programs loaded, %llu ran to an exit, %llu bytes\n",
		(unsigned long long)atomic_load(&sh->guest_programs),
		(unsigned long long)atomic_load(&sh->guest_programs_run),
		(unsigned long long)atomic_load(&sh->guest_bytes));
	fprintf(f, "# hvmfuzz exits:");
	for (i = 0; i < NR_EXIT_SLOTS; i++)
		if (atomic_load(&sh->exits[i]))
			fprintf(f, " %s %llu", names[i] ? names[i] : "?",
				(unsigned long long)atomic_load(&sh->exits[i]));
	fprintf(f, "\n# hvmfuzz findings: %llu\n", (unsigned long long)atomic_load(&sh->findings));
	fflush(f);
}

static u32 parse_known(const char *s)
{
	if (!strcasecmp(s, "HVM13-1"))
		return KNOWN_HVM13_1;
	if (!strcmp(s, "all"))
		return KNOWN_HVM13_1;
	fprintf(stderr, "hvmfuzz: unknown known bug '%s' (known: HVM13-1, all)\n", s);
	exit(2);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: hvmfuzz [--seed S] [--programs N] [--seconds T] [--threads K (1-%d)]\n"
		"               [--allow-known HVM13-1] [--ops N] [--prog-seconds X]\n"
		"               [--run-timeout X] [--kill-pct P] [--tap] [--verbose]\n"
		"Each program prints its seed; --seed SEED --programs 1 runs it again.\n",
		MAX_THREADS);
	exit(2);
}

static bool seed_given;

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", 1, NULL, 's' }, { "programs", 1, NULL, 'n' },
		{ "seconds", 1, NULL, 'T' }, { "threads", 1, NULL, 'k' },
		{ "allow-known", 1, NULL, 'a' }, { "ops", 1, NULL, 'o' },
		{ "prog-seconds", 1, NULL, 'p' }, { "run-timeout", 1, NULL, 'r' },
		{ "kill-pct", 1, NULL, 'K' }, { "tap", 0, NULL, 't' },
		{ "verbose", 0, NULL, 'v' }, { "help", 0, NULL, 'h' }, { 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:n:T:k:a:o:p:r:K:tvh", lo, NULL)) != -1) {
		switch (c) {
		case 's': options.seed = strtoull(optarg, NULL, 0); seed_given = true; break;
		case 'n': options.programs = strtoull(optarg, NULL, 0); break;
		case 'T': options.seconds = atof(optarg); break;
		case 'k': options.threads = atoi(optarg); break;
		case 'a': options.allow_known |= parse_known(optarg); break;
		case 'o': options.ops_per_thread = atoi(optarg); break;
		case 'p': options.prog_seconds = atof(optarg); break;
		case 'r': options.run_timeout = atof(optarg); break;
		case 'K': options.kill_pct = atoi(optarg); break;
		case 't': options.tap = true; break;
		case 'v': options.verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc || options.threads < 1 || options.threads > MAX_THREADS ||
	    options.ops_per_thread < 1 || options.prog_seconds <= 0 || options.run_timeout <= 0)
		usage();
}

/* /etc/hvmfuzz.args, whitespace-separated, for the lab (make fuzz). */
static bool args_from_file(const char *path, char *argv0)
{
	static char buf[1024];
	static char *av[64];
	FILE *f = fopen(path, "r");
	size_t n;
	int ac = 0;
	char *tok;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	av[ac++] = argv0;
	for (tok = strtok(buf, " \t\n"); tok && ac < 63; tok = strtok(NULL, " \t\n"))
		av[ac++] = tok;
	av[ac] = NULL;
	printf("# arguments from %s:", path);
	for (int i = 1; i < ac; i++)
		printf(" %s", av[i]);
	printf("\n");
	parse_args(ac, av);
	return true;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	size_t len = strlen(name);
	bool test_mode = len > 5 && !strcmp(name + len - 5, "_test") && argc == 1;
	struct totals tot = { 0 };
	bool from_file = false;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	opt = &options;
	if (test_mode) {
		ksft_print_header();
		from_file = args_from_file("/etc/hvmfuzz.args", argv[0]);
	} else {
		parse_args(argc, argv);
	}
	if (!seed_given)
		options.seed = mix64(now_ns() ^ ((u64)getpid() << 32));

	fd = open("/dev/hvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (test_mode || options.tap)
			ksft_exit_skip("/dev/hvm: %s", strerror(errno));
		fprintf(stderr, "hvmfuzz: /dev/hvm: %s\n", strerror(errno));
		return 4;
	}
	close(fd);
	{
		FILE *f = fopen("/proc/cpuinfo", "r");
		char line[256];

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "model name", 10) && strstr(line, "QEMU")) {
				options.on_qemu = true;
				printf("# QEMU's CPU: no guest MOV to CR8, no random segment state (QEMU 7.2 aborts on some)\n");
				break;
			}
		if (f)
			fclose(f);
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("hvmfuzz: mmap");
		return 2;
	}
	/* Orphaned grandchildren (fork in a program) come back to us. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	kmsg_open();
	kmsg_reports();		/* what was there before is not ours */

	printf("# hvmfuzz: seed %#llx, %d threads, %d ops per thread, %.1f s per program, "
	       "HVM_RUN timeout %.1f s, %d%% killed%s\n",
	       (unsigned long long)options.seed, options.threads, options.ops_per_thread,
	       options.prog_seconds, options.run_timeout, options.kill_pct,
	       options.allow_known ? ", known-bug generators on (--allow-known)" : "");

	if (test_mode && !from_file) {
		/* About a minute: three fixed seeds and one new one (printed above). */
		static const u64 fixed[] = { 0x1, 0x2, 0x3 };
		const double per_batch = 15;
		u64 seeds[4] = { fixed[0], fixed[1], fixed[2], options.seed };
		unsigned int i;

		ksft_set_plan(5);
		for (i = 0; i < 4; i++) {
			u64 f0 = atomic_load(&sh->findings), p0 = tot.programs;

			if (tot.stop) {
				ksft_test_result_skip("batch seed %#llx: an earlier finding stopped the run",
						      (unsigned long long)seeds[i]);
				continue;
			}
			run_batch(seeds[i], 0, per_batch, &tot);
			ksft_test_result(atomic_load(&sh->findings) == f0,
					 "batch seed %#llx: %llu programs, %llu findings",
					 (unsigned long long)seeds[i],
					 (unsigned long long)(tot.programs - p0),
					 (unsigned long long)(atomic_load(&sh->findings) - f0));
		}
		summary(&tot, stdout);
		ksft_test_result(atomic_load(&sh->findings) == 0 && tot.programs > 0,
				 "no findings in %llu programs", (unsigned long long)tot.programs);
		ksft_finished();
	}
	if (test_mode || options.tap) {
		ksft_set_plan(2);
		run_batch(options.seed, options.programs, options.seconds, &tot);
		ksft_test_result(tot.programs > 0, "seed %#llx: %llu programs ran",
				 (unsigned long long)options.seed, (unsigned long long)tot.programs);
		summary(&tot, stdout);
		ksft_test_result(atomic_load(&sh->findings) == 0, "no findings in %llu programs",
				 (unsigned long long)tot.programs);
		ksft_finished();
	}
	run_batch(options.seed, options.programs, options.seconds, &tot);
	summary(&tot, stdout);
	return atomic_load(&sh->findings) ? 1 : 0;
}
