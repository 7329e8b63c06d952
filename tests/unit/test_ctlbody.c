/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The body rule (ctlbody.c): what a sender closes a body with, a receiver
 * takes as its END, keyed and not; anything else is a forged END or a line.
 */
#include <stdio.h>
#include <string.h>

#include "mpcomm/ctlbody.h"
#include "check.h"

static const char body[] = "0 1 1\n0 2 2\n";

/* The END a sender of body under nonce closes it with, without newline. */
static void
sender_end(const struct auth_key *k, const char *nonce, const char *data,
    char *end, size_t cap)
{
	struct ctlbody b;
	size_t n;

	ctlbody_begin(&b, k, nonce);
	ctlbody_add(&b, data, strlen(data));
	n = ctlbody_end(&b, end, cap);
	CHECK(n > 0 && end[n - 1] == '\n' && !b.open);
	end[n - 1] = '\0';
}

/* What a receiver of body under nonce makes of the line end after it. */
static enum ctlbody_line
receiver_takes(const struct auth_key *k, const char *nonce, const char *end)
{
	struct ctlbody b;
	char line[200];
	const char *p, *nl;
	size_t len;
	enum ctlbody_line got;

	ctlbody_begin(&b, k, nonce);
	for (p = body; (nl = strchr(p, '\n')); p = nl + 1) {
		len = (size_t)(nl - p);
		memcpy(line, p, len);
		line[len] = '\0';
		CHECK(ctlbody_take(&b, line, &len) == CTLBODY_LINE && b.open);
	}
	snprintf(line, sizeof(line), "%s", end);
	len = strlen(line);
	got = ctlbody_take(&b, line, &len);
	if (got == CTLBODY_END)
		CHECK(len == 3 && strcmp(line, "END") == 0);
	CHECK(got == CTLBODY_LINE || !b.open);
	return got;
}

static void
keyed_round_trip(const struct auth_key *k)
{
	char end[CTLBODY_END_MAX];

	sender_end(k, "n1", body, end, sizeof(end));
	CHECK(strncmp(end, "END mac=", 8) == 0);
	CHECK(receiver_takes(k, "n1", end) == CTLBODY_END);
}

static void
keyed_forgeries(const struct auth_key *k)
{
	char end[CTLBODY_END_MAX], longer[CTLBODY_END_MAX + 8];

	sender_end(k, "n1", body, end, sizeof(end));
	CHECK(receiver_takes(k, "n2", end) == CTLBODY_FORGED);	/* nonce */
	CHECK(receiver_takes(k, "n1", "END") == CTLBODY_FORGED);
	CHECK(receiver_takes(k, "n1", "END mac=") == CTLBODY_FORGED);
	snprintf(longer, sizeof(longer), "%s x=1", end);
	CHECK(receiver_takes(k, "n1", longer) == CTLBODY_FORGED);
	sender_end(k, "n1", "0 1 1\n", end, sizeof(end));	/* other body */
	CHECK(receiver_takes(k, "n1", end) == CTLBODY_FORGED);
	/* "ENDx" is no END: a body line, hashed. */
	CHECK(receiver_takes(k, "n1", "ENDx") == CTLBODY_LINE);
}

static void
unkeyed(void)
{
	char end[CTLBODY_END_MAX];

	sender_end(NULL, NULL, body, end, sizeof(end));
	CHECK(strcmp(end, "END") == 0);
	CHECK(receiver_takes(NULL, NULL, "END") == CTLBODY_END);
	/* Without a key only a bare END ends a body. */
	CHECK(receiver_takes(NULL, NULL, "END mac=00") == CTLBODY_LINE);
}

static void
empty_body(const struct auth_key *k)
{
	struct ctlbody b;
	char end[CTLBODY_END_MAX], line[CTLBODY_END_MAX];
	size_t len;

	ctlbody_begin(&b, k, "n1");
	len = ctlbody_end(&b, end, sizeof(end));
	memcpy(line, end, len - 1);
	line[--len] = '\0';
	ctlbody_begin(&b, k, "n1");
	CHECK(ctlbody_take(&b, line, &len) == CTLBODY_END);
}

int
main(void)
{
	struct auth_key k = { .len = 16 };

	memset(k.k, 7, k.len);
	keyed_round_trip(&k);
	keyed_forgeries(&k);
	unkeyed();
	empty_body(&k);
	CHECK_DONE("test_ctlbody");
}
