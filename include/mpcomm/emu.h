/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Network emulation on receive, so that the ordering problem shows on one
 * machine: every datagram offered is lost with probability `loss`, else
 * queued with its own one-way delay drawn from [delay_min, delay_max] (so
 * datagrams overtake each other), and duplicated with probability `dup`.
 * Regions (region.h) add a per-source delay: a datagram from member q waits
 * base_us[q], plus a jitter drawn up to a tenth of it, plus the draw above.
 * Seeded: the same seed and the same offers give the same output.
 * Not thread-safe; no clock reads (the caller passes now).
 */
#ifndef MPCOMM_EMU_H
#define MPCOMM_EMU_H

#include <stddef.h>
#include <stdint.h>

#define EMU_SOURCES	64	/* member ids, as MSG_MAX_PEERS */

struct emu_config {
	uint64_t	delay_min_us;
	uint64_t	delay_max_us;
	double		loss;		/* 0 <= loss <= 1 */
	double		dup;		/* 0 <= dup <= 1 */
	uint64_t	seed;
	uint32_t	base_us[EMU_SOURCES];	/* per source: 0 without regions */
};

struct emu_stats {
	uint64_t	lost;
	uint64_t	duplicated;
	uint64_t	overflow;	/* dropped: queue at its limit */
};

struct emu;

/* True when the configuration changes anything at all. */
int		 emu_active(const struct emu_config *c);
/* At most limit datagrams are held.  NULL with errno on failure. */
struct emu	*emu_create(const struct emu_config *c, size_t limit);
void		 emu_destroy(struct emu *e);
/* Offers one datagram; returns the copies queued (0, 1 or 2), -1 on ENOMEM. */
int		 emu_push(struct emu *e, uint64_t now, int from,
		    const uint8_t *buf, size_t len);
/* When the next datagram is due, or UINT64_MAX when none is queued. */
uint64_t	 emu_next_due(const struct emu *e);
/*
 * Takes the next datagram due at or before now: copies at most cap bytes to
 * buf, sets *from and returns its length; 0 when nothing is due.
 */
size_t		 emu_pop(struct emu *e, uint64_t now, int *from, uint8_t *buf,
		    size_t cap);
size_t		 emu_len(const struct emu *e);
const struct emu_stats *emu_stats(const struct emu *e);

#endif
