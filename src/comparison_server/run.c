/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Driving one run: one membership snapshot from the group manager, the same
 * START (with that snapshot) to every peer, then waiting for every log while
 * polling the peers' STATUS for progress; a run that makes no progress for
 * the timeout ends with the peers it is still missing named.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/log.h"
#include "mpcomm/mptime.h"
#include "cs.h"

#define NET_TIMEOUT_MS	5000
#define LIST_MAX	1024

/* Waits until enough peers are registered; fills the snapshot. */
static int
snapshot(struct cs_ctx *ctx, const struct run_params *p,
    struct gmc_member *out, unsigned *n)
{
	static struct gmc_member all[LIST_MAX];
	uint64_t deadline = mptime_now_us() + ctx->wait_s * 1000000;
	unsigned want = p->n ? p->n : 2;
	char reply[CTL_LINE_MAX];
	long got = -1;
	bool told = false;
	unsigned fails = 0;
	uint64_t pause;

	for (;;) {
		got = gmc_list(&ctx->gm, ctx->key, all, LIST_MAX, reply,
		    sizeof(reply), NET_TIMEOUT_MS);
		fails = got < 0 ? fails + 1 : 0;
		/* Failures are logged at the 1st, 2nd, 4th, 8th ... */
		if (got < 0 && (fails & (fails - 1)) == 0)
			log_warnx("cannot list the group at %s: %s (attempt %u)",
			    ctx->gm_spec, errno == EPROTO ? reply :
			    strerror(errno), fails);
		if (got >= (long)want)
			break;
		if (mptime_now_us() >= deadline) {
			log_fatalx("only %ld of %u peers registered at %s after "
			    "%" PRIu64 " s: giving up", got < 0 ? 0 : got, want,
			    ctx->gm_spec, ctx->wait_s);
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
		mptime_sleep_us(pause);
	}
	*n = p->n ? p->n : (unsigned)(got > MSG_MAX_PEERS ? MSG_MAX_PEERS :
	    got);
	memcpy(out, all, *n * sizeof(*out));
	return 0;
}

static int
member_ctl_addr(const struct gmc_member *m, struct net_addr *a)
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

/* Sends START to peer i; 0, or -1 with why filled in. */
static int
start_peer(struct cs_ctx *ctx, const struct report *rp, unsigned i,
    char *why, size_t cap)
{
	const struct run_params *p = &rp->p;
	struct net_addr a;
	struct gmc_conn c;
	char line[CTL_LINE_MAX + 1], host[NET_HOST_MAX], srv[NET_HOST_MAX + 16];
	unsigned k;

	if (member_ctl_addr(&rp->member[i], &a) < 0) {
		snprintf(why, cap, "cannot resolve %s", rp->member[i].host);
		return -1;
	}
	if (gmc_open(&c, &a, ctx->key, NET_TIMEOUT_MS) < 0) {
		snprintf(why, cap, "cannot connect to %s:%u: %s",
		    rp->member[i].host, rp->member[i].ctl, strerror(errno));
		return -1;
	}
	/* Where the peer should send its log: our address as it sees us. */
	if (ctx->advertise)
		numeric_host(ctx->advertise, host, sizeof(host));
	else if (net_local_host(c.fd, host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	snprintf(srv, sizeof(srv), strchr(host, ':') ? "[%s]:%u" : "%s:%u",
	    host, ctx->lport);
	snprintf(line, sizeof(line), "START run=%" PRIu64 " id=%u n=%u "
	    "messages=%u order=%s imin=%" PRIu64 " imax=%" PRIu64 " dmin=%"
	    PRIu64 " dmax=%" PRIu64 " loss=%g dup=%g seed=%" PRIu64
	    " window=%u server=%s", rp->run, i, p->n, p->m,
	    order_mode_name(p->mode), p->imin_ms, p->imax_ms, p->dmin_ms,
	    p->dmax_ms, p->loss, p->dup, p->seed, p->window, srv);
	if (gmc_send(&c, line) < 0)
		goto neterr;
	for (k = 0; k < p->n; k++) {
		snprintf(line, sizeof(line), "MEMBER id=%u host=%s udp=%u", k,
		    numeric_host(rp->member[k].host, host, sizeof(host)),
		    rp->member[k].udp);
		if (gmc_send(&c, line) < 0)
			goto neterr;
	}
	if (gmc_recv(&c, line, sizeof(line)) < 0)
		goto neterr;
	gmc_close(&c);
	if (strncmp(line, "OK", 2) != 0) {
		snprintf(why, cap, "%s:%u refused START: %.200s",
		    rp->member[i].host, rp->member[i].ctl, line);
		return -1;
	}
	return 0;
neterr:
	snprintf(why, cap, "%s:%u: %s", rp->member[i].host, rp->member[i].ctl,
	    strerror(errno));
	gmc_close(&c);
	return -1;
}

/* The delivered count a peer reports in STATUS, or -1. */
static long long
peer_delivered(const struct cs_ctx *ctx, const struct gmc_member *m)
{
	struct net_addr a;
	struct ctl_msg msg;
	char reply[CTL_LINE_MAX + 1];
	uint64_t d = 0;

	if (member_ctl_addr(m, &a) < 0 ||
	    gmc_request(&a, ctx->key, "STATUS", reply, sizeof(reply),
	    2000) != 0)
		return -1;
	if (ctl_parse(reply, strlen(reply), &msg) < 0 ||
	    ctl_get_u64(&msg, "delivered", 0, UINT64_MAX, 0, &d) < 0)
		return -1;
	return (long long)d;
}

/* Waits for the logs; false on timeout. */
static bool
wait_logs(struct cs_ctx *ctx, struct report *rp, uint64_t start_us)
{
	struct collect *c = &ctx->coll;
	uint64_t last_progress = mptime_now_us(), progress_sum = 0, now;
	uint64_t next_poll = 0;
	unsigned received, i;
	struct timespec ts;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		received = c->received;
		if (received == rp->p.n)
			break;
		pthread_mutex_unlock(&c->mu);

		now = mptime_now_us();
		if (now >= next_poll) {
			uint64_t sum = received, dmin = UINT64_MAX;

			for (i = 0; i < rp->p.n; i++) {
				long long d = peer_delivered(ctx,
				    &rp->member[i]);

				if (d >= 0) {
					sum += (uint64_t)d;
					if ((uint64_t)d < dmin)
						dmin = (uint64_t)d;
				}
			}
			if (sum != progress_sum) {
				progress_sum = sum;
				last_progress = now;
			}
			if (ctx->progress && !ctx->quiet) {
				struct progress pg = { start_us, received,
				    dmin == UINT64_MAX ? 0 : dmin };

				progress_show(rp, &pg);
			}
			next_poll = now + 500000;
		}
		if (now - last_progress > ctx->timeout_s * 1000000 ||
		    cs_interrupted()) {
			pthread_mutex_lock(&c->mu);
			break;
		}
		pthread_mutex_lock(&c->mu);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (c->received == received)
			pthread_cond_timedwait(&c->cv, &c->mu, &ts);
	}
	/* The logs move to the report. */
	for (i = 0; i < rp->p.n; i++) {
		rp->log[i] = c->log[i];
		memset(&c->log[i], 0, sizeof(c->log[i]));
	}
	c->run = 0;
	pthread_mutex_unlock(&c->mu);
	if (ctx->progress && !ctx->quiet)
		progress_clear();
	return received == rp->p.n;
}

struct report *
run_once(struct cs_ctx *ctx, const struct run_params *p)
{
	struct report *rp;
	uint64_t id, start_us;
	unsigned i, started = 0;
	char why[300];

	if (!(rp = calloc(1, sizeof(*rp)))) {
		log_warnx("out of memory");
		return NULL;
	}
	rp->p = *p;
	if (snapshot(ctx, p, rp->member, &rp->p.n) < 0) {
		free(rp);
		return NULL;
	}
	rp->total = (uint64_t)rp->p.n * rp->p.m;
	/* Unique across restarts of this server: wall-clock microseconds. */
	id = mptime_real_us();
	rp->run = id > ctx->last_run ? id : ctx->last_run + 1;
	ctx->last_run = rp->run;
	collect_begin(&ctx->coll, rp->run, rp->p.n, rp->p.m);
	log_info("run %" PRIu64 ": %u peers, %u messages each, order %s",
	    rp->run, rp->p.n, rp->p.m, order_mode_name(rp->p.mode));
	start_us = mptime_now_us();
	for (i = 0; i < rp->p.n; i++) {
		if (start_peer(ctx, rp, i, why, sizeof(why)) < 0) {
			log_warnx("run %" PRIu64 ": peer %u: %s", rp->run, i,
			    why);
			if (!rp->problem[0])
				snprintf(rp->problem, sizeof(rp->problem),
				    "peer %u did not start: %.200s", i, why);
			continue;
		}
		started++;
	}
	if (started == 0) {
		collect_end(&ctx->coll);
		report_free(rp);
		return NULL;
	}
	if (!wait_logs(ctx, rp, start_us)) {
		char *p2 = why;
		size_t left = sizeof(why);

		for (i = 0; i < rp->p.n; i++) {
			int k;

			if (rp->log[i].received)
				continue;
			k = snprintf(p2, left, "%s%u (%s:%u)", p2 == why ? "" :
			    ", ", i, rp->member[i].host, rp->member[i].ctl);
			if (k < 0 || (size_t)k >= left)
				break;
			p2 += k;
			left -= (size_t)k;
		}
		log_warnx("run %" PRIu64 ": no progress for %" PRIu64 " s; "
		    "missing the logs of peers %s", rp->run, ctx->timeout_s,
		    why);
		if (!rp->problem[0])
			snprintf(rp->problem, sizeof(rp->problem), "no log from "
			    "peers %.200s", why);
	}
	rp->duration_us = mptime_now_us() - start_us;
	compare_run(rp);
	return rp;
}

void
run_shutdown_peers(struct cs_ctx *ctx)
{
	static struct gmc_member all[LIST_MAX];
	char reply[CTL_LINE_MAX];
	struct net_addr a;
	long n, i;

	if ((n = gmc_list(&ctx->gm, ctx->key, all, LIST_MAX, reply,
	    sizeof(reply), NET_TIMEOUT_MS)) < 0) {
		log_warn("cannot list the group to shut it down");
		return;
	}
	for (i = 0; i < n; i++) {
		if (member_ctl_addr(&all[i], &a) < 0 ||
		    gmc_request(&a, ctx->key, "SHUTDOWN", reply, sizeof(reply),
		    NET_TIMEOUT_MS) != 0)
			log_warnx("peer %s:%u did not take SHUTDOWN",
			    all[i].host, all[i].ctl);
	}
	log_info("sent SHUTDOWN to %ld peers", n);
}
