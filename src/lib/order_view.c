/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Views: a run goes on without a member that failed (virtual synchrony, as
 * in Isis, Totem or Spread), in ORDER_CONTINUE mode.  What holds (mpcomm(7),
 * "Views"): survivors deliver the same sequence, view lines included (V1),
 * each view line after the same messages (V2); a departed member's messages
 * are delivered by every survivor or by none (V3); a departed member's log
 * is a prefix of the survivors' once its sender's messages past the cut are
 * taken out (V4); only a majority view goes on (V5); an excluded member
 * stops (V6).
 *
 * How:
 *  - a member silent for the suspicion timeout is suspected; the lowest id
 *    of the view not suspected coordinates.  It proposes a ballot (round << 6
 *    | its id, above every ballot it has seen) with the members it does not
 *    suspect, a strict majority of the installed view or nothing (V5);
 *  - a member answers a proposal only from a member of its view, only above
 *    the ballot it last answered (else it refuses, saying that ballot), and
 *    only once answered it freezes: no stamping, processing or delivery.
 *    Its answer (STATE) is what it processed of every stream, its delivery
 *    frontier and its installed views;
 *  - an answer claiming more of a stream than that stream's owner answered
 *    is a lie (catch_lies()): refused, reported by id, its sender left out
 *    as one with conflicting views is; members are otherwise trusted;
 *  - with every answer in, the coordinator takes the longest history of
 *    views among them (a member whose history is not a prefix of it is left
 *    out, and so excluded), the cut of every stream (the most any answer
 *    processed; a stream already departed keeps its cut) and the frontier F
 *    (the furthest any answer delivered), and sends INSTALL: those views
 *    plus the new one, and the cuts.  It completes its own install only
 *    once a majority of the view before has installed it;
 *  - a member accepts the INSTALL of the ballot it answered, gets every
 *    departed stream up to its cut relayed (from the coordinator, which gets
 *    it from whoever had most) and every other stream up to its cut from
 *    its owner (a source silent for the suspicion timeout is replaced by a
 *    member that completed the install), then delivers every message up
 *    to F whatever the ACK states (a survivor delivered up to F, so all of
 *    it is held), writes the view line, and goes on with all-ACK over the
 *    new members, whose ACK states start afresh;
 *  - a datagram from a member of another view is not counted, and its DATA
 *    not even taken unless that view is one of ours; a member that
 *    is not in the view, or is behind it, is told the views (NOTICE): a
 *    member that learns that a view without it was installed stops (V6); a
 *    member of that view installs it as from an INSTALL.
 * Each coordinator computes one install per ballot, so a ballot names one
 * view everywhere; two installs from rival coordinators at the same view
 * number cannot both go on, because a member in both proposals accepts only
 * the ballot it answered last and the other side never counts its state.
 */
#include <stdio.h>
#include <string.h>

#include "mpcomm/lclock.h"
#include "mpcomm/msg.h"
#include "order_impl.h"

#define RELAY_BURST	16	/* relay datagrams per request */



static unsigned
popcount(uint64_t x)
{
	unsigned k = 0;

	for (; x; x &= x - 1)
		k++;
	return k;
}

static uint64_t
bit(unsigned i)
{
	return UINT64_C(1) << i;
}

static uint64_t
all_members(const struct order *o)
{
	return o->cfg.n == 64 ? ~UINT64_C(0) : bit(o->cfg.n) - 1;
}

/* The members of the last view of vs (START's: every member). */
static uint64_t
views_members(const struct order *o, const struct views *vs)
{
	return vs->n ? vs->v[vs->n - 1].members : all_members(o);
}

/*
 * The views this member answers with: the installed ones.  An install
 * accepted but not done (streams still missing) has changed nothing visible
 * (delivery up to the frontier and the view line happen at once), so a
 * later proposal may replace it: a member that answers one drops it, and a
 * coordinator takes only installed views from the answers.  So an install
 * whose coordinator died before anyone living completed it is forgotten,
 * and its cuts, which perhaps only the dead held, with it.
 */
static const struct views *
my_views(const struct order *o)
{
	return &o->views;
}

/*
 * Of two histories that disagree, the one whose first differing view has
 * the higher ballot: only it can go on (mpcomm(7), Views).  True if b wins.
 */
static bool
views_newer(const struct views *a, const struct views *b)
{
	unsigned i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (a->v[i].ballot != b->v[i].ballot)
			return b->v[i].ballot > a->v[i].ballot;
	return b->n > a->n;
}

/* Whether a is a prefix of b (same ballots, in order). */
static bool
views_prefix(const struct views *a, const struct views *b)
{
	unsigned i;

	if (a->n > b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->v[i].ballot != b->v[i].ballot)
			return false;
	return true;
}

/* ---------------------------------------------------------------------
 * The states of a view change (enum vc_state), one function to enter each.
 */

/* In the installed view again: stamping, processing, delivery resume. */
static void
enter_steady(struct order *o)
{
	o->vc.state = VC_STEADY;
}

/* A proposal answered (or made): nothing moves until its install, and an
 * install accepted before is dropped for it. */
static void
enter_frozen(struct order *o)
{
	o->vc.state = VC_FROZEN;
}

/* An install accepted: still frozen until every stream reaches its cut
 * (view_settle). */
static void
enter_installing(struct order *o)
{
	o->vc.state = VC_INSTALLING;
}

bool
view_past_cut(const struct order *o, unsigned q, uint32_t seq)
{
	if (o->views.departed >> q & 1)
		return seq > o->views.cut[q];
	if (view_installing(o) && !(views_members(o, &o->vc.inst) >> q & 1))
		return seq > o->vc.inst_cut[q];
	return false;
}

