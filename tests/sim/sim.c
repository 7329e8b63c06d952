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
 * every step any two peers' sequences are prefixes of one another), and every
 * peer finished within a bounded simulated time.
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
};

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

static void
route(struct sim *s, unsigned from)
{
	size_t i;
	unsigned q;

	for (i = 0; i < s->box.n; i++) {
		const struct order_out *o = &s->box.d[i];

		for (q = 0; q < s->p.n; q++)
			if (o->dests >> q & 1)
				(void)emu_push(s->peer[q].net, s->now, (int)from,
				    o->buf, o->len);
	}
	s->box.n = 0;
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

		if (ph != ORDER_DONE && ph != ORDER_ABORTED)
			return false;
	}
	return true;
}

/* Runs one simulation; returns 0 when every check held. */
static int
sim_run(struct sim *s)
{
	uint64_t next_tick = 0, t;
	uint8_t buf[MSG_MAX_DGRAM];
	unsigned i;
	size_t len;
	int from;

	for (i = 0; i < s->p.n; i++) {
		order_start(s->peer[i].core, 0, &s->box);
		route(s, i);
	}
	while (!s->violation[0]) {
		/* The next event: a tick, a stamping, or an arrival. */
		t = next_tick;
		for (i = 0; i < s->p.n; i++) {
			struct simpeer *sp = &s->peer[i];

			if (order_stamped(sp->core) < s->p.m &&
			    sp->next_stamp < t)
				t = sp->next_stamp;
			if (emu_next_due(sp->net) < t)
				t = emu_next_due(sp->net);
		}
		s->now = t;
		if (t > LIMIT_US) {
			violate(s, "not finished after %u s (simulated)",
			    (unsigned)(LIMIT_US / 1000000), 0, 0);
			break;
		}
		for (i = 0; i < s->p.n; i++) {
			struct simpeer *sp = &s->peer[i];

			while ((len = emu_pop(sp->net, t, &from, buf,
			    sizeof(buf))) > 0) {
				order_input(sp->core, t, from, buf, len);
				/* Sometimes coalesce ACKs until the tick. */
				if (rng_below(&s->rng, 4) != 0) {
					order_flush(sp->core, t, &s->box);
					route(s, i);
				}
			}
			if (order_stamped(sp->core) < s->p.m &&
			    sp->next_stamp <= t) {
				uint32_t batch = 1 + (uint32_t)rng_below(&s->rng,
				    3);

				if (order_stamp(sp->core, t, batch, &s->box) > 0)
					sp->next_stamp = t + next_gap(s);
				else
					sp->next_stamp = t + TICK_US;
				route(s, i);
			}
		}
		if (t == next_tick) {
			for (i = 0; i < s->p.n; i++) {
				order_tick(s->peer[i].core, t, &s->box);
				route(s, i);
			}
			next_tick += TICK_US;
			if (all_quiet(s))
				break;
		}
	}
	if (s->violation[0])
		return -1;
	for (i = 0; i < s->p.n; i++) {
		struct simpeer *sp = &s->peer[i];

		if (order_phase(sp->core) != ORDER_DONE) {
			violate(s, "peer %u ended in phase %u", i,
			    order_phase(sp->core), 0);
			return -1;
		}
		if (sp->ndel != (size_t)s->p.n * s->p.m) {
			violate(s, "peer %u delivered %u of %u messages", i,
			    (unsigned)sp->ndel, s->p.n * s->p.m);
			return -1;
		}
	}
	/* How much the peers disagree (the point of `none` mode). */
	for (len = 0; len < (size_t)s->p.n * s->p.m; len++)
		for (i = 1; i < s->p.n; i++)
			if (s->peer[i].seq[len] != s->peer[0].seq[len]) {
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

static void
print_params(FILE *f, const struct params *p)
{
	fprintf(f, "seed=%" PRIu64 " n=%u m=%u order=%s loss=%.2f dup=%.2f "
	    "delay=0:%" PRIu64 "us gap=0:%" PRIu64 "us window=%u flaws=%#x",
	    p->seed, p->n, p->m, order_mode_name(p->mode), p->loss, p->dup,
	    p->delay_max_us, p->gap_max_us, p->window, p->flaws);
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
	    "           [--replay SEED] [--flaw NAME --expect-violation]\n"
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

int
main(int argc, char **argv)
{
	uint64_t seeds = 200, start = 1, seed, failures = 0, mismatched = 0;
	uint64_t disagreeing = 0, replay = 0;
	bool do_replay = false, expect_violation = false, expect_disagree = false;
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
		} else if (!strcmp(argv[a], "--expect-violation"))
			expect_violation = true;
		else if (!strcmp(argv[a], "--expect-disagreement"))
			expect_disagree = true;
		else if (!strcmp(argv[a], "-v"))
			verbose = 1;
		else
			usage();
	}
	if (do_replay) {
		start = replay;
		seeds = 1;
		verbose = 1;
	}
	for (seed = start; seed < start + seeds; seed++) {
		struct params p;
		struct sim s;
		int rc;

		params_for(seed, mode, flaws, &p);
		if (sim_init(&s, &p) < 0) {
			fprintf(stderr, "sim: out of memory\n");
			return 2;
		}
		rc = sim_run(&s);
		if (verbose) {
			printf("%s ", rc ? "FAIL" : "ok");
			print_params(stdout, &p);
			printf(" mismatched=%" PRIu64 " t=%" PRIu64 "ms%s%s\n",
			    s.mismatched, s.now / 1000, rc ? " : " : "",
			    s.violation);
		}
		if (rc) {
			failures++;
			if (!expect_violation) {
				printf("FAIL ");
				print_params(stdout, &p);
				printf(": %s\n", s.violation);
			} else {
				printf("found the broken variant, as expected, "
				    "at ");
				print_params(stdout, &p);
				printf(": %s\n", s.violation);
				sim_free(&s);
				return 0;
			}
		}
		mismatched += s.mismatched;
		if (s.mismatched)
			disagreeing++;
		sim_free(&s);
	}
	printf("sim: %" PRIu64 " seeds from %" PRIu64 ", %" PRIu64
	    " failed, %" PRIu64 " runs with disagreement (%" PRIu64
	    " positions)\n", seeds, start, failures, disagreeing, mismatched);
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
