/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Binary heap for the total-order hold queue.  The order is lclock_before(),
 * the same function the delivery rule uses, so the head is always the next
 * message in the agreed total order.
 */
#include <errno.h>
#include <stdlib.h>

#include "mpcomm/lclock.h"
#include "mpcomm/pq.h"

struct pq {
	struct pq_item	*v;
	size_t		 len;
	size_t		 cap;
	size_t		 limit;
};

static int
less(const struct pq_item *a, const struct pq_item *b)
{
	return lclock_before(a->ts, a->sender, b->ts, b->sender);
}

struct pq *
pq_create(size_t limit)
{
	struct pq *q;

	if (limit == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (!(q = calloc(1, sizeof(*q))))
		return NULL;
	q->limit = limit;
	q->cap = limit < 1024 ? limit : 1024;
	if (!(q->v = malloc(q->cap * sizeof(*q->v)))) {
		free(q);
		return NULL;
	}
	return q;
}

void
pq_destroy(struct pq *q)
{
	if (!q)
		return;
	free(q->v);
	free(q);
}

int
pq_push(struct pq *q, const struct pq_item *it)
{
	size_t i, parent;

	if (q->len == q->limit) {
		errno = ENOBUFS;
		return -1;
	}
	if (q->len == q->cap) {
		size_t ncap = q->cap * 2 > q->limit ? q->limit : q->cap * 2;
		struct pq_item *nv = realloc(q->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		q->v = nv;
		q->cap = ncap;
	}
	i = q->len++;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!less(it, &q->v[parent]))
			break;
		q->v[i] = q->v[parent];
		i = parent;
	}
	q->v[i] = *it;
	return 0;
}

const struct pq_item *
pq_top(const struct pq *q)
{
	return q->len ? &q->v[0] : NULL;
}

void
pq_pop(struct pq *q)
{
	struct pq_item last;
	size_t i, child;

	last = q->v[--q->len];
	i = 0;
	for (;;) {
		child = 2 * i + 1;
		if (child >= q->len)
			break;
		if (child + 1 < q->len && less(&q->v[child + 1], &q->v[child]))
			child++;
		if (!less(&q->v[child], &last))
			break;
		q->v[i] = q->v[child];
		i = child;
	}
	if (q->len)
		q->v[i] = last;
}

size_t
pq_len(const struct pq *q)
{
	return q->len;
}

size_t
pq_limit(const struct pq *q)
{
	return q->limit;
}
