/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Logging for the programs: timestamped lines with a level, on stderr or to
 * syslog, each written with one write(2) so that threads never interleave.
 * The library itself never logs; only programs call these.
 */
#ifndef MPCOMM_LOG_H
#define MPCOMM_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_WARN = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_DEBUG = 2
};

/*
 * Sets the program name and the most verbose level shown.  With use_syslog
 * lines go to syslog(3) instead of stderr.  Call once, before any thread.
 */
void	log_init(const char *prog, enum log_level level, int use_syslog);
/*
 * With on, every line begins by clearing the terminal line it lands on (a
 * progress line drawn there).  Call once, before any thread.
 */
void	log_set_clear_line(int on);
/* Tags following lines with a peer id (-1: none).  Thread-safe. */
void	log_set_id(int id);
/*
 * Writes every warning and FATAL line to fd as well, in the stderr form,
 * whatever the level and the destination (-1: stop).  A daemon's terminal,
 * while it is attached, or the pipe to the process that waits for it to
 * be ready.  Thread-safe.
 */
void	log_set_tee(int fd);
/*
 * fatal() and fatalx() call hook(status) after the FATAL line, before
 * exit() (NULL: none).  Call before any thread.
 */
void	log_set_exit_hook(void (*hook)(int status));
/* Sends lines to this file from now on (NULL: stderr); -1 on error. */
int	log_set_file(const char *path);
/* Reopens the log file (after rotation, on SIGHUP).  Thread-safe. */
int	log_reopen(void);

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A fatal error that the caller exits on after cleaning up. */
void	log_fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs and exits with status: fatal() adds strerror(errno). */
void	fatal(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
void	fatalx(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

#endif
