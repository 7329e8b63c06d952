/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * poll(2)-driven line server for the control ports of all three programs.
 * Single-threaded by design: the only cross-thread entry is lsrv_stop(),
 * which writes one byte to a self-pipe.  Slots are defended: a client that
 * has not completed a line (an authenticated one, with a key) within
 * HELLO_MS is dropped; when the table is full, or a source holds its share,
 * a new client takes the slot of the least useful one (unproven first, then
 * the longest idle between requests) instead of being refused; a spare
 * descriptor sheds connections when the process runs out of descriptors.
 * With a key, a client that sends CLAIM first is never reclaimed before
 * its first request (a newcomer is turned away instead), so that a
 * stranger sharing its address (one host, one NAT) cannot take its slot
 * in the round trip before that request.
 */
#define _GNU_SOURCE		/* accept4, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/ctlbody.h"
#include "mpcomm/lsrv.h"
#include "mpcomm/mptime.h"
#include "mpcomm/net.h"

#define IN_CAP		(64 * 1024)
#define OUT_LIMIT	(1024 * 1024)
#define TICK_MS		200
#define HELLO_MS	2000	/* to complete a first (authenticated) line */
#define SOURCE_SHARE	4	/* one source holds at most 1/4 of the slots */
#define SOURCE_MIN	4	/* ... but at least this many */
#define EMFILE_PAUSE_MS	100	/* no descriptor at all: stop accepting */
#define ACCEPT_BATCH	16	/* per wakeup: clients accepted get a turn */
#define REFUSED_SOURCES	32	/* protected mode: sources already told of */

struct lsrv_conn {
	int		 fd;
	int		 closing;
	int		 proven;	/* a line got through (authenticated) */
	int		 claimed;	/* a valid CLAIM: not to be reclaimed
					   for an unproven newcomer */
	int		 read_late;	/* read once more before reclaimed */
	uint64_t	 accepted;
	char		 peer[80];
	char		 host[64];	/* the source, without its port */
	char		*in;
	size_t		 inlen;
	char		*out;
	size_t		 outlen;
	size_t		 outcap;
	uint64_t	 last_line;
	const char	*why;		/* set when the client went away */
	void		*data;
	char		 nonce[AUTH_NONCE_HEX + 1];
	const struct auth_key *key;	/* the server's, NULL: none */
	struct ctlbody	 body;		/* see lsrv_body_begin */
};

struct lsrv {
	int		 lfd[8];
	size_t		 nl;
	struct lsrv_conn **c;
	size_t		 nc;
	size_t		 maxc;
	size_t		 per_source;
	int		 spare;		/* /dev/null, given up on EMFILE */
	uint64_t	 pause_until;	/* no accept before (EMFILE) */
	const struct lsrv_ops *ops;
	void		*arg;
	uint64_t	 idle_us;
	int		 wake[2];
	struct pollfd	*pfd;
	int		 keyed;
	struct auth_key	 key;
	int		 loopback_only;	/* protected mode */
	unsigned long long refused;	/* clients it turned away */
	char		 refused_src[REFUSED_SOURCES][64];	/* a ring */
	size_t		 refused_next;
};

