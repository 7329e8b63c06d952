/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * peer: one member of an MPComm group.  It registers with the group manager
 * (and refreshes that registration), waits for START on its control port,
 * multicasts its messages over UDP with the ordering the run asks for, ships
 * its delivery log to the comparison server, and waits for the next START.
 * main() builds the context, starts the threads, and owns the signals.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpcomm/ctl.h"
#include "mpcomm/ctlc.h"
#include "mpcomm/ctlmsg.h"
#include "mpcomm/defaults.h"
#include "mpcomm/log.h"
#include "mpcomm/lsrv.h"
#include "mpcomm/mptime.h"
#include "mpcomm/loop.h"
#include "mpcomm/proc.h"
#include "mpcomm/runparam.h"
#include "peer.h"

#define SOCKBUF		(8 * 1024 * 1024)
#define STALL_UNSET	UINT64_MAX	/* --stall-timeout not given */
#define SUSPECT_UNSET	UINT64_MAX	/* --suspect not given */
#define SUSPECT_MS	1000		/* its default, or 3/4 of the peer
					 * timeout if less */

#define PROG	"peer"
#define SYNOPSIS	\
    "peer [-dhqVv] [-g host:port] [-l log-dir] [-p port] [-u port] [options]"
#define usage_error(...) proc_usage_error(PROG, SYNOPSIS, __VA_ARGS__)
#define check_hostport(what, spec, defport)				\
	proc_check_hostport(PROG, SYNOPSIS, what, spec, defport)

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: peer [options]\n"
"One member of an MPComm group: registers, waits for START, multicasts.\n"
"\n"
"  -g, --group-manager H:P  group manager (default $MPCOMM_GROUP_MANAGER or\n"
"                           127.0.0.1:5680)\n"
"  -s, --server H:P         comparison server for the logs (default\n"
"                           $MPCOMM_SERVER, else the one START names)\n"
"  -b, --bind ADDR          bind UDP and control sockets to ADDR\n"
"  -u, --udp-port PORT      UDP port (default 6789; 0: any free port)\n"
"  -p, --port PORT          control TCP port (default 5679; 0: any)\n"
"  -a, --advertise HOST     address to register (default: our address on\n"
"                           the connection to the group manager)\n"
"  -l, --log-dir DIR        delivery logs go here (default .)\n"
"  -k, --key-file PATH      authenticate datagrams and control lines\n"
"      --insecure           without a key, serve beyond loopback anyway\n"
"                           (default: loopback clients, members, datagrams)\n"
"      --window N           messages in flight per peer (default 8192)\n"
"      --peer-timeout MS    abort a run after this silence (default 10000)\n"
"      --suspect MS         leave a member silent this long behind, for a\n"
"                           START that does not say (default 1000, or 3/4\n"
"                           of the peer timeout if less)\n"
"      --refresh SEC        re-register this often (default 10)\n"
"      --register-timeout SEC  exit 3 if the group manager cannot be\n"
"                           reached (or its name resolved) for SEC at\n"
"                           start (default 60; with --daemon 0: keep\n"
"                           trying)\n"
"      --ship-timeout SEC   keep retrying to ship a log (default 60)\n"
"      --stall-timeout MS   abort a run whose delivery has not moved for MS,\n"
"                           above the peer timeout (default: 30000 or 3x\n"
"                           the peer timeout; 0: never)\n"
"  -d, --daemon             detach; -P, --pidfile PATH  write the pid\n"
"  -L, --log-file PATH      log here (reopened on SIGHUP); --syslog\n"
"  -v, --verbose  -q, --quiet  -h, --help  -V, --version\n"
"\n"
"Exit status: 0 ok, 2 usage error, 3 network error (also: the group\n"
"manager did not answer within --register-timeout).\n"
"Examples:\n"
"  peer -g 10.0.0.1:5680\n"
"  peer -g 127.0.0.1:5680 -u 0 -p 0 -l /tmp/logs\n");
	exit(status);
}

