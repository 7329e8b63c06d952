/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process conventions shared by the programs: exit statuses, detaching as a
 * daemon with a pidfile, and one thread that owns the signals.  Every
 * program has the same shape: main() blocks the signals, starts the signal
 * thread and its workers, and joins every one of them before it exits.
 */
#ifndef MPCOMM_PROC_H
#define MPCOMM_PROC_H

#include <getopt.h>
#include <pthread.h>

#include "mpcomm/auth.h"
#include "mpcomm/log.h"

#define MPCOMM_VERSION	"1.0.0"

/* Exit statuses, the same for all three programs. */
#define EXIT_OK		0	/* success */
#define EXIT_FAILED	1	/* the comparison failed (logs disagree...) */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_NETWORK	3	/* a socket, a server or a file failed */

#define PROC_PATH_MAX	4096

/* The options every program takes, with the same names and meanings. */
struct proc_opts {
	const char	*bind;		/* -b, --bind ADDR */
	const char	*port;		/* -p, --port PORT */
	const char	*pidfile;	/* -P, --pidfile PATH */
	const char	*log_file;	/* -L, --log-file PATH */
	const char	*key_file;	/* -k, --key-file PATH */
	int		 use_syslog;	/* --syslog */
	int		 insecure;	/* --insecure */
	enum log_level	 level;		/* -v, --verbose / -q, --quiet */
	/* Filled by proc_setup(). */
	char		 pidfile_abs[PROC_PATH_MAX];	/* for a daemon */
	char		 log_file_abs[PROC_PATH_MAX];
	char		 why[PROC_PATH_MAX + 64];	/* what failed */
	char		 warning[PROC_PATH_MAX + 96];	/* "": none */
	/*
	 * Protected mode, as Redis has it: without a key and without
	 * --insecure, a program serves and accepts loopback addresses only.
	 */
	int		 loopback_only;
};

#define PROC_OPT_SYSLOG	0x1000
#define PROC_OPT_INSECURE 0x1001
/* Their getopt_long entries and short letters, to add to a program's own. */
#define PROC_LONG_OPTS							\
	{ "bind", required_argument, NULL, 'b' },			\
	{ "insecure", no_argument, NULL, PROC_OPT_INSECURE },		\
	{ "key-file", required_argument, NULL, 'k' },			\
	{ "log-file", required_argument, NULL, 'L' },			\
	{ "pidfile", required_argument, NULL, 'P' },			\
	{ "port", required_argument, NULL, 'p' },			\
	{ "quiet", no_argument, NULL, 'q' },				\
	{ "syslog", no_argument, NULL, PROC_OPT_SYSLOG },		\
	{ "verbose", no_argument, NULL, 'v' }
#define PROC_SHORT_OPTS	"b:k:L:P:p:qv"

/*
 * Takes one of those options: 1 when ch was one, 0 when it is not, -1
 * when its value is wrong (a port that is no port).
 */
int	proc_option(int ch, const char *arg, struct proc_opts *o);
/*
 * Usage errors, as classic daemons print them: "prog: message" and the
 * one-line "usage: synopsis" on stderr, then exit(EXIT_USAGE).  Only a
 * program's option parsing calls these.  proc_getopt_error() words what
 * getopt_long() returned for an unknown option ('?') or a missing value
 * (':'; the option string must start with ':' and opterr be 0).
 */
void	proc_usage_error(const char *prog, const char *synopsis,
	    const char *fmt, ...)
	    __attribute__((format(printf, 3, 4), noreturn));
void	proc_getopt_error(const char *prog, const char *synopsis, int ch,
	    char **argv) __attribute__((noreturn));
/*
 * A HOST[:PORT] given by what (an option or a variable) is a usage error
 * unless net_split_hostport() takes it; a name is not resolved here.
 */
void	proc_check_hostport(const char *prog, const char *synopsis,
	    const char *what, const char *spec, const char *defport);

/*
 * Logging as the options say (syslog also when detached without a log
 * file), and the shared secret if there is one (key is then set, else
 * NULL).  For a daemon, relative -P and -L paths are made absolute first
 * (it will run in /).  The key must be a regular file; one that group or
 * others may read is taken, with o->warning set for the caller to log.
 * o->loopback_only is set when there is no key and no --insecure; with
 * --insecure and no key, o->warning says what that gives away.
 * Returns 0, or -1 with *what naming what failed.
 */
int	proc_setup(const char *prog, struct proc_opts *o, int daemon,
	    struct auth_key *store, const struct auth_key **key,
	    const char **what);

/*
 * path made absolute against the current folder (so that it means the same
 * after a daemon's chdir("/")), into out.  Returns 0, or -1 with errno
 * (ENAMETOOLONG: it does not fit in cap).
 */
/*
 * The lsrv_ops.refused of every server: logs, once per source, a control
 * connection that protected mode turned away.
 */
void	proc_log_refused(void *arg, const char *host, unsigned long long total);
int	proc_abspath(const char *path, char *out, size_t cap);

/*
 * Detaches from the terminal: double fork, setsid, chdir("/"), stdio to
 * /dev/null.  Returns 0 in the daemon, with *notify the descriptor to hand
 * to proc_daemon_ready(); -1 with errno on failure.  Until then the
 * daemon's warning and FATAL lines go over that pipe too, and the original
 * process, which waits for the daemon, copies them to its stderr: it
 * returns 1 once the daemon is ready, 2 when it exited before, with
 * *status the status its fatal() gave (-1: it did not say).  The caller
 * then exits: 0, that status, or EXIT_NETWORK.
 */
int	proc_daemonize(int *notify, int *status);
/*
 * Tells the waiting original process that we serve, and stops sending it
 * warnings.  notify -1: no-op.
 */
void	proc_daemon_ready(int *notify);
/*
 * Creates the pidfile (O_EXCL, O_NOFOLLOW; a stale one of a dead process is
 * taken over), locks it for the life of the process (the descriptor stays
 * open) and writes our pid.  Returns 0, or -1 with errno: EEXIST when a
 * running process holds it, ENODEV when path is not a regular file, ELOOP
 * when it is a symbolic link, EMLINK when the file has another name (a
 * hard link: writing it would overwrite the other name's contents).
 */
int	proc_pidfile_write(const char *path);

/*
 * For a program's top level, as fatal() is: detaches (the original process
 * exits 0 once the daemon serves; when the daemon died first, with the
 * status of its FATAL line, shown on stderr, or EXIT_NETWORK saying so as
 * prog), and writes the pidfile or exits EXIT_NETWORK.
 */
void	proc_detach_or_exit(const char *prog, int *notify);
void	proc_pidfile_or_exit(const char *path);
/* Removes the pidfile only if it is still ours. */
void	proc_pidfile_remove(const char *path);

/*
 * Blocks SIGINT, SIGTERM, SIGHUP in this thread (and so in every thread
 * created after) and ignores SIGPIPE.  Call before creating threads.
 */
void	proc_block_signals(void);
/*
 * Starts the signal thread: each SIGHUP reopens the log file (log_reopen());
 * the first SIGINT or SIGTERM calls on_stop(arg, sig), which says what the
 * program does about it and makes it wind down, and ends the thread.
 * on_stop runs on that thread: it must only log, flag and wake.  0, or -1
 * with errno.
 */
int	proc_signal_thread(void (*on_stop)(void *, int), void *arg,
	    pthread_t *t);
/* Ends that thread (if it still runs) and joins it. */
void	proc_signal_thread_join(pthread_t t);

#endif
