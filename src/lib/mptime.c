/* SPDX-License-Identifier: BSD-2-Clause */
/* Clock reads and sleeps, in microseconds. */
#include <errno.h>
#include <time.h>

#include "mpcomm/mptime.h"

uint64_t
mptime_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
mptime_real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
mptime_sleep_us(uint64_t us)
{
	struct timespec ts, rem;

	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
}
