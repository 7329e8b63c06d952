/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reports: a table for people, the RESULT line for scripts (its format is an
 * interface: see README), JSON for programs, a CSV row per run, and an SVG
 * picture of the delivery sequences.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cs.h"

/*
 * The one style of durations in every table: "840us", "13.1ms", "2.5s"
 * (microseconds below 10 ms, milliseconds below 10 s).
 */
const char *
report_fmt_us(char *buf, size_t cap, uint64_t us)
{
	if (us < 10000)
		snprintf(buf, cap, "%" PRIu64 "us", us);
	else if (us < 10000000)
		snprintf(buf, cap, "%.1fms", (double)us / 1000);
	else
		snprintf(buf, cap, "%.1fs", (double)us / 1e6);
	return buf;
}

const char *
report_fmt_clock(char *buf, size_t cap, uint64_t us)
{
	uint64_t s = (us + 500000) / 1000000;	/* rounded */

	if (us < 59950000)	/* what rounds to 60.0s is 1m00s */
		snprintf(buf, cap, "%.1fs", (double)us / 1e6);
	else if (s < 3600)
		snprintf(buf, cap, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, cap, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
		    s / 60 % 60);
	return buf;
}

/* Deliveries a second: count over the first send to the last delivery of
 * the peers in mask (0 when unknown). */
static double
rate(const struct report *r, uint64_t mask, double count)
{
	uint64_t first = UINT64_MAX, last = 0;
	unsigned i;

	for (i = 0; i < r->p.n; i++) {
		if (!(mask >> i & 1))
			continue;
		if (r->log[i].t_first && r->log[i].t_first < first)
			first = r->log[i].t_first;
		if (r->log[i].t_last > last)
			last = r->log[i].t_last;
	}
	if (first == UINT64_MAX || last <= first)
		return 0;
	return count / ((double)(last - first) / 1e6);
}

/*
 * Messages per second at the slowest peer: N x M over first send to the
 * last delivery anywhere (0 when unknown, or when a peer aborted: N x M
 * were not delivered then).  With views: the survivors' deliveries (each
 * delivers the reference log's messages) over theirs.
 */
static double
throughput(const struct report *r)
{
	unsigned i;

	if (r->v.views_run)
		return r->v.ref < 0 || r->v.status != RUN_STATUS_OK ? 0 :
		    rate(r, r->v.survivors, (double)r->log[r->v.ref].n);
	for (i = 0; i < r->p.n; i++)
		if (!r->log[i].received ||
		    r->log[i].status != RUN_STATUS_OK)
			return 0;
	return rate(r, r->p.n >= 64 ? ~UINT64_C(0) :
	    (UINT64_C(1) << r->p.n) - 1, (double)r->v.total);
}

void
report_rates(const struct report *r, struct report_rates *rt)
{
	uint64_t dg = 0, by = 0, cpu = 0;
	double deliveries, msgs;
	unsigned i;

	memset(rt, 0, sizeof(*rt));
	for (i = 0; i < r->p.n; i++) {
		dg += r->log[i].sent_dgrams;
		by += r->log[i].sent_bytes;
		cpu += r->log[i].cpu_us;
		if (r->log[i].rss_kb > rt->peak_rss_kb)
			rt->peak_rss_kb = r->log[i].rss_kb;
	}
	/* Per message multicast (N x M), and per delivery (N x N x M). */
	msgs = r->v.total ? (double)r->v.total : 1;
	deliveries = msgs * r->p.n;
	rt->throughput = throughput(r);
	rt->dgrams_per_message = (double)dg / msgs;
	rt->bytes_per_message = (double)by / msgs;
	rt->cpu_s_per_100k = (double)cpu / 1e6 / deliveries * 1e5;
}

void
report_peer_addr(const struct ctlc_member *m, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s udp=%u ctl=%u", m->host, m->udp, m->ctl);
}

