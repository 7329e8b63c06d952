/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Region tables and placement.  The built-in figures approximate the
 * median round trips between AWS regions published by CloudPing
 * (README "Regions"), halved and rounded to the millisecond: close enough
 * for a geography's shape, not a measurement.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpcomm/region.h"

static const char *const world[] = {
	"us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
	"ap-northeast-1", "ap-southeast-1", "sa-east-1"
};

/* One-way ms, the upper triangle of world[] x world[]. */
static const struct { int a, b; unsigned ms; } world_ms[] = {
	{ 0, 1, 34 }, { 0, 2, 34 }, { 0, 3, 46 }, { 0, 4, 73 }, { 0, 5, 108 },
	{ 0, 6, 58 },
	{ 1, 2, 60 }, { 1, 3, 70 }, { 1, 4, 49 }, { 1, 5, 83 }, { 1, 6, 88 },
	{ 2, 3, 13 }, { 2, 4, 100 }, { 2, 5, 85 }, { 2, 6, 89 },
	{ 3, 4, 113 }, { 3, 5, 80 }, { 3, 6, 100 },
	{ 4, 5, 35 }, { 4, 6, 128 },
	{ 5, 6, 163 }
};

static void
table_init(struct region_table *t)
{
	unsigned a, b;

	t->n = 0;
	for (a = 0; a < REGION_MAX; a++)
		for (b = 0; b < REGION_MAX; b++)
			t->oneway_us[a][b] = a == b ? 0 : REGION_UNKNOWN;
}

void
region_builtin(struct region_table *t)
{
	size_t i;

	table_init(t);
	for (i = 0; i < sizeof(world) / sizeof(world[0]); i++)
		snprintf(t->name[t->n++], REGION_NAME_MAX, "%s", world[i]);
	for (i = 0; i < sizeof(world_ms) / sizeof(world_ms[0]); i++) {
		t->oneway_us[world_ms[i].a][world_ms[i].b] =
		    world_ms[i].ms * 1000;
		t->oneway_us[world_ms[i].b][world_ms[i].a] =
		    world_ms[i].ms * 1000;
	}
}

int
region_find(const struct region_table *t, const char *name)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->name[i], name) == 0)
			return (int)i;
	return -1;
}

/* A region name: letters, digits, '-', '_', '.'; -1 if not one. */
static int
intern(struct region_table *t, const char *name, char *err, size_t cap)
{
	const char *p;
	int i;

	if (!*name || strlen(name) >= REGION_NAME_MAX) {
		snprintf(err, cap, "region name empty or longer than %d",
		    REGION_NAME_MAX - 1);
		return -1;
	}
	for (p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("-_.", *p)) {
			snprintf(err, cap, "bad character in region name %.40s",
			    name);
			return -1;
		}
	if ((i = region_find(t, name)) >= 0)
		return i;
	if (t->n == REGION_MAX) {
		snprintf(err, cap, "more than %d regions", REGION_MAX);
		return -1;
	}
	snprintf(t->name[t->n], REGION_NAME_MAX, "%s", name);
	return (int)t->n++;
}

int
region_parse_line(struct region_table *t, const char *line, char *err,
    size_t cap)
{
	char a[64], b[64], ms[64], extra[2];
	double v;
	char *end;
	int ia, ib, k;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#' || *line == '\0' || *line == '\n')
		return 0;
	k = sscanf(line, "%63s %63s %63s %1s", a, b, ms, extra);
	if (k != 3) {
		snprintf(err, cap, "expected `REGION REGION MS`");
		return -1;
	}
	errno = 0;
	v = strtod(ms, &end);
	if (errno || *end || !(v >= 0 && v * 1000 <= REGION_DELAY_MAX_US)) {
		snprintf(err, cap, "delay %.40s is not ms in [0, 60000]", ms);
		return -1;
	}
	if ((ia = intern(t, a, err, cap)) < 0 ||
	    (ib = intern(t, b, err, cap)) < 0)
		return -1;
	t->oneway_us[ia][ib] = t->oneway_us[ib][ia] = (uint32_t)(v * 1000 +
	    0.5);
	return 0;
}

int
region_load(const char *path, struct region_table *t, char *err, size_t cap)
{
	char line[256], why[128];
	unsigned lineno = 0;
	struct stat st;
	FILE *f;
	int fd;

	table_init(t);
	/* Non-blocking, and a regular file only: a FIFO (or a device)
	 * planted at path must not hang us, as for the key file (auth.c). */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, cap, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (!(f = fdopen(fd, "r"))) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, cap, "%s:%u: line too long", path, lineno);
			fclose(f);
			return -1;
		}
		if (region_parse_line(t, line, why, sizeof(why)) < 0) {
			snprintf(err, cap, "%s:%u: %s", path, lineno, why);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (t->n == 0) {
		snprintf(err, cap, "%s: no regions", path);
		return -1;
	}
	return 0;
}

/* Names from a comma-separated list into place[0..count-1]. */
static int
place_list(const struct region_table *t, const char *list, int *place,
    unsigned *count, char *err, size_t cap)
{
	char name[REGION_NAME_MAX];
	const char *p = list, *e;
	size_t len;

	*count = 0;
	for (;;) {
		e = strchr(p, ',');
		len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || len >= sizeof(name)) {
			snprintf(err, cap, "--place: empty or long name in "
			    "%.60s", list);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (*count == 64 || (place[*count] = region_find(t, name)) < 0) {
			snprintf(err, cap, *count == 64 ? "--place: more than "
			    "64 names" : "--place: no region %.40s in the "
			    "table", name);
			return -1;
		}
		(*count)++;
		if (!e)
			return 0;
		p = e + 1;
	}
}

int
region_place(const struct region_table *t, const char *list, unsigned n,
    int *place, char *err, size_t cap)
{
	int given[64];
	unsigned count, i, j;

	if (list) {
		if (place_list(t, list, given, &count, err, cap) < 0)
			return -1;
	} else {
		for (count = 0; count < t->n && count < 64; count++)
			given[count] = (int)count;
	}
	for (i = 0; i < n; i++)
		place[i] = given[i % count];
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (t->oneway_us[place[i]][place[j]] == REGION_UNKNOWN) {
				snprintf(err, cap, "no delay between regions "
				    "%s and %s", t->name[place[i]],
				    t->name[place[j]]);
				return -1;
			}
	return 0;
}

uint32_t
region_delay_us(const struct region_table *t, int a, int b)
{
	return t->oneway_us[a][b];
}
