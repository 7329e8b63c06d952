/* SPDX-License-Identifier: BSD-2-Clause */
/* Clock reads for the programs (the core never reads a clock itself). */
#ifndef MPCOMM_MPTIME_H
#define MPCOMM_MPTIME_H

#include <stdint.h>

/* Monotonic time in microseconds, for timers and latencies. */
uint64_t	mptime_now_us(void);
/* Wall-clock time in microseconds since the epoch, for run ids. */
uint64_t	mptime_real_us(void);
/* Sleeps for us microseconds (restarted after signals). */
void		mptime_sleep_us(uint64_t us);

#endif
