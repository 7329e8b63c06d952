/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * comparison_server: asks how many messages each peer sends (at a prompt,
 * like the original demo, or from flags), runs each round on the registered
 * peers, collects every delivery log over TCP, and reports how far the
 * peers' delivery sequences disagree.  main() parses options, starts the
 * LOG server thread and loops over runs.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpcomm/auth.h"
#include "mpcomm/ctl.h"
#include "mpcomm/log.h"
#include "mpcomm/lsrv.h"
#include "mpcomm/mptime.h"
#include "mpcomm/proc.h"
#include "mpcomm/runparam.h"
#include "cs.h"
#include "html.h"


#define PROG	"comparison_server"
#define SYNOPSIS	\
    "comparison_server [-hqVv] [-g host:port] [-m messages] [-n peers] [...]"
#define usage_error(...) proc_usage_error(PROG, SYNOPSIS, __VA_ARGS__)
#define check_hostport(what, spec, defport)				\
	proc_check_hostport(PROG, SYNOPSIS, what, spec, defport)

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: comparison_server [options]\n"
"Runs rounds on the registered peers and compares their delivery logs.\n"
"Without --messages it asks for the number of messages at a prompt;\n"
"0 or the end of input shuts the peers down and exits; q (quit) exits and\n"
"leaves the peers running.\n"
"\n"
"  -g, --group-manager H:P  group manager (default $MPCOMM_GROUP_MANAGER or\n"
"                           127.0.0.1:5680)\n"
"  -b, --bind ADDR          listen for logs on ADDR only\n"
"  -p, --port PORT          TCP port for logs (default 5678; 0: any)\n"
"  -a, --advertise HOST     address peers send logs to (default: ours as\n"
"                           each peer sees it)\n"
"  -m, --messages M         messages per peer; run and exit (scripted)\n"
"  -n, --peers N            use N peers; wait for them to register\n"
"  -r, --runs K             repeat each configuration K times (default 1)\n"
"  -o, --order MODE         none, fifo, total, causal or sequencer\n"
"                           (default total)\n"
"  -i, --interval MIN:MAX   ms between a peer's sends (default 0:10;\n"
"                           a single MS means MS:MS)\n"
"      --delay MIN:MAX      emulated one-way delay, ms (default 0:0;\n"
"                           --delay 40 means 40:40, not 0:40)\n"
"      --regions FILE|world one-way delays between regions, `A B MS` a line\n"
"                           (world: 7 cloud regions built in)\n"
"      --place R1,R2,...    peer i in region i (round robin; default: the\n"
"                           table's regions in order)\n"
"      --loss P             emulated loss probability (default 0)\n"
"      --dup P              emulated duplication probability (default 0)\n"
"      --seed S             emulation and pacing seed (default 1)\n"
"      --window N           messages in flight per peer (default 8192)\n"
"      --on-failure MODE    when a peer fails: continue (the others go on in\n"
"                           a view without it) or abort (default continue)\n"
"      --suspect MS         silence after which a peer is left behind\n"
"                           (default 1000; below the peers' --peer-timeout)\n"
"      --compare LIST       e.g. none,fifo,causal,total: the same workload\n"
"                           in each mode, then one table of them all\n"
"      --svg-compare FILE   the --compare table as a chart\n"
"      --sweep-peers LIST   e.g. 2,3,4: run every peer count ...\n"
"      --sweep-messages LIST  ... with every message count, K times each\n"
"  -j, --json FILE          the report as JSON (last run)\n"
"      --svg FILE           a picture of the run (last run)\n"
"      --trace [N]          peers trace their first N messages each (500;\n"
"                           --trace N and --trace=N alike)\n"
"      --spacetime FILE     a space-time diagram of the last run (SVG;\n"
"                           implies --trace)\n"
"      --shiviz FILE        the last run's traces as a ShiViz log\n"
"      --html FILE          a page that replays the last run step by step\n"
"                           (one file, opens from disk; implies --trace)\n"
"      --csv FILE           one row per run\n"
"      --save DIR           keep the last run (logs, traces, report.json) in\n"
"                           DIR, to draw again with mpreport DIR\n"
"      --svg-summary FILE   mismatched rounds against messages, per N\n"
"      --wait SEC           for peers to register (default 30)\n"
"  -t, --timeout SEC        abort a run that makes no progress (default 30)\n"
"  -k, --key-file PATH      authenticate control lines (as the peers do)\n"
"      --insecure           without a key, take peers and logs beyond\n"
"                           loopback anyway (default: loopback only)\n"
"      --shutdown-peers     send SHUTDOWN to the peers when done\n"
"  -P, --pidfile PATH  -L, --log-file PATH  --syslog\n"
"  -v, --verbose  -q, --quiet  -h, --help  -V, --version\n"
"\n"
"Exit status: 0 every run ok, 1 a run failed (disagreement in total order,\n"
"missing or duplicate messages, aborted, timeout, interrupted, also while\n"
"waiting for peers), 2 usage, 3 network.  A run without progress, or\n"
"interrupted by SIGINT/SIGTERM, is aborted at every peer (ABORT), so the\n"
"peers are ready for the next one.\n"
"Examples:\n"
"  comparison_server -g 10.0.0.1:5680\n"
"  comparison_server -n 4 -m 500 --order total --interval 0:0\n"
"  comparison_server -n 4 -m 300 --order none --delay 1:40 --svg run.svg\n"
"  comparison_server -n 4 -m 300 --regions world --compare none,causal,total\n"
"  comparison_server --sweep-peers 2,3 --sweep-messages 10,50 -r 3 \\\n"
"      --csv runs.csv --svg-summary sweep.svg\n");
	exit(status);
}

