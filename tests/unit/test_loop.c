/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The event loop: descriptors called for what they are ready for and never
 * after removal, one-shot timers in deadline order and never early, a
 * cancelled timer silent, signals run as callbacks in the loop, wake-ups
 * from another thread, the pass hook's deadline bounding the sleep, and
 * loop_stop().  An alarm kills the test if a wait never ends.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/loop.h"
#include "mpcomm/mptime.h"
#include "check.h"

struct rec {
	int		 calls;
	int		 fd;
	unsigned	 events;
	uint64_t	 at;		/* loop_now() when called */
	int		 order[8];	/* timers: the tags, in firing order */
	int		 norder;
	int		 del_fd;	/* fd_cb: removes this one (-1: none) */
};

static void
fd_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct rec *r = arg;
	char buf[16];

	r->calls++;
	r->fd = fd;
	r->events = events;
	if (events & LOOP_READ)
		(void)read(fd, buf, sizeof(buf));
	if (r->del_fd >= 0)
		(void)loop_fd_del(l, r->del_fd);
}

struct tag {
	struct rec	*r;
	int		 tag;
	uint64_t	 deadline;
	bool		 early;		/* fired before its deadline */
};

static void
timer_cb(struct loop *l, void *arg)
{
	struct tag *t = arg;

	if (loop_now(l) < t->deadline)
		t->early = true;
	t->r->at = loop_now(l);
	if (t->r->norder < 8)
		t->r->order[t->r->norder++] = t->tag;
	t->r->calls++;
}

static void
stop_cb(struct loop *l, void *arg)
{
	(void)arg;
	loop_stop(l);
}

static void
sig_cb(struct loop *l, int signo, void *arg)
{
	struct rec *r = arg;

	(void)l;
	r->calls++;
	r->fd = signo;
}

struct passrec {
	int		 calls;
	uint64_t	 want;		/* the deadline last returned */
	uint64_t	 seen;		/* now at the call after it */
};

static uint64_t
pass_cb(struct loop *l, uint64_t now, void *arg)
{
	struct passrec *p = arg;

	(void)l;
	p->calls++;
	p->seen = now;
	p->want = now + 2000;
	return p->want;
}

static void *
waker(void *arg)
{
	loop_wake(arg);
	return NULL;
}