/*
 * A peer's status in the table: its log's, or no-log; in a run with views a
 * departed member's also says in which view it left: "excluded@1",
 * "departed@1" (no log).
 */
static const char *
peer_status(const struct report *r, unsigned i, char *buf, size_t cap)
{
	const struct peer_log *l = &r->log[i];

	if (!r->v.r[i].departed)
		return l->received ? run_status_name(l->status) : "no-log";
	snprintf(buf, cap, "%s@%" PRIu32, l->received ?
	    run_status_name(l->status) : "departed", r->v.r[i].departed_view);
	return buf;
}

/* The departed members as "1,3", or "-". */
static const char *
departed_list(const struct report *r, char *buf, size_t cap)
{
	size_t len = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < r->p.n && len + 4 < cap; i++)
		if (r->v.departed >> i & 1)
			len += (size_t)snprintf(buf + len, cap - len, "%s%u",
			    len ? "," : "", i);
	if (len == 0)
		snprintf(buf, cap, "-");
	return buf;
}

void
report_print(FILE *f, const struct report *r)
{
	char a[16], b[16], c[16], addr[NET_HOST_MAX + 32], st[32], dep[200];
	char words[2048];
	unsigned i;
	int w = 7;
	double tput = throughput(r);

	/* Only a run with views can have a longer status. */
	for (i = 0; i < r->p.n; i++)
		if ((int)strlen(peer_status(r, i, st, sizeof(st))) > w)
			w = (int)strlen(st);

	fprintf(f, "\nrun %" PRIu64 ": order=%s peers=%u messages=%ux%u%s%"
	    PRIu64 "%s interval=%" PRIu64 ":%" PRIu64 "ms delay=%" PRIu64 ":%"
	    PRIu64 "ms loss=%g dup=%g seed=%" PRIu64 "\n", r->run,
	    order_mode_name(r->p.mode), r->p.n, r->p.n, r->p.m,
	    r->v.judged_sent ? " (interrupted: " : "=", r->v.total,
	    r->v.judged_sent ? " sent)" : "", r->p.imin_ms, r->p.imax_ms,
	    r->p.dmin_ms, r->p.dmax_ms, r->p.loss, r->p.dup, r->p.seed);
	fprintf(f, "%4s  %-30s %-*s %9s %8s %6s %6s %8s %8s %8s %8s %7s\n",
	    "peer", "address", w, "status", "delivered", "missing", "dups",
	    "fifo", "lat_p50", "lat_p99", "lat_max", "retrans", "drops");
	for (i = 0; i < r->p.n; i++) {
		const struct peer_log *l = &r->log[i];
		const struct judge_peer *pr = &r->v.r[i];

		report_peer_addr(&r->member[i], addr, sizeof(addr));
		report_fmt_us(a, sizeof(a), l->lat_p50);
		report_fmt_us(b, sizeof(b), l->lat_p99);
		report_fmt_us(c, sizeof(c), l->lat_max);
		fprintf(f, "%4u  %-30s %-*s %9" PRIu64 " %8" PRIu64 " %6" PRIu64
		    " %6" PRIu64 " %8s %8s %8s %8" PRIu64 " %7" PRIu64 "\n", i,
		    addr, w, peer_status(r, i, st, sizeof(st)), pr->delivered,
		    pr->missing, pr->duplicates, pr->fifo_violations,
		    l->received ? a : "-", l->received ? b : "-",
		    l->received ? c : "-", l->retrans, l->drops);
	}
	geo_print(f, r);
	if (r->v.views_run)
		fprintf(f, "views: %" PRIu32 " installed, departed %s\n",
		    r->v.views, departed_list(r, dep, sizeof(dep)));
	fprintf(f, "mismatched rounds: %" PRIu64 " of %" PRIu64 " positions%s",
	    r->v.mismatched, r->v.views_run ? r->v.judged : r->v.total,
	    r->v.views_run ? " (among the survivors)" : "");
	if (r->v.npositions) {
		size_t k;

		fprintf(f, " (first:");
		for (k = 0; k < r->v.npositions && k < 10; k++)
			fprintf(f, " %" PRIu64, r->v.positions[k]);
		fprintf(f, "%s)", r->v.npositions > 10 ? " ..." : "");
	}
	fprintf(f, "\n");
	if (st_explain(r, words, sizeof(words)))
		fprintf(f, "first disagreement: %s\n", words);
	if (tput > 0)
		fprintf(f, "throughput: %.0f messages/s delivered at each peer\n",
		    tput);
	if (r->duration_us)
		fprintf(f, "duration: %s from START to the last log\n",
		    report_fmt_us(a, sizeof(a), r->duration_us));
	if (r->v.problem[0])
		fprintf(f, "problem: %s\n", r->v.problem);
	if (r->v.note[0])
		fprintf(f, "note: %s\n", r->v.note);
}