static int
parse_list(const char *s, uint64_t min, uint64_t max, uint64_t *out,
    size_t cap, size_t *n)
{
	char buf[256], *tok, *save;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (*n == cap || ctl_parse_u64(tok, min, max, &out[*n]) < 0)
			return -1;
		(*n)++;
	}
	return *n ? 0 : -1;
}

/*
 * --suspect MS: above two heartbeat intervals (a live member is heard from at
 * least that often), at most an hour.  Below each peer's --peer-timeout
 * too, in continue mode: a peer that is not refuses the START and says so.
 */
static uint64_t
parse_suspect(const char *arg)
{
	const char *why;
	uint64_t v;

	if (order_suspect_parse(arg, &v, &why) < 0)
		usage_error("--suspect %s: %s", arg, why);
	return v;
}

/* The long options without a short letter. */
enum { OPT_DELAY = 256, OPT_LOSS, OPT_DUP, OPT_SEED, OPT_SWEEPN, OPT_SWEEPM,
    OPT_SVG, OPT_CSV, OPT_SVGSUM, OPT_WAIT, OPT_SHUT, OPT_WINDOW,
    OPT_ONFAIL, OPT_SUSPECT, OPT_REGIONS, OPT_PLACE, OPT_TRACE,
    OPT_SPACETIME, OPT_SHIVIZ, OPT_HTML, OPT_COMPARE, OPT_SVGCMP, OPT_SAVE };

static const struct option long_opts[] = {
	PROC_LONG_OPTS,
	{ "advertise", required_argument, NULL, 'a' },
	{ "compare", required_argument, NULL, OPT_COMPARE },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "dup", required_argument, NULL, OPT_DUP },
	{ "group-manager", required_argument, NULL, 'g' },
	{ "help", no_argument, NULL, 'h' },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "interval", required_argument, NULL, 'i' },
	{ "json", required_argument, NULL, 'j' },
	{ "loss", required_argument, NULL, OPT_LOSS },
	{ "messages", required_argument, NULL, 'm' },
	{ "on-failure", required_argument, NULL, OPT_ONFAIL },
	{ "order", required_argument, NULL, 'o' },
	{ "peers", required_argument, NULL, 'n' },
	{ "place", required_argument, NULL, OPT_PLACE },
	{ "regions", required_argument, NULL, OPT_REGIONS },
	{ "runs", required_argument, NULL, 'r' },
	{ "save", required_argument, NULL, OPT_SAVE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "shiviz", required_argument, NULL, OPT_SHIVIZ },
	{ "shutdown-peers", no_argument, NULL, OPT_SHUT },
	{ "spacetime", required_argument, NULL, OPT_SPACETIME },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "svg-compare", required_argument, NULL, OPT_SVGCMP },
	{ "svg-summary", required_argument, NULL, OPT_SVGSUM },
	{ "sweep-messages", required_argument, NULL, OPT_SWEEPM },
	{ "suspect", required_argument, NULL, OPT_SUSPECT },
	{ "sweep-peers", required_argument, NULL, OPT_SWEEPN },
	{ "timeout", required_argument, NULL, 't' },
	{ "trace", optional_argument, NULL, OPT_TRACE },
	{ "version", no_argument, NULL, 'V' },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ NULL, 0, NULL, 0 }
};

