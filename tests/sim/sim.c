/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Deterministic simulation of N peers running the very ordering core that
 * `peer` links, in one process, over a simulated network: one seeded PRNG,
 * a simulated clock, no sockets, threads or sleeps.  Every datagram gets its
 * own delay (so datagrams overtake each other) and may be lost or duplicated
 * (the library's emu module, as in the peer).  Each seed picks its own
 * parameters; a failing seed prints them, and --replay SEED reruns it.
 *
 * Checked from the delivered sequences: no duplicate, nothing missing,
 * per-sender FIFO (fifo and total), identical sequences in total mode (and at
 * every step any two peers' sequences are prefixes of one another), every
 * peer finished within a bounded simulated time, and no peer ever held more
 * than its window allows.
 *
 * --flood draws floods instead: thousands of messages per peer, small
 * windows, loss up to 50 %, outages of a link (one way or both) lasting
 * seconds, and a peer that pauses (as under SIGSTOP) or crashes.  --case
 * NAME runs one of the named regression cases (deadlocks seen on real
 * processes before the window was keyed on delivery, pauses, a crash).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/emu.h"
#include "mpcomm/order.h"
#include "mpcomm/rng.h"

#define SIM_MAX_PEERS	16
#define TICK_US		5000
#define LIMIT_US	(600ULL * 1000000)	/* liveness bound, simulated */

struct params {
	uint64_t	seed;
	unsigned	n;
	uint32_t	m;
	enum order_mode	mode;
	double		loss;
	double		dup;
	uint64_t	delay_max_us;
	uint64_t	gap_max_us;	/* pacing: 0..gap between stamps */
	uint32_t	window;
	unsigned	flaws;
	/* An outage: datagrams from a to b (and b to a if both) are lost. */
	uint64_t	out_start_us;
	uint64_t	out_len_us;	/* 0: none */
	unsigned	out_a, out_b;
	int		out_both;
	/* A peer that stops at stop_at_us: for stop_len_us (a pause, like
	 * SIGSTOP: what reaches it waits), or for ever (a crash). */
	unsigned	stop_peer;
	uint64_t	stop_at_us;
	uint64_t	stop_len_us;	/* 0: none; STOP_CRASH: for ever */
};
#define STOP_CRASH	UINT64_MAX

struct simpeer {
	struct order	*core;
	struct emu	*net;		/* datagrams on their way to this peer */
	uint64_t	 next_stamp;
	uint32_t	*seq;		/* delivered, as sender<<24|seq */
	size_t		 ndel;
	uint8_t		*seen;		/* n x (m+1) */
	uint32_t	 last[SIM_MAX_PEERS];
	unsigned	 id;
	struct sim	*sim;
};

struct sim {
	struct params	 p;
	struct rng	 rng;
	struct simpeer	 peer[SIM_MAX_PEERS];
	struct order_outbox box;
	uint32_t	*ref;		/* longest delivered sequence so far */
	size_t		 nref;
	char		 violation[256];
	uint64_t	 now;
	uint64_t	 mismatched;	/* positions where peers differ */
	uint64_t	 cut;		/* datagrams lost to the outage */
};

static int verbose;
static const struct auth_key sim_key = { .k = "sim-shared-secret", .len = 17 };

static void
violate(struct sim *s, const char *fmt, unsigned a, unsigned b, unsigned c)
{
	if (s->violation[0])
		return;
	snprintf(s->violation, sizeof(s->violation), fmt, a, b, c);
}

/* The checks that hold at every delivery. */
static void
on_deliver(void *arg, const struct order_delivery *d)
{
	struct simpeer *sp = arg;
	struct sim *s = sp->sim;
	uint32_t key = (uint32_t)d->sender << 24 | d->seq;
	size_t pos = sp->ndel;

	if (d->sender >= s->p.n || d->seq == 0 || d->seq > s->p.m) {
		violate(s, "peer %u delivered an impossible message %u/%u",
		    sp->id, d->sender, d->seq);
		return;
	}
	if (sp->seen[d->sender * (s->p.m + 1) + d->seq]++) {
		violate(s, "peer %u delivered %u/%u twice", sp->id, d->sender,
		    d->seq);
		return;
	}
	if (s->p.mode != ORDER_NONE && d->seq != sp->last[d->sender] + 1)
		violate(s, "peer %u broke FIFO order of sender %u at seq %u",
		    sp->id, d->sender, d->seq);
	sp->last[d->sender] = d->seq;
	sp->seq[sp->ndel++] = key;
	if (s->p.mode != ORDER_TOTAL)
		return;
	if (pos < s->nref) {
		if (s->ref[pos] != key)
			violate(s, "peer %u disagrees at position %u (%u)",
			    sp->id, (unsigned)pos, key);
	} else {
		s->ref[s->nref++] = key;
	}
}

static bool
link_down(const struct sim *s, unsigned from, unsigned to)
{
	const struct params *p = &s->p;

	if (!p->out_len_us || s->now < p->out_start_us ||
	    s->now >= p->out_start_us + p->out_len_us)
		return false;
	return (from == p->out_a && to == p->out_b) ||
	    (p->out_both && from == p->out_b && to == p->out_a);
}

/* Whether peer i is stopped (paused or crashed) at the current time. */
static bool
stopped(const struct sim *s, unsigned i)
{
	const struct params *p = &s->p;

	if (!p->stop_len_us || p->stop_peer != i || s->now < p->stop_at_us)
		return false;
	return p->stop_len_us == STOP_CRASH ||
	    s->now - p->stop_at_us < p->stop_len_us;
}

static bool
crashed(const struct sim *s, unsigned i)
{
	return s->p.stop_peer == i && s->p.stop_len_us == STOP_CRASH;
}

static void
route(struct sim *s, unsigned from)
{
	size_t i;
	unsigned q;

	for (i = 0; i < s->box.n; i++) {
		const struct order_out *o = &s->box.d[i];

		for (q = 0; q < s->p.n; q++) {
			if (!(o->dests >> q & 1))
				continue;
			if (link_down(s, from, q))
				s->cut++;
			else
				(void)emu_push(s->peer[q].net, s->now,
				    (int)from, o->buf, o->len);
		}
	}
	s->box.n = 0;
}

/* The memory bound: every peer holds at most window DATA per stream. */
static void
check_bound(struct sim *s, unsigned i)
{
	size_t held = order_queue_len(s->peer[i].core);

	if (held > 2 * (size_t)s->p.n * s->p.window)
		violate(s, "peer %u holds %u messages, window %u", i,
		    (unsigned)held, s->p.window);
}

static uint64_t
next_gap(struct sim *s)
{
	return s->p.gap_max_us ? rng_range(&s->rng, 0, s->p.gap_max_us) : 0;
}

static int
sim_init(struct sim *s, const struct params *p)
{
	struct order_config cfg;
	struct emu_config ec;
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->p = *p;
	rng_seed(&s->rng, p->seed);
	if (order_outbox_init(&s->box, 256) < 0)
		return -1;
	if (!(s->ref = calloc((size_t)p->n * p->m, sizeof(*s->ref))))
		return -1;
	for (i = 0; i < p->n; i++) {
		struct simpeer *sp = &s->peer[i];

		order_config_defaults(&cfg);
		cfg.run = p->seed + 1;
		cfg.self = i;
		cfg.n = p->n;
		cfg.mode = p->mode;
		cfg.messages = p->m;
		cfg.payload_len = 8;
		cfg.window = p->window;
		cfg.flaws = p->flaws;
		cfg.peer_timeout_us = 60ULL * 1000000;
		cfg.stall_timeout_us = 90ULL * 1000000;
		/* Every fourth seed runs with authenticated datagrams. */
		if (p->seed % 4 == 0)
			cfg.key = &sim_key;
		memset(&ec, 0, sizeof(ec));
		ec.delay_min_us = 0;
		ec.delay_max_us = p->delay_max_us;
		ec.loss = p->loss;
		ec.dup = p->dup;
		ec.seed = p->seed * 1000003 + i;
		sp->id = i;
		sp->sim = s;
		sp->core = order_create(&cfg, on_deliver, sp);
		sp->net = emu_create(&ec, 1 << 20);
		sp->seq = calloc((size_t)p->n * p->m, sizeof(*sp->seq));
		sp->seen = calloc((size_t)p->n * (p->m + 1), 1);
		if (!sp->core || !sp->net || !sp->seq || !sp->seen)
			return -1;
		sp->next_stamp = next_gap(s);
	}
	return 0;
}

static void
sim_free(struct sim *s)
{
	unsigned i;

	for (i = 0; i < s->p.n; i++) {
		order_destroy(s->peer[i].core);
		emu_destroy(s->peer[i].net);
		free(s->peer[i].seq);
		free(s->peer[i].seen);
	}
	free(s->ref);
	order_outbox_free(&s->box);
}

static bool
all_quiet(const struct sim *s)
{
	unsigned i;

	for (i = 0; i < s->p.n; i++) {
		enum order_phase ph = order_phase(s->peer[i].core);

		if (crashed(s, i) && s->now >= s->p.stop_at_us)
			continue;
		if (ph != ORDER_DONE && ph != ORDER_ABORTED)
			return false;
	}
	return true;
}

/* The next event: a tick, a stamping, or an arrival at a running peer. */
static uint64_t
next_event(struct sim *s, uint64_t next_tick)
{
	uint64_t t = next_tick;
	unsigned i;

	for (i = 0; i < s->p.n; i++) {
		struct simpeer *sp = &s->peer[i];

		if (stopped(s, i))
			continue;
		if (order_stamped(sp->core) < s->p.m && sp->next_stamp < t)
			t = sp->next_stamp;
		if (emu_next_due(sp->net) < t)
			t = emu_next_due(sp->net);
	}
	return t;
}

/* Peer i takes what has arrived by t, and stamps when its time has come. */
static void
step_peer(struct sim *s, unsigned i, uint64_t t)
{
	struct simpeer *sp = &s->peer[i];
	uint8_t buf[MSG_MAX_DGRAM];
	uint32_t batch;
	size_t len;
	int from;

	while ((len = emu_pop(sp->net, t, &from, buf, sizeof(buf))) > 0) {
		order_input(sp->core, t, from, buf, len);
		/* Sometimes coalesce ACKs until the tick. */
		if (rng_below(&s->rng, 4) != 0) {
			order_flush(sp->core, t, &s->box);
			route(s, i);
		}
	}
	if (order_stamped(sp->core) < s->p.m && sp->next_stamp <= t) {
		batch = 1 + (uint32_t)rng_below(&s->rng, 3);
		if (order_stamp(sp->core, t, batch, &s->box) > 0)
			sp->next_stamp = t + next_gap(s);
		else
			sp->next_stamp = t + TICK_US;
		route(s, i);
	}
}

/*
 * What must hold at the end.  Without a fault: every peer DONE with every
 * message.  A pause under half the peer timeout is ridden through the same
 * way.  After a crash or a longer pause every peer that can still act ends
 * DONE (with every message) or ABORTED: with the runs of today, one dead
 * member ends the run; agreement was checked at every delivery.
 */
static int
final_checks(struct sim *s)
{
	const struct params *p = &s->p;
	bool strict = p->stop_len_us < 30000000;	/* none, or short */
	unsigned i;

	for (i = 0; i < p->n; i++) {
		struct simpeer *sp = &s->peer[i];
		enum order_phase ph = order_phase(sp->core);

		if (crashed(s, i))
			continue;
		if (ph != ORDER_DONE && (strict || ph != ORDER_ABORTED)) {
			violate(s, "peer %u ended in phase %u", i, ph, 0);
			return -1;
		}
		if (ph == ORDER_DONE && sp->ndel != (size_t)p->n * p->m) {
			violate(s, "peer %u delivered %u of %u messages", i,
			    (unsigned)sp->ndel, p->n * p->m);
			return -1;
		}
		/* What the rules say never happens between honest peers. */
		if (!p->flaws && (order_stats(sp->core)->drop_window ||
		    order_stats(sp->core)->drop_bound)) {
			violate(s, "peer %u dropped %u beyond its window, %u "
			    "as impossible", i,
			    (unsigned)order_stats(sp->core)->drop_window,
			    (unsigned)order_stats(sp->core)->drop_bound);
			return -1;
		}
	}
	return 0;
}

/* Runs one simulation; returns 0 when every check held. */
static int
sim_run(struct sim *s)
{
	uint64_t next_tick = 0, t;
	size_t pos;
	unsigned i;

	for (i = 0; i < s->p.n; i++) {
		order_start(s->peer[i].core, 0, &s->box);
		route(s, i);
	}
	while (!s->violation[0]) {
		s->now = t = next_event(s, next_tick);
		if (t > LIMIT_US) {
			violate(s, "not finished after %u s (simulated)",
			    (unsigned)(LIMIT_US / 1000000), 0, 0);
			break;
		}
		for (i = 0; i < s->p.n; i++)
			if (!stopped(s, i))
				step_peer(s, i, t);
		if (t == next_tick) {
			for (i = 0; i < s->p.n; i++) {
				if (stopped(s, i))
					continue;
				order_tick(s->peer[i].core, t, &s->box);
				route(s, i);
				check_bound(s, i);
			}
			next_tick += TICK_US;
			if (all_quiet(s))
				break;
		}
	}
	if (s->violation[0] || final_checks(s) < 0)
		return -1;
	if (s->p.stop_len_us)
		return 0;
	/* How much the peers disagree (the point of `none` mode). */
	for (pos = 0; pos < (size_t)s->p.n * s->p.m; pos++)
		for (i = 1; i < s->p.n; i++)
			if (s->peer[i].seq[pos] != s->peer[0].seq[pos]) {
				s->mismatched++;
				break;
			}
	if (s->p.mode == ORDER_TOTAL && s->mismatched)
		violate(s, "%u mismatched positions", (unsigned)s->mismatched,
		    0, 0);
	return s->violation[0] ? -1 : 0;
}

/* Each seed picks its own parameters, so that many seeds cover the matrix. */
static void
params_for(uint64_t seed, int mode, unsigned flaws, struct params *p)
{
	static const unsigned ns[] = { 2, 3, 4, 5, 8, 16 };
	static const double losses[] = { 0, 0.05, 0.3 };
	static const double dups[] = { 0, 0.05, 0.2 };
	struct rng r;

	rng_seed(&r, seed ^ 0x5eed5eed5eedULL);
	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->n = ns[rng_below(&r, 6)];
	p->m = (uint32_t)rng_range(&r, 1, p->n >= 8 ? 12 : 40);
	p->mode = mode >= 0 ? (enum order_mode)mode : ORDER_TOTAL;
	p->loss = losses[rng_below(&r, 3)];
	p->dup = dups[rng_below(&r, 3)];
	/* Heavy reordering: a delay range far above the pacing. */
	p->delay_max_us = rng_range(&r, 0, 4) * 10000;
	p->gap_max_us = rng_below(&r, 3) ? rng_range(&r, 0, 20000) : 0;
	p->window = rng_below(&r, 4) ? 4096 : (uint32_t)rng_range(&r, 1, 8);
	p->flaws = flaws;
}

/*
 * Floods: every bound is hit (small windows), heavy loss, and an outage of
 * seconds in a third of the seeds.  Sizes keep a seed around a second.
 */
static void
params_for_flood(uint64_t seed, int mode, unsigned flaws, struct params *p)
{
	static const unsigned ns[] = { 2, 3, 4, 5, 8 };
	static const double losses[] = { 0, 0.1, 0.3, 0.5 };
	static const double dups[] = { 0, 0.05, 0.2 };
	static const uint32_t windows[] = { 16, 64, 256, 2048 };
	struct rng r;

	rng_seed(&r, seed ^ 0xf100df100dULL);
	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->n = ns[rng_below(&r, 5)];
	p->m = (uint32_t)rng_range(&r, 1000, 24000 / p->n);
	p->mode = mode >= 0 ? (enum order_mode)mode : ORDER_TOTAL;
	p->loss = losses[rng_below(&r, 4)];
	if (p->loss >= 0.5)
		p->m /= 4;
	p->dup = dups[rng_below(&r, 3)];
	p->delay_max_us = rng_range(&r, 0, 20) * 1000;
	p->window = windows[rng_below(&r, 4)];
	p->flaws = flaws;
	if (rng_below(&r, 3) == 0) {
		p->out_start_us = rng_range(&r, 0, 50) * 1000;
		p->out_len_us = rng_range(&r, 500, 4000) * 1000;
		p->out_a = (unsigned)rng_below(&r, p->n);
		p->out_b = (p->out_a + 1 + (unsigned)rng_below(&r, p->n - 1)) %
		    p->n;
		p->out_both = (int)rng_below(&r, 2);
	}
	/* A quarter of the seeds: a peer crashes, or pauses 1-5 s or 70 s. */
	if (rng_below(&r, 4) == 0) {
		static const uint64_t lens[] = { STOP_CRASH, 70000000 };
		unsigned k = (unsigned)rng_below(&r, 4);

		p->stop_peer = (unsigned)rng_below(&r, p->n);
		p->stop_at_us = rng_range(&r, 0, 100) * 1000;
		p->stop_len_us = k < 2 ? lens[k] :
		    rng_range(&r, 1000, 5000) * 1000;
	}
}

/* The runs that deadlocked on real processes, as regression cases. */
static const struct sim_case {
	const char	*name;
	struct params	 p;
} cases[] = {
	/* A capped hold queue stopped every stream (window on processing). */
	{ "flood-n4-loss10", { .seed = 4, .n = 4, .m = 25000,
	    .mode = ORDER_TOTAL, .loss = 0.1, .delay_max_us = 1000,
	    .window = 2048 } },
	{ "flood-n3-loss20", { .seed = 2, .n = 3, .m = 30000,
	    .mode = ORDER_TOTAL, .loss = 0.2, .delay_max_us = 1000,
	    .window = 4096 } },
	{ "flood-n8-loss10-dup10", { .seed = 8, .n = 8, .m = 5000,
	    .mode = ORDER_TOTAL, .loss = 0.1, .dup = 0.1,
	    .delay_max_us = 5000, .window = 4096 } },
	/* A 2.4 s one-way outage during a flood wedged every peer. */
	{ "outage-oneway-2400ms", { .seed = 3, .n = 3, .m = 40000,
	    .mode = ORDER_TOTAL, .delay_max_us = 1000, .window = 4096,
	    .out_start_us = 2000,
	    .out_len_us = 2400000, .out_a = 0, .out_b = 1 } },
	{ "outage-twoway-5s", { .seed = 5, .n = 3, .m = 40000,
	    .mode = ORDER_TOTAL, .delay_max_us = 1000, .window = 4096,
	    .out_start_us = 2000,
	    .out_len_us = 5000000, .out_a = 2, .out_b = 0, .out_both = 1 } },
	{ "flood-n3-loss50", { .seed = 7, .n = 3, .m = 4000,
	    .mode = ORDER_TOTAL, .loss = 0.5, .dup = 0.05,
	    .delay_max_us = 2000, .window = 256 } },
	{ "flood-n16-window16", { .seed = 16, .n = 16, .m = 400,
	    .mode = ORDER_TOTAL, .loss = 0.1, .delay_max_us = 3000,
	    .window = 16 } },
	/* A peer frozen mid-flood for 3 s (SIGSTOP, then SIGCONT): ok. */
	{ "pause-3s", { .seed = 9, .n = 3, .m = 20000, .mode = ORDER_TOTAL,
	    .loss = 0.05, .delay_max_us = 1000, .window = 2048,
	    .stop_peer = 1, .stop_at_us = 3000, .stop_len_us = 3000000 } },
	/* A peer killed mid-flood: the others abort, in agreement. */
	{ "crash-mid-flood", { .seed = 10, .n = 4, .m = 20000,
	    .mode = ORDER_TOTAL, .loss = 0.05, .delay_max_us = 1000,
	    .window = 2048, .stop_peer = 2, .stop_at_us = 3000,
	    .stop_len_us = STOP_CRASH } },
};

static void
print_params(FILE *f, const struct params *p)
{
	fprintf(f, "seed=%" PRIu64 " n=%u m=%u order=%s loss=%.2f dup=%.2f "
	    "delay=0:%" PRIu64 "us gap=0:%" PRIu64 "us window=%u flaws=%#x",
	    p->seed, p->n, p->m, order_mode_name(p->mode), p->loss, p->dup,
	    p->delay_max_us, p->gap_max_us, p->window, p->flaws);
	if (p->out_len_us)
		fprintf(f, " outage=%u%s%u@%" PRIu64 "ms+%" PRIu64 "ms",
		    p->out_a, p->out_both ? "<->" : "->", p->out_b,
		    p->out_start_us / 1000, p->out_len_us / 1000);
	if (p->stop_len_us == STOP_CRASH)
		fprintf(f, " crash=%u@%" PRIu64 "ms", p->stop_peer,
		    p->stop_at_us / 1000);
	else if (p->stop_len_us)
		fprintf(f, " pause=%u@%" PRIu64 "ms+%" PRIu64 "ms",
		    p->stop_peer, p->stop_at_us / 1000, p->stop_len_us / 1000);
}

static const struct {
	const char	*name;
	unsigned	 flag;
} flaw_names[] = {
	{ "no-holdback", ORDER_FLAW_NO_HOLDBACK },
	{ "early-count", ORDER_FLAW_EARLY_COUNT },
	{ "no-ack-wait", ORDER_FLAW_NO_ACK_WAIT },
	{ "late-clock", ORDER_FLAW_LATE_CLOCK },
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sim [--seeds K] [--start S] [--order none|fifo|total]\n"
	    "           [--flood] [--replay SEED] [--case NAME|all]\n"
	    "           [--flaw NAME --expect-violation]\n"
	    "           [--expect-disagreement] [-v]\n"
	    "flaws: no-holdback early-count no-ack-wait late-clock\n");
	exit(2);
}

static uint64_t
parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		usage();
	return v;
}