/*
 * --suspect MS: above two heartbeat intervals (a member is heard from at
 * least that often), at most an hour.  Exits 2 otherwise.
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
enum { OPT_WINDOW = 256, OPT_PTO, OPT_REFRESH, OPT_SHIPTO, OPT_STALL,
    OPT_REGTO, OPT_SUSPECT };

static const struct option long_opts[] = {
	PROC_LONG_OPTS,
	{ "advertise", required_argument, NULL, 'a' },
	{ "daemon", no_argument, NULL, 'd' },
	{ "group-manager", required_argument, NULL, 'g' },
	{ "help", no_argument, NULL, 'h' },
	{ "log-dir", required_argument, NULL, 'l' },
	{ "peer-timeout", required_argument, NULL, OPT_PTO },
	{ "refresh", required_argument, NULL, OPT_REFRESH },
	{ "register-timeout", required_argument, NULL, OPT_REGTO },
	{ "server", required_argument, NULL, 's' },
	{ "ship-timeout", required_argument, NULL, OPT_SHIPTO },
	{ "stall-timeout", required_argument, NULL, OPT_STALL },
	{ "suspect", required_argument, NULL, OPT_SUSPECT },
	{ "udp-port", required_argument, NULL, 'u' },
	{ "version", no_argument, NULL, 'V' },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ NULL, 0, NULL, 0 }
};

/* The timeouts and the refresh period: 1 when ch is one, 0 when not. */
static int
timing_option(struct peer_ctx *ctx, int ch, const char *arg)
{
	switch (ch) {
	case OPT_PTO:
		if (ctl_parse_u64(arg, 100, 3600000,
		    &ctx->peer_timeout_ms) < 0)
			usage_error("--peer-timeout: not a number "
			    "of ms in [100, 3600000]: %s", arg);
		return 1;
	case OPT_REFRESH:
		if (ctl_parse_u64(arg, 1, 86400, &ctx->refresh_s) < 0)
			usage_error("--refresh: not a number of "
			    "seconds in [1, 86400]: %s", arg);
		return 1;
	case OPT_REGTO:
		if (ctl_parse_u64(arg, 0, 86400 * 365,
		    &ctx->register_timeout_s) < 0)
			usage_error("--register-timeout: not a number "
			    "of seconds: %s", arg);
		return 1;
	case OPT_SHIPTO:
		if (ctl_parse_u64(arg, 1, 86400,
		    &ctx->ship_timeout_s) < 0)
			usage_error("--ship-timeout: not a number "
			    "of seconds in [1, 86400]: %s", arg);
		return 1;
	case OPT_STALL:
		if (ctl_parse_u64(arg, 0, 3600000,
		    &ctx->stall_timeout_ms) < 0 ||
		    (ctx->stall_timeout_ms > 0 &&
		    ctx->stall_timeout_ms < 100))
			usage_error("--stall-timeout: not 0 or a number "
			    "of ms in [100, 3600000]: %s", arg);
		return 1;
	case OPT_SUSPECT:
		ctx->suspect_ms = parse_suspect(arg);
		return 1;
	}
	return 0;
}

/*
 * The stall timeout and the suspicion timeout, by default above and below
 * the peer timeout; given, checked against it.
 */
static void
check_timeouts(struct peer_ctx *ctx)
{
	/* An outage the peer timeout tolerates must not look stuck. */
	if (ctx->stall_timeout_ms == STALL_UNSET)
		ctx->stall_timeout_ms = 3 * ctx->peer_timeout_ms > 30000 ?
		    3 * ctx->peer_timeout_ms : 30000;
	else if (ctx->stall_timeout_ms &&
	    ctx->stall_timeout_ms <= ctx->peer_timeout_ms)
		usage_error("--stall-timeout: %llu ms is not above the peer "
		    "timeout (%llu ms)",
		    (unsigned long long)ctx->stall_timeout_ms,
		    (unsigned long long)ctx->peer_timeout_ms);
	/* Suspicion must come before the silence that aborts the run. */
	if (ctx->suspect_ms == SUSPECT_UNSET)
		ctx->suspect_ms = ctx->peer_timeout_ms * 3 / 4 < SUSPECT_MS ?
		    ctx->peer_timeout_ms * 3 / 4 : SUSPECT_MS;
	else if (ctx->suspect_ms >= ctx->peer_timeout_ms)
		usage_error("--suspect: %llu ms is not below the peer timeout "
		    "(%llu ms)", (unsigned long long)ctx->suspect_ms,
		    (unsigned long long)ctx->peer_timeout_ms);
}

