/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Driving one run: one membership snapshot from the group manager, the same
 * START (with that snapshot) to every peer, then waiting for every log while
 * polling the peers' STATUS for progress.  A run never starts without one of
 * its members: when a peer refuses START (or cannot be reached), the peers
 * that took it get ABORT and the run is drawn again from the other
 * registered peers, or not run at all.  A run that makes no progress for
 * the timeout, or that is interrupted, is torn down: ABORT to every peer at
 * once, then a short grace period for the logs of what they delivered; the
 * report names the peers that stopped answering or whose logs are missing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mpcomm/auth.h"
#include "mpcomm/ctlmsg.h"
#include "mpcomm/log.h"
#include "mpcomm/mptime.h"
#include "cs.h"

#define LIST_MAX	1024
#define ABORT_TIMEOUT_MS 1000		/* per step of one ABORT */
#define GRACE_US	3000000		/* for the logs of aborted peers */
#define START_TRIES	4		/* snapshots before giving up */
#define CONNECT_TRIES	4		/* START tries, 0.1 s apart, doubling */

/*
 * Protected mode: a run only among members on this host (the peers would
 * refuse a START naming others, and this server their logs).  0 or -1.
 */
static int
protected_members(const struct cs_ctx *ctx, const struct ctlc_member *m,
    unsigned n)
{
	unsigned k;

	for (k = 0; ctx->opt.loopback_only && k < n; k++)
		if (!net_host_is_loopback(m[k].host)) {
			log_fatalx("protected mode: peer %.64s is not on a "
			    "loopback address; give every program the same "
			    "key (mpctl keygen FILE, then -k FILE) or start "
			    "this server with --insecure", m[k].host);
			return -1;
		}
	return 0;
}

/*
 * Sleeps up to us, or less when SIGINT/SIGTERM came, in steps of 50 ms so
 * that a signal ends the wait at once.
 */
static void
nap_interruptible(struct cs_ctx *ctx, uint64_t us)
{
	uint64_t end = mptime_now_us() + us, now;

	while (!atomic_load(&ctx->interrupted) && (now = mptime_now_us()) < end)
		mptime_sleep_us(end - now < 50000 ? end - now : 50000);
}

/* Whether m is one of the nskip peers that refused this run's START. */
static bool
skipped(const struct ctlc_member *m, const struct ctlc_member *skip,
    unsigned nskip)
{
	unsigned i;

	for (i = 0; i < nskip; i++)
		if (m->ctl == skip[i].ctl && strcmp(m->host, skip[i].host) == 0)
			return true;
	return false;
}

/* Drops the skipped peers from the got entries of all; the count left. */
static long
drop_skipped(struct ctlc_member *all, long got, const struct ctlc_member *skip,
    unsigned nskip)
{
	long i, kept = 0;

	for (i = 0; i < got; i++)
		if (!skipped(&all[i], skip, nskip))
			all[kept++] = all[i];
	return kept;
}

/*
 * Waits until enough peers are registered, leaving out the nskip that
 * refused this run's START; fills the snapshot.  -1 when they are not
 * within --wait (at once when a peer was left out), or when SIGINT/SIGTERM
 * came meanwhile.
 */