uint32_t
view_limit(const struct order *o, unsigned q)
{
	if (o->views.departed >> q & 1)
		return o->views.cut[q];
	if (view_installing(o))
		return o->vc.inst_cut[q] > o->m[q].rx.processed ?
		    o->vc.inst_cut[q] : o->m[q].rx.processed;
	if (view_frozen(o))
		return o->m[q].rx.processed;	/* as answered */
	return UINT32_MAX;
}

/* Goes quiet: excluded (V6), or a minority (V5). */
static void
stop(struct order *o, enum order_phase p, const char *why)
{
	order_stop(o, p, why);
}

void
view_clock(struct order *o, uint64_t now)
{
	unsigned q;

	/* A gap this long between calls is our own pause (SIGSTOP, a
	 * descheduled VM): nobody is to blame for the silence it shows. */
	if (o->vc.last_call && now > o->vc.last_call &&
	    now - o->vc.last_call > o->cfg.suspect_us / 2)
		for (q = 0; q < o->cfg.n; q++)
			o->m[q].last_heard = now;
	o->vc.last_call = now;
}

/*
 * Whether ballot b names a view of our history, or of the install we are
 * completing.  A sender in any other view (a rival that will lose, or one we
 * have not heard of yet) keeps its send window over other members than
 * ours, so its DATA could overwrite what we hold for a relay to a member it
 * left out: we take none of it (its sender sends it again once we agree).
 */
static bool
known_ballot(const struct order *o, uint32_t b)
{
	unsigned i;

	if (b == 0)
		return true;	/* START's view */
	for (i = 0; i < o->views.n; i++)
		if (o->views.v[i].ballot == b)
			return true;
	for (i = 0; view_installing(o) && i < o->vc.inst.n; i++)
		if (o->vc.inst.v[i].ballot == b)
			return true;
	return false;
}

enum view_admit
view_admit(struct order *o, unsigned q, uint32_t hview, uint64_t now)
{
	struct member *mb = &o->m[q];

	if (hview > o->vc.seen)
		o->vc.seen = hview;
	mb->view_seen = hview;
	if (o->vc.c_sent && hview == o->vc.c_ballot)
		o->vc.c_installed |= bit(q);
	if (!(view_members(o) >> q & 1)) {
		/* Not in our view: it must hear that it was left out. */
		o->st.drop_view++;
		if (now - mb->notice_at >= o->cfg.hb_interval_us) {
			due_set(mb, DUE_NOTICE);
			mb->notice_at = now;
		}
		return VIEW_DROP;
	}
	if (hview == view_ballot(o))
		return VIEW_SAME;
	if (hview < view_ballot(o) &&
	    now - mb->notice_at >= o->cfg.hb_interval_us) {
		due_set(mb, DUE_NOTICE);	/* behind: tell it our views */
		mb->notice_at = now;
	}
	return known_ballot(o, hview) ? VIEW_OTHER : VIEW_FOREIGN;
}

/* ---------------------------------------------------------------------
 * A member: answering proposals, accepting installs.
 */

void
view_on_propose(struct order *o, unsigned q, const struct msg_propose *p)
{
	struct member *mb = &o->m[q];

	if (p->ballot > o->vc.seen)
		o->vc.seen = p->ballot;
	if (o->phase == ORDER_DONE) {
		due_set(mb, DUE_DONE);	/* our log is complete: go on */
		mb->done_ballot = p->ballot;
		return;
	}
	if (!(p->members >> o->cfg.self & 1) || (p->ballot & 63) != q ||
	    (p->members & ~view_members(o))) {
		o->st.drop_field++;
		return;
	}
	if (p->ballot < o->vc.promise) {
		due_set(mb, DUE_REFUSE);
		return;
	}
	if (p->ballot > o->vc.promise) {
		o->vc.promise = p->ballot;
		enter_frozen(o);	/* an install is replaced: my_views() */
		if (o->vc.c_ballot && o->vc.c_ballot < p->ballot)
			o->vc.c_ballot = 0;	/* a higher ballot: yield */
	}
	due_set(mb, DUE_STATE);
}

/* Accepts views vs with cuts; relays of departed streams come from src[]. */
static void
accept_install(struct order *o, const struct views *vs, const uint32_t *cut,
    const uint16_t *src)
{
	uint64_t members = views_members(o, vs);
	unsigned q;

	enter_installing(o);
	o->vc.inst = *vs;
	for (q = 0; q < o->cfg.n; q++) {
		o->vc.inst_cut[q] = cut[q];
		o->vc.inst_src[q] = src[q];
		if (q != o->cfg.self && !(members >> q & 1))
			stream_cut(o, q, cut[q]);
	}
	o->vc.next_relay_req = 0;
}

