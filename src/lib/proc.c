/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Daemon conventions: detaching, pidfiles, and signals taken synchronously
 * with sigtimedwait() in one thread, so no handler ever runs in the middle of
 * library code.
 */
#define _GNU_SOURCE		/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/net.h"
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
	case PROC_OPT_INSECURE:
		o->insecure = 1;
		return 1;
	case 'v':
		o->level = LOG_LEVEL_DEBUG;
		return 1;
	}
	return 0;
}

/* The key file, or -1 with o->why saying what is wrong with it. */
static int
setup_key(struct proc_opts *o, struct auth_key *store)
{
	struct stat st;

	if (auth_load_key(o->key_file, store) < 0) {
		snprintf(o->why, sizeof(o->why), "key file %s%s", o->key_file,
		    errno == ENODEV ? " (not a regular file)" :
		    errno == EINVAL ? " (it must hold 16 to 64 bytes)" : "");
		return -1;
	}
	/* Like Corosync's authkey: a secret others can read is no secret. */
	if (stat(o->key_file, &st) == 0 && (st.st_mode & 077))
		snprintf(o->warning, sizeof(o->warning), "key file %s can be "
		    "read by group or others (mode %03o): chmod 600 it",
		    o->key_file, (unsigned)(st.st_mode & 0777));
	return 0;
}