/* Runs one simulation; prints it with -v or when it fails.  0: passed. */
static int
run_one(const struct params *p, bool expect_violation, uint64_t *mismatched)
{
	struct sim s;
	int rc;

	if (sim_init(&s, p) < 0) {
		fprintf(stderr, "sim: out of memory\n");
		exit(2);
	}
	rc = sim_run(&s);
	if (verbose || (rc && !expect_violation)) {
		printf("%s ", rc ? "FAIL" : "ok");
		print_params(stdout, p);
		printf(" mismatched=%" PRIu64 " cut=%" PRIu64 " t=%" PRIu64
		    "ms%s%s\n", s.mismatched, s.cut, s.now / 1000,
		    rc ? " : " : "", s.violation);
	} else if (rc) {
		printf("found the broken variant, as expected, at ");
		print_params(stdout, p);
		printf(": %s\n", s.violation);
	}
	*mismatched = s.mismatched;
	sim_free(&s);
	return rc;
}

/* Runs the named case, or all of them; returns the failures. */
static int
run_cases(const char *name)
{
	uint64_t mm;
	size_t i;
	int failures = 0, found = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(name, "all") && strcmp(name, cases[i].name))
			continue;
		found = 1;
		if (run_one(&cases[i].p, false, &mm)) {
			failures++;
			printf("sim: case %s FAILED\n", cases[i].name);
		} else {
			printf("sim: case %s ok\n", cases[i].name);
		}
	}
	if (!found) {
		fprintf(stderr, "sim: no case named %s\n", name);
		exit(2);
	}
	return failures;
}