/* An option of the runs' parameters: 1 when ch is one, 0 when not. */
static int
run_option(struct run_params *p, int ch, const char *arg)
{
	uint64_t v;

	switch (ch) {
	case OPT_DELAY:
		if (ctl_parse_range(arg, run_param_min(RP_DMIN),
		    run_param_max(RP_DMAX), &p->dmin_ms, &p->dmax_ms) < 0)
			usage_error("--delay: expected MIN:MAX in "
			    "ms, up to %" PRIu64 ": %s",
			    run_param_max(RP_DMAX), arg);
		return 1;
	case OPT_DUP:
		if (ctl_parse_double(arg, run_param[RP_DUP].min,
		    run_param[RP_DUP].max, &p->dup) < 0)
			usage_error("--dup: expected a probability in "
			    "[%g, %g]: %s", run_param[RP_DUP].min,
			    run_param[RP_DUP].max, arg);
		return 1;
	case 'i':
		if (ctl_parse_range(arg, run_param_min(RP_IMIN),
		    run_param_max(RP_IMAX), &p->imin_ms, &p->imax_ms) < 0)
			usage_error("--interval: expected MIN:MAX "
			    "in ms: %s", arg);
		return 1;
	case OPT_LOSS:
		if (ctl_parse_double(arg, run_param[RP_LOSS].min,
		    run_param[RP_LOSS].max, &p->loss) < 0)
			usage_error("--loss: expected a probability in "
			    "[%g, %g]: %s", run_param[RP_LOSS].min,
			    run_param[RP_LOSS].max, arg);
		return 1;
	case OPT_ONFAIL:
		if (order_on_failure_parse(arg, &p->on_failure) < 0)
			usage_error("--on-failure: expected continue "
			    "or abort: %s", arg);
		return 1;
	case OPT_SUSPECT:
		p->suspect_ms = parse_suspect(arg);
		return 1;
	case 'o':
		if (order_mode_parse(arg, &p->mode) < 0)
			usage_error("--order: expected none, fifo, "
			    "total, causal or sequencer: %s", arg);
		return 1;
	case OPT_SEED:
		if (ctl_parse_u64(arg, 0, UINT64_MAX,
		    &p->seed) < 0)
			usage_error("--seed: not a number: %s",
			    arg);
		return 1;
	case OPT_WINDOW:
		if (ctl_parse_u64(arg, run_param_min(RP_WINDOW),
		    run_param_max(RP_WINDOW), &v) < 0)
			usage_error("--window: not a number in [%" PRIu64
			    ", %" PRIu64 "]: %s", run_param_min(RP_WINDOW),
			    run_param_max(RP_WINDOW), arg);
		p->window = (uint32_t)v;
		return 1;
	}
	return 0;
}

/* --compare's list: modes by name, each once. */
static void
parse_compare(struct cs_ctx *ctx, const char *arg)
{
	char buf[256], *tok, *save;
	enum order_mode m;
	size_t i;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		usage_error("--compare: list too long: %s", arg);
	ctx->ncompare = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (order_mode_parse(tok, &m) < 0)
			usage_error("--compare: expected modes among none, "
			    "fifo, total, causal and sequencer, comma-separated: "
			    "%s", arg);
		for (i = 0; i < ctx->ncompare; i++)
			if (ctx->compare[i] == m)
				usage_error("--compare: %s twice: %s", tok,
				    arg);
		if (ctx->ncompare == sizeof(ctx->compare) /
		    sizeof(ctx->compare[0]))
			usage_error("--compare: too many modes: %s", arg);
		ctx->compare[ctx->ncompare++] = m;
	}
	if (ctx->ncompare == 0)
		usage_error("--compare: expected a list of modes: %s", arg);
}

/* --sweep-peers, --sweep-messages: 1 when ch is one, 0 when not. */
static int
sweep_option(struct cs_ctx *ctx, int ch, const char *arg)
{
	uint64_t list[16];
	size_t n, i;

	switch (ch) {
	case OPT_SWEEPM:
		if (parse_list(arg, 1, INT32_MAX, list, 16, &n) < 0)
			usage_error("--sweep-messages: expected "
			    "up to 16 positive numbers: %s", arg);
		for (i = 0; i < n; i++)
			ctx->sweep_m[i] = (uint32_t)list[i];
		ctx->nsweep_m = n;
		return 1;
	case OPT_SWEEPN:
		if (parse_list(arg, 2, MSG_MAX_PEERS, list, 16,
		    &n) < 0)
			usage_error("--sweep-peers: expected up "
			    "to 16 numbers in [2, %d]: %s",
			    MSG_MAX_PEERS, arg);
		for (i = 0; i < n; i++)
			ctx->sweep_n[i] = (unsigned)list[i];
		ctx->nsweep_n = n;
		return 1;
	}
	return 0;
}

