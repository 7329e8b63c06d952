/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The comparison server: its context, the logs it collects, the comparison
 * of a run and the reports.  run.c drives runs, collect.c receives LOGs,
 * compare.c has the library's judge (judge.h) judge them, report.c
 * prints and writes the results.
 */
#ifndef CS_CS_H
#define CS_CS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mpcomm/ctlc.h"
#include "mpcomm/ctlmsg.h"
#include "mpcomm/defaults.h"
#include "mpcomm/judge.h"
#include "mpcomm/msg.h"
#include "mpcomm/net.h"
#include "mpcomm/order.h"
#include "mpcomm/proc.h"
#include "mpcomm/region.h"
#include "mpcomm/runstatus.h"
#include "mpcomm/trace.h"

/* A run of n peers installs at most n - 1 views (each drops a member). */
#define LOG_VIEWS_MAX	CTLMSG_LOG_VIEWS_MAX

/* One peer's delivery log as received. */
struct peer_log {
	bool		 received;
	enum run_status	 status;	/* ok | aborted | excluded | failed */
	char		 reason[160];	/* aborted: why, spaces restored */
	char		 error[128];	/* failed: why, as the peer said */
	uint64_t	*keys;		/* sender << 32 | seq, delivery order */
	uint64_t	*ts;		/* each delivery's Lamport timestamp */
	size_t		 n;
	struct judge_view views[LOG_VIEWS_MAX];	/* in log order */
	size_t		 nviews;
	/* The LOG header's figures, as they came (ctlmsg.h). */
	CTLMSG_LOG_FIGURES(CTLMSG_U64_FIELD)
	CTLMSG_LOG_USAGE(CTLMSG_U64_FIELD)
	struct trace_ev	*trace;		/* the LOG's trace section, or NULL */
	size_t		 ntrace;
	bool		 trace_cut;	/* the peer left events out */
};

/* Logs of the run being collected; every field is guarded by mu. */
struct collect {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	uint64_t	 run;		/* 0: not collecting */
	unsigned	 n;
	uint32_t	 m;
	unsigned	 received;
	uint64_t	 uploading;	/* peers whose LOG is arriving */
	struct peer_log	 log[MSG_MAX_PEERS];
};

/* The parameters of one run. */
struct run_params {
	unsigned	 n;
	uint32_t	 m;
	enum order_mode	 mode;
	uint64_t	 imin_ms, imax_ms;
	uint64_t	 dmin_ms, dmax_ms;
	double		 loss, dup;
	uint64_t	 seed;
	uint32_t	 window;	/* every peer's send window, in START */
	enum order_on_failure on_failure;	/* in START */
	uint64_t	 suspect_ms;	/* in START */
	/* Regions (geo.c): each pair's one-way delay goes in START's MEMBER
	 * lines.  NULL: none. */
	const struct region_table *regions;
	const char	*regions_src;	/* "builtin" or the file */
	int		 place[MSG_MAX_PEERS];	/* peer i's region */
	uint32_t	 trace;		/* START's trace=: 0, none */
};

struct report {
	uint64_t	 run;
	/* The run's secret, sent in START only (never logged or reported):
	 * every datagram of the run is authenticated under a key derived
	 * from it, so that who did not read START cannot forge one. */
	uint8_t		 secret[CTLMSG_SECRET_MAX];
	struct run_params p;
	struct ctlc_member member[MSG_MAX_PEERS];
	struct peer_log	 log[MSG_MAX_PEERS];	/* borrowed from collect */
	enum judge_end	 end;		/* how the wait for the logs ended */
	uint64_t	 duration_us;	/* from the first START to the last log */
	/*
	 * The judgement (judge.h): status, problem (which the run's end may
	 * have begun), figures; a run with views is judged among the
	 * survivors, the members of the last view the finished peers
	 * installed (README "Views").
	 */
	struct judge_verdict v;
};