/* Reads the views of a VIEW record; -1 if they make no sense. */
static int
read_views(struct order *o, const struct msg_view *v, struct views *vs,
    uint32_t *level)
{
	uint64_t prev = all_members(o);
	unsigned i;

	if (v->n != o->cfg.n) {
		o->st.drop_field++;
		return -1;
	}
	memset(vs, 0, sizeof(*vs));
	vs->n = v->nviews;
	for (i = 0; i < v->nviews; i++) {
		msg_view_get(v, i, &vs->v[i]);
		/* Each view keeps a majority of the one before (V5). */
		if ((vs->v[i].members & ~prev) || 2 *
		    popcount(vs->v[i].members) <= popcount(prev) ||
		    vs->v[i].f_ts > o->clock_bound ||
		    vs->v[i].f_id >= o->cfg.n ||
		    (i && vs->v[i].ballot <= vs->v[i - 1].ballot)) {
			o->st.drop_field++;
			return -1;
		}
		vs->departed |= prev & ~vs->v[i].members;
		prev = vs->v[i].members;
	}
	for (i = 0; i < o->cfg.n; i++) {
		level[i] = msg_view_level(v, i);
		if (level[i] > o->cfg.messages) {
			o->st.drop_field++;
			return -1;
		}
		if (vs->departed >> i & 1)
			vs->cut[i] = level[i];
	}
	return 0;
}

static void on_state(struct order *, unsigned, const struct msg_view *,
    const struct views *, const uint32_t *);
static void on_done(struct order *, unsigned, const struct msg_view *);
static void check_answers(struct order *);
static void propose(struct order *, uint64_t, uint64_t);

/* INSTALL or NOTICE: views another member installed, with their cuts. */
static void
on_views(struct order *o, unsigned q, const struct msg_view *v,
    const struct views *vs, const uint32_t *level)
{
	const struct views *mine = my_views(o);
	uint16_t src[MSG_MAX_PEERS];
	unsigned i;

	if (v->kind == MSG_VIEW_INSTALL && v->ballot != o->vc.promise) {
		/* We answered a later ballot since: say so, or its
		 * coordinator never learns that we wait for another. */
		if (v->ballot < o->vc.promise)
			due_set(&o->m[q], DUE_REFUSE);
		return;
	}
	if (!views_prefix(mine, vs)) {
		/* A rival view of ours that won: ours cannot go on. */
		if (!views_prefix(vs, mine) && views_newer(mine, vs))
			stop(o, ORDER_EXCLUDED, "excluded: another view than "
			    "mine was installed");
		return;		/* behind us, or a rival that lost */
	}
	if (!(views_members(o, vs) >> o->cfg.self & 1) &&
	    !FLAW(o, EXCLUDED_ON)) {
		stop(o, ORDER_EXCLUDED, "excluded from the view");
		return;
	}
	if (vs->n == mine->n || (view_installing(o) && vs->n == o->vc.inst.n &&
	    vs->v[vs->n - 1].ballot == o->vc.inst.v[vs->n - 1].ballot))
		return;		/* nothing new, or being installed */
	if (v->kind == MSG_VIEW_NOTICE &&
	    vs->v[vs->n - 1].ballot < o->vc.promise)
		return;		/* we answered a later ballot: wait for it */
	for (i = 0; i < o->cfg.n; i++)
		src[i] = (uint16_t)q;
	accept_install(o, vs, level, src);
}

void
view_on_view(struct order *o, unsigned q, const struct msg_view *v,
    uint64_t now)
{
	struct views vs;
	uint32_t level[MSG_MAX_PEERS];

	if (v->ballot > o->vc.seen)
		o->vc.seen = v->ballot;
	if (read_views(o, v, &vs, level) < 0)
		return;
	if (o->phase == ORDER_DONE)
		return;		/* done is final */
	switch (v->kind) {
	case MSG_VIEW_STATE:
		on_state(o, q, v, &vs, level);
		break;
	case MSG_VIEW_REFUSE:
		if (!o->vc.c_ballot || v->ballot <= o->vc.c_ballot)
			break;
		/* Propose again, higher: at the next tick, or now if our
		 * install went out already (nobody suspects anyone then). */
		if (o->vc.c_sent)
			propose(o, o->vc.c_members, now);
		else
			o->vc.c_ballot = 0;
		break;
	case MSG_VIEW_INSTALL:
	case MSG_VIEW_NOTICE:
		on_views(o, q, v, &vs, level);
		break;
	case MSG_VIEW_DONE:
		on_done(o, q, v);
		break;
	}
}

/* ---------------------------------------------------------------------
 * Relays of departed streams.
 */

void
view_on_relay_req(struct order *o, unsigned q, const struct msg_relay_req *r)
{
	struct member *mb = &o->m[q];

	if (r->stream >= o->cfg.n || r->stream == o->cfg.self ||
	    r->from == 0 || r->to < r->from || r->to > o->cfg.messages) {
		o->st.drop_field++;
		return;
	}
	mb->relay_want |= bit(r->stream);
	mb->relay_from[r->stream] = r->from;
	mb->relay_to[r->stream] = r->to;
}

void
view_on_relay(struct order *o, unsigned q, const struct msg_relay *r,
    uint64_t now)
{
	(void)q;
	if (r->stream >= o->cfg.n || r->stream == o->cfg.self) {
		o->st.drop_field++;
		return;
	}
	/* Only streams that departed, or that an install needs (up to its
	 * cut), are relayed: the others come from their owners. */
	if (!(o->views.departed >> r->stream & 1) && !(view_installing(o) &&
	    r->data.seq <= o->vc.inst_cut[r->stream])) {
		o->st.drop_view++;
		return;
	}
	if (!order_data_ready(o, r->stream, r->data.seq)) {
		o->st.drop_field++;	/* C1: its DEPS did not come */
		return;
	}
	stream_on_data(o, r->stream, &r->data,
	    view_past_cut(o, r->stream, r->data.seq), now);
}

/* ---------------------------------------------------------------------
 * Completing an install.
 */

