/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Daemon conventions: detaching, pidfiles, and signals taken synchronously
 * with sigtimedwait() in one thread, so no handler ever runs in the middle of
 * library code.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/proc.h"

int
proc_option(int ch, const char *arg, struct proc_opts *o)
{
	uint64_t port;

	switch (ch) {
	case 'b':
		o->bind = arg;
		return 1;
	case 'k':
		o->key_file = arg;
		return 1;
	case 'L':
		o->log_file = arg;
		return 1;
	case 'P':
		o->pidfile = arg;
		return 1;
	case 'p':
		o->port = arg;
		return ctl_parse_u64(arg, 0, 65535, &port) < 0 ? -1 : 1;
	case 'q':
		o->level = LOG_LEVEL_WARN;
		return 1;
	case PROC_OPT_SYSLOG:
		o->use_syslog = 1;
		return 1;
	case 'v':
		o->level = LOG_LEVEL_DEBUG;
		return 1;
	}
	return 0;
}

void
proc_usage_error(const char *prog, const char *synopsis, const char *fmt,
    ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", synopsis);
	exit(EXIT_USAGE);
}

void
proc_getopt_error(const char *prog, const char *synopsis, int ch, char **argv)
{
	const char *arg = argv[optind - 1];
	int len;

	if (strncmp(arg, "--", 2) == 0) {
		/* A long option: name it as it was typed, without "=value". */
		len = (int)strcspn(arg, "=");
		if (ch == ':')
			proc_usage_error(prog, synopsis, "%.*s: needs a value",
			    len, arg);
		proc_usage_error(prog, synopsis, "unknown option %.*s", len,
		    arg);
	}
	if (ch == ':')
		proc_usage_error(prog, synopsis, "-%c: needs a value", optopt);
	proc_usage_error(prog, synopsis, "unknown option -%c", optopt);
}

int
proc_setup(const char *prog, const struct proc_opts *o, int daemon,
    struct auth_key *store, const struct auth_key **key, const char **what)
{
	log_init(prog, o->level, o->use_syslog || (daemon && !o->log_file));
	if (o->log_file && log_set_file(o->log_file) < 0) {
		*what = o->log_file;
		return -1;
	}
	*key = NULL;
	if (o->key_file) {
		if (auth_load_key(o->key_file, store) < 0) {
			*what = o->key_file;
			return -1;
		}
		*key = store;
	}
	return 0;
}

int
proc_daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	umask(022);
	if (chdir("/") < 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return -1;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

int
proc_pidfile_write(const char *path)
{
	char tmp[4096], buf[32];
	int fd, n, e;

	n = snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

void
proc_pidfile_remove(const char *path)
{
	if (path)
		unlink(path);
}

static void
stop_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);	/* proc_signal_thread_join() */
}

void
proc_block_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	stop_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int
proc_wait_signal(int timeout_ms)
{
	struct timespec ts;
	sigset_t set;
	int sig;

	stop_set(&set);
	ts.tv_sec = timeout_ms / 1000;
	ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
	sig = sigtimedwait(&set, NULL, &ts);
	return sig < 0 ? 0 : sig;
}

struct sigthread {
	void	(*on_signal)(void *, int);
	void	*arg;
};

static void *
sigthread_main(void *p)
{
	struct sigthread st = *(struct sigthread *)p;
	int sig;

	free(p);
	for (;;) {
		if ((sig = proc_wait_signal(1000)) == 0)
			continue;
		if (sig == SIGUSR1)
			return NULL;
		st.on_signal(st.arg, sig);
		if (sig == SIGINT || sig == SIGTERM)
			return NULL;
	}
}

int
proc_signal_thread(void (*on_signal)(void *, int), void *arg, pthread_t *t)
{
	struct sigthread *st = malloc(sizeof(*st));

	if (!st)
		return -1;
	st->on_signal = on_signal;
	st->arg = arg;
	if ((errno = pthread_create(t, NULL, sigthread_main, st)) != 0) {
		free(st);
		return -1;
	}
	return 0;
}

void
proc_signal_thread_join(pthread_t t)
{
	(void)pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
}
