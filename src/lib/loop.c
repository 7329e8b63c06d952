/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The event loop (loop.h): one ppoll(2) per pass whose timeout is the
 * nearest of the timers' and the pass hook's deadlines.  A few descriptors
 * and timers per program, so both are plain arrays scanned each pass.
 * Wake-ups and signals share one non-blocking self-pipe: loop_wake()
 * writes a 0 byte, a signal handler its signal's number.
 */
#define _GNU_SOURCE		/* pipe2, ppoll */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mpcomm/loop.h"
#include "mpcomm/mptime.h"

#define SIG_MAX		65	/* signal numbers taken: 1..64 */

struct fdent {
	int		 fd;		/* -1: removed, compacted next pass */
	unsigned	 events;
	loop_fd_fn	*fn;
	void		*arg;
};

struct timer {
	uint64_t	 id;		/* 0: free */
	uint64_t	 deadline;
	loop_timer_fn	*fn;
	void		*arg;
};

struct sigent {
	loop_signal_fn	*fn;
	void		*arg;
	bool		 set;		/* old holds the replaced action */
	struct sigaction old;
};

struct loop {
	struct fdent	*fds;
	size_t		 nfds, capfds;
	struct timer	*tm;
	size_t		 ntm, captm;
	uint64_t	 next_id;
	struct pollfd	*pfd;		/* one pass's poll set */
	size_t		 cappfd;
	int		 pipe[2];	/* the self-pipe: read, write end */
	struct sigent	 sig[SIG_MAX];
	bool		 takes_signals;
	loop_pass_fn	*pass;
	void		*pass_arg;
	uint64_t	 pass_due;	/* the hook's last answer */
	uint64_t	 now;
	bool		 stop;
};

/*
 * The write end of the self-pipe of the loop that takes signals (-1:
 * none): a signal handler has no argument, so this one descriptor is the
 * module's only state outside a struct loop.  It is set and cleared only
 * while the signals it serves are blocked or their handlers restored.
 */
static volatile sig_atomic_t sig_pipe = -1;

static void
on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;
	int fd = sig_pipe;

	if (fd >= 0)
		(void)write(fd, &b, 1);	/* full: a wake-up is pending anyway */
	errno = saved;
}

struct loop *
loop_create(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	if (pipe2(l->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		free(l);
		return NULL;
	}
	l->next_id = 1;
	l->pass_due = LOOP_NEVER;
	l->now = mptime_now_us();
	return l;
}

void
loop_destroy(struct loop *l)
{
	int s, saved;

	if (!l)
		return;
	saved = errno;
	for (s = 1; s < SIG_MAX; s++)
		if (l->sig[s].set)
			(void)sigaction(s, &l->sig[s].old, NULL);
	if (l->takes_signals)
		sig_pipe = -1;
	(void)close(l->pipe[0]);
	(void)close(l->pipe[1]);
	free(l->fds);
	free(l->tm);
	free(l->pfd);
	free(l);
	errno = saved;
}

static struct fdent *
find_fd(struct loop *l, int fd)
{
	size_t i;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd && fd >= 0)
			return &l->fds[i];
	return NULL;
}

/* Grows *p (of *cap elements of size sz) to hold at least need. */
static int
grow(void *p, size_t *cap, size_t need, size_t sz)
{
	void **pp = p;
	size_t ncap = *cap ? *cap : 8;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (!(n = realloc(*pp, ncap * sz)))
		return -1;
	*pp = n;
	*cap = ncap;
	return 0;
}

int
loop_fd_add(struct loop *l, int fd, unsigned events, loop_fd_fn *fn,
    void *arg)
{
	if (fd < 0 || !fn || events & ~(LOOP_READ | LOOP_WRITE)) {
		errno = EINVAL;
		return -1;
	}
	if (find_fd(l, fd)) {
		errno = EEXIST;
		return -1;
	}
	if (grow(&l->fds, &l->capfds, l->nfds + 1, sizeof(*l->fds)) < 0)
		return -1;
	l->fds[l->nfds++] = (struct fdent){ .fd = fd, .events = events,
	    .fn = fn, .arg = arg };
	return 0;
}