static void
test_fds(void)
{
	struct loop *l = loop_create();
	struct rec a = { .del_fd = -1 }, b = { .del_fd = -1 };
	int p[2], q[2], sv[2];

	CHECK(l != NULL);
	CHECK(pipe(p) == 0 && pipe(q) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(loop_fd_add(l, p[0], LOOP_READ, fd_cb, &a) == 0);
	CHECK(loop_fd_add(l, p[0], LOOP_READ, fd_cb, &a) < 0 &&
	    errno == EEXIST);
	CHECK(loop_fd_add(l, -1, LOOP_READ, fd_cb, &a) < 0 && errno == EINVAL);
	CHECK(loop_fd_set(l, 12345, LOOP_READ) < 0 && errno == ENOENT);
	CHECK(loop_fd_del(l, 12345) < 0 && errno == ENOENT);

	/* Readable: called once with LOOP_READ; nothing more once read. */
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(loop_once(l, 5000000) == 0);
	CHECK(a.calls == 1 && a.fd == p[0] && a.events == LOOP_READ);
	CHECK(loop_once(l, 0) == 0);
	CHECK(a.calls == 1);

	/* Writable, asked for writing only. */
	CHECK(loop_fd_add(l, sv[0], LOOP_WRITE, fd_cb, &b) == 0);
	CHECK(loop_once(l, 5000000) == 0);
	CHECK(b.calls == 1 && b.events == LOOP_WRITE);
	/* Watched for nothing: not called although writable. */
	CHECK(loop_fd_set(l, sv[0], 0) == 0);
	CHECK(loop_once(l, 0) == 0);
	CHECK(b.calls == 1);

	/* Both ready in one pass; the first callback removes the other:
	 * the removed one is not called in that pass or any later. */
	CHECK(loop_fd_add(l, q[0], LOOP_READ, fd_cb, &b) == 0);
	a.del_fd = q[0];
	CHECK(write(p[1], "x", 1) == 1 && write(q[1], "y", 1) == 1);
	CHECK(loop_once(l, 5000000) == 0);
	CHECK(a.calls == 2 && b.calls == 1);
	CHECK(loop_once(l, 0) == 0);
	CHECK(b.calls == 1);
	/* Removed, then added again: watched again. */
	a.del_fd = -1;
	CHECK(loop_fd_add(l, q[0], LOOP_READ, fd_cb, &b) == 0);
	CHECK(loop_once(l, 5000000) == 0);
	CHECK(b.calls == 2 && b.fd == q[0]);

	/* A hung-up pipe counts as readable. */
	CHECK(loop_fd_del(l, q[0]) == 0);
	close(p[1]);
	CHECK(loop_once(l, 5000000) == 0);
	CHECK(a.calls == 3 && (a.events & LOOP_READ));
	CHECK(loop_fd_del(l, p[0]) == 0);
	loop_destroy(l);
	close(p[0]);
	close(q[0]);
	close(q[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
test_timers(void)
{
	struct loop *l = loop_create();
	struct rec r = { .del_fd = -1 };
	struct tag t[4];
	uint64_t now = mptime_now_us(), id[4];
	int i;

	/* Added out of order, 3 and 1 ms apart; the third one cancelled. */
	uint64_t when[4] = { now + 4000, now + 1000, now + 2000, now + 3000 };
	for (i = 0; i < 4; i++) {
		t[i] = (struct tag){ .r = &r, .tag = i, .deadline = when[i] };
		id[i] = loop_timer_add(l, when[i], timer_cb, &t[i]);
		CHECK(id[i] != 0);
	}
	CHECK(loop_timer_del(l, id[2]) == 0);
	CHECK(loop_timer_del(l, id[2]) < 0 && errno == ENOENT);
	CHECK(loop_timer_del(l, 0) < 0);
	while (r.calls < 3)
		CHECK(loop_once(l, LOOP_NEVER) == 0);
	CHECK(r.norder == 3 && r.order[0] == 1 && r.order[1] == 3 &&
	    r.order[2] == 0);
	for (i = 0; i < 4; i++)
		CHECK(!t[i].early);
	/* One-shot: nothing fires again, and no timer is left to wait for. */
	CHECK(loop_once(l, 0) == 0);
	CHECK(r.calls == 3);
	/* A deadline in the past fires at the next pass. */
	t[0].deadline = 0;
	CHECK(loop_timer_add(l, 1, timer_cb, &t[0]) != 0);
	CHECK(loop_once(l, LOOP_NEVER) == 0);
	CHECK(r.calls == 4);
	/* loop_run() until a timer stops it; timers added after are kept. */
	t[1].deadline = mptime_now_us() + 1000;
	CHECK(loop_timer_add(l, t[1].deadline, timer_cb, &t[1]) != 0);
	CHECK(loop_timer_add(l, t[1].deadline + 500, stop_cb, NULL) != 0);
	CHECK(loop_run(l) == 0);
	CHECK(loop_stopping(l));
	CHECK(r.calls == 5 && !t[1].early);
	CHECK(loop_timer_add(l, 1, NULL, NULL) == 0 && errno == EINVAL);
	loop_destroy(l);
}

static void
test_signals_wake_pass(void)
{
	struct loop *l = loop_create(), *l2 = loop_create();
	struct rec r = { .del_fd = -1 };
	struct passrec p = { 0 };
	struct sigaction old;
	sigset_t set;
	pthread_t th;
	uint64_t want;

	CHECK(l != NULL && l2 != NULL);
	/* Blocked as in a program's other threads until loop_signal(). */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(loop_signal(l, SIGUSR1, sig_cb, &r) == 0);
	CHECK(loop_signal(l2, SIGUSR2, sig_cb, &r) < 0 && errno == EBUSY);
	CHECK(loop_signal(l, 0, sig_cb, &r) < 0 && errno == EINVAL);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	/* Taken by the handler; the callback runs in the pass, not in it. */
	while (r.calls == 0)
		CHECK(loop_once(l, LOOP_NEVER) == 0);
	CHECK(r.calls == 1 && r.fd == SIGUSR1);

	/* A wake-up from another thread ends a sleep without a limit. */
	CHECK(pthread_create(&th, NULL, waker, l) == 0);
	CHECK(loop_once(l, LOOP_NEVER) == 0);
	CHECK(pthread_join(th, NULL) == 0);
	CHECK(r.calls == 1);

	/* The pass hook runs every pass, and its deadline ends the sleep. */
	loop_set_pass(l, pass_cb, &p);
	CHECK(loop_once(l, 0) == 0);
	CHECK(p.calls == 1);
	want = p.want;
	CHECK(loop_once(l, LOOP_NEVER) == 0);
	CHECK(p.calls == 2 && p.seen >= want);
	loop_set_pass(l, NULL, NULL);

	/* Destroying the loop restores the signal's action. */
	loop_destroy(l);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
	/* The next loop may take signals. */
	CHECK(loop_signal(l2, SIGUSR2, sig_cb, &r) == 0);
	loop_destroy(l2);
}

int
main(void)
{
	alarm(60);	/* a wait that never ends fails the test */
	test_fds();
	test_timers();
	test_signals_wake_pass();
	CHECK_DONE("test_loop");
}
