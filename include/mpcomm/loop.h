/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small event loop over poll(2), in the manner of Redis's ae.c and of
 * ntpd's one poll() per process whose timeout is the nearest deadline:
 * descriptors with read and write callbacks, one-shot timers at absolute
 * monotonic deadlines, signals turned into callbacks through a self-pipe,
 * and a hook run once per pass before the loop sleeps.  It knows nothing
 * of the protocols above it.
 *
 * Not thread-safe: one thread creates a loop and makes every call on it,
 * callbacks included, except loop_wake(), which any thread or a signal
 * handler may call.  Callbacks may add and remove descriptors and timers,
 * their own included, and stop the loop.
 */
#ifndef MPCOMM_LOOP_H
#define MPCOMM_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_READ	0x1u	/* readable, or hung up, or in error */
#define LOOP_WRITE	0x2u	/* writable */

/* No deadline: a pass hook that needs no wake-up returns this. */
#define LOOP_NEVER	UINT64_MAX

struct loop;

/* Called with the events (LOOP_READ, LOOP_WRITE) fd is ready for. */
typedef void loop_fd_fn(struct loop *l, int fd, unsigned events, void *arg);
/* Called once, at or after the timer's deadline; the timer is gone then. */
typedef void loop_timer_fn(struct loop *l, void *arg);
/* Called in the loop's thread, never in the handler, for each signal taken. */
typedef void loop_signal_fn(struct loop *l, int signo, void *arg);
/*
 * Called once per pass, after the callbacks of the pass and before the
 * loop sleeps, with the pass's time; returns the monotonic µs by which
 * the loop must call it again (LOOP_NEVER: not before something happens).
 */
typedef uint64_t loop_pass_fn(struct loop *l, uint64_t now, void *arg);

/* A new loop; NULL with errno on failure. */
struct loop	*loop_create(void);
/*
 * Frees l, closing nothing of the caller's, and restores the signal
 * actions that loop_signal() replaced.  NULL is ignored.
 */
void		 loop_destroy(struct loop *l);

/*
 * Watches fd for events (LOOP_READ and/or LOOP_WRITE; 0 keeps it watched
 * for nothing, as a place holder).  Returns 0, or -1 with errno (EEXIST:
 * fd is watched already; EINVAL: fd < 0).
 */
int		 loop_fd_add(struct loop *l, int fd, unsigned events,
		    loop_fd_fn *fn, void *arg);
/* Changes the events fd is watched for.  0, or -1 with ENOENT. */
int		 loop_fd_set(struct loop *l, int fd, unsigned events);
/* Stops watching fd (it is not closed); no callback for it follows.
 * 0, or -1 with ENOENT. */
int		 loop_fd_del(struct loop *l, int fd);

/*
 * Calls fn(arg) once, in the first pass at or after the monotonic time
 * deadline (µs, mptime_now_us()).  Returns the timer's id (never 0), or 0
 * with errno.
 */
uint64_t	 loop_timer_add(struct loop *l, uint64_t deadline,
		    loop_timer_fn *fn, void *arg);
/* Cancels a timer that has not fired.  0, or -1 with ENOENT. */
int		 loop_timer_del(struct loop *l, uint64_t id);

/*
 * Takes signo in this loop: a handler writes it to the loop's self-pipe
 * and fn(l, signo, arg) runs in a later pass.  The signal is unblocked in
 * the calling thread only; other threads should block it.  One loop per
 * process takes signals.  Returns 0, or -1 with errno (EBUSY: another
 * loop takes signals).
 */
int		 loop_signal(struct loop *l, int signo, loop_signal_fn *fn,
		    void *arg);

/* Sets the pass hook (NULL: none). */
void		 loop_set_pass(struct loop *l, loop_pass_fn *fn, void *arg);

/*
 * Runs one pass: sleeps until a descriptor is ready, a timer or the pass
 * hook's deadline is due, loop_wake() is called or max_us have gone by
 * (LOOP_NEVER: no limit), then runs the callbacks that are due, then the
 * pass hook.  Returns 0, or -1 with errno when poll(2) fails (not EINTR).
 */
int		 loop_once(struct loop *l, uint64_t max_us);
/* Runs passes until loop_stop().  0, or -1 with errno as loop_once(). */
int		 loop_run(struct loop *l);
/* Makes loop_run() return after the current pass. */
void		 loop_stop(struct loop *l);
/* Whether loop_stop() was called since loop_run() began. */
bool		 loop_stopping(const struct loop *l);
/*
 * Ends the current or next sleep of l at once.  Async-signal-safe, and
 * the one call any thread may make.
 */
void		 loop_wake(struct loop *l);
/* The monotonic µs at which the current pass began. */
uint64_t	 loop_now(const struct loop *l);

#endif
