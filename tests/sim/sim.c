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
 * per-sender FIFO (fifo and total), identical sequences in total and
 * sequencer modes (and at
 * every step any two peers' sequences are prefixes of one another), in total
 * mode every peer's sequence strictly increasing in (lamport_ts, sender)
 * across view events too (the rule itself, not only agreement), every
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
#include "order_flaw.h"		/* src/lib: the core built with flaws */

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
	/* Peers that stop at at_us: for len_us (a pause, like SIGSTOP: what
	 * reaches it waits), or for ever (a crash). */
	unsigned	nstop;
	struct stop {
		unsigned	peer;
		uint64_t	at_us;
		uint64_t	len_us;	/* STOP_CRASH: for ever */
	}		stop[3];
	/* A partition: the peers in side cannot reach the others. */
	uint64_t	part_side;	/* 0: none */
	uint64_t	part_at_us;
	uint64_t	part_len_us;	/* STOP_CRASH: for ever */
	enum order_on_failure on_failure;
};
#define STOP_CRASH	UINT64_MAX
#define VIEW_KEY	0xff000000u	/* a view event in a sequence */

struct simpeer {
	struct order	*core;
	struct emu	*net;		/* datagrams on their way to this peer */
	uint64_t	 next_stamp;
	uint32_t	*seq;		/* delivered, as sender<<24|seq */
	uint64_t	*ts;		/* their Lamport timestamps (views: 0) */
	size_t		 ndel;
	uint8_t		*seen;		/* n x (m+1) */
	uint32_t	 last[SIM_MAX_PEERS];
	/* causal: for each of its own messages, how many of each sender's it
	 * had delivered before it, (m+1) x n */
	uint32_t	*before;
	uint64_t	 members;	/* of its last view */
	unsigned	 id;
	struct sim	*sim;
};