static int
snapshot(struct cs_ctx *ctx, const struct run_params *p,
    struct ctlc_member *out, unsigned *n, const struct ctlc_member *skip,
    unsigned nskip)
{
	static struct ctlc_member all[LIST_MAX];
	uint64_t deadline = mptime_now_us() + ctx->wait_s * 1000000;
	unsigned want = p->n ? p->n : 2;
	char reply[CTL_LINE_MAX];
	long got = -1;
	bool told = false;
	char last[CTL_LINE_MAX] = "";
	unsigned fails = 0;
	uint64_t pause;

	for (;;) {
		got = ctlc_list(&ctx->gm, ctx->key, all, LIST_MAX, reply,
		    sizeof(reply), MPCOMM_CTL_TIMEOUT_MS);
		fails = got < 0 ? fails + 1 : 0;
		/* Failures are logged at the 1st, 2nd, 4th, 8th ... */
		if (got < 0)
			snprintf(last, sizeof(last), "%s", errno == EPROTO ?
			    reply : strerror(errno));
		if (got < 0 && (fails & (fails - 1)) == 0)
			log_warnx("cannot list the group at %s: %s (attempt %u)",
			    ctx->gm_spec, last, fails);
		if (got > 0)
			got = drop_skipped(all, got, skip, nskip);
		if (got >= (long)want)
			break;
		/* A peer refused START: another must be registered now. */
		if (nskip) {
			log_fatalx("peer %s:%u refused START and only %ld other "
			    "peers are registered at %s, %u needed: no run was "
			    "started", skip[nskip - 1].host, skip[nskip - 1].ctl,
			    got < 0 ? 0 : got, ctx->gm_spec, want);
			return -1;
		}
		if (atomic_load(&ctx->interrupted)) {
			log_fatalx("interrupted while waiting for peers (%ld "
			    "of %u registered at %s): no run was started",
			    got < 0 ? 0 : got, want, ctx->gm_spec);
			return -1;
		}
		/* Who never got a list must not read that nobody came. */
		if (mptime_now_us() >= deadline && got < 0) {
			log_fatalx("cannot list the group at %s after %" PRIu64
			    " s: %s", ctx->gm_spec, ctx->wait_s, last);
			return -1;
		}
		if (mptime_now_us() >= deadline) {
			log_fatalx("only %ld of %u peers registered at %s after "
			    "%" PRIu64 " s: giving up", got, want, ctx->gm_spec,
			    ctx->wait_s);
			return -1;
		}
		if (!told && got >= 0) {
			log_info("waiting for %u peers (%ld registered)", want,
			    got);
			told = true;
		}
		/* 0.2 s while peers register; backing off to 3.2 s on errors. */
		pause = 200000ULL << (fails > 4 ? 4 : fails);
		if (pause > deadline - mptime_now_us())
			pause = deadline - mptime_now_us();
		nap_interruptible(ctx, pause);
	}
	*n = p->n ? p->n : (unsigned)(got > MSG_MAX_PEERS ? MSG_MAX_PEERS :
	    got);
	memcpy(out, all, *n * sizeof(*out));
	return protected_members(ctx, out, *n);
}

static int
member_ctl_addr(const struct ctlc_member *m, struct net_addr *a)
{
	char port[NET_PORT_MAX];

	snprintf(port, sizeof(port), "%u", m->ctl);
	return net_resolve(m->host, port, SOCK_STREAM, a);
}

/*
 * name as a numeric address into buf (peers take only those in START), or
 * name itself when it does not resolve (the peer then says so).
 */
static const char *
numeric_host(const char *name, char *buf, size_t cap)
{
	struct net_addr a;

	if (net_resolve(name, NULL, SOCK_STREAM, &a) < 0 ||
	    net_addr_host(&a, buf, cap) < 0)
		snprintf(buf, cap, "%s", name);
	return buf;
}

/* The START of peer i: the run's parameters, where its log goes. */
static void
start_msg(const struct report *rp, unsigned i, const char *srv,
    struct ctlmsg_start *s)
{
	const struct run_params *p = &rp->p;

	memset(s, 0, sizeof(*s));
	s->run = rp->run;
	s->id = i;
	s->n = p->n;
	s->messages = p->m;
	s->mode = p->mode;
	s->imin_ms = p->imin_ms;
	s->imax_ms = p->imax_ms;
	s->dmin_ms = p->dmin_ms;
	s->dmax_ms = p->dmax_ms;
	s->loss = p->loss;
	s->dup = p->dup;
	s->seed = p->seed;
	s->window = p->window;
	s->on_failure = p->on_failure;
	s->has_suspect = true;
	s->suspect_ms = p->suspect_ms;
	snprintf(s->server, sizeof(s->server), "%s", srv);
	s->trace = p->trace;
	memcpy(s->secret, rp->secret, sizeof(s->secret));
	s->secret_len = sizeof(s->secret);
}