static bool
streams_complete(const struct order *o)
{
	uint64_t members = views_members(o, &o->vc.inst);
	unsigned q;

	for (q = 0; q < o->cfg.n; q++) {
		if (q == o->cfg.self || (o->views.departed >> q & 1))
			continue;
		if (FLAW(o, NO_RELAY) && !(members >> q & 1))
			continue;	/* broken on purpose */
		if (o->m[q].rx.processed < o->vc.inst_cut[q])
			return false;
	}
	return true;
}

/* Installs one view: delivers up to its frontier, then its view line. */
static void
install_one(struct order *o, const struct msg_view_entry *e, uint64_t now)
{
	uint64_t gone = view_members(o) & ~e->members;
	unsigned q;

	stream_deliver_upto(o, e->f_ts, e->f_id, now);
	for (q = 0; q < o->cfg.n; q++)
		if (gone >> q & 1)
			o->views.cut[q] = o->vc.inst_cut[q];
	o->views.departed |= gone;
	o->views.v[o->views.n++] = *e;
	o->alg->installed(o);
	o->st.views++;
	stream_deliver_view(o, now);
}

/*
 * Whether the install may be done here.  A coordinator's own install waits
 * until a majority of the view before it has installed the new one too:
 * only then is it sure to be in the history of every later view (a later
 * coordinator's majority meets that one), so a coordinator never delivers
 * in a view that a rival could still replace.  A member installs at once:
 * it answered the ballot, so the coordinator that sent it counts on it.
 */
static bool
install_confirmed(const struct order *o)
{
	const struct views *vs = &o->vc.inst;
	uint64_t before = vs->n > 1 ? vs->v[vs->n - 2].members :
	    all_members(o);
	uint64_t done = (o->vc.c_installed | bit(o->cfg.self)) & before;

	if (!o->vc.c_sent || vs->v[vs->n - 1].ballot != o->vc.c_ballot)
		return true;	/* not ours */
	return 2 * popcount(done) > popcount(before);
}

bool
view_settle(struct order *o, uint64_t now)
{
	unsigned i, q;

	if (!view_installing(o) || !streams_complete(o) ||
	    !install_confirmed(o))
		return false;
	for (i = o->views.n; i < o->vc.inst.n; i++)
		install_one(o, &o->vc.inst.v[i], now);
	enter_steady(o);
	o->vc.suspected = 0;
	o->vc.c_done = 0;
	o->vc.report_to = -1;
	for (q = 0; q < o->cfg.n; q++) {
		o->m[q].last_heard = now;
		due_clear(&o->m[q], DUE_INSTALL | DUE_PROPOSE);
	}
	order_mark_ack_due_all(o);
	return true;
}

/* ---------------------------------------------------------------------
 * The coordinator.
 */

/* This member's own answer: what it processed, delivered, installed. */
static void
own_level(const struct order *o, uint32_t *level)
{
	const struct views *vs = my_views(o);
	unsigned i;

	for (i = 0; i < o->cfg.n; i++) {
		if (vs->departed >> i & 1)
			level[i] = vs->cut[i];
		else
			level[i] = i == o->cfg.self ? o->stamped :
			    o->m[i].rx.processed;
	}
}

static void
propose(struct order *o, uint64_t members, uint64_t now)
{
	struct vchange *vc = &o->vc;
	uint32_t top = vc->seen > vc->promise ? vc->seen : vc->promise;
	struct msg_view self;
	uint32_t level[MSG_MAX_PEERS];
	unsigned q;

	vc->c_ballot = ((top >> 6) + 1) << 6 | o->cfg.self;
	vc->c_members = members;
	vc->c_answered = vc->c_conflict = 0;
	vc->c_sent = false;
	vc->c_views = *my_views(o);
	vc->promise = vc->seen = vc->c_ballot;
	enter_frozen(o);
	vc->next_tx = now;
	for (q = 0; q < o->cfg.n; q++)
		due_put(&o->m[q], DUE_PROPOSE, order_in_view(o, q) &&
		    (members >> q & 1));
	/* Answer our own proposal. */
	memset(&self, 0, sizeof(self));
	self.kind = MSG_VIEW_STATE;
	self.ballot = vc->c_ballot;
	order_frontier(o, &self.d_ts, &self.d_id);
	own_level(o, level);
	on_state(o, o->cfg.self, &self, my_views(o), level);
}

