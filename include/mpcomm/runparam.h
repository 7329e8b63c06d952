/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The run's ranged parameters, each declared once: the key START carries
 * it under, its range and its default.  START's parser (ctlmsg.c), the
 * comparison server's flags, the peer's --window and the core's
 * order_config_check() all take their bounds from this table, so that a
 * range is changed in one line (the manual pages quote the same values).
 * The run's other fields (run, id, n, messages, order=, on_failure=,
 * suspect=, server=, secret=) have rules of their own and are checked
 * where they are parsed.
 *
 *	X(NAME, key, min, max, default)
 */
#ifndef MPCOMM_RUNPARAM_H
#define MPCOMM_RUNPARAM_H

#include <stdint.h>

#include "mpcomm/defaults.h"
#include "mpcomm/trace.h"

#define RUN_PARAMS(X)							\
	X(IMIN,	  "imin",   0, 3600000,	  0)	/* ms between sends */	\
	X(IMAX,	  "imax",   0, 3600000,	  0)				\
	X(DMIN,	  "dmin",   0, 60000,	  0)	/* emulated delay, ms */ \
	X(DMAX,	  "dmax",   0, 60000,	  0)				\
	X(LOSS,	  "loss",   0, 0.95,	  0)	/* emulated loss */	\
	X(DUP,	  "dup",    0, 1,	  0)	/* emulated duplication */ \
	X(WINDOW, "window", 1, 1 << 20,	  MPCOMM_WINDOW)		\
	X(TRACE,  "trace",  0, TRACE_MAX, 0)	/* messages per sender */

enum run_param_id {
#define RUN_PARAM_ENUM(name, key, min, max, dflt)	RP_##name,
	RUN_PARAMS(RUN_PARAM_ENUM)
#undef RUN_PARAM_ENUM
	RP_COUNT
};

struct run_param {
	const char	*key;		/* in START */
	double		 min, max;	/* inclusive */
	double		 dflt;
};

extern const struct run_param run_param[RP_COUNT];

/* An integer parameter's bounds. */
static inline uint64_t
run_param_min(enum run_param_id p)
{
	return (uint64_t)run_param[p].min;
}

static inline uint64_t
run_param_max(enum run_param_id p)
{
	return (uint64_t)run_param[p].max;
}

#endif