/* Sends START and the MEMBER lines to peer i over c. */
static int
start_send(struct ctlc_conn *c, const struct report *rp, unsigned i,
    const char *srv)
{
	const struct run_params *p = &rp->p;
	struct ctlmsg_start s;
	struct ctlmsg_member x;
	char line[CTL_LINE_MAX + 1], host[NET_HOST_MAX];
	unsigned k;
	int rc;

	start_msg(rp, i, srv, &s);
	rc = ctlmsg_start_format(&s, line, sizeof(line)) < 0 ? -2 :
	    ctlc_send(c, line);
	explicit_bzero(&s, sizeof(s));
	explicit_bzero(line, sizeof(line));
	if (rc == -2)
		goto toolong;
	if (rc < 0)
		return -1;
	for (k = 0; k < p->n; k++) {
		memset(&x, 0, sizeof(x));
		x.id = k;
		snprintf(x.host, sizeof(x.host), "%s",
		    numeric_host(rp->member[k].host, host, sizeof(host)));
		x.udp = rp->member[k].udp;
		/* Regions: what comes from member k waits this long at i. */
		x.has_delay = p->regions && k != i;
		x.delay_us = x.has_delay ? geo_delay_us(p, k, i) : 0;
		if (ctlmsg_member_format(&x, line, sizeof(line)) < 0)
			goto toolong;
		if (ctlc_send(c, line) < 0)
			return -1;
	}
	return 0;
toolong:
	errno = EMSGSIZE;
	return -1;
}

/*
 * One try of START to peer i at a: 0 with the answer in line; -1 with why
 * when the peer cannot have taken it (the connection failed before the
 * whole START was out, or it answered ERR 503: busy, or its slot was
 * reclaimed), so that trying again is safe; -2 with why when it may have.
 */
