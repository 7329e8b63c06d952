/* SPDX-License-Identifier: BSD-2-Clause */
/* Region tables: the built-in world is complete and symmetric, lines of a
 * file are parsed or refused, and placements are round robin and refuse a
 * pair without a delay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/region.h"
#include "check.h"

static void
test_world(void)
{
	struct region_table t;
	int place[8], a, b;
	char err[128];

	region_builtin(&t);
	CHECK(t.n >= 6 && t.n <= 8);
	for (a = 0; a < (int)t.n; a++)
		for (b = 0; b < (int)t.n; b++) {
			CHECK(region_delay_us(&t, a, b) ==
			    region_delay_us(&t, b, a));
			CHECK(a == b ? region_delay_us(&t, a, b) == 0 :
			    region_delay_us(&t, a, b) >= 5000 &&
			    region_delay_us(&t, a, b) <= 200000);
		}
	/* The example pair. */
	CHECK(region_delay_us(&t, region_find(&t, "us-east-1"),
	    region_find(&t, "eu-central-1")) == 46000);
	CHECK(region_place(&t, NULL, 8, place, err, sizeof(err)) == 0);
	CHECK(place[0] == 0 && place[6] == 6 && place[7] == 0);
	CHECK(region_place(&t, "eu-west-1,sa-east-1", 3, place, err,
	    sizeof(err)) == 0);
	CHECK(place[0] == region_find(&t, "eu-west-1") && place[2] == place[0]);
	CHECK(region_place(&t, "mars-1", 2, place, err, sizeof(err)) < 0);
	CHECK(region_place(&t, "eu-west-1,,x", 2, place, err, sizeof(err)) <
	    0);
}

static void
test_lines(void)
{
	struct region_table t;
	int place[4];
	char err[128];

	memset(&t, 0, sizeof(t));
	region_builtin(&t);	/* a table to add to */
	CHECK(region_parse_line(&t, "# comment\n", err, sizeof(err)) == 0);
	CHECK(region_parse_line(&t, "\n", err, sizeof(err)) == 0);
	CHECK(region_parse_line(&t, "x y 12.5\n", err, sizeof(err)) == 0);
	CHECK(region_delay_us(&t, region_find(&t, "y"),
	    region_find(&t, "x")) == 12500);
	CHECK(region_parse_line(&t, "x y\n", err, sizeof(err)) < 0);
	CHECK(region_parse_line(&t, "x y -1\n", err, sizeof(err)) < 0);
	CHECK(region_parse_line(&t, "x y 1e9\n", err, sizeof(err)) < 0);
	CHECK(region_parse_line(&t, "x y 3 4\n", err, sizeof(err)) < 0);
	CHECK(region_parse_line(&t, "x y 3ms\n", err, sizeof(err)) < 0);
	CHECK(region_parse_line(&t, "x y/z 3\n", err, sizeof(err)) < 0);
	/* x and us-east-1 have no delay between them. */
	CHECK(region_place(&t, "x,us-east-1", 2, place, err, sizeof(err)) < 0);
	CHECK(strstr(err, "no delay") != NULL);
	CHECK(region_place(&t, "x,y", 4, place, err, sizeof(err)) == 0);
}

static void
test_file(void)
{
	struct region_table t;
	char path[] = "/tmp/test_region.XXXXXX", err[200];
	FILE *f;
	int fd;

	CHECK((fd = mkstemp(path)) >= 0);
	CHECK((f = fdopen(fd, "w")) != NULL);
	fprintf(f, "# two regions\na b 50\n\nb c 10\na c 55\n");
	fclose(f);
	CHECK(region_load(path, &t, err, sizeof(err)) == 0 && t.n == 3);
	CHECK(region_delay_us(&t, 0, 1) == 50000);
	f = fopen(path, "w");
	fprintf(f, "a b 50\nbad line\n");
	fclose(f);
	CHECK(region_load(path, &t, err, sizeof(err)) < 0);
	CHECK(strstr(err, ":2:") != NULL);
	remove(path);
	CHECK(region_load(path, &t, err, sizeof(err)) < 0);
}

int
main(void)
{
	test_world();
	test_lines();
	test_file();
	CHECK_DONE("test_region");
}