/*
 * --regions, --place, --trace, --spacetime, --shiviz, --html: 1 when ch is
 * one, 0
 * when not.  The table is loaded once every option is known.
 */
static int
see_option(struct cs_ctx *ctx, int ch, const char *arg)
{
	uint64_t v = TRACE_DEFAULT;

	switch (ch) {
	case OPT_REGIONS:
		ctx->regions_arg = arg;
		return 1;
	case OPT_PLACE:
		ctx->place_arg = arg;
		return 1;
	case OPT_TRACE:
		if (arg && ctl_parse_u64(arg, 1, run_param_max(RP_TRACE),
		    &v) < 0)
			usage_error("--trace: expected messages per peer in "
			    "[1, %" PRIu64 "]: %s", run_param_max(RP_TRACE),
			    arg);
		ctx->p.trace = (uint32_t)v;
		return 1;
	case OPT_SPACETIME:
		ctx->spacetime_path = arg;
		return 1;
	case OPT_SHIVIZ:
		ctx->shiviz_path = arg;
		return 1;
	case OPT_HTML:
		ctx->html_path = arg;
		return 1;
	}
	return 0;
}

/*
 * An output file the run will write at its end: its folder must exist and
 * be writable (and the file, if there, writable and not a folder) before
 * the run starts, so that a typo does not cost the run.  Usage error if not.
 */