static int
start_try(struct cs_ctx *ctx, const struct report *rp, unsigned i,
    const struct net_addr *a, char *line, size_t lcap, char *why,
    size_t cap)
{
	struct ctlc_conn c;
	char host[NET_HOST_MAX], srv[CTLMSG_SERVER_MAX];

	if (ctlc_open(&c, a, ctx->key, MPCOMM_CTL_TIMEOUT_MS) < 0) {
		snprintf(why, cap, "cannot connect: %.200s", errno == EPROTO &&
		    c.greeting[0] ? c.greeting : strerror(errno));
		return -1;
	}
	/* Where the peer should send its log: our address as it sees us. */
	if (ctx->advertise)
		numeric_host(ctx->advertise, host, sizeof(host));
	else if (net_local_host(c.fd, host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	snprintf(srv, sizeof(srv), strchr(host, ':') ? "[%s]:%u" : "%s:%u",
	    host, ctx->lport);
	if (start_send(&c, rp, i, srv) < 0) {
		snprintf(why, cap, "sending START: %s", strerror(errno));
		ctlc_close(&c);
		return -1;
	}
	if (ctlc_recv(&c, line, lcap) < 0) {
		snprintf(why, cap, "%s", strerror(errno));
		ctlc_close(&c);
		return -2;
	}
	ctlc_close(&c);
	if (ctlmsg_is_ok(line))
		return 0;
	snprintf(why, cap, "refused START: %.200s", line);
	return ctlmsg_err_parse(line) == 503 ? -1 : -2;
}

/*
 * Sends START to peer i; 0, or -1 with why filled in.  A try that the
 * peer cannot have taken is made again, 0.1 s later and doubling: a
 * stranger churning the peer's slots from our address can take ours
 * before our CLAIM or our START is read.
 */
static int
start_peer(struct cs_ctx *ctx, const struct report *rp, unsigned i,
    char *why, size_t cap)
{
	struct net_addr a;
	char line[CTL_LINE_MAX + 1];
	unsigned tries;
	int rc;

	if (member_ctl_addr(&rp->member[i], &a) < 0) {
		snprintf(why, cap, "cannot resolve %s", rp->member[i].host);
		return -1;
	}
	for (tries = 1; (rc = start_try(ctx, rp, i, &a, line, sizeof(line),
	    why, cap)) == -1; tries++) {
		if (tries == CONNECT_TRIES || atomic_load(&ctx->interrupted))
			break;
		log_warnx("run %" PRIu64 ": peer %u: %s; trying again",
		    rp->run, i, why);
		nap_interruptible(ctx, 100000ULL << (tries - 1));
	}
	return rc == 0 ? 0 : -1;
}

/* The delivered count a peer reports in STATUS, or -1. */
static long long
peer_delivered(const struct cs_ctx *ctx, const struct ctlc_member *m)
{
	struct net_addr a;
	struct ctl_msg msg;
	struct ctlmsg_status st;
	char req[16], reply[CTL_LINE_MAX + 1];

	if (member_ctl_addr(m, &a) < 0 ||
	    ctlmsg_bare_format(CTLMSG_STATUS, req, sizeof(req)) < 0 ||
	    ctlc_request(&a, ctx->key, req, reply, sizeof(reply), 2000) != 0)
		return -1;
	if (ctlmsg_read(reply, strlen(reply), &msg) != CTLMSG_OK ||
	    ctlmsg_status_parse(&msg, &st) < 0)
		return -1;
	return (long long)st.delivered;
}

/* What the last STATUS round saw of each peer, and when anything moved. */
struct watch {
	long long	 delivered[MSG_MAX_PEERS];	/* -1: no answer */
	uint64_t	 sum;
	uint64_t	 last_progress;
	uint64_t	 next_poll;
	uint64_t	 start_us;	/* when the first START went out */
};

/* One STATUS round over the peers: progress, and the progress line. */
static void
poll_peers(struct cs_ctx *ctx, const struct report *rp, struct watch *w,
    unsigned received, uint64_t now)
{
	uint64_t sum = received, dmin = UINT64_MAX;
	unsigned i;

	for (i = 0; i < rp->p.n; i++) {
		long long d = peer_delivered(ctx, &rp->member[i]);

		w->delivered[i] = d;
		if (d < 0)
			continue;
		sum += (uint64_t)d;
		if ((uint64_t)d < dmin)
			dmin = (uint64_t)d;
	}
	if (sum != w->sum) {
		w->sum = sum;
		w->last_progress = now;
	}
	if (ctx->progress && !ctx->quiet) {
		struct progress pg = { w->start_us, received,
		    dmin == UINT64_MAX ? 0 : dmin };

		progress_show(rp, &pg);
	}
	w->next_poll = now + 500000;
}

/*
 * Waits (c->mu held) until `want` logs are in, the deadline passes, or
 * something is received; returns the count received.
 */
static unsigned
wait_received(struct collect *c, unsigned want, uint64_t deadline)
{
	struct timespec ts;
	uint64_t now = mptime_now_us(), us;

	if (c->received >= want || now >= deadline)
		return c->received;
	us = deadline - now < 100000 ? deadline - now : 100000;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(us / 1000000);
	ts.tv_nsec += (long)(us % 1000000) * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&c->cv, &c->mu, &ts);
	return c->received;
}

/*
 * In a run with views (c->mu held): true once every survivor's log is in
 * and no departed member's is worth waiting for any more.  A departed
 * member that still answers STATUS (excluded, or minority, shipping) gets
 * GRACE_US from the moment the last survivor's log came; a dead one none.
 */
static bool
departed_only(struct collect *c, unsigned n, const struct watch *w,
    uint64_t *since, uint64_t now)
{
	uint64_t s = compare_survivors(c->log, n);
	unsigned i;

	if (s == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s >> i & 1 && !c->log[i].received) {
			*since = 0;
			return false;
		}
	if (*since == 0)
		*since = now;
	for (i = 0; i < n; i++)
		if (!(s >> i & 1) && !c->log[i].received &&
		    (w->delivered[i] >= 0 || c->uploading >> i & 1) &&
		    now - *since < GRACE_US)
			return false;
	return true;
}

/* Waits for the logs while watching the peers' progress. */
static enum judge_end
wait_logs(struct cs_ctx *ctx, struct report *rp, struct watch *w)
{
	struct collect *c = &ctx->coll;
	enum judge_end end = JUDGE_COMPLETE;
	unsigned received;
	uint64_t now, since = 0;

	w->last_progress = mptime_now_us();
	pthread_mutex_lock(&c->mu);
	while ((received = c->received) < rp->p.n) {
		pthread_mutex_unlock(&c->mu);
		now = mptime_now_us();
		if (now >= w->next_poll)
			poll_peers(ctx, rp, w, received, now);
		if (atomic_load(&ctx->interrupted))
			end = JUDGE_INTERRUPTED;
		else if (now - w->last_progress > ctx->timeout_s * 1000000)
			end = JUDGE_STALLED;
		pthread_mutex_lock(&c->mu);
		if (end != JUDGE_COMPLETE)
			break;
		if (departed_only(c, rp->p.n, w, &since, now)) {
			log_info("run %" PRIu64 ": every survivor's log is in; "
			    "%u of %u logs", rp->run, c->received, rp->p.n);
			break;
		}
		(void)wait_received(c, received + 1, now + 100000);
	}
	pthread_mutex_unlock(&c->mu);
	if (ctx->progress && !ctx->quiet)
		progress_clear();
	return end;
}

/* One ABORT to one peer, from a thread of its own. */
struct abort_job {
	const struct cs_ctx *ctx;
	const struct ctlc_member *m;
	uint64_t	 run;
	int		 rc;		/* ctlc_request()'s */
	int		 err;		/* its errno when rc < 0 */
	bool		 threaded;
	pthread_t	 t;
	char		 reply[CTL_LINE_MAX + 1];
};

static void *
abort_one(void *arg)
{
	struct abort_job *j = arg;
	struct ctlmsg_abort msg = { j->run };
	struct net_addr a;
	char line[64];

	if (ctlmsg_abort_format(&msg, line, sizeof(line)) < 0 ||
	    member_ctl_addr(j->m, &a) < 0) {
		j->rc = -1;
		j->err = EHOSTUNREACH;
		return NULL;
	}
	j->rc = ctlc_request(&a, j->ctx->key, line, j->reply, sizeof(j->reply),
	    ABORT_TIMEOUT_MS);
	j->err = errno;
	return NULL;
}

/*
 * Sends ABORT run=R to every peer of the run at once, each bounded by a
 * short timeout, so that a dead or frozen peer costs at most that.  Returns
 * the set of peers that answered OK (they ship what they delivered).
 */
static uint64_t
abort_peers(const struct cs_ctx *ctx, const struct report *rp, uint64_t whom)
{
	struct abort_job *job;
	uint64_t ok = 0;
	unsigned i, n = rp->p.n;
	char addr[NET_HOST_MAX + 32];

	if (!(job = calloc(n, sizeof(*job)))) {
		log_warnx("out of memory: no ABORT sent");
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!(whom >> i & 1))
			continue;
		job[i] = (struct abort_job){ .ctx = ctx, .m = &rp->member[i],
		    .run = rp->run };
		job[i].threaded = pthread_create(&job[i].t, NULL, abort_one,
		    &job[i]) == 0;
		if (!job[i].threaded)
			(void)abort_one(&job[i]);
	}
	for (i = 0; i < n; i++) {
		if (!(whom >> i & 1))
			continue;
		if (job[i].threaded)
			pthread_join(job[i].t, NULL);
		if (job[i].rc == 0) {
			ok |= UINT64_C(1) << i;
			log_debug("run %" PRIu64 ": peer %u: %s", rp->run, i,
			    job[i].reply);
			continue;
		}
		report_peer_addr(&rp->member[i], addr, sizeof(addr));
		log_warnx("run %" PRIu64 ": peer %u (%s) did not take ABORT: "
		    "%.200s", rp->run, i, addr, job[i].rc < 0 ?
		    strerror(job[i].err) : job[i].reply);
	}
	free(job);
	return ok;
}