void
report_result_line(FILE *f, const struct report *r)
{
	char dep[200], cv[48];

	/* views= and departed= come last, and only with views, so that
	 * every parser of the line as it was keeps working. */
	if (r->v.views_run)
		snprintf(dep, sizeof(dep), " views=%" PRIu32 " departed=",
		    r->v.views);
	else
		dep[0] = '\0';
	/* causal_violations= only in causal runs, before any views=. */
	if (r->p.mode == ORDER_CAUSAL)
		snprintf(cv, sizeof(cv), " causal_violations=%" PRIu64,
		    r->v.causal_violations);
	else
		cv[0] = '\0';
	fprintf(f, "RESULT run=%" PRIu64 " order=%s peers=%u messages=%" PRIu64
	    " delivered_min=%" PRIu64 " delivered_max=%" PRIu64
	    " mismatched_rounds=%" PRIu64 " missing=%" PRIu64 " duplicates=%"
	    PRIu64 " fifo_violations=%" PRIu64 " status=%s%s%s", r->run,
	    order_mode_name(r->p.mode), r->p.n, r->v.total,
	    r->v.delivered_min == UINT64_MAX ? 0 : r->v.delivered_min,
	    r->v.delivered_max, r->v.mismatched, r->v.missing, r->v.duplicates,
	    r->v.fifo_violations, run_status_name(r->v.status), cv, dep);
	if (r->v.views_run)
		fputs(departed_list(r, dep, sizeof(dep)), f);
	fputc('\n', f);
	fflush(f);
}

/* Writes s as a JSON string (only what our own fields can contain). */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * "views": view changes the survivors installed; "departed": who left, in
 * which view; then the checks of a run with views (zero without).
 */
static void
json_views(FILE *f, const struct report *r)
{
	const char *sep = "";
	unsigned i;

	fprintf(f, ",\n  \"views_run\": %s,\n  \"views\": %" PRIu32
	    ",\n  \"departed\": [", r->v.views_run ? "true" : "false", r->v.views);
	for (i = 0; i < r->p.n; i++)
		if (r->v.r[i].departed) {
			fprintf(f, "%s{\"id\": %u, \"view\": %" PRIu32 "}",
			    sep, i, r->v.r[i].departed_view);
			sep = ", ";
		}
	fprintf(f, "],\n  \"departed_partial\": %" PRIu64 ",\n  "
	    "\"views_differ\": %" PRIu64 ",\n  \"views_moved\": %" PRIu64
	    ",\n  \"departed_inconsistent\": %" PRIu64, r->v.partial,
	    r->v.views_differ, r->v.views_moved, r->v.inconsistent);
}