/* Computes the install once every proposed member answered. */
static void
decide(struct order *o)
{
	struct vchange *vc = &o->vc;
	const struct views *h = &vc->c_views;
	uint64_t last = views_members(o, h), members = vc->c_members & last;
	struct views vs = *h;
	uint32_t cut[MSG_MAX_PEERS];
	uint16_t src[MSG_MAX_PEERS];
	struct msg_view_entry e;
	unsigned i, q;

	if (!FLAW(o, MINORITY) &&
	    2 * popcount(members) <= popcount(last)) {
		stop(o, ORDER_ABORTED, "minority");
		return;
	}
	e.ballot = vc->c_ballot;
	e.members = members;
	e.f_ts = h->n ? h->v[h->n - 1].f_ts : 0;
	e.f_id = h->n ? h->v[h->n - 1].f_id : 0;
	for (q = 0; q < o->cfg.n; q++) {
		if (!(vc->c_answered >> q & 1))
			continue;
		if (lclock_before(e.f_ts, e.f_id, vc->c_f_ts[q], vc->c_f_id[q])) {
			e.f_ts = vc->c_f_ts[q];
			e.f_id = vc->c_f_id[q];
		}
	}
	/* Each stream's cut, and who holds it (ourselves if we do). */
	for (i = 0; i < o->cfg.n; i++) {
		cut[i] = h->cut[i];
		for (q = 0; q < o->cfg.n && !(h->departed >> i & 1); q++)
			if ((vc->c_answered >> q & 1) &&
			    vc->c_level[q][i] > cut[i])
				cut[i] = vc->c_level[q][i];
		src[i] = (uint16_t)o->cfg.self;
		for (q = 0; q < o->cfg.n &&
		    vc->c_level[o->cfg.self][i] < cut[i]; q++)
			if ((vc->c_answered >> q & 1) &&
			    vc->c_level[q][i] >= cut[i]) {
				src[i] = (uint16_t)q;
				break;
			}
	}
	/* A new view even when the longest history already left out whom we
	 * suspect: its ballot is how every member confirms the install. */
	if (vs.n == MSG_VIEW_MAX) {
		stop(o, ORDER_ABORTED, "too many views");
		return;
	}
	vs.departed |= last & ~members;
	vs.v[vs.n++] = e;
	for (i = 0; i < o->cfg.n; i++)
		if (vs.departed >> i & 1)
			vs.cut[i] = cut[i];
	vc->c_sent = true;
	vc->c_installed = 0;
	vc->next_tx = 0;
	for (q = 0; q < o->cfg.n; q++)
		due_put(&o->m[q], DUE_INSTALL, q != o->cfg.self &&
		    (members >> q & 1));
	accept_install(o, &vs, cut, src);
}

/* Answer q is refused as a lie: counted, named, and left out (a conflict). */
static void
liar(struct order *o, unsigned q)
{
	o->st.lies++;
	o->st.liars |= bit(q);
	o->vc.c_answered &= ~bit(q);
	o->vc.c_conflict |= bit(q);
}

/*
 * The answers in, answer q just added, checked against each other where
 * a lie shows without doubt: no member processed more of a stream than its
 * owner stamped, and an owner answers what it stamped, frozen since.  So a
 * level of stream p above p's own answer is a lie, of whichever of the two
 * is not this coordinator (which trusts itself).  Streams that departed in
 * an earlier view carry their cut and are not checked.  A liar is left
 * out of the next proposal, as a member with conflicting views is; the
 * caller reports it by id (order_stats: liars).  A member that holds the
 * key can still lie undetected in everything else (mpcomm(7), FAULT
 * MODEL).
 */
static void
catch_lies(struct order *o, unsigned q)
{
	struct vchange *vc = &o->vc;
	unsigned p, r;

	for (p = 0; p < o->cfg.n; p++) {
		if ((vc->c_views.departed >> p & 1) || !(vc->c_answered >> p & 1))
			continue;
		for (r = 0; r < o->cfg.n; r++) {
			if (r == p || !(vc->c_answered >> r & 1) ||
			    (r != q && p != q) ||
			    vc->c_level[r][p] <= vc->c_level[p][p])
				continue;
			liar(o, r == o->cfg.self ? p : r);
			if (!(vc->c_answered >> q & 1))
				return;		/* q lied: the rest is moot */
		}
	}
}

static void
on_state(struct order *o, unsigned q, const struct msg_view *v,
    const struct views *vs, const uint32_t *level)
{
	struct vchange *vc = &o->vc;
	unsigned i;

	if (!vc->c_ballot || v->ballot != vc->c_ballot || vc->c_sent ||
	    !(vc->c_members >> q & 1) || (vc->c_answered >> q & 1))
		return;
	if (views_prefix(&vc->c_views, vs)) {
		vc->c_views = *vs;	/* longer: it saw more views */
	} else if (!views_prefix(vs, &vc->c_views)) {
		vc->c_conflict |= bit(q);	/* it goes: V1 */
		return;
	}
	vc->c_f_ts[q] = v->d_ts;
	vc->c_f_id[q] = v->d_id;
	for (i = 0; i < o->cfg.n; i++)
		vc->c_level[q][i] = level[i];
	vc->c_answered |= bit(q);
	catch_lies(o, q);
	check_answers(o);
}

/*
 * A member that finished the run answered: the view goes on without it.
 * Done, it had its finished flag: said so here too, since it no longer
 * sends one.  And when we have delivered everything and every member of
 * the view has finished, the proposal is given up and the run ends done:
 * under heavy loss a finished member whose flags were all lost proposed
 * over those that had gone quiet, was answered done by each, and aborted
 * as a minority of one (flood seed 7165).
 */
static void
on_done(struct order *o, unsigned q, const struct msg_view *v)
{
	struct vchange *vc = &o->vc;
	unsigned i;

	o->m[q].finished = true;
	if (!vc->c_ballot || v->ballot != vc->c_ballot || vc->c_sent ||
	    !(vc->c_members >> q & 1))
		return;
	vc->c_done |= bit(q);
	vc->c_members &= ~bit(q);
	vc->c_answered &= ~bit(q);
	if (o->phase == ORDER_FINISHED) {
		for (i = 0; i < o->cfg.n; i++)
			if (order_in_view(o, i) && !o->m[i].finished)
				break;
		if (i == o->cfg.n) {
			vc->c_ballot = 0;	/* nothing left to agree on */
			return;
		}
	}
	check_answers(o);
}

/* With every proposed member's answer in: decide, or propose again. */
static void
check_answers(struct order *o)
{
	struct vchange *vc = &o->vc;

	if ((vc->c_answered | vc->c_conflict) != vc->c_members)
		return;
	if (vc->c_conflict || !(views_members(o, &vc->c_views) >>
	    o->cfg.self & 1))
		vc->c_ballot = 0;	/* again, without them */
	else
		decide(o);
}