static void
parse_args(struct peer_ctx *ctx, int argc, char **argv)
{
	uint64_t v;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":" PROC_SHORT_OPTS "a:dg:hl:s:u:V",
	    long_opts, NULL)) != -1) {
		if ((rc = proc_option(ch, optarg, &ctx->opt)) > 0)
			continue;
		if (rc < 0)
			usage_error("--port: not a port: %s", optarg);
		if (timing_option(ctx, ch, optarg))
			continue;
		switch (ch) {
		case 'a':
			ctx->advertise = optarg;
			break;
		case 'd':
			ctx->daemon = 1;
			break;
		case 'g':
			check_hostport("--group-manager", optarg,
			    MPCOMM_PORT_GM);
			ctx->gm_spec = optarg;
			break;
		case 'h':
			usage(stdout, EXIT_OK);
			break;
		case 'l':
			ctx->log_dir = optarg;
			break;
		case 's':
			check_hostport("--server", optarg, MPCOMM_PORT_LOG);
			ctx->server_spec = optarg;
			break;
		case 'u':
			if (ctl_parse_u64(optarg, 0, 65535, &v) < 0)
				usage_error("--udp-port: not a port: %s",
				    optarg);
			ctx->udp_port = optarg;
			break;
		case 'V':
			printf("peer (MPComm) %s\n", MPCOMM_VERSION);
			exit(EXIT_OK);
		case OPT_WINDOW:
			if (ctl_parse_u64(optarg, run_param_min(RP_WINDOW),
			    run_param_max(RP_WINDOW), &v) < 0)
				usage_error("--window: not a number in [%"
				    PRIu64 ", %" PRIu64 "]: %s",
				    run_param_min(RP_WINDOW),
				    run_param_max(RP_WINDOW), optarg);
			ctx->window = (uint32_t)v;
			break;
		default:
			proc_getopt_error(PROG, SYNOPSIS, ch, argv);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	check_timeouts(ctx);
}

/*
 * Creates path and its missing parents, as mkdir -p, mode 0755 (less the
 * umask).  Returns 0, or -1 with errno set (ENOTDIR when a part is no
 * folder).
 */
static int
mkdir_p(const char *path)
{
	char buf[DLOG_DIR_MAX + 1];
	struct stat sb;
	size_t i, n = strlen(path);

	if (n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (buf[i - 1] == '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		if (stat(buf, &sb) < 0)
			return -1;
		if (!S_ISDIR(sb.st_mode)) {
			errno = ENOTDIR;
			return -1;
		}
		buf[i] = path[i];
	}
	return 0;
}

/*
 * --advertise: START names members by numeric address only, so a name is
 * resolved once, here; one that does not resolve (a typo) is exit 2 now
 * rather than a refused START in the next run.
 */
static void
check_advertise(struct peer_ctx *ctx)
{
	struct net_addr a;

	if (!ctx->advertise)
		return;
	if (net_resolve(ctx->advertise, "0", SOCK_DGRAM, &a) < 0)
		usage_error("--advertise: cannot resolve %s: %s",
		    ctx->advertise, net_resolve_strerror(errno));
	if (net_addr_host(&a, ctx->advertise_host,
	    sizeof(ctx->advertise_host)) < 0)
		usage_error("--advertise: %s: no numeric address",
		    ctx->advertise);
	if (strcmp(ctx->advertise_host, ctx->advertise) != 0)
		log_info("--advertise %s: registering as %s", ctx->advertise,
		    ctx->advertise_host);
	ctx->advertise = ctx->advertise_host;
}

/*
 * A folder this peer cannot write in would refuse every START: say so now,
 * by making and removing a file there (access(2) says yes to root on a
 * read-only file system).
 */
static void
check_writable(const char *dir)
{
	char path[DLOG_DIR_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/.peer-check.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0)
		fatal(EXIT_USAGE, "--log-dir: cannot write in %s", dir);
	close(fd);
	(void)unlink(path);
}

/*
 * The log folder, once: absolute for a daemon (which runs in /), short
 * enough for every log path, and there (made with its
 * parents).  Exits 2 otherwise.
 */
static void
check_log_dir(struct peer_ctx *ctx)
{
	if (ctx->daemon && ctx->log_dir[0] != '/') {
		if (proc_abspath(ctx->log_dir, ctx->log_dir_abs,
		    sizeof(ctx->log_dir_abs)) < 0)
			fatal(EXIT_USAGE, "--log-dir: cannot make %.64s... "
			    "absolute (at most %d bytes)", ctx->log_dir,
			    DLOG_DIR_MAX);
		ctx->log_dir = ctx->log_dir_abs;
	}
	if (strlen(ctx->log_dir) > DLOG_DIR_MAX)
		usage_error("--log-dir: the path is %zu bytes long; "
		    "at most %d", strlen(ctx->log_dir), DLOG_DIR_MAX);
	if (mkdir_p(ctx->log_dir) < 0)
		fatal(EXIT_USAGE, "cannot create log directory %s",
		    ctx->log_dir);
	check_writable(ctx->log_dir);
}

/* Large socket buffers absorb bursts that would otherwise become losses. */
static void
size_buffers(int fd)
{
	int sz = SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static void
open_sockets(struct peer_ctx *ctx)
{
	struct net_addr a;
	char where[80];

	/*
	 * A name that does not resolve (yet) is retried as an unreachable
	 * group manager is (register_self); anything else ends here.
	 */
	if (net_resolve_hostport(ctx->gm_spec, MPCOMM_PORT_GM, SOCK_STREAM,
	    &ctx->gm) < 0) {
		if (errno != ENOENT && errno != EAGAIN)
			fatalx(EXIT_NETWORK, "cannot resolve the group "
			    "manager %s: %s", ctx->gm_spec,
			    net_resolve_strerror(errno));
		ctx->gm.len = 0;
	}
	if (ctx->server_spec) {
		if (net_resolve_hostport(ctx->server_spec, MPCOMM_PORT_LOG, SOCK_STREAM,
		    &ctx->server) < 0)
			fatalx(EXIT_NETWORK, "cannot resolve the comparison "
			    "server %s: %s", ctx->server_spec,
			    net_resolve_strerror(errno));
		ctx->have_server = true;
	}
	if ((ctx->udp_fd = net_bind_udp(ctx->opt.bind, ctx->udp_port, &a)) < 0)
		fatalx(EXIT_NETWORK, "cannot bind UDP port %s on %s: %s",
		    ctx->udp_port, ctx->opt.bind ? ctx->opt.bind : "*",
		    net_resolve_strerror(errno));
	ctx->udp_family = a.ss.ss_family;
	ctx->udp_p = net_addr_port(&a);
	size_buffers(ctx->udp_fd);
	log_debug("UDP on %s", net_addr_str(&a, where, sizeof(where)));
	if ((ctx->ctl_fd = net_listen_tcp(ctx->opt.bind, ctx->opt.port, 64,
	    &a)) < 0)
		fatalx(EXIT_NETWORK, "cannot listen on control port %s on "
		    "%s: %s", ctx->opt.port, ctx->opt.bind ? ctx->opt.bind :
		    "*", net_resolve_strerror(errno));
	ctx->ctl_p = net_addr_port(&a);
}

/* Where registering stands; main()'s, only its thread uses it. */
struct reg_state {
	bool		 registered;
	bool		 ever;		/* registered at least once */
	unsigned	 fails;		/* attempts failed in a row */
	uint64_t	 start_us;	/* when the peer started */
	uint64_t	 next_us;	/* the next attempt */
};

/*
 * How long one exchange with the group manager may take: the control
 * timeout, cut to what is left before deadline (µs; 0: none), at least 1 ms.
 */
static int
attempt_ms(uint64_t deadline)
{
	uint64_t now = mptime_now_us(), left;

	if (!deadline)
		return MPCOMM_CTL_TIMEOUT_MS;
	left = deadline > now ? (deadline - now + 999) / 1000 : 1;
	return left < MPCOMM_CTL_TIMEOUT_MS ? (int)left : MPCOMM_CTL_TIMEOUT_MS;
}

/*
 * Registers, or refreshes the registration.  Returns 0, or -1 with why
 * filled in.  Logs only a success after a failure.
 */
static int
register_self(struct peer_ctx *ctx, struct reg_state *st, uint64_t deadline,
    char *why, size_t cap)
{
	char reply[CTL_LINE_MAX];
	int rc;

	if (ctx->gm.len == 0 && net_resolve_hostport(ctx->gm_spec,
	    MPCOMM_PORT_GM, SOCK_STREAM, &ctx->gm) < 0) {
		snprintf(why, cap, "cannot resolve the name: %s",
		    net_resolve_strerror(errno));
		ctx->gm.len = 0;
		return -1;
	}
	if (ctx->host[0] == '\0') {
		if (ctx->advertise) {
			snprintf(ctx->host, sizeof(ctx->host), "%s",
			    ctx->advertise);
		} else if (ctlc_local_host(&ctx->gm, ctx->key, ctx->host,
		    sizeof(ctx->host), attempt_ms(deadline)) < 0) {
			snprintf(why, cap, "%s", strerror(errno));
			ctx->host[0] = '\0';
			return -1;
		}
	}
	rc = ctlc_register(&ctx->gm, ctx->key, ctx->host, ctx->udp_p, ctx->ctl_p,
	    reply, sizeof(reply), attempt_ms(deadline));
	if (rc < 0)
		snprintf(why, cap, "%s", strerror(errno));
	else if (rc > 0 && ctlmsg_is_hello(reply))
		snprintf(why, cap, "it refused the registration: it "
		    "authenticates its clients (give -k KEY-FILE)");
	else if (rc > 0)
		snprintf(why, cap, "it refused the registration: %.200s",
		    reply);
	else if (!st->registered)
		log_info("registered at %s as host=%s udp=%u ctl=%u (%s)",
		    ctx->gm_spec, ctx->host, ctx->udp_p, ctx->ctl_p, reply);
	return rc == 0 ? 0 : -1;
}

/*
 * One registration attempt when it is due, and the next one scheduled:
 * after a failure 1, 2, 4 ... s later, at most 30 s (at most --refresh
 * once registered), logged at the 1st, 2nd, 4th ... failure.  Returns -1
 * when a peer that never registered has tried for --register-timeout.
 */
static int
register_step(struct peer_ctx *ctx, struct reg_state *st)
{
	uint64_t now = mptime_now_us(), delay, cap, deadline = 0;
	char why[300];

	if (now < st->next_us)
		return 0;
	/* Before the first registration, every attempt ends by the deadline. */
	if (!st->ever && ctx->register_timeout_s > 0)
		deadline = st->start_us + ctx->register_timeout_s * 1000000;
	if (register_self(ctx, st, deadline, why, sizeof(why)) == 0) {
		st->registered = st->ever = true;
		st->fails = 0;
		st->next_us = now + ctx->refresh_s * 1000000;
		return 0;
	}
	st->registered = false;
	st->fails++;
	cap = st->ever && ctx->refresh_s < 30 ? ctx->refresh_s : 30;
	delay = st->fails > 5 ? cap : (1ULL << (st->fails - 1));
	delay = delay > cap ? cap : delay;
	now = mptime_now_us();
	st->next_us = now + delay * 1000000;
	if (deadline && st->next_us > deadline)
		st->next_us = deadline;	/* the last attempt at the deadline */
	if (deadline && now >= deadline) {
		log_fatalx("cannot reach the group manager %s for %" PRIu64
		    " s (%s): giving up", ctx->gm_spec,
		    ctx->register_timeout_s, why);
		return -1;
	}
	if ((st->fails & (st->fails - 1)) == 0)
		log_warnx("cannot %s at the group manager %s: %s (attempt "
		    "%u; next in %" PRIu64 " s)", st->ever ? "refresh the "
		    "registration" : "register", ctx->gm_spec, why, st->fails,
		    delay);
	return 0;
}

/* The signal thread's SIGINT or SIGTERM. */
static void
on_stop(void *arg, int sig)
{
	struct peer_ctx *ctx = arg;

	if (!atomic_load(&ctx->stop))
		log_info("%s received, stopping", sig == SIGINT ? "SIGINT" :
		    "SIGTERM");
	(void)peer_stop(ctx);
}

/* Waits until the monotonic time when (µs), or until the peer stops. */
static void
wait_until(struct peer_ctx *ctx, uint64_t when)
{
	struct timespec ts;
	uint64_t now;

	pthread_mutex_lock(&ctx->mu);
	while (!atomic_load(&ctx->stop) && (now = mptime_now_us()) < when) {
		peer_deadline(&ts, when - now);
		pthread_cond_timedwait(&ctx->cv, &ctx->mu, &ts);
	}
	pthread_mutex_unlock(&ctx->mu);
}

/* The defaults, then the command line and the environment. */
static void
configure(struct peer_ctx *ctx, int argc, char **argv)
{
	const char *env, *what;

	ctx->gm_spec = (env = getenv("MPCOMM_GROUP_MANAGER")) && *env ? env :
	    MPCOMM_GM_ADDR;
	ctx->server_spec = (env = getenv("MPCOMM_SERVER")) && *env ? env :
	    NULL;
	ctx->udp_port = MPCOMM_PORT_UDP;
	ctx->opt.port = MPCOMM_PORT_CTL;
	ctx->opt.level = LOG_LEVEL_INFO;
	ctx->log_dir = ".";
	ctx->refresh_s = 10;
	ctx->register_timeout_s = UINT64_MAX;	/* 60, or 0 under --daemon */
	ctx->peer_timeout_ms = 10000;
	ctx->ship_timeout_s = 60;
	ctx->stall_timeout_ms = STALL_UNSET;
	ctx->suspect_ms = SUSPECT_UNSET;
	ctx->window = (uint32_t)run_param[RP_WINDOW].dflt;
	log_init("peer", LOG_LEVEL_INFO, 0);
	/* Before the options, which may take their place. */
	if ((env = getenv("MPCOMM_GROUP_MANAGER")) && *env)
		check_hostport("MPCOMM_GROUP_MANAGER", env, MPCOMM_PORT_GM);
	if (ctx->server_spec)
		check_hostport("MPCOMM_SERVER", ctx->server_spec,
		    MPCOMM_PORT_LOG);
	parse_args(ctx, argc, argv);
	if (ctx->register_timeout_s == UINT64_MAX)
		ctx->register_timeout_s = ctx->daemon ? 0 : 60;
	if (proc_setup("peer", &ctx->opt, ctx->daemon, &ctx->key_store,
	    &ctx->key, &what) < 0)
		usage_error("cannot use %s: %s", what, strerror(errno));
	if (ctx->opt.warning[0])
		log_warnx("%s", ctx->opt.warning);
}

/* The lock, the control server and every thread; exits 3 on failure. */
static void
start_threads(struct peer_ctx *ctx)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&ctx->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ctx->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (!(ctx->ctl_srv = lsrv_create(&ctx->ctl_fd, 1, control_ops(), ctx,
	    MPCOMM_CTL_IDLE_MS, 64)))
		fatal(EXIT_NETWORK, "cannot start the control server");
	lsrv_set_key(ctx->ctl_srv, ctx->key);
	lsrv_set_protected(ctx->ctl_srv, ctx->opt.loopback_only);
	if (proc_signal_thread(on_stop, ctx, &ctx->t_sig) < 0)
		fatal(EXIT_NETWORK, "cannot start the signal thread");
	if (!(ctx->data_loop = loop_create()))
		fatal(EXIT_NETWORK, "cannot create the data loop");
	if ((errno = pthread_create(&ctx->t_ctl, NULL, control_main, ctx)) ||
	    (errno = pthread_create(&ctx->t_data, NULL, data_main, ctx)))
		fatal(EXIT_NETWORK, "cannot start threads");
}

/* Stops and joins the threads of the peer (not the log shippers). */
static void
stop_threads(struct peer_ctx *ctx)
{
	(void)peer_stop(ctx);
	lsrv_stop(ctx->ctl_srv);
	pthread_join(ctx->t_ctl, NULL);
	pthread_join(ctx->t_data, NULL);
	proc_signal_thread_join(ctx->t_sig);
}

/*
 * Joins the log shippers: a log still being shipped gets 5 s to get there
 * (a stopping shipper makes no new attempt).  One still blocked after
 * that, in a step bounded by MPCOMM_SHIP_TIMEOUT_MS towards an unreachable
 * comparison server, is not waited for: the process exits under it, and
 * its log stays on disk.  Then the last run goes.
 */
static void
finish_shipping(struct peer_ctx *ctx)
{
	struct run *r;

	if (peer_join_helpers(ctx, 5000000) > 0)
		log_warnx("exiting while a log is still being shipped");
	pthread_mutex_lock(&ctx->mu);
	r = ctx->run;
	ctx->run = NULL;
	r = run_put(ctx, r);
	pthread_mutex_unlock(&ctx->mu);
	run_destroy(r);
}

int
main(int argc, char **argv)
{
	static struct peer_ctx ctx;
	struct reg_state reg = { .start_us = mptime_now_us() };
	int status = EXIT_OK, notify = -1;

	configure(&ctx, argc, argv);
	check_log_dir(&ctx);
	check_advertise(&ctx);
	open_sockets(&ctx);
	if (ctx.daemon)
		proc_detach_or_exit("peer", &notify);
	if (ctx.opt.pidfile)
		proc_pidfile_or_exit(ctx.opt.pidfile);
	proc_block_signals();
	start_threads(&ctx);
	log_info("ready: udp port %u, control port %u, logs in %s", ctx.udp_p,
	    ctx.ctl_p, ctx.log_dir);
	proc_daemon_ready(&notify);

	/* Registering is main's own work; the rest is the threads'. */
	while (!atomic_load(&ctx.stop)) {
		if (register_step(&ctx, &reg) < 0) {
			status = EXIT_NETWORK;
			break;
		}
		wait_until(&ctx, reg.next_us);
	}
	stop_threads(&ctx);
	if (reg.ever && ctx.host[0] && ctlc_unregister(&ctx.gm, ctx.key,
	    ctx.host, ctx.udp_p, ctx.ctl_p, MPCOMM_CTL_TIMEOUT_MS) < 0)
		log_warn("cannot unregister at %s", ctx.gm_spec);
	finish_shipping(&ctx);
	lsrv_destroy(ctx.ctl_srv);
	loop_destroy(ctx.data_loop);
	close(ctx.ctl_fd);
	close(ctx.udp_fd);
	proc_pidfile_remove(ctx.opt.pidfile);
	log_info("stopped");
	return status;
}