/* After ABORT: the logs of the peers in `ok` still come, for a short while. */
static void
wait_grace(struct cs_ctx *ctx, const struct report *rp, uint64_t ok)
{
	struct collect *c = &ctx->coll;
	uint64_t deadline = mptime_now_us() + GRACE_US;
	unsigned want = 0, i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < rp->p.n; i++)
		if (ok >> i & 1 || c->log[i].received)
			want++;
	while (c->received < want && mptime_now_us() < deadline)
		(void)wait_received(c, want, deadline);
	pthread_mutex_unlock(&c->mu);
}

/* The logs move from the collector to the report; the run is closed. */
static void
take_logs(struct cs_ctx *ctx, struct report *rp)
{
	struct collect *c = &ctx->coll;
	unsigned i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < rp->p.n; i++) {
		rp->log[i] = c->log[i];
		memset(&c->log[i], 0, sizeof(c->log[i]));
	}
	c->run = 0;
	pthread_mutex_unlock(&c->mu);
}

/* Appends to the string in buf, truncating at cap. */
static void __attribute__((format(printf, 3, 4)))
append(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

/* Appends the peers in mask as "ID (ADDR)", with what STATUS last said. */
static void
list_peers(char *buf, size_t cap, const struct report *rp, uint64_t mask,
    const struct watch *w, bool counts)
{
	char addr[NET_HOST_MAX + 32];
	const char *sep = "";
	unsigned i;

	for (i = 0; i < rp->p.n; i++) {
		if (!(mask >> i & 1))
			continue;
		report_peer_addr(&rp->member[i], addr, sizeof(addr));
		if (counts && w->delivered[i] >= 0)
			append(buf, cap, "%s%u (%s, %lld of %" PRIu64
			    " delivered)", sep, i, addr, w->delivered[i],
			    rp->v.total);
		else
			append(buf, cap, "%s%u (%s)", sep, i, addr);
		sep = ", ";
	}
}

/* Peers of the run whose log has not come (silent: and no STATUS either). */
static uint64_t
missing_logs(const struct report *rp, const struct watch *w, bool silent)
{
	uint64_t mask = 0;
	unsigned i;

	for (i = 0; i < rp->p.n; i++)
		if (!rp->log[i].received && (!silent || w->delivered[i] < 0))
			mask |= UINT64_C(1) << i;
	return mask;
}

static const char *
peers_word(uint64_t mask)
{
	return mask & (mask - 1) ? "peers" : "peer";
}

/*
 * Why a run that did not complete ended, into rp->problem (ahead of what
 * was already there): the peers that stopped answering when there are any,
 * else every peer whose log is missing.
 */
static void
describe_end(const struct cs_ctx *ctx, struct report *rp,
    const struct watch *w)
{
	char *pb = rp->v.problem, prev[sizeof(rp->v.problem)];
	size_t cap = sizeof(rp->v.problem);
	uint64_t missing = missing_logs(rp, w, false);
	uint64_t silent = missing_logs(rp, w, true);

	memcpy(prev, rp->v.problem, sizeof(prev));
	pb[0] = '\0';
	if (rp->end == JUDGE_INTERRUPTED) {
		append(pb, cap, "interrupted");
		if (missing) {
			append(pb, cap, "; no log from %s ", peers_word(missing));
			list_peers(pb, cap, rp, missing, w, false);
		}
	} else if (silent) {
		append(pb, cap, "no progress for %" PRIu64 " s: %s ",
		    ctx->timeout_s, peers_word(silent));
		list_peers(pb, cap, rp, silent, w, false);
		append(pb, cap, " stopped answering");
	} else {
		append(pb, cap, "no progress for %" PRIu64 " s; aborted",
		    ctx->timeout_s);
		if (missing) {
			append(pb, cap, "; no log from %s ",
			    peers_word(missing));
			list_peers(pb, cap, rp, missing, w, true);
		}
	}
	if (prev[0])
		append(pb, cap, "; %s", prev);
}

/* The mask of members 0 .. n-1. */
static uint64_t
every_member(unsigned n)
{
	return n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

/* Tears down a run that will not complete: ABORT, then the late logs. */
static void
teardown(struct cs_ctx *ctx, struct report *rp, const struct watch *w)
{
	struct collect *c = &ctx->coll;
	char list[512];
	uint64_t missing = 0;
	unsigned i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < rp->p.n; i++)
		if (!c->log[i].received)
			missing |= UINT64_C(1) << i;
	pthread_mutex_unlock(&c->mu);
	list[0] = '\0';
	list_peers(list, sizeof(list), rp, missing, w, false);
	if (rp->end == JUDGE_INTERRUPTED)
		log_warnx("run %" PRIu64 ": interrupted; missing the logs of "
		    "peers %s; sending ABORT", rp->run, list);
	else
		log_warnx("run %" PRIu64 ": no progress for %" PRIu64 " s; "
		    "missing the logs of peers %s; sending ABORT", rp->run,
		    ctx->timeout_s, list);
	wait_grace(ctx, rp, abort_peers(ctx, rp, every_member(rp->p.n)));
}

/*
 * A new run of the snapshot's peers (without the nskip that refused one
 * before): its id, secret and collector.  NULL when there are not enough.
 */
static struct report *
run_new(struct cs_ctx *ctx, const struct run_params *p,
    const struct ctlc_member *skip, unsigned nskip)
{
	struct report *rp;
	uint64_t id;

	if (!(rp = calloc(1, sizeof(*rp)))) {
		log_warnx("out of memory");
		return NULL;
	}
	rp->p = *p;
	if (snapshot(ctx, p, rp->member, &rp->p.n, skip, nskip) < 0) {
		free(rp);
		return NULL;
	}
	rp->v.total = (uint64_t)rp->p.n * rp->p.m;
	/* Unique across restarts of this server: wall-clock microseconds. */
	id = mptime_real_us();
	rp->run = id > ctx->last_run ? id : ctx->last_run + 1;
	ctx->last_run = rp->run;
	if (auth_random(rp->secret, sizeof(rp->secret)) < 0) {
		log_warn("run %" PRIu64 ": cannot draw the run's secret",
		    rp->run);
		free(rp);
		return NULL;
	}
	collect_begin(&ctx->coll, rp->run, rp->p.n, rp->p.m);
	log_info("run %" PRIu64 ": %u peers, %u messages each, order %s",
	    rp->run, rp->p.n, rp->p.m, order_mode_name(rp->p.mode));
	return rp;
}

/*
 * START to every member in turn, until one refuses it: that one's index,
 * or -1 when all took it.  *started: the members that took it.
 */
static int
start_members(struct cs_ctx *ctx, struct report *rp, uint64_t *started)
{
	char why[300], addr[NET_HOST_MAX + 32];
	unsigned i;

	*started = 0;
	for (i = 0; i < rp->p.n; i++) {
		if (start_peer(ctx, rp, i, why, sizeof(why)) < 0) {
			report_peer_addr(&rp->member[i], addr, sizeof(addr));
			log_warnx("run %" PRIu64 ": peer %u (%s): %s", rp->run,
			    i, addr, why);
			return (int)i;
		}
		*started |= UINT64_C(1) << i;
	}
	return -1;
}

struct report *
run_once(struct cs_ctx *ctx, const struct run_params *p)
{
	struct ctlc_member skip[START_TRIES];
	struct report *rp;
	struct watch w;
	uint64_t start_us, started;
	unsigned nskip = 0;
	int refused;

	for (;;) {
		if (!(rp = run_new(ctx, p, skip, nskip)))
			return NULL;
		start_us = mptime_now_us();
		refused = start_members(ctx, rp, &started);
		/* Every START is out: the secret has no further use here. */
		explicit_bzero(rp->secret, sizeof(rp->secret));
		if (refused < 0)
			break;
		/* Not without it: the others stop, and the run is drawn
		 * again from the peers registered now. */
		skip[nskip++] = rp->member[refused];
		if (started) {
			log_info("run %" PRIu64 ": sending ABORT to the peers "
			    "that took START", rp->run);
			(void)abort_peers(ctx, rp, started);
		}
		collect_end(&ctx->coll);
		report_free(rp);
		if (nskip == START_TRIES) {
			log_fatalx("%u peers in a row refused START: no run was "
			    "started", nskip);
			return NULL;
		}
		log_warnx("drawing the run again without peer %s:%u",
		    skip[nskip - 1].host, skip[nskip - 1].ctl);
	}
	memset(&w, 0, sizeof(w));
	w.start_us = start_us;
	if ((rp->end = wait_logs(ctx, rp, &w)) != JUDGE_COMPLETE) {
		/* The watch names who was missing before the late logs. */
		teardown(ctx, rp, &w);
	}
	take_logs(ctx, rp);
	if (rp->end != JUDGE_COMPLETE)
		describe_end(ctx, rp, &w);
	rp->duration_us = mptime_now_us() - start_us;
	compare_run(rp);
	return rp;
}

void
run_shutdown_peers(struct cs_ctx *ctx)
{
	static struct ctlc_member all[LIST_MAX];
	char reply[CTL_LINE_MAX], req[16];
	struct net_addr a;
	char addr[NET_HOST_MAX + 32];
	long n, i;

	(void)ctlmsg_bare_format(CTLMSG_SHUTDOWN, req, sizeof(req));
	if ((n = ctlc_list(&ctx->gm, ctx->key, all, LIST_MAX, reply,
	    sizeof(reply), MPCOMM_CTL_TIMEOUT_MS)) < 0) {
		log_warn("cannot list the group to shut it down");
		return;
	}
	for (i = 0; i < n; i++) {
		if (member_ctl_addr(&all[i], &a) < 0 ||
		    ctlc_request(&a, ctx->key, req, reply, sizeof(reply),
		    MPCOMM_CTL_TIMEOUT_MS) != 0) {
			report_peer_addr(&all[i], addr, sizeof(addr));
			log_warnx("peer %s did not take SHUTDOWN", addr);
		}
	}
	/* Debug: after the RESULT line only what went wrong is said. */
	log_debug("sent SHUTDOWN to %ld peers", n);
}