/*
 * Whether this member may go quiet (done): not while it coordinates an
 * install that some member has not confirmed, nor while it answered a
 * proposal and waits for the install, which would add a view line that its
 * log would otherwise lack (V1), since done is final.  A proposer silent
 * for the peer timeout, or our own proposal given up, is not waited for:
 * everything is delivered, so dropping the freeze changes no delivery.
 */
bool
view_may_end(struct order *o, uint64_t now)
{
	unsigned c = o->vc.promise & 63;

	if (o->vc.c_ballot)
		return false;
	if (view_frozen(o) && c != o->cfg.self &&
	    now - o->m[c].last_heard <= o->cfg.peer_timeout_us)
		return false;
	enter_steady(o);
	return true;
}

/*
 * Proposals and installs not yet answered, again.  A member silent for the
 * peer timeout is not waited for (it is gone, and will hear our views if it
 * comes back).
 */
static void
retransmit(struct order *o, uint64_t now)
{
	struct vchange *vc = &o->vc;
	uint64_t pending = 0;
	unsigned q;

	if (!vc->c_ballot || now < vc->next_tx)
		return;
	vc->next_tx = now + o->cfg.hb_interval_us;
	for (q = 0; q < o->cfg.n; q++) {
		if (q == o->cfg.self || !(vc->c_members >> q & 1) ||
		    now - o->m[q].last_heard > o->cfg.peer_timeout_us)
			continue;
		if (!vc->c_sent && !(vc->c_answered >> q & 1))
			due_set(&o->m[q], DUE_PROPOSE);
		/* Installed once its datagrams carry the new view. */
		if (vc->c_sent && o->m[q].view_seen != vc->c_ballot &&
		    (views_members(o, my_views(o)) >> q & 1)) {
			due_set(&o->m[q], DUE_INSTALL);
			pending |= bit(q);
		}
	}
	if (vc->c_sent && !pending && !view_installing(o))
		vc->c_ballot = 0;	/* every member installed it */
}

bool
view_tick(struct order *o, uint64_t now)
{
	struct vchange *vc = &o->vc;
	uint64_t target, live, silence;
	unsigned q;

	if (o->cfg.on_failure != ORDER_CONTINUE)
		return false;
	retransmit(o, now);
	if (o->phase > ORDER_FINISHED)
		return false;
	/*
	 * Suspect the silent among the members of the view we stand by.  In
	 * the handshake, a member may just have been given START later: it
	 * has the peer timeout to show up, then the run goes on without it.
	 */
	target = views_members(o, my_views(o));
	silence = o->phase == ORDER_HANDSHAKE ? o->cfg.peer_timeout_us :
	    o->cfg.suspect_us;
	/*
	 * Once finished, only reports count: the members we wait for then
	 * are the ones whose finished flag is late, and the peer timeout lets
	 * them go without a view change at the end of the run.  A finished
	 * member still answers a running one, so its silence is a failure.
	 */
	for (q = 0; q < o->cfg.n; q++)
		if (q != o->cfg.self && (target >> q & 1) &&
		    o->phase != ORDER_FINISHED &&
		    now - o->m[q].last_heard > silence)
			vc->suspected |= bit(q);
	/* A member that never answers our proposal, for the peer timeout
	 * even once we finished, is gone: propose without it. */
	for (q = 0; q < o->cfg.n; q++)
		if (vc->c_ballot && !vc->c_sent && (vc->c_members >> q & 1) &&
		    !(vc->c_answered >> q & 1) &&
		    now - o->m[q].last_heard > o->cfg.peer_timeout_us)
			vc->suspected |= bit(q);
	live = target & ~vc->suspected & ~vc->c_conflict & ~vc->c_done;
	if (live == target)
		return false;
	if (!FLAW(o, MINORITY) &&
	    2 * popcount(live) <= popcount(target)) {
		stop(o, ORDER_ABORTED, "minority");
		return true;
	}
	/* The lowest id not suspected coordinates. */
	for (q = 0; q < o->cfg.n && !(live >> q & 1); q++)
		;
	if (q == o->cfg.self && (!vc->c_ballot ||
	    (vc->c_members | vc->c_done) != (live | vc->c_done)))
		propose(o, live, now);
	/* Others tell it whom they suspect: it may still hear them, or owe
	 * them nothing (it finished), and not know that we are stuck. */
	if (q != o->cfg.self && now >= vc->next_report) {
		vc->report_to = (int)q;
		vc->next_report = now + o->cfg.hb_interval_us;
	}
	return false;
}

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* When now - since > span first holds: the strict timeouts above. */
static uint64_t
past(uint64_t since, uint64_t span)
{
	return since + span + 1;
}

/*
 * Mirrors view_tick() and send_relay_reqs() without changing anything:
 * the earliest time one of them retransmits, suspects, aborts, proposes,
 * reports or asks for a relay.
 */
