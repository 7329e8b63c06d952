/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A run kept on disk (--save DIR) and read back (mpreport DIR), so that
 * every picture and format can be drawn again without running it again.
 * DIR holds:
 *
 *   run.txt      `SAVED version=1 run=R order=MODE peers=N messages=M ...`,
 *                then `MEMBER id=I host=H udp=P ctl=C [region=NAME]` for
 *                each peer, then, when the run began a problem,
 *                `PROBLEM text`;
 *   regions      with --regions: the table, `A B MS` a line;
 *   peer-I.log   peer I's log as the comparison server took it: its LOG
 *                header, its body, END (no file: the log never came);
 *   report.json  the report, as --json writes it.
 *
 * Reading takes every line through the decoders the comparison server
 * uses for the network (ctl_parse, ctlmsg_log_parse, logread.c): a saved
 * run is input like any other.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/dlog.h"
#include "cs.h"

#define SAVED_VERSION	1

static const char *const end_names[] = {
	[JUDGE_COMPLETE] = "complete",
	[JUDGE_STALLED] = "stalled",
	[JUDGE_INTERRUPTED] = "interrupted"
};

/* DIR/name into buf; -1 when it does not fit. */
static int
path_in(char *buf, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int
save_params(FILE *f, const struct report *r)
{
	const struct run_params *p = &r->p;
	unsigned i;

	fprintf(f, "SAVED version=%d run=%" PRIu64 " order=%s peers=%u "
	    "messages=%" PRIu32 " interval=%" PRIu64 ":%" PRIu64 " delay=%"
	    PRIu64 ":%" PRIu64 " loss=%.17g dup=%.17g seed=%" PRIu64
	    " window=%" PRIu32 " on_failure=%s suspect=%" PRIu64 " trace=%"
	    PRIu32 " end=%s duration_us=%" PRIu64 "\n", SAVED_VERSION, r->run,
	    order_mode_name(p->mode), p->n, p->m, p->imin_ms, p->imax_ms,
	    p->dmin_ms, p->dmax_ms, p->loss, p->dup, p->seed, p->window,
	    order_on_failure_name(p->on_failure), p->suspect_ms, p->trace,
	    end_names[r->end], r->duration_us);
	for (i = 0; i < p->n; i++) {
		fprintf(f, "MEMBER id=%u host=%s udp=%u ctl=%u", i,
		    r->member[i].host, r->member[i].udp, r->member[i].ctl);
		if (p->regions && p->place[i] >= 0)
			fprintf(f, " region=%s", p->regions->name[p->place[i]]);
		fputc('\n', f);
	}
	if (r->v.problem[0])
		fprintf(f, "PROBLEM %s\n", r->v.problem);
	return ferror(f) ? -1 : 0;
}

#define SOURCE_TAG	"# source: "

static int
save_regions(const char *path, const struct region_table *t, const char *src)
{
	unsigned a, b;
	FILE *f;

	if (!(f = fopen(path, "w")))
		return -1;
	/* Where the table came from, as the report says it; then the
	 * table, one-way ms. */
	fprintf(f, SOURCE_TAG "%s\n", src ? src : "");
	for (a = 0; a < t->n; a++)
		for (b = a + 1; b < t->n; b++)
			if (t->oneway_us[a][b] != REGION_UNKNOWN)
				fprintf(f, "%s %s %.3f\n", t->name[a],
				    t->name[b], t->oneway_us[a][b] / 1000.0);
	return fclose(f) == 0 ? 0 : -1;
}

/* Peer i's log as it came: header, entries with the view lines where
 * they stood, the trace, END. */
static int
save_log(const char *path, const struct report *r, unsigned i)
{
	const struct peer_log *l = &r->log[i];
	struct ctlmsg_log h;
	char line[CTL_LINE_MAX + 1];
	size_t k, v = 0;
	FILE *f;

	memset(&h, 0, sizeof(h));
	h.run = r->run;
	h.peer = i;
	snprintf(h.order, sizeof(h.order), "%s", order_mode_name(r->p.mode));
	h.status = l->status;
	h.count = l->n;
	h.views = l->nviews;
	h.traced = l->trace != NULL || r->p.trace > 0;
	h.trace = l->ntrace;
	h.trace_cut = l->trace_cut;
#define COPY(name)	h.name = l->name;
	CTLMSG_LOG_FIGURES(COPY)
	CTLMSG_LOG_USAGE(COPY)
#undef COPY
	memcpy(h.reason, l->reason, sizeof(h.reason));
	memcpy(h.error, l->error, sizeof(h.error));
	if (ctlmsg_log_format(&h, line, sizeof(line)) < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "%s\n", line);
	for (k = 0; k <= l->n; k++) {
		for (; v < l->nviews && l->views[v].at == k; v++) {
			dlog_format_view(line, sizeof(line), l->views[v].view,
			    l->views[v].members);
			fprintf(f, "%s\n", line);
		}
		if (k < l->n)
			fprintf(f, "%u %u %" PRIu64 "\n",
			    (unsigned)(l->keys[k] >> 32), (unsigned)l->keys[k],
			    l->ts ? l->ts[k] : 0);
	}
	for (k = 0; k < l->ntrace; k++)
		if (trace_format(&l->trace[k], line, sizeof(line)) > 0)
			fprintf(f, "%s\n", line);
	fprintf(f, "END\n");
	return fclose(f) == 0 ? 0 : -1;
}

int
saved_write(const char *dir, const struct report *r, char *why, size_t cap)
{
	char path[4096], name[32];
	unsigned i;
	FILE *f;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		snprintf(why, cap, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (path_in(path, sizeof(path), dir, "run.txt") < 0) {
		snprintf(why, cap, "%s: name too long", dir);
		return -1;
	}
	if (!(f = fopen(path, "w")) || save_params(f, r) < 0) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (fclose(f) != 0) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	(void)path_in(path, sizeof(path), dir, "regions");
	if (r->p.regions ? save_regions(path, r->p.regions,
	    r->p.regions_src) < 0 :
	    unlink(path) < 0 && errno != ENOENT) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < MSG_MAX_PEERS; i++) {
		snprintf(name, sizeof(name), "peer-%u.log", i);
		(void)path_in(path, sizeof(path), dir, name);
		/* A log that never came, or of a peer past this run's: none,
		 * also where an earlier run saved one. */
		if (i < r->p.n && r->log[i].received ?
		    save_log(path, r, i) < 0 : unlink(path) < 0 &&
		    errno != ENOENT) {
			snprintf(why, cap, "%s: %s", path, strerror(errno));
			return -1;
		}
	}
	(void)path_in(path, sizeof(path), dir, "report.json");
	if (report_json(path, r) < 0) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reading. */

struct reading {
	const char	*path;
	unsigned	 lineno;
	char		*why;
	size_t		 cap;
};

static int __attribute__((format(printf, 2, 3)))
bad(struct reading *rd, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rd->lineno)
		snprintf(rd->why, rd->cap, "%s:%u: %s", rd->path, rd->lineno,
		    msg);
	else
		snprintf(rd->why, rd->cap, "%s: %s", rd->path, msg);
	return -1;
}

/* The next line without its newline; 0 at the end; -1 on an error. */
static int
next_line(FILE *f, char **line, size_t *cap, struct reading *rd)
{
	ssize_t n;

	errno = 0;
	if ((n = getline(line, cap, f)) < 0)
		return errno ? bad(rd, "%s", strerror(errno)) : 0;
	rd->lineno++;
	if (n > 0 && (*line)[n - 1] == '\n')
		(*line)[--n] = '\0';
	if (strlen(*line) != (size_t)n)
		return bad(rd, "a NUL byte");
	return 1;
}

static int
load_saved_line(struct ctl_msg *m, struct saved_run *s, struct reading *rd)
{
	struct run_params *p = &s->r->p;
	char mode[16], iv[48], dl[48], onf[16], end[16];
	uint64_t version, n, msgs, window, trace;
	size_t k;

	if (ctl_get_u64(m, "version", 1, UINT64_MAX, 1, &version) < 0)
		return bad(rd, "%s", m->err);
	if (version != SAVED_VERSION)
		return bad(rd, "saved by another version (%" PRIu64 "; this "
		    "reads %d)", version, SAVED_VERSION);
	if (ctl_get_u64(m, "run", 1, UINT64_MAX, 1, &s->r->run) < 0 ||
	    ctl_get_str(m, "order", 1, mode, sizeof(mode)) < 0 ||
	    ctl_get_u64(m, "peers", 2, MSG_MAX_PEERS, 1, &n) < 0 ||
	    ctl_get_u64(m, "messages", 1, INT32_MAX, 1, &msgs) < 0 ||
	    ctl_get_str(m, "interval", 1, iv, sizeof(iv)) < 0 ||
	    ctl_get_str(m, "delay", 1, dl, sizeof(dl)) < 0 ||
	    ctl_get_double(m, "loss", 0, 1, 1, &p->loss) < 0 ||
	    ctl_get_double(m, "dup", 0, 1, 1, &p->dup) < 0 ||
	    ctl_get_u64(m, "seed", 0, UINT64_MAX, 1, &p->seed) < 0 ||
	    ctl_get_u64(m, "window", 0, UINT32_MAX, 1, &window) < 0 ||
	    ctl_get_str(m, "on_failure", 1, onf, sizeof(onf)) < 0 ||
	    ctl_get_u64(m, "suspect", 0, UINT64_MAX, 1, &p->suspect_ms) < 0 ||
	    ctl_get_u64(m, "trace", 0, UINT32_MAX, 1, &trace) < 0 ||
	    ctl_get_str(m, "end", 1, end, sizeof(end)) < 0 ||
	    ctl_get_u64(m, "duration_us", 0, UINT64_MAX, 1,
	    &s->r->duration_us) < 0 || ctl_check_unused(m) < 0)
		return bad(rd, "%s", m->err);
	if (order_mode_parse(mode, &p->mode) < 0)
		return bad(rd, "unknown order %s", mode);
	if (order_on_failure_parse(onf, &p->on_failure) < 0)
		return bad(rd, "unknown on_failure %s", onf);
	if (ctl_parse_range(iv, 0, UINT64_MAX, &p->imin_ms, &p->imax_ms) < 0 ||
	    ctl_parse_range(dl, 0, UINT64_MAX, &p->dmin_ms, &p->dmax_ms) < 0)
		return bad(rd, "interval and delay: expected MIN:MAX");
	for (k = 0; k < sizeof(end_names) / sizeof(end_names[0]); k++)
		if (strcmp(end, end_names[k]) == 0)
			break;
	if (k == sizeof(end_names) / sizeof(end_names[0]))
		return bad(rd, "unknown end %s", end);
	s->r->end = (enum judge_end)k;
	p->n = (unsigned)n;
	p->m = (uint32_t)msgs;
	p->window = (uint32_t)window;
	p->trace = (uint32_t)trace;
	return 0;
}

static int
load_member(struct ctl_msg *m, struct saved_run *s, char (*region)[64],
    struct reading *rd)
{
	uint64_t id, udp, ctl;
	struct ctlc_member *mb;

	if (ctl_get_u64(m, "id", 0, s->r->p.n - 1, 1, &id) < 0 ||
	    ctl_get_u64(m, "udp", 0, 65535, 1, &udp) < 0 ||
	    ctl_get_u64(m, "ctl", 0, 65535, 1, &ctl) < 0)
		return bad(rd, "%s", m->err);
	mb = &s->r->member[id];
	if (mb->host[0])
		return bad(rd, "member %" PRIu64 " twice", id);
	if (ctl_get_str(m, "host", 1, mb->host, sizeof(mb->host)) < 0 ||
	    ctl_get_str(m, "region", 0, region[id], sizeof(region[id])) < 0 ||
	    ctl_check_unused(m) < 0)
		return bad(rd, "%s", m->err);
	mb->udp = (uint16_t)udp;
	mb->ctl = (uint16_t)ctl;
	return 0;
}

static int
load_run_txt(const char *dir, struct saved_run *s, char (*region)[64],
    struct reading *rd)
{
	char *line = NULL;
	size_t cap = 0;
	struct ctl_msg m;
	unsigned members = 0;
	int rc = 0, got;
	FILE *f;

	(void)path_in(s->path, sizeof(s->path), dir, "run.txt");
	rd->path = s->path;
	if (!(f = fopen(s->path, "r")))
		return bad(rd, "%s", strerror(errno));
	while (rc == 0 && (got = next_line(f, &line, &cap, rd)) > 0) {
		if (strncmp(line, "PROBLEM ", 8) == 0) {
			snprintf(s->r->v.problem, sizeof(s->r->v.problem), "%s",
			    line + 8);
			continue;
		}
		if (ctl_parse(line, strlen(line), &m) < 0) {
			rc = bad(rd, "%s", m.err);
		} else if (rd->lineno == 1) {
			rc = strcmp(m.verb, "SAVED") != 0 ? bad(rd, "not a "
			    "saved run (expected SAVED)") :
			    load_saved_line(&m, s, rd);
		} else if (strcmp(m.verb, "MEMBER") == 0) {
			rc = load_member(&m, s, region, rd);
			members++;
		} else {
			rc = bad(rd, "unknown line %s", m.verb);
		}
	}
	if (rc == 0 && got < 0)
		rc = -1;
	if (rc == 0 && rd->lineno == 0)
		rc = bad(rd, "empty");
	rd->lineno = 0;
	if (rc == 0 && members != s->r->p.n)
		rc = bad(rd, "%u MEMBER lines for %u peers", members,
		    s->r->p.n);
	free(line);
	fclose(f);
	return rc;
}

/* Peer i's log, when its file is there. */
static int
load_log(const char *dir, struct saved_run *s, unsigned i,
    struct reading *rd)
{
	char name[32], *line = NULL, why[256];
	struct log_reader lr;
	struct ctlmsg_log h;
	struct ctl_msg m;
	size_t cap = 0;
	int rc = 0, got;
	FILE *f;

	snprintf(name, sizeof(name), "peer-%u.log", i);
	(void)path_in(s->path, sizeof(s->path), dir, name);
	rd->path = s->path;
	rd->lineno = 0;
	if (!(f = fopen(s->path, "r")))
		return errno == ENOENT ? 0 : bad(rd, "%s", strerror(errno));
	if ((got = next_line(f, &line, &cap, rd)) <= 0) {
		rc = got < 0 ? -1 : bad(rd, "empty");
		goto out;
	}
	if (ctlmsg_read(line, strlen(line), &m) != CTLMSG_LOG ||
	    ctlmsg_log_parse(&m, &h) < 0) {
		rc = bad(rd, "expected a LOG header: %s", m.err);
		goto out;
	}
	if (h.run != s->r->run || h.peer != i) {
		rc = bad(rd, "the log of run %" PRIu64 " peer %u, not of run %"
		    PRIu64 " peer %u", h.run, h.peer, s->r->run, i);
		goto out;
	}
	/* As the comparison server bounds a LOG it is offered (collect.c):
	 * no peer of the run delivers more. */
	if (h.count > 2 * (uint64_t)s->r->p.n * s->r->p.m + 16) {
		rc = bad(rd, "count %" PRIu64 " is more than a run of %u peers "
		    "can deliver", h.count, s->r->p.n);
		goto out;
	}
	log_reader_begin(&lr, &h, s->r->p.n, s->r->p.m);
	if (log_reader_check(&lr, why, sizeof(why)) != 0) {
		rc = bad(rd, "%s", why);
		goto out;
	}
	while ((got = next_line(f, &line, &cap, rd)) > 0 &&
	    (rc = log_reader_line(&lr, line, why, sizeof(why))) == 0)
		;
	if (got < 0)
		rc = -1;
	else if (got == 0)
		rc = bad(rd, "no END");
	else if (rc != LOG_READER_END)
		rc = bad(rd, "%s", why);
	else if ((got = next_line(f, &line, &cap, rd)) != 0)
		rc = got < 0 ? -1 : bad(rd, "a line after END");
	else
		rc = 0;
	if (rc == 0) {
		s->r->log[i] = lr.l;
		s->r->log[i].received = true;
	} else {
		peer_log_free(&lr.l);
	}
out:
	free(line);
	fclose(f);
	return rc;
}

/* The table's source, from its first line. */
static int
regions_source(struct saved_run *s, char *why, size_t cap)
{
	char line[sizeof(s->regions_src) + sizeof(SOURCE_TAG)];
	FILE *f;

	if (!(f = fopen(s->path, "r"))) {
		snprintf(why, cap, "%s: %s", s->path, strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof(line), f) && strncmp(line, SOURCE_TAG,
	    strlen(SOURCE_TAG)) == 0) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(s->regions_src, sizeof(s->regions_src), "%.*s",
		    (int)sizeof(s->regions_src) - 1, line + strlen(SOURCE_TAG));
	} else {
		snprintf(s->regions_src, sizeof(s->regions_src), "%.*s",
		    (int)sizeof(s->regions_src) - 1, s->path);
	}
	fclose(f);
	return 0;
}

