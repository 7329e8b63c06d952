/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Control lines: parsing in place into verb and key=value fields, typed and
 * range-checked getters, and the check that no unknown key slipped through.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/ctl.h"

int
ctl_parse(const char *line, size_t len, struct ctl_msg *m)
{
	char *p, *tok, *eq, *save;
	size_t i, j;

	m->nfield = 0;
	m->verb = NULL;
	m->err[0] = '\0';
	if (len > CTL_LINE_MAX) {
		snprintf(m->err, sizeof(m->err), "line too long");
		return -1;
	}
	if (len && line[len - 1] == '\r')	/* be lenient with telnet */
		len--;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c > 0x7e) {
			snprintf(m->err, sizeof(m->err),
			    "byte 0x%02x at offset %zu is not printable ASCII",
			    c, i);
			return -1;
		}
	}
	memcpy(m->buf, line, len);
	m->buf[len] = '\0';
	p = m->buf;
	if (!(tok = strtok_r(p, " ", &save))) {
		snprintf(m->err, sizeof(m->err), "empty line");
		return -1;
	}
	m->verb = tok;
	if (strchr(tok, '=')) {
		snprintf(m->err, sizeof(m->err), "line starts with a field, "
		    "not a verb");
		return -1;
	}
	while ((tok = strtok_r(NULL, " ", &save))) {
		if (m->nfield == CTL_MAX_FIELDS) {
			snprintf(m->err, sizeof(m->err), "more than %d fields",
			    CTL_MAX_FIELDS);
			return -1;
		}
		if (!(eq = strchr(tok, '=')) || eq == tok) {
			snprintf(m->err, sizeof(m->err),
			    "field '%.40s' is not key=value", tok);
			return -1;
		}
		*eq = '\0';
		for (j = 0; j < m->nfield; j++)
			if (strcmp(m->f[j].key, tok) == 0) {
				snprintf(m->err, sizeof(m->err),
				    "key '%.40s' repeated", tok);
				return -1;
			}
		m->f[m->nfield].key = tok;
		m->f[m->nfield].val = eq + 1;
		m->f[m->nfield].used = 0;
		m->nfield++;
	}
	return 0;
}

const char *
ctl_get(struct ctl_msg *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->nfield; i++)
		if (strcmp(m->f[i].key, key) == 0) {
			m->f[i].used = 1;
			return m->f[i].val;
		}
	return NULL;
}

static const char *
get_required(struct ctl_msg *m, const char *key, int required, int *rc)
{
	const char *v = ctl_get(m, key);

	*rc = 0;
	if (!v && required) {
		snprintf(m->err, sizeof(m->err), "missing key '%s'", key);
		*rc = -1;
	}
	return v;
}

int
ctl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
ctl_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
ctl_parse_range(const char *s, uint64_t min, uint64_t max, uint64_t *lo,
    uint64_t *hi)
{
	char a[32];
	const char *colon = strchr(s, ':');
	size_t n;

	if (!colon) {
		if (ctl_parse_u64(s, min, max, lo) < 0)
			return -1;
		*hi = *lo;
		return 0;
	}
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if (ctl_parse_u64(a, min, max, lo) < 0 ||
	    ctl_parse_u64(colon + 1, min, max, hi) < 0 || *lo > *hi)
		return -1;
	return 0;
}

int
ctl_get_u64(struct ctl_msg *m, const char *key, uint64_t min, uint64_t max,
    int required, uint64_t *out)
{
	const char *v;
	int rc;

	if (!(v = get_required(m, key, required, &rc)))
		return rc;
	if (ctl_parse_u64(v, min, max, out) < 0) {
		snprintf(m->err, sizeof(m->err), "key '%s': '%.32s' is not "
		    "an integer in [%llu, %llu]", key, v,
		    (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	return 0;
}

int
ctl_get_double(struct ctl_msg *m, const char *key, double min, double max,
    int required, double *out)
{
	const char *v;
	int rc;

	if (!(v = get_required(m, key, required, &rc)))
		return rc;
	if (ctl_parse_double(v, min, max, out) < 0) {
		snprintf(m->err, sizeof(m->err), "key '%s': '%.32s' is not "
		    "a number in [%g, %g]", key, v, min, max);
		return -1;
	}
	return 0;
}

int
ctl_get_str(struct ctl_msg *m, const char *key, int required, char *out,
    size_t cap)
{
	const char *v;
	int rc;

	if (!(v = get_required(m, key, required, &rc)))
		return rc;
	if (strlen(v) >= cap || *v == '\0') {
		snprintf(m->err, sizeof(m->err), "key '%s': value empty or "
		    "longer than %zu bytes", key, cap - 1);
		return -1;
	}
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

int
ctl_check_unused(struct ctl_msg *m)
{
	size_t i;

	for (i = 0; i < m->nfield; i++)
		if (!m->f[i].used) {
			snprintf(m->err, sizeof(m->err), "unknown key '%.40s'",
			    m->f[i].key);
			return -1;
		}
	return 0;
}
