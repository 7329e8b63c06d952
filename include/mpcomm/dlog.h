/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Delivery logs: `<dir>/run<RUN>-peer<ID>.log`, a first line
 * `# run=<RUN> peer=<ID> order=<MODE> status=<ok|aborted|excluded>`, then one
 * line per delivered message in delivery order: `<sender> <seq> <lamport_ts>`,
 * and where a view was installed, at that point of the sequence,
 * `# view=<V> members=<id,id,...>` (ids ascending).
 * The writer streams the body to a part file with its own buffer (memory
 * does not grow with the number of messages) and writes the final file,
 * header first, when the status is known.  The parsers are the one reader of
 * log lines, for files and for LOG bodies received over TCP.
 */
#ifndef MPCOMM_DLOG_H
#define MPCOMM_DLOG_H

#include <stddef.h>
#include <stdint.h>

/* The longest log folder dlog_open() takes: check it once at startup. */
#define DLOG_DIR_MAX	1024

struct dlog_header {
	uint64_t	run;
	unsigned	peer;
	char		order[16];
	char		status[16];
};

struct dlog;

/*
 * Starts the log of (run, peer) in dir.  NULL with errno on failure
 * (ENAMETOOLONG: dir is longer than DLOG_DIR_MAX; EEXIST: that log, or its part file, is already there: an existing log is
 * never truncated or replaced).
 */
struct dlog	*dlog_open(const char *dir, uint64_t run, unsigned peer);
/* Appends one delivery.  Returns 0, or -1 with errno (the log is bad). */
int		 dlog_append(struct dlog *d, unsigned sender, uint32_t seq,
		    uint64_t ts);
/*
 * Appends a view line: view v installed with the members whose bits are set
 * in members (at least one).  Returns 0, or -1 with errno.
 */
int		 dlog_append_view(struct dlog *d, uint32_t v, uint64_t members);
/* Message lines appended (view lines are not counted). */
uint64_t	 dlog_count(const struct dlog *d);
/* View lines appended. */
uint64_t	 dlog_views(const struct dlog *d);
/*
 * Writes the final file with its header and removes the part file.
 * Returns 0 or -1 with errno (EEXIST: the final file appeared meanwhile; it
 * is left alone).  The path is then dlog_path().
 */
int		 dlog_finish(struct dlog *d, const char *order,
		    const char *status);
const char	*dlog_path(const struct dlog *d);
/*
 * Opens the final file for reading, if it is still the very file
 * dlog_finish() wrote: not through a symlink, and the same device and inode.
 * Returns a descriptor or -1 (ELOOP: a symlink; ESTALE: another file).
 */
int		 dlog_open_final(const struct dlog *d);
/* Frees d; an unfinished part file is left for inspection. */
void		 dlog_close(struct dlog *d);

/* Parses a header line (with its "# ").  Returns 0 or -1. */
int		 dlog_parse_header(const char *line, struct dlog_header *h);
/* Formats a header line, without newline; returns its length. */
int		 dlog_format_header(char *buf, size_t cap,
		    const struct dlog_header *h);
/* Parses `<sender> <seq> <ts>`, decimal, single spaces.  0 or -1. */
int		 dlog_parse_entry(const char *line, unsigned *sender,
		    uint32_t *seq, uint64_t *ts);
/*
 * Parses a view line `# view=<V> members=<a,b,...>`: V from 1, member ids
 * below 64, strictly ascending, at least one.  0 or -1.
 */
int		 dlog_parse_view(const char *line, uint32_t *v,
		    uint64_t *members);
/* True when line is meant as a view line (starts with "# view="). */
int		 dlog_is_view(const char *line);
/* Formats a view line, without newline, into buf; returns its length. */
int		 dlog_format_view(char *buf, size_t cap, uint32_t v,
		    uint64_t members);

#endif