int
loop_fd_set(struct loop *l, int fd, unsigned events)
{
	struct fdent *e = find_fd(l, fd);

	if (!e) {
		errno = ENOENT;
		return -1;
	}
	e->events = events & (LOOP_READ | LOOP_WRITE);
	return 0;
}

int
loop_fd_del(struct loop *l, int fd)
{
	struct fdent *e = find_fd(l, fd);

	if (!e) {
		errno = ENOENT;
		return -1;
	}
	e->fd = -1;	/* the pass in progress skips it */
	return 0;
}

uint64_t
loop_timer_add(struct loop *l, uint64_t deadline, loop_timer_fn *fn,
    void *arg)
{
	size_t i;

	if (!fn) {
		errno = EINVAL;
		return 0;
	}
	for (i = 0; i < l->ntm && l->tm[i].id; i++)
		;
	if (i == l->ntm) {
		if (grow(&l->tm, &l->captm, l->ntm + 1, sizeof(*l->tm)) < 0)
			return 0;
		l->ntm++;
	}
	l->tm[i] = (struct timer){ .id = l->next_id++, .deadline = deadline,
	    .fn = fn, .arg = arg };
	return l->tm[i].id;
}

int
loop_timer_del(struct loop *l, uint64_t id)
{
	size_t i;

	for (i = 0; id && i < l->ntm; i++)
		if (l->tm[i].id == id) {
			l->tm[i].id = 0;
			return 0;
		}
	errno = ENOENT;
	return -1;
}

int
loop_signal(struct loop *l, int signo, loop_signal_fn *fn, void *arg)
{
	struct sigaction sa;
	sigset_t set;

	if (signo <= 0 || signo >= SIG_MAX || !fn) {
		errno = EINVAL;
		return -1;
	}
	if (!l->takes_signals && sig_pipe >= 0) {
		errno = EBUSY;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	l->takes_signals = true;
	sig_pipe = l->pipe[1];
	l->sig[signo].fn = fn;
	l->sig[signo].arg = arg;
	if (!l->sig[signo].set) {
		if (sigaction(signo, &sa, &l->sig[signo].old) < 0)
			return -1;
		l->sig[signo].set = true;
	}
	sigemptyset(&set);
	sigaddset(&set, signo);
	return pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0 ? 0 : -1;
}

void
loop_set_pass(struct loop *l, loop_pass_fn *fn, void *arg)
{
	l->pass = fn;
	l->pass_arg = arg;
	l->pass_due = fn ? 0 : LOOP_NEVER;
}

void
loop_wake(struct loop *l)
{
	int saved = errno;
	unsigned char b = 0;

	(void)write(l->pipe[1], &b, 1);
	errno = saved;
}

void
loop_stop(struct loop *l)
{
	l->stop = true;
}

bool
loop_stopping(const struct loop *l)
{
	return l->stop;
}

uint64_t
loop_now(const struct loop *l)
{
	return l->now;
}

/* The nearest deadline of the timers and the pass hook. */
static uint64_t
next_deadline(const struct loop *l)
{
	uint64_t d = l->pass_due;
	size_t i;

	for (i = 0; i < l->ntm; i++)
		if (l->tm[i].id && l->tm[i].deadline < d)
			d = l->tm[i].deadline;
	return d;
}

/*
 * The wait until deadline, at most max_us, into *ts; NULL when there is no
 * limit.  In µs (ppoll(2)), not poll(2)'s ms: a retransmission timeout of
 * a few hundred µs on a LAN is not rounded up to a millisecond.
 */
static struct timespec *
timeout(uint64_t now, uint64_t deadline, uint64_t max_us, struct timespec *ts)
{
	uint64_t us = deadline == LOOP_NEVER ? LOOP_NEVER :
	    deadline > now ? deadline - now : 0;

	if (max_us < us)
		us = max_us;
	if (us == LOOP_NEVER)
		return NULL;
	if (us / 1000000 > INT_MAX)
		us = (uint64_t)INT_MAX * 1000000;
	ts->tv_sec = (time_t)(us / 1000000);
	ts->tv_nsec = (long)(us % 1000000) * 1000;
	return ts;
}

/* Drops removed descriptors; builds the poll set (the self-pipe first). */
static int
build_pollset(struct loop *l, size_t *n)
{
	size_t i, k = 0;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd >= 0)
			l->fds[k++] = l->fds[i];
	l->nfds = k;
	if (grow(&l->pfd, &l->cappfd, l->nfds + 1, sizeof(*l->pfd)) < 0)
		return -1;
	l->pfd[0] = (struct pollfd){ .fd = l->pipe[0], .events = POLLIN };
	for (i = 0; i < l->nfds; i++)
		l->pfd[i + 1] = (struct pollfd){ .fd = l->fds[i].fd,
		    .events = (short)((l->fds[i].events & LOOP_READ ? POLLIN : 0) |
		    (l->fds[i].events & LOOP_WRITE ? POLLOUT : 0)) };
	*n = l->nfds + 1;
	return 0;
}

