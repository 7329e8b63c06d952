/* SPDX-License-Identifier: BSD-2-Clause */
/* A tiny check macro for the unit tests: the exit status is the verdict. */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		check_failures++;					\
	}								\
} while (0)

#define CHECK_DONE(name) do {						\
	printf("%s: %s\n", name, check_failures ? "FAIL" : "ok");	\
	return check_failures ? 1 : 0;					\
} while (0)

#endif
