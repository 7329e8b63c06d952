/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The replay page (--html): the page's template (replay.html, .css, .js,
 * embedded at build time by embed.sh) with the run inside as JSON: the
 * parameters, the report as printed, every peer's delivery log and its
 * trace lines as they came.  Everything a peer sent is hostile: every
 * string is escaped so that no byte of it can end the script element or
 * be read as markup (`<`, `>` and `&` as \u escapes, every byte outside
 * printable ASCII too).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs.h"
#include "html.h"
#include "page.h"

/* A JSON string of len bytes that can stand anywhere in an HTML page. */
static void
json_bytes(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f || c == '<' || c == '>' ||
		    c == '&' || c == '\'')
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
json_s(FILE *f, const char *s)
{
	json_bytes(f, s, strlen(s));
}

/* The report as report_print writes it, or "" when memory is short. */
static void
json_report(FILE *f, const struct report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m) {
		report_print(m, r);
		if (fclose(m) != 0)
			len = 0;
	}
	json_bytes(f, buf ? buf : "", buf ? len : 0);
	free(buf);
}

/* One peer: where it was, how it ended, its log, its trace lines. */
static void
json_peer(FILE *f, const struct report *r, unsigned i)
{
	const struct peer_log *l = &r->log[i];
	char line[TRACE_LINE_MAX];
	size_t k;

	fprintf(f, "{\"id\":%u,\"host\":", i);
	json_s(f, r->member[i].host);
	fprintf(f, ",\"udp\":%u,\"status\":", r->member[i].udp);
	json_s(f, l->received ? run_status_name(l->status) : "no-log");
	fprintf(f, ",\"reason\":");
	json_s(f, l->reason);
	fprintf(f, ",\"departed\":%s,\"cut\":%s,\"log\":[",
	    r->v.r[i].departed ? "true" : "false",
	    l->trace_cut ? "true" : "false");
	for (k = 0; k < l->n; k++)
		fprintf(f, "%s%" PRIu64 ",%" PRIu64, k ? "," : "",
		    l->keys[k] >> 32, l->keys[k] & 0xffffffffu);
	fprintf(f, "],\"views\":[");
	for (k = 0; k < l->nviews; k++)
		fprintf(f, "%s[%" PRIu64 ",%" PRIu32 ",\"%" PRIx64 "\"]",
		    k ? "," : "", l->views[k].at, l->views[k].view,
		    l->views[k].members);
	fprintf(f, "],\"trace\":[");
	for (k = 0; k < l->ntrace; k++) {
		int len = trace_format(&l->trace[k], line, sizeof(line));

		if (len < 0 || (size_t)len >= sizeof(line))
			len = 0;
		if (k)
			fputc(',', f);
		json_bytes(f, line, (size_t)len);
	}
	fprintf(f, "]}");
}

static void
json_run(FILE *f, const struct report *r)
{
	char words[2048];
	unsigned i;
	size_t k;

	fprintf(f, "{\"run\":%" PRIu64 ",\"status\":", r->run);
	json_s(f, run_status_name(r->v.status));
	fprintf(f, ",\"problem\":");
	json_s(f, r->v.problem);
	fprintf(f, ",\"note\":");
	json_s(f, r->v.note);
	st_explain(r, words, sizeof(words));
	fprintf(f, ",\"explained\":");
	json_s(f, words);
	fprintf(f, ",\"order\":\"%s\",\"n\":%u,\"m\":%" PRIu32 ",\"trace\":%"
	    PRIu32 ",\"interval_ms\":[%" PRIu64 ",%" PRIu64 "],\"delay_ms\":[%"
	    PRIu64 ",%" PRIu64 "],\"loss\":%g,\"dup\":%g,\"seed\":%" PRIu64
	    ",\"mismatched\":%" PRIu64 ",\"positions\":[",
	    order_mode_name(r->p.mode), r->p.n, r->p.m, r->p.trace,
	    r->p.imin_ms, r->p.imax_ms, r->p.dmin_ms, r->p.dmax_ms, r->p.loss,
	    r->p.dup, r->p.seed, r->v.mismatched);
	for (k = 0; k < r->v.npositions; k++)
		fprintf(f, "%s%" PRIu64, k ? "," : "", r->v.positions[k]);
	fprintf(f, "],\"report\":");
	json_report(f, r);
	fprintf(f, ",\"peers\":[");
	for (i = 0; i < r->p.n; i++) {
		if (i)
			fputs(",\n", f);
		json_peer(f, r, i);
	}
	fprintf(f, "]}");
}

/* Writes the template from *at up to the next marker (or its end). */
static const char *
upto(FILE *f, const char *at, const char *marker)
{
	const char *m = strstr(at, marker);
	size_t len = m ? (size_t)(m - at) : strlen(at);

	fwrite(at, 1, len, f);
	return m ? m + strlen(marker) : at + len;
}

int
html_write(const char *path, const struct report *r)
{
	FILE *f = fopen(path, "w");
	const char *at = page_html;

	if (!f)
		return -1;
	at = upto(f, at, PAGE_CSS_MARK);
	fputs(page_css, f);
	at = upto(f, at, PAGE_DATA_MARK);
	json_run(f, r);
	at = upto(f, at, PAGE_JS_MARK);
	fputs(page_js, f);
	fputs(at, f);
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}