int
report_json(const char *path, const struct report *r)
{
	FILE *f = fopen(path, "w");
	char words[2048];
	unsigned i;
	size_t k;

	if (!f)
		return -1;
	fprintf(f, "{\n  \"run\": %" PRIu64 ",\n  \"status\": ", r->run);
	json_str(f, run_status_name(r->v.status));
	fprintf(f, ",\n  \"problem\": ");
	json_str(f, r->v.problem);
	fprintf(f, ",\n  \"note\": ");
	json_str(f, r->v.note);
	st_explain(r, words, sizeof(words));
	fprintf(f, ",\n  \"first_disagreement\": ");
	json_str(f, words);
	json_views(f, r);
	fprintf(f, ",\n  \"params\": {\"order\": \"%s\", \"peers\": %u, "
	    "\"messages_per_peer\": %u, \"interval_ms\": [%" PRIu64 ", %" PRIu64
	    "], \"delay_ms\": [%" PRIu64 ", %" PRIu64 "], \"loss\": %g, "
	    "\"dup\": %g, \"seed\": %" PRIu64 ", \"on_failure\": \"%s\", "
	    "\"suspect_ms\": %" PRIu64 ", \"regions\": ",
	    order_mode_name(r->p.mode), r->p.n, r->p.m, r->p.imin_ms,
	    r->p.imax_ms, r->p.dmin_ms, r->p.dmax_ms, r->p.loss, r->p.dup,
	    r->p.seed, order_on_failure_name(r->p.on_failure),
	    r->p.suspect_ms);
	if (r->p.regions)
		json_str(f, r->p.regions_src);
	else
		fputs("null", f);
	fprintf(f, "},\n");
	fprintf(f, "  \"messages\": %" PRIu64 ",\n  \"delivered_min\": %" PRIu64
	    ",\n  \"delivered_max\": %" PRIu64 ",\n  \"mismatched_rounds\": %"
	    PRIu64 ",\n  \"missing\": %" PRIu64 ",\n  \"duplicates\": %" PRIu64
	    ",\n  \"fifo_violations\": %" PRIu64 ",\n  \"causal_violations\": %"
	    PRIu64 ",\n  \"unexpected\": %" PRIu64
	    ",\n  \"throughput\": %.1f,\n", r->v.total,
	    r->v.delivered_min == UINT64_MAX ? 0 : r->v.delivered_min,
	    r->v.delivered_max, r->v.mismatched, r->v.missing, r->v.duplicates,
	    r->v.fifo_violations, r->v.causal_violations, r->v.unexpected,
	    throughput(r));
	fprintf(f, "  \"mismatched_positions\": [");
	for (k = 0; k < r->v.npositions; k++)
		fprintf(f, "%s%" PRIu64, k ? ", " : "", r->v.positions[k]);
	fprintf(f, "],\n  \"mismatched_positions_truncated\": %s,\n",
	    r->v.npositions < r->v.mismatched ? "true" : "false");
	fprintf(f, "  \"peers\": [\n");
	for (i = 0; i < r->p.n; i++) {
		const struct peer_log *l = &r->log[i];
		const struct judge_peer *pr = &r->v.r[i];

		fprintf(f, "    {\"id\": %u, \"host\": ", i);
		json_str(f, r->member[i].host);
		fprintf(f, ", \"udp\": %u, \"ctl\": %u, \"status\": ",
		    r->member[i].udp, r->member[i].ctl);
		json_str(f, l->received ? run_status_name(l->status) :
		    "no-log");
		fprintf(f, ", \"reason\": ");
		json_str(f, l->reason);
		fprintf(f, ", \"role\": \"%s\", \"departed_view\": %" PRIu32
		    ", \"consistent\": %s", pr->departed ? "departed" :
		    "survivor", pr->departed_view,
		    pr->inconsistent ? "false" : "true");
		geo_json_peer(f, r, i);
		fprintf(f, ", \"delivered\": %" PRIu64 ", \"missing\": %" PRIu64
		    ", \"duplicates\": %" PRIu64 ", \"fifo_violations\": %" PRIu64
		    ", \"unexpected\": %" PRIu64 ", \"latency_us\": {\"p50\": %"
		    PRIu64 ", \"p99\": %" PRIu64 ", \"max\": %" PRIu64 "}, "
		    "\"retransmissions\": %" PRIu64 ", \"drops\": %" PRIu64
		    ", \"duplicates_received\": %" PRIu64 ", \"datagrams_out\": %"
		    PRIu64 ", \"datagrams_in\": %" PRIu64 ", \"datagrams_sent\": %"
		    PRIu64 ", \"bytes_sent\": %" PRIu64 ", \"cpu_us\": %" PRIu64
		    ", \"peak_rss_kb\": %" PRIu64 "}%s\n", pr->delivered,
		    pr->missing, pr->duplicates, pr->fifo_violations,
		    pr->unexpected, l->lat_p50, l->lat_p99, l->lat_max,
		    l->retrans, l->drops, l->dup, l->dgrams_out, l->dgrams_in,
		    l->sent_dgrams, l->sent_bytes, l->cpu_us, l->rss_kb,
		    i + 1 < r->p.n ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) == 0 ? 0 : -1;
}

uint64_t
report_median_latency(const struct report *r)
{
	uint64_t v[MSG_MAX_PEERS];
	unsigned i, k = 0;

	for (i = 0; i < r->p.n; i++)
		if (r->log[i].received) {
			unsigned j = k++;

			while (j > 0 && v[j - 1] > r->log[i].lat_p50) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = r->log[i].lat_p50;
		}
	return k ? v[k / 2] : 0;
}

/* The worst of the peers' p99 own-message latencies, µs. */
uint64_t
report_p99_latency(const struct report *r)
{
	uint64_t worst = 0;
	unsigned i;

	for (i = 0; i < r->p.n; i++)
		if (r->log[i].received && r->log[i].lat_p99 > worst)
			worst = r->log[i].lat_p99;
	return worst;
}

int
report_csv_row(FILE *f, const struct report *r, bool header)
{
	struct report_rates rt;
	char dep[200];
	unsigned i;

	if (header) {
		fprintf(f, "run,order,peers,messages_per_peer,messages,"
		    "interval_min_ms,interval_max_ms,delay_min_ms,delay_max_ms,"
		    "loss,dup,seed,delivered_min,delivered_max,"
		    "mismatched_rounds,missing,duplicates,fifo_violations,"
		    "median_latency_us,p99_latency_us,status,throughput,"
		    "datagrams_per_message,bytes_per_message,"
		    "cpu_s_per_100k_deliveries,peak_rss_kb,views,departed\n");
		return ferror(f) ? -1 : 0;
	}
	/* The departed as "1;3": a comma would split the field. */
	departed_list(r, dep, sizeof(dep));
	for (i = 0; dep[i]; i++)
		if (dep[i] == ',')
			dep[i] = ';';
	report_rates(r, &rt);
	fprintf(f, "%" PRIu64 ",%s,%u,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%"
	    PRIu64 ",%" PRIu64 ",%g,%g,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%"
	    PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
	    ",%s,%.0f,%.4f,%.1f,%.4f,%" PRIu64 ",%" PRIu32 ",%s\n",
	    r->run, order_mode_name(r->p.mode), r->p.n, r->p.m, r->v.total,
	    r->p.imin_ms, r->p.imax_ms, r->p.dmin_ms, r->p.dmax_ms, r->p.loss,
	    r->p.dup, r->p.seed,
	    r->v.delivered_min == UINT64_MAX ? 0 : r->v.delivered_min,
	    r->v.delivered_max, r->v.mismatched, r->v.missing, r->v.duplicates,
	    r->v.fifo_violations, report_median_latency(r),
	    report_p99_latency(r), run_status_name(r->v.status),
	    rt.throughput, rt.dgrams_per_message, rt.bytes_per_message,
	    rt.cpu_s_per_100k, rt.peak_rss_kb, r->v.views, dep);
	return ferror(f) ? -1 : 0;
}
