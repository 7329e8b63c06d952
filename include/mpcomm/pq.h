/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A binary min-heap of messages ordered by (Lamport timestamp, sender id),
 * the hold queue of totally ordered multicast.  It grows by doubling up to a
 * limit fixed at creation and never allocates per message.  Not thread-safe.
 */
#ifndef MPCOMM_PQ_H
#define MPCOMM_PQ_H

#include <stddef.h>
#include <stdint.h>

struct pq_item {
	uint64_t	ts;
	uint64_t	send_us;
	uint32_t	seq;
	uint16_t	sender;
};

struct pq;

/* A queue that holds at most limit items.  NULL with errno on failure. */
struct pq	*pq_create(size_t limit);
void		 pq_destroy(struct pq *q);
/* Returns 0, or -1 with errno ENOBUFS at the limit (or ENOMEM). */
int		 pq_push(struct pq *q, const struct pq_item *it);
/* The smallest item, or NULL when empty. */
const struct pq_item *pq_top(const struct pq *q);
/* Removes the smallest item; the queue must not be empty. */
void		 pq_pop(struct pq *q);
size_t		 pq_len(const struct pq *q);
size_t		 pq_limit(const struct pq *q);

#endif
