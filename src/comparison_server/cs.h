/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The comparison server: its context, the logs it collects, the comparison
 * of a run and the reports.  run.c drives runs, collect.c receives LOGs,
 * compare.c judges them (views.c a run in which members departed), report.c
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
#include "mpcomm/msg.h"
#include "mpcomm/net.h"
#include "mpcomm/order.h"
#include "mpcomm/proc.h"
#include "mpcomm/region.h"
#include "mpcomm/runstatus.h"
#include "mpcomm/trace.h"

/* A view line of a log: view `view`, installed after its first `at`
 * messages. */
struct log_view {
	uint64_t	 at;
	uint64_t	 members;	/* bit i: member i */
	uint32_t	 view;
};

/* A run of n peers installs at most n - 1 views (each drops a member). */
#define LOG_VIEWS_MAX	CTLMSG_LOG_VIEWS_MAX

/* One peer's delivery log as received. */
struct peer_log {
	bool		 received;
	enum run_status	 status;	/* ok | aborted | excluded | failed */
	char		 reason[160];	/* aborted: why, spaces restored */
	char		 error[128];	/* failed: why, as the peer said */
	uint64_t	*keys;		/* sender << 32 | seq, delivery order */
	size_t		 n;
	struct log_view	 views[LOG_VIEWS_MAX];	/* in log order */
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

struct peer_result {
	uint64_t	 delivered;
	uint64_t	 missing;
	uint64_t	 duplicates;
	uint64_t	 fifo_violations;
	uint64_t	 unexpected;	/* entries that name no real message */
	bool		 departed;	/* not in the survivors' last view */
	uint32_t	 departed_view;	/* the view that left it out */
	bool		 inconsistent;	/* departed: its log contradicts the
					   survivors' (README "Views") */
};

#define REPORT_MAX_POSITIONS	100000	/* mismatched positions listed */

/* How the wait for a run's logs ended. */
enum run_end {
	RUN_COMPLETE,		/* every log came */
	RUN_STALLED,		/* no progress for --timeout: aborted */
	RUN_INTERRUPTED		/* SIGINT or SIGTERM: aborted */
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
	struct peer_result r[MSG_MAX_PEERS];
	uint64_t	 total;		/* N x M; interrupted: the messages sent */
	bool		 judged_sent;	/* interrupted: judged against total */
	uint64_t	 delivered_min, delivered_max;
	uint64_t	 mismatched;
	uint64_t	 missing, duplicates, fifo_violations, unexpected;
	/* Deliveries before a causal predecessor (compare_causal()); -1
	 * when there was no memory to count them. */
	int64_t		 causal_violations;
	uint64_t	*positions;	/* first mismatched positions */
	size_t		 npositions;
	enum run_end	 end;
	enum run_status	 status;	/* ok | failed | aborted | timeout */
	uint64_t	 duration_us;	/* from the first START to the last log */
	char		 problem[512];	/* the first reason it is not ok */

	/*
	 * A run with views: a log has a view line or says excluded.  It is
	 * judged among the survivors, the members of the last view the
	 * finished peers installed (compare.c, README "Views").
	 */
	bool		 views_run;
	int		 ref;		/* the survivors' reference log, or -1 */
	uint32_t	 views;		/* view changes the survivors installed */
	uint64_t	 survivors;	/* bit i: peer i */
	uint64_t	 departed;
	uint64_t	 partial;	/* departed members' messages delivered
					   by some survivors only */
	uint64_t	 views_differ;	/* survivors whose views are not the
					   reference's */
	uint64_t	 views_moved;	/* total: same views, elsewhere */
	uint64_t	 inconsistent;	/* departed logs that contradict */
	uint64_t	 judged;	/* positions compared among survivors */
	char		 note[512];	/* what departed, how; logs not come */
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
	const char	*spacetime_path;	/* --spacetime */
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

/* collect.c */
const struct lsrv_ops *collect_ops(void);
void	 collect_init(struct collect *c);
/* Starts collecting run (dropping what was kept of an earlier run). */
void	 collect_begin(struct collect *c, uint64_t run, unsigned n, uint32_t m);
void	 collect_end(struct collect *c);
void	 peer_log_free(struct peer_log *l);

/* compare.c: judges the logs of a run; fills r (positions allocated). */
void	 compare_run(struct report *r);
/*
 * The survivors as far as the logs received tell (README "Views"): the
 * members of the highest view among the ok logs.  0 when no ok log has a
 * view line (no views seen yet).
 */
uint64_t compare_survivors(const struct peer_log *log, unsigned n);
/* Mismatched rounds over positions 0 .. len-1 among the peers in mask. */
/* One log's deliveries counted (n x (m + 1) counts) and its figures. */
void	 compare_count(const struct report *rp, const struct peer_log *l,
	    uint8_t *counts, struct peer_result *r);
void	 compare_mismatched(struct report *r, uint64_t mask, uint64_t len);
/* Counts every log's deliveries that come before one of their causal
 * predecessors, into rp->causal_violations. */
void	 compare_causal(struct report *rp);
/* A peer that could not keep its log: the problem; true if there is one. */
bool	 compare_log_error(struct report *r, const char **why);
/* views.c: whether r is a run with views, and judging one. */
bool	 compare_has_views(const struct report *r);
void	 compare_views(struct report *r);
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

/* sweep.c */
struct sweep_stats *sweep_create(size_t cells);
void	 sweep_add(struct sweep_stats *s, const struct report *r);
void	 sweep_print(FILE *f, const struct sweep_stats *s);
int	 sweep_svg(const char *path, const struct sweep_stats *s);
void	 sweep_free(struct sweep_stats *s);
/* The median of the peers' median own-message latencies, µs. */
uint64_t report_median_latency(const struct report *r);

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

#endif
