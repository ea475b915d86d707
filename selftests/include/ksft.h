/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal kselftest-style TAP 13 output for the hvm selftests.
 *
 *   ksft_print_header();          "TAP version 13"
 *   ksft_set_plan(n);             "1..n"
 *   ksft_test_result_pass(...)    "ok N - desc"
 *   ksft_test_result_fail(...)    "not ok N - desc"
 *   ksft_test_result_skip(...)    "ok N # SKIP desc"
 *   ksft_test_result(cond, ...)   pass or fail depending on cond
 *   ksft_print_msg(...)           "# msg" (diagnostics)
 *   ksft_exit_skip(...)           "1..0 # SKIP msg" (if no plan yet), exit 4
 *   ksft_exit_fail_msg(...)       "Bail out! msg", exit 1
 *   ksft_finished()               exit 1 if anything failed or the count
 *                                 of results differs from the plan, else 0
 */
#ifndef HVM_SELFTEST_KSFT_H
#define HVM_SELFTEST_KSFT_H

#include <stdbool.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_XFAIL	2
#define KSFT_XPASS	3
#define KSFT_SKIP	4

#define __ksft_printf(a, b) __attribute__((format(printf, a, b)))

void ksft_print_header(void);
void ksft_set_plan(unsigned int plan);
void ksft_print_msg(const char *fmt, ...) __ksft_printf(1, 2);
void ksft_test_result_pass(const char *fmt, ...) __ksft_printf(1, 2);
void ksft_test_result_fail(const char *fmt, ...) __ksft_printf(1, 2);
void ksft_test_result_skip(const char *fmt, ...) __ksft_printf(1, 2);
/* Returns cond, so callers can chain "if (!ksft_test_result(...))". */
bool ksft_test_result(bool cond, const char *fmt, ...) __ksft_printf(2, 3);
unsigned int ksft_test_num(void);
unsigned int ksft_get_fail_cnt(void);
__attribute__((noreturn)) void ksft_exit_skip(const char *fmt, ...) __ksft_printf(1, 2);
__attribute__((noreturn)) void ksft_exit_fail_msg(const char *fmt, ...) __ksft_printf(1, 2);
__attribute__((noreturn)) void ksft_finished(void);

#endif