/* Empties the self-pipe and runs the callbacks of the signals it held. */
static void
drain_pipe(struct loop *l)
{
	unsigned char buf[64];
	bool seen[SIG_MAX] = { false };
	ssize_t got;
	int s;

	while ((got = read(l->pipe[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < got; i++)
			if (buf[i] && buf[i] < SIG_MAX)
				seen[buf[i]] = true;
	for (s = 1; s < SIG_MAX; s++)
		if (seen[s] && l->sig[s].fn)
			l->sig[s].fn(l, s, l->sig[s].arg);
}

static void
run_timers(struct loop *l)
{
	size_t i;

	/* A timer added by a callback fires in a later pass at the
	 * earliest: its slot may be one scanned already, or not. */
	for (i = 0; i < l->ntm; i++) {
		struct timer t = l->tm[i];

		if (!t.id || t.deadline > l->now)
			continue;
		l->tm[i].id = 0;
		t.fn(l, t.arg);
	}
}

static void
run_fds(struct loop *l, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		struct pollfd *p = &l->pfd[i];
		struct fdent *e;
		unsigned ev = 0;

		if (!p->revents)
			continue;
		/* Still watched (a callback of this pass may have removed
		 * it), and for what it is ready for. */
		if (!(e = find_fd(l, p->fd)))
			continue;
		if (p->revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
			ev |= LOOP_READ;
		if (p->revents & (POLLOUT | POLLERR | POLLHUP))
			ev |= LOOP_WRITE;
		ev &= e->events;
		if (ev)
			e->fn(l, p->fd, ev, e->arg);
	}
}

int
loop_once(struct loop *l, uint64_t max_us)
{
	struct timespec ts;
	size_t n;
	int rc, saved;

	if (build_pollset(l, &n) < 0)
		return -1;
	l->now = mptime_now_us();
	rc = ppoll(l->pfd, n, timeout(l->now, next_deadline(l), max_us, &ts),
	    NULL);
	saved = errno;
	l->now = mptime_now_us();
	if (rc < 0 && saved != EINTR) {
		errno = saved;
		return -1;
	}
	if (rc > 0) {
		if (l->pfd[0].revents)
			drain_pipe(l);
		run_fds(l, n);
	}
	run_timers(l);
	if (l->pass)
		l->pass_due = l->pass(l, l->now, l->pass_arg);
	return 0;
}

int
loop_run(struct loop *l)
{
	l->stop = false;
	while (!l->stop)
		if (loop_once(l, LOOP_NEVER) < 0)
			return -1;
	return 0;
}