uint64_t
view_next_deadline(const struct order *o)
{
	const struct vchange *vc = &o->vc;
	uint64_t d = UINT64_MAX, target, live, silence;
	unsigned q;

	if (o->cfg.on_failure != ORDER_CONTINUE)
		return d;
	if (vc->c_ballot)
		d = vc->next_tx;
	if (view_installing(o) && !FLAW(o, NO_RELAY))
		for (q = 0; q < o->cfg.n; q++)
			if (q != o->cfg.self &&
			    o->m[q].rx.processed < vc->inst_cut[q])
				d = earliest(d, vc->next_relay_req);
	if (o->phase > ORDER_FINISHED)
		return d;
	target = views_members(o, my_views(o));
	silence = o->phase == ORDER_HANDSHAKE ? o->cfg.peer_timeout_us :
	    o->cfg.suspect_us;
	for (q = 0; q < o->cfg.n; q++) {
		if (q == o->cfg.self || (vc->suspected >> q & 1))
			continue;
		if ((target >> q & 1) && o->phase != ORDER_FINISHED)
			d = earliest(d, past(o->m[q].last_heard, silence));
		if (vc->c_ballot && !vc->c_sent && (vc->c_members >> q & 1) &&
		    !(vc->c_answered >> q & 1))
			d = earliest(d, past(o->m[q].last_heard,
			    o->cfg.peer_timeout_us));
	}
	live = target & ~vc->suspected & ~vc->c_conflict & ~vc->c_done;
	if (live == target)
		return d;
	if (!FLAW(o, MINORITY) && 2 * popcount(live) <= popcount(target))
		return 0;	/* the minority aborts */
	for (q = 0; q < o->cfg.n && !(live >> q & 1); q++)
		;
	if (q == o->cfg.self && (!vc->c_ballot ||
	    (vc->c_members | vc->c_done) != (live | vc->c_done)))
		return 0;	/* a proposal is due */
	if (q != o->cfg.self)
		d = earliest(d, vc->next_report);
	return d;
}

/*
 * A report of suspicions.  Only members that we have not heard for a while
 * either are taken: a member that we hear is alive, and one member's cut
 * link must not make two coordinators (the reporter's and ours) exclude
 * two different members.  A reporter that alone cannot hear a member waits
 * for the link, or for the stall timeout.
 */
void
view_on_suspect(struct order *o, unsigned q, uint64_t members, uint64_t now)
{
	unsigned i;

	if (o->cfg.on_failure != ORDER_CONTINUE)
		return;
	members &= view_members(o) & ~bit(o->cfg.self) & ~bit(q);
	for (i = 0; i < o->cfg.n; i++)
		if ((members >> i & 1) &&
		    now - o->m[i].last_heard > o->cfg.suspect_us / 2)
			o->vc.suspected |= bit(i);
}

/* ---------------------------------------------------------------------
 * Output.
 */

static void
send_views(struct order *o, unsigned q, enum msg_view_kind kind,
    uint64_t now, struct order_outbox *box)
{
	const struct views *vs = kind == MSG_VIEW_INSTALL ? &o->vc.inst :
	    my_views(o);
	struct msg_builder b;
	struct order_out *out;
	struct msg_view v;
	uint32_t level[MSG_MAX_PEERS];

	if (!(out = order_out_slot(o, box)))
		return;
	memset(&v, 0, sizeof(v));
	v.kind = (uint8_t)kind;
	v.ballot = kind == MSG_VIEW_NOTICE ? view_ballot(o) :
	    kind == MSG_VIEW_DONE ? o->m[q].done_ballot : o->vc.promise;
	order_frontier(o, &v.d_ts, &v.d_id);
	v.nviews = (uint8_t)vs->n;
	v.n = (uint8_t)o->cfg.n;
	if (kind == MSG_VIEW_INSTALL)
		memcpy(level, o->vc.inst_cut, sizeof(level));
	else
		own_level(o, level);
	order_begin_dgram(o, &b, out->buf, bit(q), now);
	(void)msg_put_view(&b, &v, vs->v, level);
	order_out_commit(o, box, &b, bit(q), now);
}

static void
send_propose(struct order *o, unsigned q, uint64_t now,
    struct order_outbox *box)
{
	struct msg_builder b;
	struct order_out *out;
	struct msg_propose p = { o->vc.c_ballot, o->vc.c_members };

	if (!(out = order_out_slot(o, box)))
		return;
	order_begin_dgram(o, &b, out->buf, bit(q), now);
	(void)msg_put_propose(&b, &p);
	order_out_commit(o, box, &b, bit(q), now);
}

static void
send_suspect(struct order *o, uint64_t now, struct order_outbox *box)
{
	uint64_t to = bit((unsigned)o->vc.report_to);
	struct msg_builder b;
	struct order_out *out;

	if (!(out = order_out_slot(o, box)))
		return;
	o->vc.report_to = -1;
	order_begin_dgram(o, &b, out->buf, to, now);
	(void)msg_put_suspect(&b, o->vc.suspected);
	order_out_commit(o, box, &b, to, now);
}

/*
 * Who stands in for a relay source that went silent (it died after the
 * install went out): in turn, each member of the new view that we hear and
 * whose datagrams carry the new view, so that it completed the install and
 * holds every stream up to its cut.  -1 if there is none yet.
 */
static int
relay_stand_in(struct order *o, uint64_t now)
{
	const struct views *vs = &o->vc.inst;
	uint64_t members = views_members(o, vs);
	uint32_t ballot = vs->v[vs->n - 1].ballot;
	unsigned i, q;

	for (i = 1; i <= o->cfg.n; i++) {
		q = (o->vc.relay_alt + i) % o->cfg.n;
		if (q != o->cfg.self && (members >> q & 1) &&
		    o->m[q].view_seen >= ballot &&
		    now - o->m[q].last_heard <= o->cfg.suspect_us) {
			o->vc.relay_alt = q;
			return (int)q;
		}
	}
	return -1;
}