struct cs_ctx {
	/* Options. */
	struct proc_opts opt;
	const char	*gm_spec;
	const char	*advertise;
	const char	*json_path;
	const char	*svg_path;
	const char	*csv_path;
	const char	*svg_summary_path;
	const char	*svg_compare_path;	/* --svg-compare */
	const char	*save_dir;		/* --save */
	const char	*spacetime_path;	/* --spacetime */
	const char	*html_path;		/* --html */
	const char	*shiviz_path;	/* --shiviz */
	struct region_table regions;	/* --regions, --place */
	const char	*regions_arg;
	const char	*place_arg;
	const struct auth_key *key;	/* NULL without --key-file */
	struct auth_key	 key_store;
	struct run_params p;
	bool		 scripted;	/* --messages given */
	unsigned	 want_peers;	/* --peers: 0 = all registered */
	uint64_t	 runs;
	uint64_t	 wait_s;	/* for peers to register */
	uint64_t	 timeout_s;	/* a run without progress this long */
	bool		 quiet;
	bool		 shutdown_peers;
	unsigned	 sweep_n[16];
	size_t		 nsweep_n;
	uint32_t	 sweep_m[16];
	size_t		 nsweep_m;
	enum order_mode	 compare[8];	/* --compare, in its order */
	size_t		 ncompare;
	bool		 order_given;	/* --order */

	struct net_addr	 gm;
	int		 lfd;
	uint16_t	 lport;
	struct lsrv	*srv;
	pthread_t	 t_srv;
	pthread_t	 t_sig;
	atomic_bool	 interrupted;	/* SIGINT or SIGTERM came */
	struct collect	 coll;
	uint64_t	 last_run;
	FILE		*csv;
	bool		 progress;	/* stdout is a terminal */
};

/* logread.c: a LOG body read line by line, checked against the run. */
struct log_reader {
	struct peer_log	 l;		/* the log so far (the caller's once
					   complete) */
	uint64_t	 declared, declared_views, declared_trace;
	unsigned	 n;		/* members of the run */
	uint32_t	 m;		/* its messages per peer */
	size_t		 cap;
};
#define LOG_READER_END	1
/* Starts reading the body that header h announces, of a run of n x m. */
void	 log_reader_begin(struct log_reader *r, const struct ctlmsg_log *h,
	    unsigned n, uint32_t m);
/* 0 when the header's figures fit the run, else an ERR code and why. */
int	 log_reader_check(const struct log_reader *r, char *why, size_t cap);
/* One line of the body: 0, LOG_READER_END after a complete log's END, or
 * an ERR code (400 bad, 500 no memory) with why. */
int	 log_reader_line(struct log_reader *r, const char *line, char *why,
	    size_t cap);

/* saved.c: a run kept in a folder (--save DIR), and read back (mpreport). */
struct saved_run {
	struct report	*r;		/* its logs judged by compare_run() */
	struct region_table regions;	/* r->p.regions, when it had them */
	char		 regions_src[256];
	char		 path[4096];	/* the file being read */
};
/* Writes r into dir (made if missing): 0, or -1 with why. */
int	 saved_write(const char *dir, const struct report *r, char *why,
	    size_t cap);
/* Reads the run saved in dir into s, not judged yet: 0, or -1 with why
 * (the file and line). Free with saved_free(), also after a failure. */
int	 saved_read(const char *dir, struct saved_run *s, char *why,
	    size_t cap);
void	 saved_free(struct saved_run *s);

/* collect.c */
const struct lsrv_ops *collect_ops(void);
void	 collect_init(struct collect *c);
/* Starts collecting run (dropping what was kept of an earlier run). */
void	 collect_begin(struct collect *c, uint64_t run, unsigned n, uint32_t m);
void	 collect_end(struct collect *c);
void	 peer_log_free(struct peer_log *l);

/* compare.c: judges the logs of a run into r->v (judge.h). */
void	 compare_run(struct report *r);
/* judge_survivors() over the logs collected so far. */
uint64_t compare_survivors(const struct peer_log *log, unsigned n);
void	 report_free(struct report *r);

/* run.c */
/* One run with parameters p; returns its report (caller frees), NULL if
 * it could not be started at all (message printed). */
struct report *run_once(struct cs_ctx *ctx, const struct run_params *p);
/* Sends SHUTDOWN to every registered peer. */
void	 run_shutdown_peers(struct cs_ctx *ctx);

/* Aggregates of a sweep: one cell per (peers, messages) combination. */
struct sweep_cell {
	unsigned	 n;
	uint32_t	 m;
	uint64_t	 runs;
	uint64_t	 mis_sum, mis_min, mis_max;
	uint64_t	 missing, duplicates;
	uint64_t	*lat;		/* median latency of each run, µs */
	enum run_status	 worst;		/* worst status seen */
};