static void
check_output(const char *opt, const char *path)
{
	char dir[4096];
	const char *slash;
	struct stat st;
	size_t len;

	if (!path)
		return;
	if (!*path)
		usage_error("%s: empty file name", opt);
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			usage_error("%s %s: is a folder", opt, path);
		if (access(path, W_OK) < 0)
			usage_error("%s %s: cannot write: %s", opt, path,
			    strerror(errno));
		return;
	}
	if (errno != ENOENT)
		usage_error("%s %s: %s", opt, path, strerror(errno));
	if (!(slash = strrchr(path, '/')))
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else {
		len = (size_t)(slash - path);
		if (len >= sizeof(dir))
			usage_error("%s: file name too long", opt);
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	if (stat(dir, &st) < 0)
		usage_error("%s %s: no folder %s: %s", opt, path, dir,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		usage_error("%s %s: %s is not a folder", opt, path, dir);
	if (access(dir, W_OK | X_OK) < 0)
		usage_error("%s %s: cannot write in %s: %s", opt, path, dir,
		    strerror(errno));
}

/* --save DIR: made now if missing (one level), and writable. */
static void
check_save_dir(const char *dir)
{
	struct stat st;

	if (!*dir)
		usage_error("--save: empty folder name");
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		usage_error("--save %s: %s", dir, strerror(errno));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		usage_error("--save %s: not a folder", dir);
	if (access(dir, W_OK | X_OK) < 0)
		usage_error("--save %s: cannot write in it: %s", dir,
		    strerror(errno));
}

/* What the options say together. */
static void
check_args(struct cs_ctx *ctx)
{
	char err[256];

	ctx->quiet = ctx->opt.level == LOG_LEVEL_WARN;
	if ((ctx->nsweep_n == 0) != (ctx->nsweep_m == 0))
		usage_error("--sweep-peers and --sweep-messages go "
		    "together");
	if (ctx->nsweep_n)
		ctx->scripted = true;
	if (ctx->want_peers && ctx->nsweep_n)
		usage_error("--peers and --sweep-peers exclude each "
		    "other");
	if (ctx->ncompare && ctx->nsweep_n)
		usage_error("--compare and a sweep exclude each other");
	if (ctx->ncompare && ctx->order_given)
		usage_error("--compare and --order exclude each other: the "
		    "list says the modes");
	if (ctx->ncompare && !ctx->scripted)
		usage_error("--compare needs --messages");
	if (ctx->svg_compare_path && !ctx->ncompare)
		usage_error("--svg-compare needs --compare");
	if (ctx->svg_summary_path && !ctx->nsweep_n)
		usage_error("--svg-summary needs a sweep (--sweep-peers and "
		    "--sweep-messages)");
	check_output("--json", ctx->json_path);
	check_output("--svg", ctx->svg_path);
	check_output("--csv", ctx->csv_path);
	check_output("--svg-summary", ctx->svg_summary_path);
	check_output("--svg-compare", ctx->svg_compare_path);
	check_output("--spacetime", ctx->spacetime_path);
	check_output("--shiviz", ctx->shiviz_path);
	check_output("--html", ctx->html_path);
	if (ctx->save_dir)
		check_save_dir(ctx->save_dir);
	if (geo_setup(ctx, ctx->regions_arg, ctx->place_arg, err,
	    sizeof(err)) < 0)
		usage_error("%s", err);
	/* The pictures are drawn from the traces. */
	if ((ctx->spacetime_path || ctx->shiviz_path || ctx->html_path) &&
	    !ctx->p.trace)
		ctx->p.trace = TRACE_DEFAULT;
}

static void
parse_args(struct cs_ctx *ctx, int argc, char **argv)
{
	uint64_t v;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv,
	    ":" PROC_SHORT_OPTS "a:g:hi:j:m:n:o:r:t:V", long_opts, NULL)) != -1) {
		/* --trace N as --trace=N (as cluster.sh takes it). */
		if (ch == OPT_TRACE && !optarg && optind < argc &&
		    isdigit((unsigned char)argv[optind][0]))
			optarg = argv[optind++];
		if (ch == 'o')
			ctx->order_given = true;
		if ((rc = proc_option(ch, optarg, &ctx->opt)) > 0)
			continue;
		if (rc < 0)
			usage_error("--port: not a port: %s", optarg);
		if (run_option(&ctx->p, ch, optarg) ||
		    sweep_option(ctx, ch, optarg) ||
		    see_option(ctx, ch, optarg))
			continue;
		switch (ch) {
		case 'a':
			ctx->advertise = optarg;
			break;
		case OPT_COMPARE:
			parse_compare(ctx, optarg);
			break;
		case OPT_CSV:
			ctx->csv_path = optarg;
			break;
		case 'g':
			check_hostport("--group-manager", optarg,
			    MPCOMM_PORT_GM);
			ctx->gm_spec = optarg;
			break;
		case 'h':
			usage(stdout, EXIT_OK);
			break;
		case 'j':
			ctx->json_path = optarg;
			break;
		case 'm':
			if (ctl_parse_u64(optarg, 1, INT32_MAX, &v) < 0)
				usage_error("--messages: expected a "
				    "positive number: %s", optarg);
			ctx->p.m = (uint32_t)v;
			ctx->scripted = true;
			break;
		case 'n':
			if (ctl_parse_u64(optarg, 2, MSG_MAX_PEERS, &v) < 0)
				usage_error("--peers: expected a number "
				    "in [2, %d]: %s", MSG_MAX_PEERS, optarg);
			ctx->want_peers = (unsigned)v;
			break;
		case 'r':
			if (ctl_parse_u64(optarg, 1, 1000000, &ctx->runs) < 0)
				usage_error("--runs: expected a positive "
				    "number: %s", optarg);
			break;
		case OPT_SHUT:
			ctx->shutdown_peers = true;
			break;
		case OPT_SVG:
			ctx->svg_path = optarg;
			break;
		case OPT_SVGSUM:
			ctx->svg_summary_path = optarg;
			break;
		case OPT_SVGCMP:
			ctx->svg_compare_path = optarg;
			break;
		case OPT_SAVE:
			ctx->save_dir = optarg;
			break;
		case 't':
			if (ctl_parse_u64(optarg, 1, 86400, &ctx->timeout_s) < 0)
				usage_error("--timeout: expected seconds "
				    "in [1, 86400]: %s", optarg);
			break;
		case 'V':
			printf("comparison_server (MPComm) %s\n",
			    MPCOMM_VERSION);
			exit(EXIT_OK);
		case OPT_WAIT:
			if (ctl_parse_u64(optarg, 0, 86400, &ctx->wait_s) < 0)
				usage_error("--wait: expected seconds: "
				    "%s", optarg);
			break;
		default:
			proc_getopt_error(PROG, SYNOPSIS, ch, argv);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	check_args(ctx);
}

static void
on_stop(void *arg, int sig)
{
	struct cs_ctx *ctx = arg;

	log_warnx("%s received: stopping (a run in progress is aborted at "
	    "every peer and reported), then exiting",
	    sig == SIGINT ? "SIGINT" : "SIGTERM");
	atomic_store(&ctx->interrupted, true);
	pthread_mutex_lock(&ctx->coll.mu);
	pthread_cond_broadcast(&ctx->coll.cv);
	pthread_mutex_unlock(&ctx->coll.mu);
}

static void *
server_main(void *arg)
{
	struct cs_ctx *ctx = arg;

	if (lsrv_run(ctx->srv) < 0)
		log_warn("LOG server failed");
	return NULL;
}

/*
 * Runs one configuration ctx->runs times, the k-th (from 0) with seed + k.
 * Returns EXIT_OK, EXIT_FAILED if a run was not ok, or EXIT_NETWORK if a
 * run could not even start.
 */
static int
run_config(struct cs_ctx *ctx, const struct run_params *p,
    struct sweep_stats *ss, struct versus *vs)
{
	struct run_params pk = *p;
	char why[4200];
	struct report *r;
	uint64_t k;
	int status = EXIT_OK;

	for (k = 0; k < ctx->runs && !atomic_load(&ctx->interrupted); k++) {
		/* Each repeat draws its own emulation: seed, seed+1, ... */
		pk.seed = p->seed + k;
		if (ctx->runs > 1)
			log_info("repeat %" PRIu64 " of %" PRIu64 ": seed %"
			    PRIu64, k + 1, ctx->runs, pk.seed);
		if (!(r = run_once(ctx, &pk)))	/* interrupted: a failure */
			return atomic_load(&ctx->interrupted) ? EXIT_FAILED :
			    EXIT_NETWORK;
		if (r->v.status != RUN_STATUS_OK)
			status = EXIT_FAILED;
		/* The files first: their warnings precede the report. */
		if (ctx->json_path && report_json(ctx->json_path, r) < 0)
			log_warn("cannot write %s", ctx->json_path);
		if (ctx->svg_path && report_svg(ctx->svg_path, r) < 0)
			log_warn("cannot write %s", ctx->svg_path);
		if (ctx->spacetime_path && st_svg(ctx->spacetime_path, r) < 0)
			log_warn("cannot write %s", ctx->spacetime_path);
		if (ctx->shiviz_path && shiviz_write(ctx->shiviz_path, r) < 0)
			log_warn("cannot write %s", ctx->shiviz_path);
		if (ctx->html_path && html_write(ctx->html_path, r) < 0)
			log_warn("cannot write %s", ctx->html_path);
		if (ctx->save_dir && saved_write(ctx->save_dir, r, why,
		    sizeof(why)) < 0)
			log_warnx("cannot save the run: %s", why);
		if (ctx->csv && (report_csv_row(ctx->csv, r, false) < 0 ||
		    fflush(ctx->csv) != 0))
			log_warn("cannot write %s", ctx->csv_path);
		if (!ctx->quiet)
			report_print(stdout, r);
		/* The last line of the run, out before anything else is. */
		report_result_line(stdout, r);
		fflush(stdout);
		if (ss)
			sweep_add(ss, r);
		if (vs)
			versus_add(vs, r);
		report_free(r);
	}
	return status;
}

/* Keeps the most serious exit status. */
static void
worse(int *status, int s)
{
	if (s == EXIT_NETWORK || (s == EXIT_FAILED && *status == EXIT_OK))
		*status = s;
}

#define PROMPT_QUIT	(-2)	/* prompt(): leave, the peers keep running */

/* One line of standard input into line; 0, 1 at its end, -1 interrupted. */
static int
prompt_read(struct cs_ctx *ctx, char *line, size_t cap, bool *too_long)
{
	size_t len = 0;

	*too_long = false;
	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		char ch;
		ssize_t n;

		if (atomic_load(&ctx->interrupted))
			return -1;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((n = read(STDIN_FILENO, &ch, 1)) < 0 && errno == EINTR)
			continue;
		if (n <= 0 && len == 0)
			return 1;
		if (n <= 0 || ch == '\n')
			break;
		if (len < cap - 1)
			line[len++] = ch;
		else
			*too_long = true;
	}
	line[len] = '\0';
	return 0;
}