int
saved_read(const char *dir, struct saved_run *s, char *why, size_t cap)
{
	char region[MSG_MAX_PEERS][64];
	struct reading rd = { .why = why, .cap = cap };
	struct report *r;
	unsigned i;
	int k;

	memset(s, 0, sizeof(*s));
	memset(region, 0, sizeof(region));
	if (!(r = s->r = calloc(1, sizeof(*r)))) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	if (load_run_txt(dir, s, region, &rd) < 0)
		return -1;
	(void)path_in(s->path, sizeof(s->path), dir, "regions");
	if (access(s->path, F_OK) == 0) {
		if (region_load(s->path, &s->regions, why, cap) < 0 ||
		    regions_source(s, why, cap) < 0)
			return -1;
		r->p.regions = &s->regions;
		r->p.regions_src = s->regions_src;
	}
	for (i = 0; i < r->p.n; i++) {
		r->p.place[i] = -1;
		if (!region[i][0])
			continue;
		if (!r->p.regions || (k = region_find(&s->regions,
		    region[i])) < 0) {
			snprintf(why, cap, "%s/run.txt: member %u in region %s,"
			    " which %s/regions does not have", dir, i,
			    region[i], dir);
			return -1;
		}
		r->p.place[i] = k;
	}
	for (i = 0; i < r->p.n; i++)
		if (load_log(dir, s, i, &rd) < 0)
			return -1;
	return 0;
}

void
saved_free(struct saved_run *s)
{
	report_free(s->r);
	s->r = NULL;
}
