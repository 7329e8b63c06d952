/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * group_manager: keeps the membership of an MPComm group.  Peers REGISTER
 * (and refresh) their UDP and control ports; anyone may LIST them.  One
 * poll(2) loop serves every client; a signal thread stops it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpcomm/auth.h"
#include "mpcomm/ctl.h"
#include "mpcomm/defaults.h"
#include "mpcomm/log.h"
#include "mpcomm/lsrv.h"
#include "mpcomm/net.h"
#include "mpcomm/proc.h"
#include "registry.h"

struct gm_ctx {
	struct proc_opts opt;
	int		 daemon;
	uint64_t	 timeout_s;
	uint64_t	 max_clients;
	struct registry	 reg;
	struct lsrv	*srv;
	pthread_t	 t_sig;
};

#define PROG	"group_manager"
#define SYNOPSIS	\
    "group_manager [-dhqVv] [-b addr] [-k key-file] [-p port] [options]"
#define usage_error(...) proc_usage_error(PROG, SYNOPSIS, __VA_ARGS__)

static void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: group_manager [options]\n"
"Keeps the membership of an MPComm group: peers register, anyone lists.\n"
"\n"
"  -b, --bind ADDR        listen on ADDR only (default: every address)\n"
"  -p, --port PORT        TCP port (default 5680; 0: any free port)\n"
"      --ttl SEC          forget members that stop refreshing (default 30;\n"
"                         0: never)\n"
"  -t, --timeout SEC      drop a client silent this long between\n"
"                         requests (default 10; its first line: 2 s)\n"
"  -k, --key-file PATH    authenticate every client with this secret\n"
"      --insecure         without a key, serve beyond loopback anyway\n"
"                         (default: loopback clients and members only)\n"
"      --max-clients N    connections at once (default 256)\n"
"  -d, --daemon           detach; log to syslog unless --log-file\n"
"  -P, --pidfile PATH     write the pid here, remove it at exit\n"
"  -L, --log-file PATH    log to PATH (reopened on SIGHUP)\n"
"      --syslog           log to syslog\n"
"  -v, --verbose          debug messages    -q, --quiet   warnings only\n"
"  -h, --help             this text         -V, --version\n"
"\n"
"Exit status: 0 ok, 2 usage error, 3 network error.\n"
"Examples:\n"
"  group_manager\n"
"  group_manager -p 0 -b 127.0.0.1\n"
"  group_manager --daemon --pidfile /run/mpcomm-gm.pid\n");
	exit(status);
}

static void
on_stop(void *arg, int sig)
{
	struct gm_ctx *ctx = arg;

	log_info("%s received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	lsrv_stop(ctx->srv);
}

static void
parse_args(struct gm_ctx *ctx, int argc, char **argv)
{
	enum { OPT_TTL = 256, OPT_MAXC };
	static const struct option opts[] = {
		PROC_LONG_OPTS,
		{ "daemon", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "max-clients", required_argument, NULL, OPT_MAXC },
		{ "timeout", required_argument, NULL, 't' },
		{ "ttl", required_argument, NULL, OPT_TTL },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":" PROC_SHORT_OPTS "dht:V", opts,
	    NULL)) != -1) {
		if ((rc = proc_option(ch, optarg, &ctx->opt)) > 0)
			continue;
		if (rc < 0)
			usage_error("--port: not a port: %s", optarg);
		switch (ch) {
		case 'd':
			ctx->daemon = 1;
			break;
		case 'h':
			usage(stdout, EXIT_OK);
			break;
		case OPT_MAXC:
			if (ctl_parse_u64(optarg, 1, 100000,
			    &ctx->max_clients) < 0)
				usage_error("--max-clients: not a "
				    "number in [1, 100000]: %s", optarg);
			break;
		case 't':
			if (ctl_parse_u64(optarg, 1, 86400, &ctx->timeout_s) < 0)
				usage_error("--timeout: not a number of "
				    "seconds in [1, 86400]: %s", optarg);
			break;
		case OPT_TTL:
			if (ctl_parse_u64(optarg, 0, 86400 * 365, &v) < 0)
				usage_error("--ttl: not a number of "
				    "seconds: %s", optarg);
			ctx->reg.ttl_us = v * 1000000;
			break;
		case 'V':
			printf("group_manager (MPComm) %s\n", MPCOMM_VERSION);
			exit(EXIT_OK);
		default:
			proc_getopt_error(PROG, SYNOPSIS, ch, argv);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

int
main(int argc, char **argv)
{
	static const struct lsrv_ops ops = {
		.line = registry_line,
		.closed = registry_closed,
		.tick = registry_expire,
		.refused = proc_log_refused,
	};
	struct auth_key key_store;
	const struct auth_key *key;
	const char *what;
	static struct gm_ctx ctx;	/* large: kept off the stack */
	struct net_addr bound;
	char where[80];
	int fd, notify = -1;

	ctx.opt.port = MPCOMM_PORT_GM;
	ctx.opt.level = LOG_LEVEL_INFO;
	ctx.timeout_s = MPCOMM_CTL_IDLE_MS / 1000;
	ctx.max_clients = 256;
	ctx.reg.ttl_us = 30ULL * 1000000;
	log_init("group_manager", LOG_LEVEL_INFO, 0);
	parse_args(&ctx, argc, argv);
	if (proc_setup("group_manager", &ctx.opt, ctx.daemon, &key_store, &key,
	    &what) < 0)
		usage_error("cannot use %s: %s", what, strerror(errno));
	if (ctx.opt.warning[0])
		log_warnx("%s", ctx.opt.warning);
	if ((fd = net_listen_tcp(ctx.opt.bind, ctx.opt.port, 128, &bound)) < 0)
		fatalx(EXIT_NETWORK, "cannot listen on %s port %s: %s",
		    ctx.opt.bind ? ctx.opt.bind : "*", ctx.opt.port,
		    net_resolve_strerror(errno));
	if (ctx.daemon)
		proc_detach_or_exit("group_manager", &notify);
	if (ctx.opt.pidfile)
		proc_pidfile_or_exit(ctx.opt.pidfile);
	proc_block_signals();
	if (!(ctx.srv = lsrv_create(&fd, 1, &ops, &ctx.reg,
	    (int)ctx.timeout_s * 1000, ctx.max_clients)))
		fatal(EXIT_NETWORK, "cannot start the server");
	lsrv_set_key(ctx.srv, key);
	lsrv_set_protected(ctx.srv, ctx.opt.loopback_only);
	ctx.reg.loopback_only = ctx.opt.loopback_only;
	if (proc_signal_thread(on_stop, &ctx, &ctx.t_sig) < 0)
		fatal(EXIT_NETWORK, "cannot start the signal thread");
	log_info("listening on %s", net_addr_str(&bound, where, sizeof(where)));
	proc_daemon_ready(&notify);
	if (lsrv_run(ctx.srv) < 0)
		log_warn("server loop failed");
	proc_signal_thread_join(ctx.t_sig);
	lsrv_destroy(ctx.srv);
	close(fd);
	proc_pidfile_remove(ctx.opt.pidfile);
	log_info("stopped");
	return EXIT_OK;
}