/*
 * Reads the number of messages at the prompt: 0 also at the end of input
 * (as answering 0 does, it shuts the peers down), PROMPT_QUIT for q or
 * quit (leave, the peers keep running), -1 when interrupted.  Blanks
 * around the answer do not count and an empty line asks again; what is
 * wrong is said on stderr, and asked again.
 */
static long long
prompt(struct cs_ctx *ctx)
{
	char buf[64], *line;
	bool too_long;
	uint64_t v;
	size_t len;
	int rc;

	for (;;) {
		if (atomic_load(&ctx->interrupted))
			return -1;	/* no prompt after SIGINT */
		printf("number of messages for each peer (0 to terminate, q to "
		    "quit and leave the peers running): ");
		fflush(stdout);
		if ((rc = prompt_read(ctx, buf, sizeof(buf), &too_long)) != 0) {
			printf("\n");
			return rc < 0 ? -1 : 0;
		}
		line = buf + strspn(buf, " \t\r");
		len = strlen(line);
		while (len > 0 && strchr(" \t\r", line[len - 1]))
			line[--len] = '\0';
		if (too_long) {
			fprintf(stderr, "too long: %.20s...\n", line);
			continue;
		}
		if (len == 0)
			continue;
		if (strcmp(line, "q") == 0 || strcmp(line, "quit") == 0)
			return PROMPT_QUIT;
		if (ctl_parse_u64(line, 0, INT32_MAX, &v) == 0)
			return (long long)v;
		if (strspn(line, "0123456789") == len)
			fprintf(stderr, "out of range: %s (at most %d messages "
			    "for each peer)\n", line, INT32_MAX);
		else
			fprintf(stderr, "not a number of messages: %s (a "
			    "number, 0 to terminate, or q)\n", line);
	}
}