int
main(int argc, char **argv)
{
	uint64_t seeds = 200, start = 1, seed, failures = 0, mismatched = 0;
	uint64_t disagreeing = 0, replay = 0, mm;
	bool do_replay = false, expect_violation = false, expect_disagree = false;
	bool flood = false;
	const char *case_name = NULL;
	unsigned flaws = 0, i;
	int mode = -1, a;
	enum order_mode om;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--seeds") && a + 1 < argc)
			seeds = parse_u64(argv[++a]);
		else if (!strcmp(argv[a], "--start") && a + 1 < argc)
			start = parse_u64(argv[++a]);
		else if (!strcmp(argv[a], "--replay") && a + 1 < argc) {
			replay = parse_u64(argv[++a]);
			do_replay = true;
		} else if (!strcmp(argv[a], "--order") && a + 1 < argc) {
			if (order_mode_parse(argv[++a], &om) < 0)
				usage();
			mode = (int)om;
		} else if (!strcmp(argv[a], "--flaw") && a + 1 < argc) {
			a++;
			for (i = 0; i < sizeof(flaw_names) / sizeof(flaw_names[0]); i++)
				if (!strcmp(argv[a], flaw_names[i].name))
					flaws |= flaw_names[i].flag;
			if (!flaws)
				usage();
		} else if (!strcmp(argv[a], "--case") && a + 1 < argc)
			case_name = argv[++a];
		else if (!strcmp(argv[a], "--flood"))
			flood = true;
		else if (!strcmp(argv[a], "--expect-violation"))
			expect_violation = true;
		else if (!strcmp(argv[a], "--expect-disagreement"))
			expect_disagree = true;
		else if (!strcmp(argv[a], "-v"))
			verbose = 1;
		else
			usage();
	}
	if (case_name)
		return run_cases(case_name) ? 1 : 0;
	if (do_replay) {
		start = replay;
		seeds = 1;
		verbose = 1;
	}
	for (seed = start; seed < start + seeds; seed++) {
		struct params p;

		if (flood)
			params_for_flood(seed, mode, flaws, &p);
		else
			params_for(seed, mode, flaws, &p);
		if (run_one(&p, expect_violation, &mm)) {
			failures++;
			if (expect_violation)
				return 0;
		}
		mismatched += mm;
		if (mm)
			disagreeing++;
	}
	printf("sim: %" PRIu64 " %sseeds from %" PRIu64 ", %" PRIu64
	    " failed, %" PRIu64 " runs with disagreement (%" PRIu64
	    " positions)\n", seeds, flood ? "flood " : "", start, failures,
	    disagreeing, mismatched);
	if (expect_violation) {
		printf("sim: the broken variant was NOT caught\n");
		return 1;
	}
	if (expect_disagree && disagreeing == 0) {
		printf("sim: expected disagreement without ordering, saw none\n");
		return 1;
	}
	return failures ? 1 : 0;
}
