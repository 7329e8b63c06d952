/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control-line tokeniser: `VERB key=value key=value ...`, ASCII, at
 * most CTL_LINE_MAX bytes.  ctl_parse() splits every control line; typed
 * getters range-check values and mark keys as used, and ctl_check_unused()
 * names the first key nobody asked for: unknown keys are errors.  What
 * each message carries is ctlmsg.h's, which is built on these.
 */
#ifndef MPCOMM_CTL_H
#define MPCOMM_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "mpcomm/defaults.h"

#define CTL_LINE_MAX	MPCOMM_LINE_MAX
#define CTL_MAX_FIELDS	32

struct ctl_field {
	const char	*key;
	const char	*val;
	int		 used;
};

struct ctl_msg {
	char		 buf[CTL_LINE_MAX + 1];
	const char	*verb;
	size_t		 nfield;
	struct ctl_field f[CTL_MAX_FIELDS];
	char		 err[160];	/* why the last call failed */
};

/*
 * Parses one line (without its newline).  Returns 0, or -1 with m->err set:
 * too long, a byte that is not printable ASCII, no verb, a field that is not
 * key=value, an empty or repeated key, too many fields.
 */
int		 ctl_parse(const char *line, size_t len, struct ctl_msg *m);
/* The value of key (marking it used), or NULL when absent. */
const char	*ctl_get(struct ctl_msg *m, const char *key);
/*
 * Reads key as a decimal integer in [min, max].  Returns 0 (absent and not
 * required: *out unchanged), or -1 with m->err set.
 */
int		 ctl_get_u64(struct ctl_msg *m, const char *key, uint64_t min,
		    uint64_t max, int required, uint64_t *out);
int		 ctl_get_double(struct ctl_msg *m, const char *key, double min,
		    double max, int required, double *out);
/* A string value of at most cap-1 bytes; same contract. */
int		 ctl_get_str(struct ctl_msg *m, const char *key, int required,
		    char *out, size_t cap);
/* Returns -1 with m->err set when a field was not asked for, else 0. */
int		 ctl_check_unused(struct ctl_msg *m);

/* Strict decimal parsers for the programs' command lines. */
int		 ctl_parse_u64(const char *s, uint64_t min, uint64_t max,
		    uint64_t *out);
int		 ctl_parse_double(const char *s, double min, double max,
		    double *out);
/* "MIN:MAX" with MIN <= MAX, both in [min, max]. */
int		 ctl_parse_range(const char *s, uint64_t min, uint64_t max,
		    uint64_t *lo, uint64_t *hi);

#endif
