/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process conventions shared by the three programs: exit statuses, detaching
 * as a daemon with a pidfile, and one thread that owns the signals.
 */
#ifndef MPCOMM_PROC_H
#define MPCOMM_PROC_H

#include <pthread.h>

#define MPCOMM_VERSION	"1.0.0"

/* Exit statuses, the same for all three programs. */
#define EXIT_OK		0	/* success */
#define EXIT_FAILED	1	/* the comparison failed (logs disagree...) */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_NETWORK	3	/* a socket, a server or a file failed */

/*
 * Detaches from the terminal: double fork, setsid, chdir("/"), stdio to
 * /dev/null.  Returns 0 in the daemon, -1 with errno on failure.
 */
int	proc_daemonize(void);
/* Writes our pid to path atomically (temp file, rename).  0 or -1. */
int	proc_pidfile_write(const char *path);
void	proc_pidfile_remove(const char *path);

/*
 * Blocks SIGINT, SIGTERM, SIGHUP in this thread (and so in every thread
 * created after) and ignores SIGPIPE.  Call before creating threads.
 */
void	proc_block_signals(void);
/* Waits up to timeout_ms for a blocked signal: the signal, or 0. */
int	proc_wait_signal(int timeout_ms);
/*
 * Starts a thread that calls on_signal(arg, sig) for each SIGHUP, SIGINT or
 * SIGTERM, and ends after the first SIGINT or SIGTERM.  0 or -1.
 */
int	proc_signal_thread(void (*on_signal)(void *, int), void *arg,
	    pthread_t *t);
/* Ends that thread (if it still runs) and joins it. */
void	proc_signal_thread_join(pthread_t t);

#endif