struct lsrv *
lsrv_create(const int *fds, size_t nfd, const struct lsrv_ops *ops, void *arg,
    int idle_timeout_ms, size_t max_conns)
{
	struct lsrv *s;
	size_t i;

	if (nfd > 8 || !ops || !ops->line || max_conns == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return NULL;
	s->c = calloc(max_conns, sizeof(*s->c));
	s->pfd = calloc(1 + nfd + max_conns, sizeof(*s->pfd));
	if (!s->c || !s->pfd || pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(s->c);
		free(s->pfd);
		free(s);
		return NULL;
	}
	for (i = 0; i < nfd; i++)
		s->lfd[i] = fds[i];
	s->nl = nfd;
	s->maxc = max_conns;
	s->per_source = max_conns / SOURCE_SHARE > SOURCE_MIN ?
	    max_conns / SOURCE_SHARE : SOURCE_MIN;
	s->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	s->ops = ops;
	s->arg = arg;
	s->idle_us = (uint64_t)idle_timeout_ms * 1000;
	return s;
}

static void
conn_free(struct lsrv *s, size_t i, const char *why)
{
	struct lsrv_conn *c = s->c[i];

	if (s->ops->closed)
		s->ops->closed(s->arg, c, why);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
	s->c[i] = s->c[--s->nc];
}

void
lsrv_destroy(struct lsrv *s)
{
	if (!s)
		return;
	while (s->nc)
		conn_free(s, s->nc - 1, "server stopping");
	close(s->wake[0]);
	close(s->wake[1]);
	if (s->spare >= 0)
		close(s->spare);
	free(s->c);
	free(s->pfd);
	free(s);
}

void
lsrv_stop(struct lsrv *s)
{
	char b = 1;

	(void)!write(s->wake[1], &b, 1);
}

/* Between requests: nothing of the client is in flight. */
static int
conn_between(const struct lsrv_conn *c)
{
	return !c->body.open && !c->data && c->inlen == 0;
}

/* Proven, or claimed with the key: it has shown it is a real client. */
static int
conn_known(const struct lsrv_conn *c)
{
	return c->proven || c->claimed;
}

/*
 * Claimed with the key and not yet past its first request: a keyed
 * client between its CLAIM and its request (which it sends within
 * HELLO_MS, or is dropped).  Never reclaimed: when every other slot of a
 * source was known too, the comparison server's START connection, idle
 * for its HELLO round trip, was the longest idle and lost its slot.
 */
static int
conn_waiting(const struct lsrv_conn *c)
{
	return c->claimed && !c->proven;
}

/*
 * The connection to close for a newcomer (of host, when only that source's
 * slots count): the oldest unknown one, else the longest idle between
 * requests, never one claimed and waiting for its request.  Returns its
 * index, or s->nc when there is none to spare.
 */
static size_t
pick_victim(const struct lsrv *s, const char *host)
{
	size_t i, best = s->nc;
	const struct lsrv_conn *c, *b = NULL;

	for (i = 0; i < s->nc; i++) {
		c = s->c[i];
		if (host && strcmp(c->host, host) != 0)
			continue;
		if (!conn_known(c) && (!b || conn_known(b) ||
		    c->accepted < b->accepted))
			b = c, best = i;
		else if (conn_known(c) && conn_between(c) &&
		    !conn_waiting(c) && (!b ||
		    (conn_known(b) && c->last_line < b->last_line)))
			b = c, best = i;
	}
	return best;
}

static const char *conn_read(struct lsrv *s, struct lsrv_conn *c,
    uint64_t now);

/*
 * pick_victim(), but an unknown victim is read once more first: its CLAIM
 * or request may have arrived since the last poll, and a client that has
 * just shown itself keeps its slot.  Ends: each pass reads a new one.
 */
static size_t
pick_victim_read(struct lsrv *s, const char *host, uint64_t now)
{
	struct lsrv_conn *c;
	size_t v;

	for (;;) {
		v = pick_victim(s, host);
		if (v == s->nc || conn_known(c = s->c[v]) || c->read_late ||
		    c->closing)
			return v;
		c->read_late = 1;
		if (conn_read(s, c, now))
			c->closing = 1;
	}
}

/* Closes connection i to give its slot to a newcomer. */
static void
reclaim(struct lsrv *s, size_t i)
{
	static const char msg[] = "ERR 503 slot reclaimed for a new client\n";

	(void)!send(s->c[i]->fd, msg, sizeof(msg) - 1,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	conn_free(s, i, "slot reclaimed");
}

/*
 * Room for a client from host: 0 when there is (a slot was reclaimed if
 * need be), -1 when every slot is busy with a request.
 */
static int
make_room(struct lsrv *s, const char *host, uint64_t now)
{
	size_t i, same = 0, v;

	for (i = 0; i < s->nc; i++)
		same += strcmp(s->c[i]->host, host) == 0;
	if (same >= s->per_source)
		v = pick_victim_read(s, host, now);
	else if (s->nc >= s->maxc)
		v = pick_victim_read(s, NULL, now);
	else
		return 0;
	if (v == s->nc)
		return -1;
	reclaim(s, v);
	return 0;
}

/*
 * Out of descriptors: close the least useful client, or failing that take
 * the pending one with the spare descriptor and turn it away.  Returns 1
 * when accept() is worth trying again, 0 when accepting must pause.
 */
static int
out_of_fds(struct lsrv *s, int lfd, uint64_t now)
{
	static const char busy[] = "ERR 503 too many connections\n";
	size_t v = pick_victim(s, NULL);
	int fd;

	if (v < s->nc) {
		reclaim(s, v);
		return 1;
	}
	if (s->spare >= 0) {
		close(s->spare);
		if ((fd = accept(lfd, NULL, NULL)) >= 0) {
			(void)!send(fd, busy, sizeof(busy) - 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
		}
		s->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && s->spare >= 0)
			return 1;
	}
	s->pause_until = now + EMFILE_PAUSE_MS * 1000ULL;
	return 0;
}

/* A new connection: 0, or -1 (fd is closed then). */
static int
conn_add(struct lsrv *s, int fd, const struct net_addr *a, uint64_t now)
{
	struct lsrv_conn *c;

	if (!(c = calloc(1, sizeof(*c))) || !(c->in = malloc(IN_CAP)))
		goto fail;
	c->fd = fd;
	c->last_line = c->accepted = now;
	net_addr_str(a, c->peer, sizeof(c->peer));
	if (net_addr_host(a, c->host, sizeof(c->host)) < 0)
		snprintf(c->host, sizeof(c->host), "?");
	if (s->keyed) {
		c->key = &s->key;
		if (auth_nonce(c->nonce) < 0)
			goto fail;
		(void)lsrv_printf(c, "HELLO nonce=%s\n", c->nonce);
	}
	s->c[s->nc++] = c;
	return 0;
fail:
	if (c)
		free(c->in);
	free(c);
	close(fd);
	return -1;
}

/*
 * Protected mode: a client from beyond this host is told why and how to
 * get in, as Redis tells it, and closed; the program hears of each source
 * once (while it is among the last REFUSED_SOURCES), so that a stranger
 * who keeps connecting cannot flood its log.
 */
static void
refuse_stranger(struct lsrv *s, int fd, const char *host)
{
	static const char msg[] = "ERR 403 protected mode: without a key this "
	    "server accepts loopback clients only; give every program the "
	    "same key (mpctl keygen FILE, then -k FILE) or, on a trusted "
	    "network, start it with --insecure\n";
	size_t i;

	(void)!send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	s->refused++;
	for (i = 0; i < REFUSED_SOURCES; i++)
		if (strcmp(s->refused_src[i], host) == 0)
			return;
	snprintf(s->refused_src[s->refused_next], sizeof(s->refused_src[0]),
	    "%s", host);
	s->refused_next = (s->refused_next + 1) % REFUSED_SOURCES;
	if (s->ops->refused)
		s->ops->refused(s->arg, host, s->refused);
}

static void
accept_all(struct lsrv *s, int lfd, uint64_t now)
{
	static const char busy[] = "ERR 503 too many connections\n";
	struct net_addr a;
	char host[64];
	int fd, n;

	for (n = 0; n < ACCEPT_BATCH; n++) {
		a.len = sizeof(a.ss);
		fd = accept4(lfd, (struct sockaddr *)&a.ss, &a.len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE) &&
		    out_of_fds(s, lfd, now))
			continue;
		if (fd < 0)
			return;	/* EAGAIN, or a transient error: poll again */
		if (net_addr_host(&a, host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "?");
		if (s->loopback_only && !net_is_loopback(&a)) {
			refuse_stranger(s, fd, host);
			continue;
		}
		if (make_room(s, host, now) < 0) {
			(void)!send(fd, busy, sizeof(busy) - 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		/* What the client sent with its connection counts at once:
		 * a client that asked before it was accepted is proven. */
		if (conn_add(s, fd, &a, now) == 0)
			(void)conn_read(s, s->c[s->nc - 1], now);
	}
}

int
lsrv_printf(struct lsrv_conn *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = c->outcap - c->outlen;

		va_start(ap, fmt);
		n = vsnprintf(c->out ? c->out + c->outlen : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < room) {
			c->outlen += (size_t)n;
			return 0;
		}
		if (c->outlen + (size_t)n + 1 > OUT_LIMIT) {
			c->closing = 1;
			return -1;
		}
		{
			size_t ncap = c->outcap ? c->outcap * 2 : 4096;
			char *nb;

			while (ncap < c->outlen + (size_t)n + 1)
				ncap *= 2;
			if (!(nb = realloc(c->out, ncap)))
				return -1;
			c->out = nb;
			c->outcap = ncap;
		}
	}
}

void
lsrv_set_key(struct lsrv *s, const struct auth_key *key)
{
	s->keyed = key != NULL;
	if (key)
		s->key = *key;
}

void
lsrv_set_protected(struct lsrv *s, int on)
{
	s->loopback_only = on;
}

void
lsrv_body_begin(struct lsrv_conn *c)
{
	ctlbody_begin(&c->body, c->key, c->nonce);
}

/*
 * Authenticates a line when the server has a key, then hands it over.  In
 * a body, ctlbody_take() decides (a body is never handed over as complete
 * unless its END verifies).  Returns what the callback returned, or -1
 * when authentication failed.
 */
static int
deliver_line(struct lsrv *s, struct lsrv_conn *c, char *line, size_t len)
{
	if (!c->body.open && !c->proven && !c->claimed &&
	    auth_is_claim(line, len)) {
		if (!s->keyed) {
			(void)lsrv_printf(c, "ERR 401 this server has no key: "
			    "ask it without one\n");
			c->why = "a CLAIM, and this server has no key";
			c->closing = 1;
			return -1;
		}
		if (!auth_claim_check(&s->key, line, len))
			goto refuse;
		c->claimed = 1;		/* no answer: HELLO is on its way */
		return 0;
	}
	if (c->body.open) {
		if (ctlbody_take(&c->body, line, &len) == CTLBODY_FORGED)
			goto refuse;
	} else if (s->keyed && !auth_line_check(&s->key, c->nonce, line,
	    &len)) {
		goto refuse;
	}
	c->proven = 1;
	return s->ops->line(s->arg, c, line, len);
refuse:
	(void)lsrv_printf(c, "ERR 401 authentication failed\n");
	c->why = "authentication failed";
	c->closing = 1;
	return -1;
}

void
lsrv_close(struct lsrv_conn *c)
{
	c->closing = 1;
}

void
lsrv_set_data(struct lsrv_conn *c, void *data)
{
	c->data = data;
}

void *
lsrv_get_data(const struct lsrv_conn *c)
{
	return c->data;
}

const char *
lsrv_peer(const struct lsrv_conn *c)
{
	return c->peer;
}

int
lsrv_fd(const struct lsrv_conn *c)
{
	return c->fd;
}

/* Reads what is there and hands over complete lines; NULL or why to close. */
static const char *
conn_read(struct lsrv *s, struct lsrv_conn *c, uint64_t now)
{
	ssize_t n;
	size_t start, i;

	for (;;) {
		if (c->closing)
			return NULL;
		n = recv(c->fd, c->in + c->inlen, IN_CAP - c->inlen, 0);
		if (n == 0) {
			/* Answer what was asked before the client's EOF. */
			c->closing = 1;
			c->why = c->inlen ? "closed in the middle of a line" :
			    "";
			return NULL;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return NULL;
			return "read error";
		}
		start = 0;
		for (i = c->inlen; i < c->inlen + (size_t)n; i++) {
			if (c->in[i] != '\n')
				continue;
			if (i - start > LSRV_LINE_MAX) {
				(void)lsrv_printf(c, "ERR 400 line longer "
				    "than %d bytes\n", LSRV_LINE_MAX);
				c->closing = 1;
				return NULL;
			}
			c->in[i] = '\0';
			c->last_line = now;
			if (deliver_line(s, c, c->in + start,
			    i - start) < 0 || c->closing) {
				c->closing = 1;
				c->inlen = 0;
				return NULL;
			}
			start = i + 1;
		}
		c->inlen += (size_t)n;
		memmove(c->in, c->in + start, c->inlen - start);
		c->inlen -= start;
		if (c->inlen > LSRV_LINE_MAX) {
			(void)lsrv_printf(c, "ERR 400 line longer than %d "
			    "bytes\n", LSRV_LINE_MAX);
			c->closing = 1;
			return NULL;
		}
	}
}

/* Writes queued output; NULL or why to close. */
static const char *
conn_write(struct lsrv_conn *c)
{
	ssize_t n;

	while (c->outlen) {
		n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return NULL;
			return "write error";
		}
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	return NULL;
}

/*
 * On stop, one last write of what each connection still has to say: the
 * answer to the request that stopped the server (SHUTDOWN's "OK bye") is
 * queued but not yet written when the wake-up comes.  Never blocks.
 */
static void
flush_all(struct lsrv *s)
{
	size_t i;

	for (i = 0; i < s->nc; i++)
		if (s->c[i]->outlen)
			(void)conn_write(s->c[i]);
}

int
lsrv_run(struct lsrv *s)
{
	uint64_t last_tick = 0, now, hello_us;
	size_t i, np;
	char drain[64];
	int rc, paused;

	hello_us = s->idle_us < HELLO_MS * 1000ULL ? s->idle_us :
	    HELLO_MS * 1000ULL;
	for (;;) {
		np = 0;
		s->pfd[np++] = (struct pollfd){ .fd = s->wake[0],
		    .events = POLLIN };
		paused = mptime_now_us() < s->pause_until;
		for (i = 0; i < s->nl; i++)
			s->pfd[np++] = (struct pollfd){ .fd = s->lfd[i],
			    .events = paused ? 0 : POLLIN };
		for (i = 0; i < s->nc; i++)
			s->pfd[np++] = (struct pollfd){ .fd = s->c[i]->fd,
			    .events = (short)((s->c[i]->closing ? 0 : POLLIN) |
			    (s->c[i]->outlen ? POLLOUT : 0)) };
		rc = poll(s->pfd, np, TICK_MS);
		if (rc < 0 && errno != EINTR)
			return -1;
		now = mptime_now_us();
		if (rc > 0 && s->pfd[0].revents) {
			if (read(s->wake[0], drain, sizeof(drain)) > 0) {
				flush_all(s);
				return 0;
			}
		}
		for (i = 0; rc > 0 && i < s->nl; i++)
			if (s->pfd[1 + i].revents & POLLIN)
				accept_all(s, s->lfd[i], now);
		/* Connections accepted just now have no pollfd yet: skip. */
		for (i = np - 1 - s->nl; i-- > 0;) {
			struct pollfd *p = &s->pfd[1 + s->nl + i];
			struct lsrv_conn *c;
			const char *why = NULL;

			if (i >= s->nc || (c = s->c[i])->fd != p->fd)
				continue;
			if (p->revents & (POLLIN | POLLHUP | POLLERR))
				why = conn_read(s, c, now);
			if (!why && c->outlen)
				why = conn_write(c);
			if (!why && c->closing && c->outlen == 0)
				why = c->why ? c->why : "";
			if (!why && now - c->last_line > s->idle_us)
				why = "idle timeout";
			if (!why && !c->proven && now - c->accepted > hello_us)
				why = s->keyed ? "no authenticated line in time" :
				    "no line in time";
			if (why)
				conn_free(s, i, *why ? why : NULL);
		}
		if (now - last_tick >= TICK_MS * 1000ULL) {
			last_tick = now;
			if (s->ops->tick)
				s->ops->tick(s->arg);
		}
	}
}
