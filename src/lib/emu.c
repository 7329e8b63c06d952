/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Receive-side network emulation: a seeded loss/duplication draw and a
 * min-heap of delayed datagrams keyed by (due time, arrival order).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/emu.h"
#include "mpcomm/rng.h"

struct held {
	uint64_t	 due;
	uint64_t	 order;
	uint8_t		*data;
	size_t		 len;
	int		 from;
};

struct emu {
	struct emu_config cfg;
	struct rng	 rng;
	struct held	*h;
	size_t		 len;
	size_t		 cap;
	size_t		 limit;
	uint64_t	 order;
	struct emu_stats st;
};

int
emu_active(const struct emu_config *c)
{
	unsigned q;

	for (q = 0; q < EMU_SOURCES; q++)
		if (c->base_us[q] > 0)
			return 1;
	return c->delay_max_us > 0 || c->loss > 0 || c->dup > 0;
}

/* A datagram's one-way delay: its source's base (regions) with a jitter of
 * up to a tenth of it, so that a region pair's link is not a perfect
 * pipe, plus the uniform draw of --delay. */
static uint64_t
draw_delay(struct emu *e, int from)
{
	uint64_t d = 0, base;

	if (from >= 0 && from < EMU_SOURCES && (base = e->cfg.base_us[from]))
		d = base + rng_range(&e->rng, 0, base / 10);
	return d + rng_range(&e->rng, e->cfg.delay_min_us,
	    e->cfg.delay_max_us);
}

struct emu *
emu_create(const struct emu_config *c, size_t limit)
{
	struct emu *e;

	if (limit == 0 || c->delay_min_us > c->delay_max_us ||
	    !(c->loss >= 0 && c->loss <= 1) || !(c->dup >= 0 && c->dup <= 1)) {
		errno = EINVAL;
		return NULL;
	}
	if (!(e = calloc(1, sizeof(*e))))
		return NULL;
	e->cfg = *c;
	e->limit = limit;
	rng_seed(&e->rng, c->seed);
	return e;
}

void
emu_destroy(struct emu *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->len; i++)
		free(e->h[i].data);
	free(e->h);
	free(e);
}

static int
earlier(const struct held *a, const struct held *b)
{
	return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static int
enqueue(struct emu *e, uint64_t now, int from, const uint8_t *buf,
    size_t len)
{
	struct held it;
	size_t i, parent;

	if (e->len == e->limit) {
		e->st.overflow++;
		return 0;
	}
	if (e->len == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 64;
		struct held *nh = realloc(e->h, ncap * sizeof(*nh));

		if (!nh)
			return -1;
		e->h = nh;
		e->cap = ncap;
	}
	if (!(it.data = malloc(len ? len : 1)))
		return -1;
	memcpy(it.data, buf, len);
	it.len = len;
	it.from = from;
	it.due = now + draw_delay(e, from);
	it.order = e->order++;
	i = e->len++;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!earlier(&it, &e->h[parent]))
			break;
		e->h[i] = e->h[parent];
		i = parent;
	}
	e->h[i] = it;
	return 1;
}

int
emu_push(struct emu *e, uint64_t now, int from, const uint8_t *buf,
    size_t len)
{
	int copies = 0, rc;

	if (e->cfg.loss > 0 && rng_unit(&e->rng) < e->cfg.loss) {
		e->st.lost++;
		return 0;
	}
	if ((rc = enqueue(e, now, from, buf, len)) < 0)
		return -1;
	copies += rc;
	if (e->cfg.dup > 0 && rng_unit(&e->rng) < e->cfg.dup) {
		e->st.duplicated++;
		if ((rc = enqueue(e, now, from, buf, len)) < 0)
			return -1;
		copies += rc;
	}
	return copies;
}

uint64_t
emu_next_due(const struct emu *e)
{
	return e->len ? e->h[0].due : UINT64_MAX;
}

size_t
emu_pop(struct emu *e, uint64_t now, int *from, uint8_t *buf, size_t cap)
{
	struct held top, last;
	size_t i, child, len;

	if (e->len == 0 || e->h[0].due > now)
		return 0;
	top = e->h[0];
	last = e->h[--e->len];
	i = 0;
	for (;;) {
		child = 2 * i + 1;
		if (child >= e->len)
			break;
		if (child + 1 < e->len && earlier(&e->h[child + 1], &e->h[child]))
			child++;
		if (!earlier(&e->h[child], &last))
			break;
		e->h[i] = e->h[child];
		i = child;
	}
	if (e->len)
		e->h[i] = last;
	len = top.len < cap ? top.len : cap;
	memcpy(buf, top.data, len);
	*from = top.from;
	free(top.data);
	return len;
}

size_t
emu_len(const struct emu *e)
{
	return e->len;
}

const struct emu_stats *
emu_stats(const struct emu *e)
{
	return &e->st;
}