/* The defaults, then the command line, the key and the outputs. */
static void
configure(struct cs_ctx *ctx, int argc, char **argv)
{
	const char *env, *what;

	ctx->gm_spec = (env = getenv("MPCOMM_GROUP_MANAGER")) && *env ? env :
	    MPCOMM_GM_ADDR;
	ctx->opt.port = MPCOMM_PORT_LOG;
	ctx->opt.level = LOG_LEVEL_INFO;
	ctx->runs = 1;
	ctx->wait_s = 30;
	ctx->timeout_s = 30;
	ctx->p.mode = ORDER_TOTAL;
	ctx->p.imax_ms = 10;
	ctx->p.seed = 1;
	ctx->p.window = (uint32_t)run_param[RP_WINDOW].dflt;
	ctx->p.on_failure = ORDER_CONTINUE;
	ctx->p.suspect_ms = 1000;
	log_init("comparison_server", LOG_LEVEL_INFO, 0);
	if ((env = getenv("MPCOMM_GROUP_MANAGER")) && *env)
		check_hostport("MPCOMM_GROUP_MANAGER", env, MPCOMM_PORT_GM);
	parse_args(ctx, argc, argv);
	if (proc_setup("comparison_server", &ctx->opt, 0, &ctx->key_store,
	    &ctx->key, &what) < 0)
		usage_error("cannot use %s: %s", what, strerror(errno));
	if (ctx->opt.warning[0])
		log_warnx("%s", ctx->opt.warning);
	if (net_resolve_hostport(ctx->gm_spec, MPCOMM_PORT_GM, SOCK_STREAM,
	    &ctx->gm) < 0)
		fatalx(EXIT_NETWORK, "cannot resolve the group manager %s: %s",
		    ctx->gm_spec, net_resolve_strerror(errno));
	if (ctx->csv_path) {
		if (!(ctx->csv = fopen(ctx->csv_path, "w")))
			fatal(EXIT_USAGE, "cannot write %s", ctx->csv_path);
		report_csv_row(ctx->csv, NULL, true);
	}
	ctx->progress = isatty(STDOUT_FILENO) && !ctx->quiet;
	if (ctx->progress && isatty(STDERR_FILENO) && !ctx->opt.log_file &&
	    !ctx->opt.use_syslog)
		log_set_clear_line(1);
}

/* The LOG server on its thread, and the signal thread; exits 3 on failure. */
static void
start_threads(struct cs_ctx *ctx)
{
	struct net_addr bound;
	char where[80];

	collect_init(&ctx->coll);
	if ((ctx->lfd = net_listen_tcp(ctx->opt.bind, ctx->opt.port, 128,
	    &bound)) < 0)
		fatalx(EXIT_NETWORK, "cannot listen on %s port %s: %s",
		    ctx->opt.bind ? ctx->opt.bind : "*", ctx->opt.port,
		    net_resolve_strerror(errno));
	ctx->lport = net_addr_port(&bound);
	if (ctx->opt.pidfile && proc_pidfile_write(ctx->opt.pidfile) < 0)
		fatal(EXIT_NETWORK, "cannot write pidfile %s",
		    ctx->opt.pidfile);
	proc_block_signals();
	if (!(ctx->srv = lsrv_create(&ctx->lfd, 1, collect_ops(), &ctx->coll,
	    MPCOMM_LOG_IDLE_MS, 256)))
		fatal(EXIT_NETWORK, "cannot start the LOG server");
	lsrv_set_key(ctx->srv, ctx->key);
	lsrv_set_protected(ctx->srv, ctx->opt.loopback_only);
	if ((errno = pthread_create(&ctx->t_srv, NULL, server_main, ctx)) != 0)
		fatal(EXIT_NETWORK, "cannot start the LOG server thread");
	if (proc_signal_thread(on_stop, ctx, &ctx->t_sig) < 0)
		fatal(EXIT_NETWORK, "cannot start the signal thread");
	log_info("listening for logs on %s",
	    net_addr_str(&bound, where, sizeof(where)));
}