/* Who to ask for stream q up to its cut; -1 if nobody (yet). */
static int
relay_source(struct order *o, unsigned q, bool timer, int *alt,
    uint64_t now)
{
	uint64_t members = views_members(o, &o->vc.inst);
	unsigned from = members >> q & 1 ? q : o->vc.inst_src[q];

	if (now - o->m[from].last_heard <= o->cfg.suspect_us)
		/* Alive: the owner sends its own stream, unasked. */
		return from == q || from == o->cfg.self ? -1 : (int)from;
	if (timer && *alt == -2)
		*alt = relay_stand_in(o, now);	/* one a round, in turn */
	return *alt;
}

/*
 * Asks for what is missing of the departed streams up to their cuts: each
 * heartbeat interval (a request or its answer may be lost), and as soon as
 * half of what the last request asked for has come, so that a long tail
 * streams in without waiting for the timer.
 */
static void
send_relay_reqs(struct order *o, uint64_t now, struct order_outbox *box)
{
	bool timer = now >= o->vc.next_relay_req;
	int from, alt = -2;
	unsigned q;

	if (!view_installing(o) || FLAW(o, NO_RELAY))
		return;
	if (timer)
		o->vc.next_relay_req = now + o->cfg.hb_interval_us;
	for (q = 0; q < o->cfg.n; q++) {
		struct msg_relay_req r;
		struct msg_builder b;
		struct order_out *out;

		if (q == o->cfg.self ||
		    o->m[q].rx.processed >= o->vc.inst_cut[q] ||
		    (!timer && o->m[q].rx.processed < o->vc.relay_mark[q]) ||
		    (from = relay_source(o, q, timer, &alt, now)) < 0)
			continue;
		if (!(out = order_out_slot(o, box)))
			return;
		r.stream = (uint16_t)q;
		r.from = o->m[q].rx.processed + 1;
		r.to = o->vc.inst_cut[q];
		o->vc.relay_mark[q] = o->m[q].rx.processed +
		    RELAY_BURST / 2 * order_flood_batch(o);
		order_begin_dgram(o, &b, out->buf, bit((unsigned)from), now);
		(void)msg_put_relay_req(&b, &r);
		order_out_commit(o, box, &b, bit((unsigned)from), now);
	}
}

/* Sends member q what it asked of departed stream s, as far as held. */
static void
send_relays(struct order *o, unsigned q, unsigned s, uint64_t now,
    struct order_outbox *box)
{
	struct member *mb = &o->m[q];
	const struct member *src = &o->m[s];
	uint32_t seq = mb->relay_from[s], to = mb->relay_to[s];
	unsigned burst;

	for (burst = 0; burst < RELAY_BURST && seq <= to &&
	    seq <= src->rx.processed; burst++) {
		struct msg_builder b;
		struct order_out *out;

		if (!(out = order_out_slot(o, box)))
			break;
		order_begin_dgram(o, &b, out->buf, bit(q), now);
		for (; seq <= to && seq <= src->rx.processed; seq++) {
			const struct slot *sl =
			    &src->rx.ring[seq % o->cfg.window];
			struct msg_data d;

			if (sl->seq != seq)
				continue;	/* no longer kept */
			/* With its algorithm's record, if any (C1). */
			if (msg_room(&b) < order_data_extra(o) +
			    MSG_REC_HDR_LEN + MSG_RELAY_FIXED_LEN +
			    o->cfg.payload_len)
				break;
			if (order_put_extra(o, &b, s, seq) < 0)
				continue;	/* its record no longer kept */
			msg_payload_fill(o->payload, o->cfg.payload_len,
			    o->cfg.run, s, seq);
			d.seq = seq;
			d.ts = sl->ts;
			d.send_us = sl->send_us;
			d.plen = o->cfg.payload_len;
			d.payload = o->payload;
			if (msg_put_relay(&b, (uint16_t)s, &d) < 0)
				break;
		}
		order_out_commit(o, box, &b, bit(q), now);
	}
}

void
view_send(struct order *o, uint64_t now, struct order_outbox *box)
{
	unsigned q, s;

	if (o->cfg.on_failure != ORDER_CONTINUE)
		return;
	send_relay_reqs(o, now, box);
	if (o->vc.report_to >= 0)
		send_suspect(o, now, box);
	for (q = 0; q < o->cfg.n; q++) {
		struct member *mb = &o->m[q];

		if (q == o->cfg.self)
			continue;
		if (due_has(mb, DUE_NOTICE)) {
			due_clear(mb, DUE_NOTICE);
			send_views(o, q, MSG_VIEW_NOTICE, now, box);
		}
		if (due_has(mb, DUE_REFUSE)) {
			due_clear(mb, DUE_REFUSE);
			send_views(o, q, MSG_VIEW_REFUSE, now, box);
		}
		if (due_has(mb, DUE_STATE)) {
			due_clear(mb, DUE_STATE);
			send_views(o, q, MSG_VIEW_STATE, now, box);
		}
		if (due_has(mb, DUE_DONE)) {
			due_clear(mb, DUE_DONE);
			send_views(o, q, MSG_VIEW_DONE, now, box);
		}
		if (due_has(mb, DUE_PROPOSE)) {
			due_clear(mb, DUE_PROPOSE);
			send_propose(o, q, now, box);
		}
		if (due_has(mb, DUE_INSTALL)) {
			due_clear(mb, DUE_INSTALL);
			send_views(o, q, MSG_VIEW_INSTALL, now, box);
		}
		for (s = 0; mb->relay_want; s++)
			if (mb->relay_want >> s & 1) {
				mb->relay_want &= ~bit(s);
				send_relays(o, q, s, now, box);
			}
	}
}
