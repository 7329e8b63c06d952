/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Regions of the world on one machine: a table of one-way delays between
 * named regions (a built-in one, or read from a file of lines `A B MS`),
 * and the placement of a run's peers in them.  The comparison server turns
 * a placement into each pair's delay, which START carries to the peers'
 * emulation (emu.h).  No I/O beyond reading the file; not thread-safe.
 */
#ifndef MPCOMM_REGION_H
#define MPCOMM_REGION_H

#include <stddef.h>
#include <stdint.h>

#define REGION_MAX	32
#define REGION_NAME_MAX	32
#define REGION_UNKNOWN	UINT32_MAX	/* no delay given for a pair */
#define REGION_DELAY_MAX_US	60000000u	/* as --delay: 60 s */

struct region_table {
	unsigned	 n;
	char		 name[REGION_MAX][REGION_NAME_MAX];
	uint32_t	 oneway_us[REGION_MAX][REGION_MAX];
};

/* The built-in world table (README "Regions"): approximate one-way delays
 * between 7 AWS regions. */
void		 region_builtin(struct region_table *t);
/*
 * Reads a table: one pair a line, `A B MS` (MS may have a fraction, the
 * delay is symmetric), `#` comments, blank lines.  A region with itself is
 * 0 unless given.  A regular file only: a FIFO or a device is refused, not
 * waited on.  Returns 0, or -1 with why in err.
 */
int		 region_load(const char *path, struct region_table *t,
		    char *err, size_t cap);
/* Parses one line of a table into t; 0, or -1 with why in err. */
int		 region_parse_line(struct region_table *t, const char *line,
		    char *err, size_t cap);
/* The index of a region by name, or -1. */
int		 region_find(const struct region_table *t, const char *name);
/*
 * Places n peers: list is comma-separated region names (shorter than n:
 * repeated round robin), NULL for round robin over the table in its order.
 * Every pair of regions used must have a delay.  0, or -1 with why.
 */
int		 region_place(const struct region_table *t, const char *list,
		    unsigned n, int *place, char *err, size_t cap);
/* The one-way delay from region a to region b, µs. */
uint32_t	 region_delay_us(const struct region_table *t, int a, int b);

#endif
