// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of the guest's console: stdin in raw mode when it is a
 * terminal (restored at exit, whatever the exit), and the escape key
 * Ctrl-a: "Ctrl-a x" ends vmctl, "Ctrl-a Ctrl-a" sends one Ctrl-a.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "term.h"
#include "vm.h"

#define ESCAPE_KEY	0x01	/* Ctrl-a */

static struct termios saved;
static bool raw_mode, escape_seen, stdin_open = true;

void term_restore(void)
{
	if (raw_mode)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	raw_mode = false;
	log_set_crlf(false);
}

static void term_exit_hook(void *opaque)
{
	(void)opaque;
	term_restore();
}

void term_init(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return;
	t = saved;
	/* Input raw, signals to the guest; output processing as it was. */
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
		       ICRNL | IXON);
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return;
	raw_mode = true;
	log_set_crlf(true);
	atexit(term_restore);
	log_add_exit_hook(term_exit_hook, NULL);
}

int term_fd(void)
{
	return stdin_open ? STDIN_FILENO : -1;
}

size_t term_read(struct vm *vm, uint8_t *buf, size_t len)
{
	uint8_t in[64];
	size_t i, n_out = 0;
	ssize_t n;

	if (!stdin_open || !len)
		return 0;
	n = read(STDIN_FILENO, in, len < sizeof(in) ? len : sizeof(in));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		stdin_open = false;	/* EOF: the guest just gets no input */
		return 0;
	}
	for (i = 0; i < (size_t)n; i++) {
		uint8_t c = in[i];

		if (raw_mode && escape_seen) {
			escape_seen = false;
			if (c == 'x' || c == 'X') {
				vm_stop(vm, 0, "Ctrl-a x on the console");
				break;
			}
			if (c != ESCAPE_KEY)
				continue;
		} else if (raw_mode && c == ESCAPE_KEY) {
			escape_seen = true;
			continue;
		}
		buf[n_out++] = c;
	}
	return n_out;
}