struct sweep_stats {
	struct sweep_cell *cell;
	size_t		 n;
	size_t		 cap;
	struct run_params p;	/* what was run: the first run's */
};

/* versus.c: --compare, the ordering modes side by side, a row a run. */
struct versus_row {
	enum order_mode	 mode;
	uint64_t	 seed;
	enum run_status	 status;
	uint64_t	 mismatched, total, fifo, causal;
	uint64_t	 p50_us, p99_us;	/* own-message latency */
	double		 oneway_us;	/* mean emulated one-way delay */
	double		 dgrams, bytes;	/* per message multicast */
	double		 throughput;	/* msgs/s */
};

struct versus {
	struct versus_row *row;
	size_t		 n, cap;
	struct run_params p;	/* what was run: the first run's */
};

struct versus	*versus_create(size_t rows);
void	 versus_add(struct versus *vs, const struct report *r);
void	 versus_print(FILE *f, const struct versus *vs);
int	 versus_svg(const char *path, const struct versus *vs);
void	 versus_free(struct versus *vs);

/* sweep.c */
struct sweep_stats *sweep_create(size_t cells);
void	 sweep_add(struct sweep_stats *s, const struct report *r);
void	 sweep_print(FILE *f, const struct sweep_stats *s);
int	 sweep_svg(const char *path, const struct sweep_stats *s);
void	 sweep_free(struct sweep_stats *s);
/* The median of the peers' median own-message latencies, µs. */
uint64_t report_median_latency(const struct report *r);
/* The worst of the peers' p99 own-message latencies, µs. */
uint64_t report_p99_latency(const struct report *r);

/* main.c */

/* progress.c: the progress line on a terminal. */
struct progress {
	uint64_t	 start_us;	/* the run's START */
	unsigned	 received;	/* logs */
	uint64_t	 dmin;		/* the slowest peer's deliveries */
};
void	 progress_show(const struct report *rp, const struct progress *pg);
void	 progress_clear(void);

/* geo.c: regions of the world (--regions, --place). */
/* Loads the table and places ids 0..63; 0, or -1 with why in err. */
int	 geo_setup(struct cs_ctx *ctx, const char *table, const char *place,
	    char *err, size_t cap);
/* The one-way delay from peer a to peer b, µs (0 without regions). */
uint32_t geo_delay_us(const struct run_params *p, unsigned a, unsigned b);
void	 geo_print(FILE *f, const struct report *r);
/* ", \"region\": ..., \"farthest_ms\": ..." of peer i, for the JSON. */
void	 geo_json_peer(FILE *f, const struct report *r, unsigned i);

/* spacetime.c: a space-time diagram from the traces (--spacetime). */
int	 st_svg(const char *path, const struct report *r);
/* The first disagreement of a none or fifo run in words into buf; 0 when
 * there is none to explain. */
int	 st_explain(const struct report *r, char *buf, size_t cap);

/* shiviz.c: the traces as a ShiViz log, with vector clocks (--shiviz). */
int	 shiviz_write(const char *path, const struct report *r);

/* report.c */
/* us as "840us", "13.1ms" or "2.5s" into buf; returns buf. */
const char *report_fmt_us(char *buf, size_t cap, uint64_t us);
/*
 * A duration for people watching a clock (the progress line): seconds with
 * one decimal ("1.6s") below a minute, then "2m05s", then "1h02m".
 */
const char *report_fmt_clock(char *buf, size_t cap, uint64_t us);
/* A peer's address as every report shows it: "HOST udp=P ctl=P". */
void	 report_peer_addr(const struct ctlc_member *m, char *buf, size_t cap);
void	 report_print(FILE *f, const struct report *r);
void	 report_result_line(FILE *f, const struct report *r);
int	 report_json(const char *path, const struct report *r);
int	 report_svg(const char *path, const struct report *r);
int	 report_csv_row(FILE *f, const struct report *r, bool header);
/* A run's rates, as its CSV row has them. */
struct report_rates {
	double		 throughput;	/* msgs/s, 0 when unknown */
	double		 dgrams_per_message, bytes_per_message;
	double		 cpu_s_per_100k;	/* CPU s per 100k deliveries */
	uint64_t	 peak_rss_kb;
};
void	 report_rates(const struct report *r, struct report_rates *rt);

#endif