/* Every (peers, messages) pair of the sweep, then its summary. */
static int
sweep(struct cs_ctx *ctx, struct run_params p)
{
	struct sweep_stats *ss;
	int status = EXIT_OK;
	size_t i, j;

	if (!(ss = sweep_create(ctx->nsweep_n * ctx->nsweep_m)))
		fatal(EXIT_NETWORK, "out of memory");
	for (i = 0; i < ctx->nsweep_n; i++)
		for (j = 0; j < ctx->nsweep_m; j++) {
			if (atomic_load(&ctx->interrupted))
				break;
			p.n = ctx->sweep_n[i];
			p.m = ctx->sweep_m[j];
			worse(&status, run_config(ctx, &p, ss, NULL));
		}
	if (!ctx->quiet)
		sweep_print(stdout, ss);
	if (ctx->svg_summary_path && sweep_svg(ctx->svg_summary_path, ss) < 0)
		log_warn("cannot write %s", ctx->svg_summary_path);
	sweep_free(ss);
	return status;
}

/*
 * --compare: the same workload (peers, messages, seed, emulation, regions)
 * in every mode of the list, K runs each, then the table of them all.
 */
static int
compare(struct cs_ctx *ctx, struct run_params p)
{
	struct versus *vs;
	int status = EXIT_OK;
	size_t i;

	if (!(vs = versus_create(ctx->ncompare * (size_t)ctx->runs)))
		fatal(EXIT_NETWORK, "out of memory");
	for (i = 0; i < ctx->ncompare; i++) {
		if (atomic_load(&ctx->interrupted))
			break;
		p.mode = ctx->compare[i];
		log_info("compare: order %s", order_mode_name(p.mode));
		worse(&status, run_config(ctx, &p, NULL, vs));
		if (status == EXIT_NETWORK)
			break;
	}
	versus_print(stdout, vs);
	fflush(stdout);
	if (ctx->svg_compare_path && versus_svg(ctx->svg_compare_path, vs) < 0)
		log_warn("cannot write %s", ctx->svg_compare_path);
	versus_free(vs);
	return status;
}

/* Rounds asked at the prompt until 0, the end of input or a signal. */
static int
interactive(struct cs_ctx *ctx, struct run_params p)
{
	int status = EXIT_OK;
	long long m;

	while ((m = prompt(ctx)) > 0) {
		p.m = (uint32_t)m;
		worse(&status, run_config(ctx, &p, NULL, NULL));
		/* A run that could not start was FATAL: so is the prompt. */
		if (status == EXIT_NETWORK)
			return status;
	}
	if (m == 0)
		ctx->shutdown_peers = true;
	if (m == PROMPT_QUIT && !ctx->shutdown_peers)
		log_info("leaving; the peers keep running, ready for another "
		    "comparison server");
	return status;
}

int
main(int argc, char **argv)
{
	static struct cs_ctx ctx;
	struct run_params p;
	int status;

	configure(&ctx, argc, argv);
	start_threads(&ctx);
	p = ctx.p;
	p.n = ctx.want_peers;
	if (ctx.nsweep_n)
		status = sweep(&ctx, p);
	else if (ctx.ncompare)
		status = compare(&ctx, p);
	else if (ctx.scripted)
		status = run_config(&ctx, &p, NULL, NULL);
	else
		status = interactive(&ctx, p);
	if (atomic_load(&ctx.interrupted) && status == EXIT_OK)
		status = EXIT_FAILED;
	if (ctx.shutdown_peers)
		run_shutdown_peers(&ctx);
	proc_signal_thread_join(ctx.t_sig);
	lsrv_stop(ctx.srv);
	pthread_join(ctx.t_srv, NULL);
	lsrv_destroy(ctx.srv);
	close(ctx.lfd);
	if (ctx.csv && fclose(ctx.csv) != 0)
		log_warn("cannot write %s", ctx.csv_path);
	proc_pidfile_remove(ctx.opt.pidfile);
	return status;
}
