/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Logging, after OpenBSD's log.c: one formatting path, one write(2) per line,
 * a fatal()/fatalx() pair for a program's top level.  The settings are set
 * once by main() before threads start; the peer id and the log file
 * descriptor are atomics so that any thread may read them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "mpcomm/log.h"

static const char *log_prog = "mpcomm";
static enum log_level log_level = LOG_LEVEL_INFO;
static int log_syslog;
static int log_clear;		/* begin each line with "clear this line" */
static atomic_int log_id = -1;
static atomic_int log_fd = STDERR_FILENO;
static atomic_int log_tee = -1;	/* warnings also here (-1: nowhere) */
static void (*log_exit_hook)(int);
static char log_path[1024];

void
log_init(const char *prog, enum log_level level, int use_syslog)
{
	log_prog = prog;
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_clear_line(int on)
{
	log_clear = on;
}

void
log_set_id(int id)
{
	atomic_store(&log_id, id);
}

void
log_set_tee(int fd)
{
	atomic_store(&log_tee, fd);
}

void
log_set_exit_hook(void (*hook)(int status))
{
	log_exit_hook = hook;
}

int
log_set_file(const char *path)
{
	int fd, old;

	if (!path) {
		log_path[0] = '\0';
		old = atomic_exchange(&log_fd, STDERR_FILENO);
		if (old != STDERR_FILENO)
			close(old);
		return 0;
	}
	if (strlen(path) >= sizeof(log_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	memcpy(log_path, path, strlen(path) + 1);
	old = atomic_exchange(&log_fd, fd);
	if (old != STDERR_FILENO)
		close(old);
	return 0;
}

int
log_reopen(void)
{
	int fd, old;

	if (log_path[0] == '\0')
		return 0;
	fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	old = atomic_exchange(&log_fd, fd);
	if (old != STDERR_FILENO)
		close(old);
	return 0;
}

/* label: "WARN", "INFO", "DEBUG", or "FATAL" for fatal()/fatalx(). */
static void
vlog(enum log_level level, const char *label, int syslog_prio,
    const char *errstr, const char *fmt, va_list ap)
{
	char line[1536], who[96];
	struct timespec ts;
	struct tm tm;
	size_t len;
	int n, id, fd, tee;
	va_list aq;

	if (level > log_level)
		return;
	/* Warnings (FATAL included) also to the tee, in the stderr form. */
	tee = level == LOG_LEVEL_WARN ? atomic_load(&log_tee) : -1;
	id = atomic_load(&log_id);
	if (id >= 0)
		snprintf(who, sizeof(who), "%s[%d]", log_prog, id);
	else
		snprintf(who, sizeof(who), "%s", log_prog);
	fd = atomic_load(&log_fd);
	if (log_syslog) {
		va_copy(aq, ap);
		n = vsnprintf(line, sizeof(line), fmt, aq);
		va_end(aq);
		if (n < 0)
			return;
		syslog(syslog_prio, "%s%s%s%s", id >= 0 ? who : "",
		    id >= 0 ? ": " : "", line, errstr ? errstr : "");
		fd = -1;
	}
	if (tee == fd)
		tee = -1;
	if (fd < 0 && tee < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
	    "%s%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ",
	    log_clear ? "\r\033[K" : "", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    ts.tv_nsec / 1000000, who, label);
	if (n < 0)
		return;
	len = (size_t)n;
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (n < 0)
		return;
	len += (size_t)n;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	if (errstr) {
		n = snprintf(line + len, sizeof(line) - len, "%s", errstr);
		len += n > 0 ? (size_t)n : 0;
		if (len > sizeof(line) - 2)
			len = sizeof(line) - 2;
	}
	line[len++] = '\n';
	if (fd >= 0)
		(void)!write(fd, line, len);
	if (tee >= 0)
		(void)!write(tee, line, len);
}

#define LOGFN(name, level, label, prio, witherr)				\
void									\
name(const char *fmt, ...)						\
{									\
	char errbuf[160];						\
	int saved = errno;						\
	va_list ap;							\
									\
	if (witherr)							\
		snprintf(errbuf, sizeof(errbuf), ": %s",		\
		    strerror(saved));					\
	va_start(ap, fmt);						\
	vlog(level, label, prio, witherr ? errbuf : NULL, fmt, ap);	\
	va_end(ap);							\
	errno = saved;							\
}

LOGFN(log_warn, LOG_LEVEL_WARN, "WARN", LOG_WARNING, 1)
LOGFN(log_warnx, LOG_LEVEL_WARN, "WARN", LOG_WARNING, 0)
LOGFN(log_info, LOG_LEVEL_INFO, "INFO", LOG_INFO, 0)
LOGFN(log_debug, LOG_LEVEL_DEBUG, "DEBUG", LOG_DEBUG, 0)
LOGFN(log_fatalx, LOG_LEVEL_WARN, "FATAL", LOG_CRIT, 0)

void
fatal(int status, const char *fmt, ...)
{
	char errbuf[160];
	va_list ap;

	snprintf(errbuf, sizeof(errbuf), ": %s", strerror(errno));
	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, "FATAL", LOG_CRIT, errbuf, fmt, ap);
	va_end(ap);
	if (log_exit_hook)
		log_exit_hook(status);
	exit(status);
}

void
fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, "FATAL", LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	if (log_exit_hook)
		log_exit_hook(status);
	exit(status);
}
