// SPDX-License-Identifier: GPL-2.0
/* TAP 13 output, see ksft.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ksft.h"

static unsigned int ksft_plan, ksft_num, ksft_pass, ksft_fail, ksft_skip;
static bool ksft_plan_printed;

static void ksft_vline(const char *prefix, const char *sep, const char *fmt,
		       va_list ap)
{
	printf("%s %u%s", prefix, ++ksft_num, sep);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void ksft_print_header(void)
{
	/* Output must not be lost if we are killed or fork. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	fflush(stdout);
}

void ksft_set_plan(unsigned int plan)
{
	ksft_plan = plan;
	ksft_plan_printed = true;
	printf("1..%u\n", plan);
	fflush(stdout);
}

void ksft_print_msg(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void ksft_test_result_pass(const char *fmt, ...)
{
	va_list ap;

	ksft_pass++;
	va_start(ap, fmt);
	ksft_vline("ok", " - ", fmt, ap);
	va_end(ap);
}

void ksft_test_result_fail(const char *fmt, ...)
{
	va_list ap;

	ksft_fail++;
	va_start(ap, fmt);
	ksft_vline("not ok", " - ", fmt, ap);
	va_end(ap);
}

void ksft_test_result_skip(const char *fmt, ...)
{
	va_list ap;

	ksft_skip++;
	va_start(ap, fmt);
	ksft_vline("ok", " # SKIP ", fmt, ap);
	va_end(ap);
}

bool ksft_test_result(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		ksft_pass++;
	else
		ksft_fail++;
	va_start(ap, fmt);
	ksft_vline(cond ? "ok" : "not ok", " - ", fmt, ap);
	va_end(ap);
	return cond;
}

unsigned int ksft_test_num(void)
{
	return ksft_num;
}

unsigned int ksft_get_fail_cnt(void)
{
	return ksft_fail;
}

void ksft_exit_skip(const char *fmt, ...)
{
	va_list ap;

	/* Before the plan: skip everything. After it: skip the rest. */
	printf(ksft_plan_printed ? "# SKIP " : "1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ksft_plan_printed) {
		while (ksft_num < ksft_plan)
			ksft_test_result_skip("not run");
		ksft_finished();
	}
	exit(KSFT_SKIP);
}

void ksft_exit_fail_msg(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	printf("# Totals: pass:%u fail:%u skip:%u (of %u planned)\n",
	       ksft_pass, ksft_fail, ksft_skip, ksft_plan);
	fflush(stdout);
	exit(KSFT_FAIL);
}

void ksft_finished(void)
{
	printf("# Totals: pass:%u fail:%u skip:%u\n", ksft_pass, ksft_fail,
	       ksft_skip);
	if (ksft_plan_printed && ksft_num != ksft_plan) {
		printf("# Planned %u tests but ran %u\n", ksft_plan, ksft_num);
		fflush(stdout);
		exit(KSFT_FAIL);
	}
	fflush(stdout);
	exit(ksft_fail ? KSFT_FAIL : KSFT_PASS);
}