/* Makes *path absolute into buf, for a daemon; -1 with o->why. */
static int
setup_path(struct proc_opts *o, const char **path, char *buf, size_t cap)
{
	if (!*path || (*path)[0] == '/')
		return 0;
	if (proc_abspath(*path, buf, cap) < 0) {
		snprintf(o->why, sizeof(o->why), "%.*s (cannot make it "
		    "absolute)", PROC_PATH_MAX, *path);
		return -1;
	}
	*path = buf;
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
proc_check_hostport(const char *prog, const char *synopsis, const char *what,
    const char *spec, const char *defport)
{
	char host[NET_HOST_MAX], port[NET_PORT_MAX];

	if (net_split_hostport(spec, defport, host, sizeof(host), port,
	    sizeof(port)) < 0)
		proc_usage_error(prog, synopsis, "%s: %s: %s", what,
		    net_hostport_strerror(errno), spec);
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
proc_setup(const char *prog, struct proc_opts *o, int daemon,
    struct auth_key *store, const struct auth_key **key, const char **what)
{
	*what = o->why;
	o->warning[0] = '\0';
	if (daemon && (setup_path(o, &o->pidfile, o->pidfile_abs,
	    sizeof(o->pidfile_abs)) < 0 || setup_path(o, &o->log_file,
	    o->log_file_abs, sizeof(o->log_file_abs)) < 0))
		return -1;
	log_init(prog, o->level, o->use_syslog || (daemon && !o->log_file));
	/* Until it is ready, a daemon's warnings also go to the terminal. */
	if (daemon)
		log_set_tee(STDERR_FILENO);
	if (o->log_file && log_set_file(o->log_file) < 0) {
		snprintf(o->why, sizeof(o->why), "%s", o->log_file);
		return -1;
	}
	*key = NULL;
	if (o->key_file) {
		if (setup_key(o, store) < 0)
			return -1;
		*key = store;
	}
	/* A key authenticates everyone: then the address does not matter. */
	o->loopback_only = !o->key_file && !o->insecure;
	if (!o->key_file && o->insecure)
		snprintf(o->warning, sizeof(o->warning), "--insecure: protected "
		    "mode is off and there is no key: anyone who can reach "
		    "these ports can register, start and stop runs and inject "
		    "datagrams");
	return 0;
}

int
proc_abspath(const char *path, char *out, size_t cap)
{
	char cwd[4096];
	int n;

	if (path[0] == '/')
		n = snprintf(out, cap, "%s", path);
	else if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	else
		n = snprintf(out, cap, "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/*
 * The pipe from the daemon to the process that waits for it, as chronyd's
 * and OpenBSD's daemons have it: the daemon's warning and FATAL lines (one
 * write each, under PIPE_BUF, so never torn), then one record line: READY,
 * or EXITED and the status fatal() exits with.  End of file without a
 * record: the daemon died otherwise (a signal).
 */
#define DAEMON_READY	"\001ready\n"
#define DAEMON_EXITED	'\002'

static int daemon_pipe = -1;	/* the daemon's end, until it is ready */

/* fatal()'s hook in the daemon: says which status it exits with. */
static void
daemon_exiting(int status)
{
	char rec[16];
	int n;

	if (daemon_pipe < 0)
		return;
	n = snprintf(rec, sizeof(rec), "%c%d\n", DAEMON_EXITED, status);
	(void)!write(daemon_pipe, rec, (size_t)n);
}

/*
 * The original process: copies the daemon's lines to stderr until its
 * record.  1 once it is ready, 2 when it exited first (*status: its exit
 * status, or -1 when it did not say).
 */
static int
daemon_wait(int fd, pid_t child, int *status)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int rc = 2;

	*status = -1;
	(void)waitpid(child, NULL, 0);
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return 2;
	}
	while (getline(&line, &cap, f) >= 0) {
		if (strcmp(line, DAEMON_READY) == 0) {
			rc = 1;
			break;
		}
		if (line[0] == DAEMON_EXITED) {
			*status = atoi(line + 1);
			break;
		}
		fputs(line, stderr);
	}
	free(line);
	fclose(f);
	return rc;
}

int
proc_daemonize(int *notify, int *status)
{
	struct sigaction sa;
	pid_t pid;
	int fd, p[2];

	*notify = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		return daemon_wait(p[0], pid, status);
	}
	close(p[0]);
	if (setsid() < 0 || (pid = fork()) < 0)
		_exit(EXIT_NETWORK);
	if (pid > 0)
		_exit(0);
	/* A waiter gone (interrupted) must not kill us through the pipe. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	*notify = p[1];
	daemon_pipe = p[1];
	log_set_tee(p[1]);
	log_set_exit_hook(daemon_exiting);
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

void
proc_daemon_ready(int *notify)
{
	int null;

	if (*notify < 0)
		return;
	log_set_tee(-1);
	log_set_exit_hook(NULL);
	daemon_pipe = -1;
	(void)!write(*notify, DAEMON_READY, sizeof(DAEMON_READY) - 1);
	/*
	 * /dev/null in its place rather than close(): a thread that took
	 * the tee just before must not write into a file that reuses the
	 * number.  The waiter stops reading at READY.
	 */
	if ((null = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0) {
		(void)dup2(null, *notify);
		close(null);
	} else {
		close(*notify);
	}
	*notify = -1;
}

/* The pid in the pidfile open at fd, or 0. */
static long
pidfile_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* Whether path still names the file open at fd (not replaced, not gone). */
static int
pidfile_same(const char *path, int fd)
{
	struct stat a, b;

	return lstat(path, &a) == 0 && fstat(fd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Opens and locks the pidfile; fd or -1 (errno EAGAIN: try again). */
static int
pidfile_lock(const char *path)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0 && errno == EEXIST) {
		fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			errno = EAGAIN;	/* removed in between: again */
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = ENODEV;	/* a FIFO, a device... never ours */
		return -1;
	}
	/* A file with another name is someone else's: truncating and
	 * writing it would overwrite what the other name holds.  Ours has
	 * one link (created O_EXCL, or a stale one of ours). */
	if (st.st_nlink > 1) {
		close(fd);
		errno = EMLINK;
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		e = errno == EWOULDBLOCK ? EEXIST : errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!pidfile_same(path, fd)) {	/* removed by its owner meanwhile */
		close(fd);
		errno = EAGAIN;
		return -1;
	}
	return fd;
}

int
proc_pidfile_write(const char *path)
{
	char buf[32];
	int fd = -1, n, e, tries;

	for (tries = 0; tries < 5 && fd < 0; tries++)
		if ((fd = pidfile_lock(path)) < 0 && errno != EAGAIN)
			return -1;
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* fd stays open: the lock lasts as long as the process. */
	return 0;
}

void
proc_pidfile_remove(const char *path)
{
	int fd;

	if (!path)
		return;
	/* Ours when it holds our pid: nobody else can write it while we
	 * hold the lock. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return;
	if (pidfile_pid(fd) == (long)getpid())
		unlink(path);
	close(fd);
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

/* Waits up to timeout_ms for a blocked signal: the signal, or 0. */
static int
wait_signal(int timeout_ms)
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
	void	(*on_stop)(void *, int);
	void	*arg;
};

static void *
sigthread_main(void *p)
{
	struct sigthread st = *(struct sigthread *)p;
	int sig;

	free(p);
	for (;;) {
		if ((sig = wait_signal(1000)) == 0)
			continue;
		if (sig == SIGUSR1)
			return NULL;
		if (sig == SIGHUP) {
			if (log_reopen() < 0)
				log_warn("cannot reopen the log file");
			continue;
		}
		st.on_stop(st.arg, sig);
		return NULL;
	}
}

int
proc_signal_thread(void (*on_stop)(void *, int), void *arg, pthread_t *t)
{
	struct sigthread *st = malloc(sizeof(*st));

	if (!st)
		return -1;
	st->on_stop = on_stop;
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

void
proc_detach_or_exit(const char *prog, int *notify)
{
	int status, rc = proc_daemonize(notify, &status);

	if (rc < 0)
		fatal(EXIT_NETWORK, "cannot detach");
	if (rc == 1)
		exit(EXIT_OK);
	if (rc == 2 && status > 0)
		exit(status);	/* its FATAL line is on our stderr */
	if (rc == 2) {
		fprintf(stderr, "%s: the daemon exited before it was ready; "
		    "see its log\n", prog);
		exit(EXIT_NETWORK);
	}
	/* The daemon: its terminal is gone, the pipe takes the warnings. */
}

void
proc_pidfile_or_exit(const char *path)
{
	if (proc_pidfile_write(path) == 0)
		return;
	if (errno == EEXIST)
		fatalx(EXIT_NETWORK, "pidfile %s is held by another running "
		    "instance", path);
	if (errno == EMLINK)
		fatalx(EXIT_NETWORK, "pidfile %s has another name (a hard "
		    "link): refused, it is not ours to overwrite", path);
	if (errno == ELOOP)
		fatalx(EXIT_NETWORK, "pidfile %s is a symbolic link: refused",
		    path);
	if (errno == ENODEV)
		fatalx(EXIT_NETWORK, "pidfile %s is not a regular file: "
		    "refused", path);
	fatal(EXIT_NETWORK, "cannot write pidfile %s", path);
}

void
proc_log_refused(void *arg, const char *host, unsigned long long total)
{
	(void)arg;
	log_warnx("%s: connection refused: protected mode (not a loopback "
	    "address, and no --key-file); %llu refused so far, this source "
	    "is not logged again", host, total);
}
