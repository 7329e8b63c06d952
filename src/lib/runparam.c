/* SPDX-License-Identifier: BSD-2-Clause */
/* The table of the run's ranged parameters (runparam.h). */
#include "mpcomm/runparam.h"

const struct run_param run_param[RP_COUNT] = {
#define RUN_PARAM_ROW(name, k, lo, hi, d)				\
	[RP_##name] = { .key = k, .min = lo, .max = hi, .dflt = d },
	RUN_PARAMS(RUN_PARAM_ROW)
#undef RUN_PARAM_ROW
};