struct sim {
	struct params	 p;
	struct rng	 rng;
	struct simpeer	 peer[SIM_MAX_PEERS];
	struct order_outbox box;
	bool		 diverged[SIM_MAX_PEERS][SIM_MAX_PEERS];
	char		 violation[256];
	uint64_t	 now;
	uint64_t	 mismatched;	/* positions where peers differ */
	uint64_t	 out_of_order;	/* deliveries not after their predecessor */
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

/*
 * Where peer i's sequence differs from every other peer's, at this
 * delivery: survivors must never differ (V1, V2, checked at the end, when
 * it is known who survived).
 */
static void
note_divergence(struct sim *s, struct simpeer *sp, size_t pos, uint32_t key)
{
	unsigned j;

	for (j = 0; j < s->p.n; j++) {
		const struct simpeer *o = &s->peer[j];

		if (j != sp->id && o->ndel > pos && o->seq[pos] != key)
			s->diverged[sp->id][j] = s->diverged[j][sp->id] = true;
	}
}

static unsigned
popcount64(uint64_t x)
{
	unsigned k = 0;

	for (; x; x &= x - 1)
		k++;
	return k;
}

/* A view event: a majority of the view before (V5), with this peer (V6). */
static void
on_view(struct simpeer *sp, const struct order_delivery *d)
{
	struct sim *s = sp->sim;

	if (d->members & ~sp->members ||
	    2 * popcount64(d->members) <= popcount64(sp->members))
		violate(s, "peer %u installed view %u of %u members, not a "
		    "majority of the view before", sp->id, d->view,
		    popcount64(d->members));
	if (!(d->members >> sp->id & 1))
		violate(s, "peer %u installed view %u without itself",
		    sp->id, d->view, 0);
	sp->members = d->members;
	note_divergence(s, sp, sp->ndel, VIEW_KEY | d->view);
	sp->ts[sp->ndel] = 0;
	sp->seq[sp->ndel++] = VIEW_KEY | d->view;
}

/*
 * Causal order, from the deliveries alone: a message's predecessors are
 * what its sender had delivered before it, and a sender delivers its own
 * message as it stamps it, before anyone else can.  So at the sender's
 * delivery its counts are noted, and every other delivery of it must come
 * after at least as many of each sender's messages (per-sender order is
 * checked apart).
 */
static void
check_causal(struct sim *s, struct simpeer *sp, const struct order_delivery *d)
{
	const struct simpeer *snd = &s->peer[d->sender];
	uint32_t *b = snd->before + (size_t)d->seq * s->p.n;
	unsigned q;

	if (d->sender == sp->id) {
		memcpy(b, sp->last, s->p.n * sizeof(*b));
		b[sp->id] = d->seq;	/* noted: its sender has delivered it */
		return;
	}
	if (b[d->sender] != d->seq) {
		violate(s, "peer %u delivered %u/%u before its sender did",
		    sp->id, d->sender, d->seq);
		return;
	}
	for (q = 0; q < s->p.n; q++)
		if (q != d->sender && sp->last[q] < b[q]) {
			violate(s, "peer %u delivered %u/%u before one of its "
			    "causal predecessors", sp->id, d->sender, d->seq);
			return;
		}
}

/* The checks that hold at every delivery. */
static void
on_deliver(void *arg, const struct order_delivery *d)
{
	struct simpeer *sp = arg;
	struct sim *s = sp->sim;
	uint32_t key = (uint32_t)d->sender << 24 | d->seq;

	if (order_phase(sp->core) == ORDER_EXCLUDED)
		violate(s, "peer %u delivered after it was excluded", sp->id,
		    0, 0);
	if (d->kind == ORDER_EV_VIEW)
		return on_view(sp, d);
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
	if (s->p.mode == ORDER_CAUSAL)
		check_causal(s, sp, d);
	sp->last[d->sender] = d->seq;
	if (order_mode_total(s->p.mode))
		note_divergence(s, sp, sp->ndel, key);
	sp->ts[sp->ndel] = d->ts;
	sp->seq[sp->ndel++] = key;
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

static bool
partitioned(const struct sim *s, unsigned from, unsigned to)
{
	const struct params *p = &s->p;

	if (!p->part_side || s->now < p->part_at_us ||
	    (p->part_len_us != STOP_CRASH &&
	    s->now >= p->part_at_us + p->part_len_us))
		return false;
	return (p->part_side >> from & 1) != (p->part_side >> to & 1);
}

/* Whether peer i is stopped (paused or crashed) at the current time. */
static bool
stopped(const struct sim *s, unsigned i)
{
	const struct params *p = &s->p;
	unsigned k;

	for (k = 0; k < p->nstop; k++) {
		const struct stop *st = &p->stop[k];

		if (st->peer != i || s->now < st->at_us)
			continue;
		if (st->len_us == STOP_CRASH || s->now - st->at_us < st->len_us)
			return true;
	}
	return false;
}

static bool
crashed(const struct sim *s, unsigned i)
{
	unsigned k;

	for (k = 0; k < s->p.nstop; k++)
		if (s->p.stop[k].peer == i && s->p.stop[k].len_us == STOP_CRASH)
			return true;
	return false;
}

/* Whether the run has a fault that views must survive.  An outage of a
 * link is one in continue mode: it may exclude an end of the link. */
static bool
faulty(const struct params *p)
{
	return p->nstop || p->part_side ||
	    (p->out_len_us && p->on_failure == ORDER_CONTINUE);
}

/* Whether peer i is cut off, or at an end of a link in an outage. */
static bool
cut_off(const struct params *p, unsigned i)
{
	if (p->part_side >> i & 1)
		return true;
	return p->out_len_us && p->on_failure == ORDER_CONTINUE &&
	    (i == p->out_a || i == p->out_b);
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
			if (link_down(s, from, q) || partitioned(s, from, q))
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
		cfg.peer_timeout_us = 60ULL * 1000000;
		cfg.stall_timeout_us = 90ULL * 1000000;
		cfg.on_failure = p->on_failure;
		/* Every fourth seed runs with authenticated datagrams. */
		if (p->seed % 4 == 0)
			cfg.key = &sim_key;
		/* Every other seed sends to members not yet heard from only
		 * what a peer allows for a START of n members: twice about
		 * 200 bytes plus 40 a member. */
		if (p->seed % 2 == 1)
			cfg.unanswered_budget = 2 * (200 + 40 * (uint64_t)p->n);
		memset(&ec, 0, sizeof(ec));
		ec.delay_min_us = 0;
		ec.delay_max_us = p->delay_max_us;
		ec.loss = p->loss;
		ec.dup = p->dup;
		ec.seed = p->seed * 1000003 + i;
		sp->id = i;
		sp->sim = s;
		sp->core = order_create_flawed(&cfg, p->flaws, on_deliver, sp);
		sp->net = emu_create(&ec, 1 << 20);
		sp->members = (UINT64_C(1) << p->n) - 1;
		/* Every message, and a view event per member at most. */
		sp->seq = calloc((size_t)p->n * p->m + p->n, sizeof(*sp->seq));
		sp->ts = calloc((size_t)p->n * p->m + p->n, sizeof(*sp->ts));
		sp->seen = calloc((size_t)p->n * (p->m + 1), 1);
		if (p->mode == ORDER_CAUSAL &&
		    !(sp->before = calloc((size_t)(p->m + 1) * p->n,
		    sizeof(*sp->before))))
			return -1;
		if (!sp->core || !sp->net || !sp->seq || !sp->ts || !sp->seen)
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
		free(s->peer[i].ts);
		free(s->peer[i].seen);
		free(s->peer[i].before);
	}
	order_outbox_free(&s->box);
}

static bool
all_quiet(const struct sim *s)
{
	unsigned i;

	for (i = 0; i < s->p.n; i++) {
		enum order_phase ph = order_phase(s->peer[i].core);

		if (crashed(s, i) && stopped(s, i))
			continue;
		if (ph != ORDER_DONE && ph != ORDER_ABORTED &&
		    ph != ORDER_EXCLUDED)
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

static bool
ever_stopped(const struct params *p, unsigned i)
{
	unsigned k;

	for (k = 0; k < p->nstop; k++)
		if (p->stop[k].peer == i)
			return true;
	return false;
}

/* Whether every peer never stopped, nor cut off, must finish: they are a
 * majority of the run, and views are on. */
static bool
quorum_kept(const struct params *p)
{
	unsigned i, alive = 0;

	if (p->on_failure != ORDER_CONTINUE)
		return !faulty(p);
	for (i = 0; i < p->n; i++)
		if (!ever_stopped(p, i) && !cut_off(p, i))
			alive++;
	return 2 * alive > p->n;
}

/* How peer i ended: 1 survivor, 0 departed, -1 wrongly (a violation). */
static int
judge_phase(struct sim *s, unsigned i)
{
	const struct params *p = &s->p;
	struct simpeer *sp = &s->peer[i];
	enum order_phase ph = order_phase(sp->core);
	bool must_finish = quorum_kept(p) && !ever_stopped(p, i) &&
	    !cut_off(p, i);
	const char *why = order_abort_reason(sp->core);

	if (crashed(s, i))
		return 0;
	if (ph == ORDER_DONE)
		return 1;
	if (!must_finish && faulty(p) && (ph == ORDER_EXCLUDED ||
	    (ph == ORDER_ABORTED && (p->on_failure == ORDER_ABORT ||
	    !strcmp(why, "minority")))))
		return 0;
	violate(s, "peer %u ended in phase %u", i, ph, 0);
	if (verbose)
		printf("peer %u: %s %s\n", i, order_phase_name(ph), why);
	return -1;
}

static void
show_divergence(const struct sim *s, unsigned a, unsigned b)
{
	const struct simpeer *x = &s->peer[a], *y = &s->peer[b];
	size_t k, lo;

	for (k = 0; k < x->ndel && k < y->ndel && x->seq[k] == y->seq[k]; k++)
		;
	printf("peers %u and %u differ at %zu (lengths %zu, %zu)\n", a, b, k,
	    x->ndel, y->ndel);
	lo = k > 5 ? k - 5 : 0;
	for (; lo < k + 5; lo++)
		printf("  %zu: %08x %08x\n", lo, lo < x->ndel ? x->seq[lo] : 0,
		    lo < y->ndel ? y->seq[lo] : 0);
}

/* How many of sender q's messages peer sp delivered. */
static uint32_t
delivered_of(const struct simpeer *sp, unsigned q, uint32_t m)
{
	uint32_t k, c = 0;

	for (k = 1; k <= m; k++)
		c += sp->seen[q * (m + 1) + k] != 0;
	return c;
}

/*
 * In none mode a message is delivered on receipt, so one that a survivor
 * received past a gap, from a member that then departed, is delivered by
 * that survivor only: all or none holds for the stream up to its cut, which
 * the logs do not show.  None mode is checked for the survivors' messages.
 */
/* V1, V2: survivors delivered the same sequence, view events included. */
static int
check_survivors(struct sim *s, const bool *surv, unsigned ref)
{
	const struct params *p = &s->p;
	unsigned i, q;

	for (i = 0; i < p->n; i++) {
		const struct simpeer *sp = &s->peer[i];

		if (!surv[i])
			continue;
		if (order_mode_total(p->mode) && (s->diverged[i][ref] ||
		    sp->ndel != s->peer[ref].ndel)) {
			if (verbose)
				show_divergence(s, i, ref);
			violate(s, "survivors %u and %u delivered different "
			    "sequences", i, ref, 0);
			return -1;
		}
		for (q = 0; q < p->n; q++) {
			/* Every survivor's message by all (V3); a departed
			 * one's by all or none (compared with ref). */
			if (surv[q] && delivered_of(sp, q, p->m) != p->m) {
				violate(s, "survivor %u delivered %u of survivor "
				    "%u's messages", i, delivered_of(sp, q, p->m),
				    q);
				return -1;
			}
			if (p->mode != ORDER_NONE &&
			    memcmp(sp->seen + q * (p->m + 1), s->peer[ref].seen +
			    q * (p->m + 1), p->m + 1)) {
				violate(s, "survivors %u and %u delivered a "
				    "different part of departed %u's stream",
				    i, ref, q);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * V4: a departed peer's sequence, without view events and without the
 * messages of departed senders past what the survivors delivered of them,
 * is a prefix of the survivors' sequence without view events.
 */
static int
check_departed(struct sim *s, const bool *surv, unsigned d, unsigned ref)
{
	const struct simpeer *dp = &s->peer[d], *rp = &s->peer[ref];
	size_t a = 0, b = 0;

	for (;;) {
		uint32_t key;
		unsigned sender;

		while (a < dp->ndel && ((dp->seq[a] & VIEW_KEY) == VIEW_KEY ||
		    (!surv[dp->seq[a] >> 24] &&
		    (dp->seq[a] & 0xffffff) > rp->last[dp->seq[a] >> 24])))
			a++;
		while (b < rp->ndel && (rp->seq[b] & VIEW_KEY) == VIEW_KEY)
			b++;
		if (a == dp->ndel)
			return 0;
		key = dp->seq[a];
		sender = key >> 24;
		if (b == rp->ndel || rp->seq[b] != key) {
			violate(s, "departed peer %u's delivery of %u/%u is not "
			    "in the survivors' order", d, sender,
			    key & 0xffffff);
			return -1;
		}
		a++;
		b++;
	}
}

/*
 * The rule itself, apart from agreement: in total mode each peer, survivor
 * or not, delivers in strictly increasing (lamport_ts, sender) order, view
 * events skipped (an install delivers its queue up to a frontier, in queue
 * order, and goes on from there).  Compared here by hand, not with the
 * core's lclock_before(), so that a mistake there cannot hide.  Counts every
 * delivery that does not come after its predecessor; names the first.
 */
static void
check_total_order(struct sim *s)
{
	unsigned i;
	size_t k;

	if (s->p.mode != ORDER_TOTAL)
		return;
	for (i = 0; i < s->p.n; i++) {
		const struct simpeer *sp = &s->peer[i];
		bool have = false;
		uint64_t pts = 0;
		unsigned psnd = 0;
		uint32_t pkey = 0;

		for (k = 0; k < sp->ndel; k++) {
			uint32_t key = sp->seq[k];
			unsigned snd = key >> 24;

			if ((key & VIEW_KEY) == VIEW_KEY)
				continue;
			if (have && (sp->ts[k] < pts ||
			    (sp->ts[k] == pts && snd <= psnd))) {
				if (!s->out_of_order++ && !s->violation[0])
					snprintf(s->violation,
					    sizeof(s->violation), "peer %u "
					    "delivered %u/%u (ts %" PRIu64
					    ") at %zu after %u/%u (ts %" PRIu64
					    "): not in (ts, sender) order", i,
					    snd, key & 0xffffff, sp->ts[k], k,
					    psnd, pkey & 0xffffff, pts);
			}
			have = true;
			pts = sp->ts[k];
			psnd = snd;
			pkey = key;
		}
	}
}

/*
 * What must hold at the end.  Without a fault: every peer DONE with every
 * message.  With faults, in continue mode, every peer that was never
 * stopped nor cut off finishes when they are a majority; the others end
 * excluded, aborted as a minority, or crashed; and V1-V4 hold between
 * survivors and departed peers.  In abort mode a fault may abort the run.
 */
static int
final_checks(struct sim *s)
{
	const struct params *p = &s->p;
	bool surv[SIM_MAX_PEERS];
	unsigned i, ref = p->n;
	uint64_t last;
	int r;

	for (i = 0; i < p->n; i++) {
		struct simpeer *sp = &s->peer[i];

		if ((r = judge_phase(s, i)) < 0)
			return -1;
		surv[i] = r == 1;
		if (surv[i] && ref == p->n)
			ref = i;
		if (!faulty(p) && sp->ndel != (size_t)p->n * p->m) {
			violate(s, "peer %u delivered %u of %u messages", i,
			    (unsigned)sp->ndel, p->n * p->m);
			return -1;
		}
		/* What the rules say never happens between honest peers. */
		if (!p->flaws && (order_stats(sp->core)->drop_window ||
		    order_stats(sp->core)->drop_clock ||
		    order_stats(sp->core)->drop_unsent)) {
			violate(s, "peer %u dropped %u beyond its window, %u "
			    "as impossible", i,
			    (unsigned)order_stats(sp->core)->drop_window,
			    (unsigned)(order_stats(sp->core)->drop_clock +
			    order_stats(sp->core)->drop_unsent));
			return -1;
		}
		/* Honest peers never lie: none may be taken for a liar. */
		if (!p->flaws && order_stats(sp->core)->lies) {
			violate(s, "peer %u refused %u answers as lies (members "
			    "%#llx)", i, (unsigned)order_stats(sp->core)->lies,
			    (unsigned long long)order_stats(sp->core)->liars);
			return -1;
		}
	}
	if (ref == p->n)
		return 0;	/* nobody finished: nothing to agree on */
	/* The survivors are the finished members of the last view: a peer
	 * that finished before the others left it behind has departed. */
	for (i = 0; i < p->n; i++)
		if (surv[i] && order_view(s->peer[i].core, NULL) >
		    order_view(s->peer[ref].core, NULL))
			ref = i;
	(void)order_view(s->peer[ref].core, &last);
	for (i = 0; i < p->n; i++)
		surv[i] = surv[i] && (last >> i & 1);
	if (check_survivors(s, surv, ref) < 0)
		return -1;
	if (!order_mode_total(p->mode))
		return 0;
	for (i = 0; i < p->n; i++)
		if (!surv[i] && check_departed(s, surv, i, ref) < 0)
			return -1;
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
	if (verbose)
		for (i = 0; i < s->p.n; i++)
			printf("peer %u: %s %s delivered=%zu view=%u in=%" PRIu64
			    " decode=%" PRIu64 " sender=%" PRIu64 " view=%" PRIu64
			    " field=%" PRIu64 "\n", i,
			    order_phase_name(order_phase(s->peer[i].core)),
			    order_abort_reason(s->peer[i].core),
			    s->peer[i].ndel, order_view(s->peer[i].core, NULL),
			    order_stats(s->peer[i].core)->dgrams_in,
			    order_stats(s->peer[i].core)->drop_decode,
			    order_stats(s->peer[i].core)->drop_sender,
			    order_stats(s->peer[i].core)->drop_view,
			    order_stats(s->peer[i].core)->drop_field);
	/* Before the others, so that a run broken by the rule says so; and
	 * counted even when an earlier check stopped the run. */
	check_total_order(s);
	if (s->violation[0] || final_checks(s) < 0)
		return -1;
	if (faulty(&s->p))
		return 0;
	/* How much the peers disagree (the point of `none` mode). */
	for (pos = 0; pos < (size_t)s->p.n * s->p.m; pos++)
		for (i = 1; i < s->p.n; i++)
			if (s->peer[i].seq[pos] != s->peer[0].seq[pos]) {
				s->mismatched++;
				break;
			}
	if (order_mode_total(s->p.mode) && s->mismatched)
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
	/* A quarter of the seeds: a peer crashes, or pauses 1-5 s or 70 s;
	 * in a quarter of those, the run aborts on failure. */
	if (rng_below(&r, 4) == 0) {
		static const uint64_t lens[] = { STOP_CRASH, 70000000 };
		unsigned k = (unsigned)rng_below(&r, 4);

		p->nstop = 1;
		p->stop[0].peer = (unsigned)rng_below(&r, p->n);
		p->stop[0].at_us = rng_range(&r, 0, 100) * 1000;
		p->stop[0].len_us = k < 2 ? lens[k] :
		    rng_range(&r, 1000, 5000) * 1000;
		if (rng_below(&r, 4) == 0)
			p->on_failure = ORDER_ABORT;
	}
}

/* A partition side of k peers, none of them in avoid. */
static uint64_t
pick_side(struct rng *r, unsigned n, unsigned k, uint64_t avoid)
{
	uint64_t side = 0;

	while (k) {
		unsigned i = (unsigned)rng_below(r, n);

		if ((side | avoid) >> i & 1)
			continue;
		side |= UINT64_C(1) << i;
		k--;
	}
	return side;
}

/* The largest side that leaves a majority of n after `down` crashes. */
static unsigned
minority_size(unsigned n, unsigned down)
{
	unsigned k = 0;

	while (2 * (n - down - (k + 1)) > n)
		k++;
	return k;
}

/*
 * Views: a run of 3 to 16 peers loses members while it floods: one crash;
 * two (the second during the view change the first starts, sometimes the
 * coordinator, peer 0); a pause past the suspicion timeout (a false
 * suspicion); a minority cut off for good or for seconds, at the start or
 * during a view change.
 */
static void
params_for_views(uint64_t seed, int mode, unsigned flaws, struct params *p)
{
	static const unsigned ns[] = { 3, 4, 5, 6, 7, 8, 11, 16 };
	static const double losses[] = { 0, 0.05, 0.2 };
	static const uint32_t windows[] = { 64, 256, 4096 };
	struct rng r;
	unsigned k, a;
	uint64_t t;

	rng_seed(&r, seed ^ 0x71e3571e35ULL);
	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->n = ns[rng_below(&r, 8)];
	p->m = (uint32_t)rng_range(&r, 100, 8000 / p->n);
	p->mode = mode >= 0 ? (enum order_mode)mode : ORDER_TOTAL;
	p->loss = losses[rng_below(&r, 3)];
	p->dup = rng_below(&r, 2) ? 0 : 0.05;
	p->delay_max_us = rng_range(&r, 0, 10) * 1000;
	p->window = windows[rng_below(&r, 3)];
	p->flaws = flaws;
	/* A third flood, the others pace their messages; the first fault
	 * strikes in the first half of the run. */
	if (rng_below(&r, 3) == 0) {
		p->gap_max_us = 0;
		t = rng_range(&r, 0, 40) * 1000;
	} else {
		p->gap_max_us = rng_range(&r, 1000, 4000);
		t = rng_range(&r, 0, p->m * p->gap_max_us / 4);
	}
	a = (unsigned)rng_below(&r, p->n);
	k = (unsigned)rng_below(&r, 6);
	if (k == 1 || k == 4 || k == 5)
		if (2 * (p->n - 2) <= p->n)
			k = 0;		/* two crashes would leave a minority */
	p->nstop = 1;
	p->stop[0] = (struct stop){ a, t, STOP_CRASH };
	switch (k) {
	case 1:		/* a second crash, during the view change */
	case 5:		/* the coordinator dies during the view change */
		p->nstop = 2;
		p->stop[1].peer = k == 5 && a != 0 ? 0 : (a + 1) % p->n;
		p->stop[1].at_us = t + rng_range(&r, 0, 2500) * 1000;
		p->stop[1].len_us = STOP_CRASH;
		break;
	case 2:		/* a pause past the suspicion timeout */
		p->stop[0].len_us = rng_range(&r, 1500, 6000) * 1000;
		break;
	case 3:		/* a minority cut off, for good or for seconds */
		p->nstop = 0;
		p->part_side = pick_side(&r, p->n,
		    1 + (unsigned)rng_below(&r, minority_size(p->n, 0)), 0);
		p->part_at_us = t;
		p->part_len_us = rng_below(&r, 2) ? STOP_CRASH :
		    rng_range(&r, 2000, 5000) * 1000;
		break;
	case 4:		/* a crash, then a minority cut off mid-change */
		if (minority_size(p->n, 1) == 0)
			break;
		p->part_side = pick_side(&r, p->n,
		    1 + (unsigned)rng_below(&r, minority_size(p->n, 1)),
		    UINT64_C(1) << a);
		p->part_at_us = t + rng_range(&r, 800, 1500) * 1000;
		p->part_len_us = STOP_CRASH;
		break;
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
	    .out_start_us = 2000, .on_failure = ORDER_ABORT,
	    .out_len_us = 2400000, .out_a = 0, .out_b = 1 } },
	{ "outage-twoway-5s", { .seed = 5, .n = 3, .m = 40000,
	    .mode = ORDER_TOTAL, .delay_max_us = 1000, .window = 4096,
	    .out_start_us = 2000, .on_failure = ORDER_ABORT,
	    .out_len_us = 5000000, .out_a = 2, .out_b = 0, .out_both = 1 } },
	/* The same outage in continue mode: an end is left behind. */
	{ "outage-twoway-5s-views", { .seed = 5, .n = 3, .m = 40000,
	    .mode = ORDER_TOTAL, .delay_max_us = 1000, .window = 4096,
	    .out_start_us = 2000,
	    .out_len_us = 5000000, .out_a = 2, .out_b = 0, .out_both = 1 } },
	{ "flood-n3-loss50", { .seed = 7, .n = 3, .m = 4000,
	    .mode = ORDER_TOTAL, .loss = 0.5, .dup = 0.05,
	    .delay_max_us = 2000, .window = 256 } },
	{ "flood-n16-window16", { .seed = 16, .n = 16, .m = 400,
	    .mode = ORDER_TOTAL, .loss = 0.1, .delay_max_us = 3000,
	    .window = 16 } },
	/* A peer frozen mid-flood for 3 s (SIGSTOP, then SIGCONT), in a run
	 * that aborts on failure: it is waited for, and the run ends ok. */
	{ "pause-3s", { .seed = 9, .n = 3, .m = 20000, .mode = ORDER_TOTAL,
	    .loss = 0.05, .delay_max_us = 1000, .window = 2048, .nstop = 1,
	    .stop = { { 1, 3000, 3000000 } }, .on_failure = ORDER_ABORT } },
	/* A peer killed mid-flood, aborting on failure: all abort. */
	{ "crash-mid-flood-abort", { .seed = 10, .n = 4, .m = 20000,
	    .mode = ORDER_TOTAL, .loss = 0.05, .delay_max_us = 1000,
	    .window = 2048, .nstop = 1, .stop = { { 2, 3000, STOP_CRASH } },
	    .on_failure = ORDER_ABORT } },
	/* Views: one of 5 killed mid-flood; the 4 go on. */
	{ "kill-1-of-5", { .seed = 11, .n = 5, .m = 5000,
	    .mode = ORDER_TOTAL, .loss = 0.05, .delay_max_us = 1000,
	    .window = 1024, .nstop = 1, .stop = { { 3, 30000, STOP_CRASH } } } },
	/* Two at once. */
	{ "kill-2-of-5", { .seed = 12, .n = 5, .m = 5000,
	    .mode = ORDER_TOTAL, .loss = 0.05, .delay_max_us = 1000,
	    .window = 1024, .nstop = 2, .stop = { { 1, 30000, STOP_CRASH },
	    { 4, 30000, STOP_CRASH } } } },
	/* The coordinator (peer 0) dies during the view change it leads. */
	{ "kill-coordinator-mid-change", { .seed = 13, .n = 5, .m = 5000,
	    .mode = ORDER_TOTAL, .loss = 0.05, .delay_max_us = 2000,
	    .window = 1024, .nstop = 2, .stop = { { 3, 30000, STOP_CRASH },
	    { 0, 1040000, STOP_CRASH } } } },
	/* Paused past the suspicion timeout: excluded; the others go on. */
	{ "pause-past-suspicion", { .seed = 14, .n = 4, .m = 5000,
	    .mode = ORDER_TOTAL, .loss = 0.05, .delay_max_us = 1000,
	    .window = 1024, .nstop = 1, .stop = { { 2, 30000, 3000000 } } } },
	/* 2 cut off from 3 for good: the 3 go on, the 2 abort. */
	{ "partition-2-3", { .seed = 15, .n = 5, .m = 5000,
	    .mode = ORDER_TOTAL, .loss = 0.05, .delay_max_us = 1000,
	    .window = 1024, .part_side = 0x12, .part_at_us = 30000,
	    .part_len_us = STOP_CRASH } },
	/* The same in fifo order: reliable delivery among the survivors. */
	{ "kill-1-of-4-fifo", { .seed = 16, .n = 4, .m = 5000,
	    .mode = ORDER_FIFO, .loss = 0.05, .delay_max_us = 1000,
	    .window = 1024, .nstop = 1, .stop = { { 0, 30000, STOP_CRASH } } } },
	/*
	 * Found by 20,000 seeds.  Each of two peers that cannot hear each
	 * other coordinates a view without the other: a rival's DATA
	 * overwrote what the third held to relay, and all stalled.
	 */
	{ "rival-coordinators-relay", { .seed = 8824, .n = 3, .m = 5325,
	    .mode = ORDER_TOTAL, .loss = 0.1, .delay_max_us = 12000,
	    .window = 256, .out_start_us = 48000, .out_len_us = 1486000,
	    .out_a = 0, .out_b = 1, .out_both = 1 } },
	/* Both coordinators completed their installs on the third's
	 * answers; the one it left went on alone, and stalled. */
	{ "rival-coordinators-install", { .seed = 7905, .n = 3, .m = 1734,
	    .mode = ORDER_TOTAL, .loss = 0.3, .dup = 0.2, .delay_max_us = 1000,
	    .window = 16, .out_start_us = 29000, .out_len_us = 2997000,
	    .out_a = 0, .out_b = 1, .out_both = 1 } },
	/* A finished member answered, then went done before the install:
	 * its log lacked the view line. */
	{ "finished-answer-then-done", { .seed = 17063, .n = 8, .m = 281,
	    .mode = ORDER_TOTAL, .loss = 0.5, .dup = 0.2, .delay_max_us = 1000,
	    .window = 2048, .out_start_us = 35000, .out_len_us = 1047000,
	    .out_a = 4, .out_b = 0 } },
	/* The coordinator died once its install went out: a member waited
	 * for its relays for ever. */
	{ "relay-source-dies", { .seed = 11919, .n = 11, .m = 687,
	    .mode = ORDER_TOTAL, .loss = 0.2, .delay_max_us = 6000,
	    .window = 4096, .nstop = 2, .stop = { { 2, 35000, STOP_CRASH },
	    { 0, 1295000, STOP_CRASH } } } },
	/* Half the datagrams lost: a member that delivered everything, and
	 * whose finished flags were lost, proposed over the others gone
	 * quiet, was answered done by each and aborted as a minority. */
	{ "finished-proposer-answered-done", { .seed = 7165, .n = 5,
	    .m = 503, .mode = ORDER_TOTAL, .loss = 0.5, .dup = 0.05,
	    .delay_max_us = 7000, .window = 64, .out_start_us = 26000,
	    .out_len_us = 2682000, .out_a = 3, .out_b = 2 } },
};

static void
print_params(FILE *f, const struct params *p)
{
	unsigned k;

	fprintf(f, "seed=%" PRIu64 " n=%u m=%u order=%s loss=%.2f dup=%.2f "
	    "delay=0:%" PRIu64 "us gap=0:%" PRIu64 "us window=%u flaws=%#x",
	    p->seed, p->n, p->m, order_mode_name(p->mode), p->loss, p->dup,
	    p->delay_max_us, p->gap_max_us, p->window, p->flaws);
	if (p->out_len_us)
		fprintf(f, " outage=%u%s%u@%" PRIu64 "ms+%" PRIu64 "ms",
		    p->out_a, p->out_both ? "<->" : "->", p->out_b,
		    p->out_start_us / 1000, p->out_len_us / 1000);
	for (k = 0; k < p->nstop; k++) {
		const struct stop *st = &p->stop[k];

		if (st->len_us == STOP_CRASH)
			fprintf(f, " crash=%u@%" PRIu64 "ms", st->peer,
			    st->at_us / 1000);
		else
			fprintf(f, " pause=%u@%" PRIu64 "ms+%" PRIu64 "ms",
			    st->peer, st->at_us / 1000, st->len_us / 1000);
	}
	if (p->part_side) {
		fprintf(f, " partition=%#" PRIx64 "@%" PRIu64 "ms", p->part_side,
		    p->part_at_us / 1000);
		if (p->part_len_us != STOP_CRASH)
			fprintf(f, "+%" PRIu64 "ms", p->part_len_us / 1000);
	}
	fprintf(f, " on-failure=%s", order_on_failure_name(p->on_failure));
}

static const struct {
	const char	*name;
	unsigned	 flag;
} flaw_names[] = {
	{ "no-holdback", ORDER_FLAW_NO_HOLDBACK },
	{ "early-count", ORDER_FLAW_EARLY_COUNT },
	{ "no-ack-wait", ORDER_FLAW_NO_ACK_WAIT },
	{ "late-clock", ORDER_FLAW_LATE_CLOCK },
	{ "no-relay", ORDER_FLAW_NO_RELAY },
	{ "no-flush", ORDER_FLAW_NO_FLUSH },
	{ "minority", ORDER_FLAW_MINORITY },
	{ "excluded-on", ORDER_FLAW_EXCLUDED_ON },
	{ "causal-fifo", ORDER_FLAW_CAUSAL_FIFO },
	{ "causal-flush", ORDER_FLAW_CAUSAL_FLUSH },
	{ "seq-no-order", ORDER_FLAW_SEQ_NO_ORDER },
	{ "seq-no-stable", ORDER_FLAW_SEQ_NO_STABLE },
	{ "seq-renumber", ORDER_FLAW_SEQ_RENUMBER },
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sim [--seeds K] [--start S]\n"
	    "           [--order none|fifo|total|causal|sequencer]\n"
	    "           [--flood | --views] [--replay SEED] [--case NAME|all]\n"
	    "           [--flaw NAME --expect-violation]\n"
	    "           [--expect-disagreement] [-v]\n"
	    "flaws: no-holdback early-count no-ack-wait late-clock\n"
	    "       no-relay no-flush minority excluded-on\n"
	    "       causal-fifo causal-flush (with --order causal)\n"
	    "       seq-no-order seq-no-stable seq-renumber (--order sequencer)\n");
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
		printf(" mismatched=%" PRIu64 " out_of_order=%" PRIu64
		    " cut=%" PRIu64 " t=%" PRIu64 "ms%s%s\n", s.mismatched,
		    s.out_of_order, s.cut, s.now / 1000, rc ? " : " : "",
		    s.violation);
	} else if (rc) {
		printf("found the broken variant, as expected, at ");
		print_params(stdout, p);
		printf(": %s (out of (ts, sender) order: %" PRIu64 ")\n",
		    s.violation, s.out_of_order);
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
	bool flood = false, views = false;
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
		else if (!strcmp(argv[a], "--views"))
			views = true;
		else if (!strcmp(argv[a], "--expect-violation"))
			expect_violation = true;
		else if (!strcmp(argv[a], "--expect-disagreement"))
			expect_disagree = true;
		else if (!strcmp(argv[a], "-v"))
			verbose++;
		else
			usage();
	}
	if (case_name)
		return run_cases(case_name) ? 1 : 0;
	if (do_replay) {
		start = replay;
		seeds = 1;
		if (!verbose)
			verbose = 1;
	}
	for (seed = start; seed < start + seeds; seed++) {
		struct params p;

		if (views)
			params_for_views(seed, mode, flaws, &p);
		else if (flood)
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
	    " positions)\n", seeds, views ? "views " : flood ? "flood " : "",
	    start, failures,
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
