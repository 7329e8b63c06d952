/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mpctl: the administration tool of MPComm.  Speaks the control protocol
 * (with --key-file, authenticated) to a group manager or a peer: status,
 * list, ping, start, shutdown, abort, unregister, and raw lines with send;
 * keygen makes the key file itself.
 * One request per command; the answer is printed for people or scripts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpcomm/auth.h"
#include "mpcomm/ctl.h"
#include "mpcomm/ctlc.h"
#include "mpcomm/ctlmsg.h"
#include "mpcomm/defaults.h"
#include "mpcomm/mptime.h"
#include "mpcomm/net.h"
#include "mpcomm/proc.h"

#define PROG		"mpctl"
#define SYNOPSIS	"mpctl [-hV] [-k key-file] [-t sec] command [argument ...]"
#define usage_error(...) proc_usage_error(PROG, SYNOPSIS, __VA_ARGS__)
#define GM_PORT		MPCOMM_PORT_GM
#define PEER_PORT	MPCOMM_PORT_CTL
#define LIST_MAX	1024

struct mpctl {
	const struct auth_key *key;	/* NULL without --key-file */
	struct auth_key	 key_store;
	int		 timeout_ms;
	const char	*gm_spec;	/* default group manager */
};

struct cmd {
	const char	*name;
	int		(*fn)(struct mpctl *, int, char **);
	int		 min, max;	/* arguments after the name; -1 any */
	const char	*args;
};

static void
usage(void)
{
	printf(
"usage: " SYNOPSIS "\n"
"Talks to MPComm's group manager and peers over their control protocol.\n"
"\n"
"  status SERVER          a peer's (or a group manager's) state, one\n"
"                         key=value a line\n"
"  list [GM]              the members registered at the group manager\n"
"  ping [GM]              is the group manager up?\n"
"  start PEER [key=value ...] HOST:UDP ...\n"
"                         START a run on one peer with these members (in id\n"
"                         order); run= defaults to the time, n= to their count\n"
"  shutdown PEER ...      the peers unregister and exit\n"
"  abort PEER RUN         the peer gives up run RUN\n"
"  unregister GM HOST UDP CTL  removes a member from the group manager\n"
"  send HOST:PORT LINE ...  sends raw lines, prints every answer line\n"
"  keygen FILE            writes a fresh random key (32 bytes, as hex) to\n"
"                         FILE, created with mode 0600; never overwrites\n"
"\n"
"  -k, --key-file PATH    authenticate (the secret the servers were given)\n"
"  -t, --timeout SEC      for the whole exchange with a server (default 5)\n"
"  -h, --help             this text         -V, --version\n"
"\n"
"PEER is HOST[:PORT] (port 5679), GM is HOST[:PORT] (port 5680; default\n"
"$MPCOMM_GROUP_MANAGER or 127.0.0.1:5680); IPv6 as [::1]:5679.\n"
"Exit status: 0 ok, 1 the server answered ERR, 2 usage error, 3 network\n"
"error.\n"
"Examples:\n"
"  mpctl list 10.0.0.1\n"
"  mpctl status 10.0.0.2:5679\n"
"  mpctl -k mpcomm.key shutdown 10.0.0.2 10.0.0.3\n"
"  mpctl keygen mpcomm.key      (then copy it to every machine)\n");
	exit(EXIT_OK);
}

/* What is no HOST[:PORT] is a usage error. */
static void
check_spec(const char *spec, const char *defport, char *host, size_t hostcap,
    char *port, size_t portcap)
{
	if (net_split_hostport(spec, defport, host, hostcap, port,
	    portcap) < 0)
		usage_error("%s: %s", net_hostport_strerror(errno), spec);
}

/*
 * Resolves spec (default port defport); EXIT_OK or EXIT_NETWORK, and a
 * usage error for what is no HOST[:PORT].
 */
static int
resolve(const char *spec, const char *defport, struct net_addr *a)
{
	char host[NET_HOST_MAX], port[NET_PORT_MAX];

	check_spec(spec, defport, host, sizeof(host), port, sizeof(port));
	if (net_resolve(host, port, SOCK_STREAM, a) == 0)
		return EXIT_OK;
	fprintf(stderr, "mpctl: cannot resolve %s: %s\n", spec,
	    net_resolve_strerror(errno));
	return EXIT_NETWORK;
}

/*
 * A server's text made safe for a terminal: control bytes, DEL, bytes
 * above 0x7f and backslash as \xNN, so that an answer cannot move the
 * cursor or retitle the window.  Two buffers in turn, for two in a printf.
 */
static const char *
esc(const char *s)
{
	static char buf[2][4 * 8192 + 1];
	static unsigned k;
	char *o = buf[k ^= 1], *end = o + sizeof(buf[0]) - 5;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p && o < end; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '\\')
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	*o = '\0';
	return buf[k];
}

/*
 * The deadline of -t over a whole command (connect, request, every answer
 * line): a server that answers one byte at a time cannot hold mpctl.
 */
static void
on_alarm(int sig)
{
	static const char msg[] = "mpctl: timed out (-t)\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(EXIT_NETWORK);
}

/*
 * One request line to spec; the answer in reply.  EXIT_OK for "OK ...",
 * EXIT_FAILED for anything else (printed), EXIT_NETWORK (printed).
 */
static int
request(const struct mpctl *m, const char *spec, const char *defport,
    const char *line, char *reply, size_t cap)
{
	struct net_addr a;
	int rc;

	if ((rc = resolve(spec, defport, &a)) != EXIT_OK)
		return rc;
	rc = ctlc_request(&a, m->key, line, reply, cap, m->timeout_ms);
	if (rc < 0) {
		fprintf(stderr, "mpctl: %s: %s\n", spec, strerror(errno));
		return EXIT_NETWORK;
	}
	if (rc > 0 && ctlmsg_is_hello(reply)) {
		fprintf(stderr, "mpctl: %s: the server authenticates its "
		    "clients: give -k KEY-FILE\n", spec);
		return EXIT_FAILED;
	}
	if (rc > 0) {
		fprintf(stderr, "mpctl: %s: %s\n", spec, esc(reply));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* A request without fields (STATUS, LIST, PING, SHUTDOWN) to spec. */
static int
request_bare(const struct mpctl *m, const char *spec, const char *defport,
    enum ctlmsg_verb v, char *reply, size_t cap)
{
	char line[16];

	(void)ctlmsg_bare_format(v, line, sizeof(line));
	return request(m, spec, defport, line, reply, cap);
}

static int
cmd_status(struct mpctl *m, int argc, char **argv)
{
	char reply[CTL_LINE_MAX + 1];
	struct ctl_msg msg;
	size_t i;
	int rc;

	(void)argc;
	if ((rc = request_bare(m, argv[0], PEER_PORT, CTLMSG_STATUS, reply,
	    sizeof(reply))) != EXIT_OK)
		return rc;
	if (ctlmsg_read(reply, strlen(reply), &msg) != CTLMSG_OK) {
		fprintf(stderr, "mpctl: %s: malformed answer: %s\n", argv[0],
		    esc(reply));
		return EXIT_FAILED;
	}
	for (i = 0; i < msg.nfield; i++)	/* one field a line */
		printf("%s=%s\n", esc(msg.f[i].key), esc(msg.f[i].val));
	return EXIT_OK;
}

static int
cmd_list(struct mpctl *m, int argc, char **argv)
{
	static struct ctlc_member all[LIST_MAX];
	const char *spec = argc > 0 ? argv[0] : m->gm_spec;
	char reply[CTL_LINE_MAX + 1];
	struct net_addr a;
	long n, i;
	int rc;

	if ((rc = resolve(spec, GM_PORT, &a)) != EXIT_OK)
		return rc;
	n = ctlc_list(&a, m->key, all, LIST_MAX, reply, sizeof(reply),
	    m->timeout_ms);
	if (n < 0 && errno == EPROTO && !m->key)	/* says why */
		return request_bare(m, spec, GM_PORT, CTLMSG_LIST, reply,
		    sizeof(reply)) == EXIT_NETWORK ? EXIT_NETWORK : EXIT_FAILED;
	if (n < 0 && errno == EPROTO) {
		fprintf(stderr, "mpctl: %s: %s\n", spec, esc(reply));
		return EXIT_FAILED;
	}
	if (n < 0) {
		fprintf(stderr, "mpctl: %s: %s\n", spec, strerror(errno));
		return EXIT_NETWORK;
	}
	printf("%5s  %-39s %5s %5s\n", "index", "host", "udp", "ctl");
	for (i = 0; i < n; i++)
		printf("%5ld  %-39s %5u %5u\n", i, esc(all[i].host), all[i].udp,
		    all[i].ctl);
	return EXIT_OK;
}

static int
cmd_ping(struct mpctl *m, int argc, char **argv)
{
	const char *spec = argc > 0 ? argv[0] : m->gm_spec;
	char reply[CTL_LINE_MAX + 1];
	int rc;

	if ((rc = request_bare(m, spec, GM_PORT, CTLMSG_PING, reply,
	    sizeof(reply))) == EXIT_OK)
		printf("%s: %s\n", spec, esc(ctlmsg_ok_text(reply)));
	return rc;
}

static int
cmd_shutdown(struct mpctl *m, int argc, char **argv)
{
	char reply[CTL_LINE_MAX + 1];
	char host[NET_HOST_MAX], port[NET_PORT_MAX];
	int i, rc, worst = EXIT_OK;

	for (i = 0; i < argc; i++)	/* a typo stops none of them */
		check_spec(argv[i], PEER_PORT, host, sizeof(host), port,
		    sizeof(port));
	for (i = 0; i < argc; i++) {
		rc = request_bare(m, argv[i], PEER_PORT, CTLMSG_SHUTDOWN,
		    reply, sizeof(reply));
		if (rc == EXIT_OK)
			printf("%s: %s\n", argv[i], esc(ctlmsg_ok_text(reply)));
		else if (worst != EXIT_NETWORK)
			worst = rc;
	}
	return worst;
}

static int
cmd_abort(struct mpctl *m, int argc, char **argv)
{
	char line[CTL_LINE_MAX], reply[CTL_LINE_MAX + 1];
	struct ctlmsg_abort a;
	int rc;

	(void)argc;
	if (ctl_parse_u64(argv[1], 1, UINT64_MAX, &a.run) < 0)
		usage_error("abort: not a run id: %s", argv[1]);
	(void)ctlmsg_abort_format(&a, line, sizeof(line));
	if ((rc = request(m, argv[0], PEER_PORT, line, reply,
	    sizeof(reply))) == EXIT_OK)
		printf("%s: %s\n", argv[0], esc(ctlmsg_ok_text(reply)));
	return rc;
}

static int
cmd_unregister(struct mpctl *m, int argc, char **argv)
{
	char line[CTL_LINE_MAX], reply[CTL_LINE_MAX + 1];
	struct ctlmsg_reg r;
	uint64_t udp, ctl;
	int rc;

	(void)argc;
	if (ctl_parse_u64(argv[2], 1, 65535, &udp) < 0 ||
	    ctl_parse_u64(argv[3], 1, 65535, &ctl) < 0)
		usage_error("unregister: not a port: %s %s", argv[2], argv[3]);
	if (snprintf(r.host, sizeof(r.host), "%s", argv[1]) >=
	    (int)sizeof(r.host))
		usage_error("unregister: host name too long: %.40s...", argv[1]);
	r.udp = (uint16_t)udp;
	r.ctl = (uint16_t)ctl;
	(void)ctlmsg_reg_format(CTLMSG_UNREGISTER, &r, line, sizeof(line));
	if ((rc = request(m, argv[0], GM_PORT, line, reply,
	    sizeof(reply))) == EXIT_OK)
		printf("%s: %s\n", argv[0], esc(ctlmsg_ok_text(reply)));
	return rc;
}

/* Appends " arg" to line (cap bytes); usage error if it does not fit. */
static void
append(char *line, size_t cap, const char *arg)
{
	size_t len = strlen(line);

	if (len + 1 + strlen(arg) >= cap)
		usage_error("start: the START line is too long");
	line[len] = ' ';
	strcpy(line + len + 1, arg);
}

/*
 * START line from the key=value arguments; run= and n= added when absent.
 * The other arguments are the members; their count is returned.
 */
static int
start_line(int argc, char **argv, char *line, size_t cap)
{
	bool run = false, n = false;
	char buf[64];
	int i, members = 0;

	snprintf(line, cap, "START");
	for (i = 1; i < argc; i++) {
		if (!strchr(argv[i], '=')) {
			members++;
			continue;
		}
		run |= strncmp(argv[i], "run=", 4) == 0;
		n |= strncmp(argv[i], "n=", 2) == 0;
		append(line, cap, argv[i]);
	}
	if (!run) {
		snprintf(buf, sizeof(buf), "run=%" PRIu64, mptime_real_us());
		append(line, cap, buf);
	}
	if (!n && members > 0) {
		snprintf(buf, sizeof(buf), "n=%d", members);
		append(line, cap, buf);
	}
	return members;
}

/* Sends the START line and one MEMBER line per member argument. */
static int
start_send(struct ctlc_conn *c, int argc, char **argv, const char *start)
{
	char port[NET_PORT_MAX], line[CTL_LINE_MAX];
	struct ctlmsg_member x;
	uint64_t udp;
	int i;

	if (ctlc_send(c, start) < 0)
		return -1;
	x.id = 0;
	for (i = 1; i < argc; i++) {
		if (strchr(argv[i], '='))
			continue;
		if (net_split_hostport(argv[i], MPCOMM_PORT_UDP, x.host,
		    sizeof(x.host), port, sizeof(port)) < 0 ||
		    ctl_parse_u64(port, 1, 65535, &udp) < 0)
			usage_error("start: not HOST:UDP: %s", argv[i]);
		x.udp = (uint16_t)udp;
		x.has_delay = false;
		if (ctlmsg_member_format(&x, line, sizeof(line)) < 0)
			usage_error("start: member too long: %s", argv[i]);
		x.id++;
		if (ctlc_send(c, line) < 0)
			return -1;
	}
	return 0;
}

static int
cmd_start(struct mpctl *m, int argc, char **argv)
{
	char start[CTL_LINE_MAX], reply[CTL_LINE_MAX + 1];
	struct net_addr a;
	struct ctlc_conn c;
	int rc;

	start_line(argc, argv, start, sizeof(start));
	if ((rc = resolve(argv[0], PEER_PORT, &a)) != EXIT_OK)
		return rc;
	if (ctlc_open(&c, &a, m->key, m->timeout_ms) < 0 ||
	    start_send(&c, argc, argv, start) < 0 ||
	    ctlc_recv(&c, reply, sizeof(reply)) < 0) {
		fprintf(stderr, "mpctl: %s: %s\n", argv[0], strerror(errno));
		ctlc_close(&c);
		return EXIT_NETWORK;
	}
	ctlc_close(&c);
	if (!ctlmsg_is_ok(reply)) {
		fprintf(stderr, "mpctl: %s: %s\n", argv[0], esc(reply));
		return EXIT_FAILED;
	}
	printf("%s: %s\n", argv[0], esc(ctlmsg_ok_text(reply)));
	return EXIT_OK;
}

/* Raw lines; every answer line until the server closes or goes quiet. */
static int
cmd_send(struct mpctl *m, int argc, char **argv)
{
	char line[8192];
	struct net_addr a;
	struct ctlc_conn c;
	int i, rc;

	if ((rc = resolve(argv[0], GM_PORT, &a)) != EXIT_OK)
		return rc;
	if (ctlc_open(&c, &a, m->key, m->timeout_ms) < 0) {
		fprintf(stderr, "mpctl: cannot connect to %s: %s\n", argv[0],
		    strerror(errno));
		return EXIT_NETWORK;
	}
	for (i = 1; i < argc; i++)
		if (ctlc_send(&c, argv[i]) < 0)
			break;
	shutdown(c.fd, SHUT_WR);
	c.timeout_ms = m->timeout_ms < 2000 ? m->timeout_ms : 2000;
	while (ctlc_recv(&c, line, sizeof(line)) >= 0)
		printf("%s\n", esc(line));
	ctlc_close(&c);
	return EXIT_OK;
}

#define KEYGEN_BYTES	32

/* All of buf to the file fd: 0, or -1 with errno. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * keygen FILE: a fresh secret from getrandom(2), as hex and a newline (what
 * --key-file reads), in a file created for it alone: O_EXCL (an existing
 * file, or a symlink planted there, is never written through) with mode
 * 0600 from the start, so that there is no moment when others can read it.
 */
static int
cmd_keygen(struct mpctl *m, int argc, char **argv)
{
	uint8_t key[KEYGEN_BYTES];
	char hex[2 * KEYGEN_BYTES + 2];
	size_t got = 0;
	ssize_t n;
	int fd;

	(void)m;
	(void)argc;
	while (got < sizeof(key)) {
		n = getrandom(key + got, sizeof(key) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "mpctl: keygen: getrandom: %s\n",
			    strerror(errno));
			return EXIT_NETWORK;
		}
		got += (size_t)n;
	}
	auth_hex(key, sizeof(key), hex);
	memset(key, 0, sizeof(key));
	strcat(hex, "\n");
	fd = open(argv[0], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		fprintf(stderr, "mpctl: keygen: cannot create %s: %s%s\n",
		    argv[0], strerror(errno), errno == EEXIST ? " (an existing "
		    "key is never overwritten: remove it first)" : "");
		return EXIT_NETWORK;
	}
	/* Exactly 0600, whatever the umask took away from it. */
	if (fchmod(fd, 0600) < 0 || write_all(fd, hex, strlen(hex)) < 0 ||
	    fsync(fd) < 0) {
		fprintf(stderr, "mpctl: keygen: cannot write %s: %s\n",
		    argv[0], strerror(errno));
		close(fd);
		(void)unlink(argv[0]);
		return EXIT_NETWORK;
	}
	close(fd);
	memset(hex, 0, sizeof(hex));
	printf("%s: a new key (mode 0600); give it to every program with "
	    "-k %s\n", argv[0], argv[0]);
	return EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "abort", cmd_abort, 2, 2, "PEER RUN" },
	{ "keygen", cmd_keygen, 1, 1, "FILE" },
	{ "list", cmd_list, 0, 1, "[GM]" },
	{ "ping", cmd_ping, 0, 1, "[GM]" },
	{ "send", cmd_send, 2, -1, "HOST:PORT LINE ..." },
	{ "shutdown", cmd_shutdown, 1, -1, "PEER ..." },
	{ "start", cmd_start, 2, -1, "PEER [key=value ...] HOST:UDP ..." },
	{ "status", cmd_status, 1, 1, "PEER" },
	{ "unregister", cmd_unregister, 4, 4, "GM HOST UDP CTL" },
};

static void
parse_args(struct mpctl *m, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int ch, e;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hk:t:V", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage();
			break;
		case 'k':
			/* Said as the daemons say it (proc.c, setup_key). */
			if (auth_load_key(optarg, &m->key_store) < 0) {
				e = errno;
				usage_error("cannot use key file %s%s: %s",
				    optarg, e == ENODEV ? " (not a regular "
				    "file)" : e == EINVAL ? " (it must hold 16 "
				    "to 64 bytes)" : "", strerror(e));
			}
			m->key = &m->key_store;
			break;
		case 't':
			if (ctl_parse_u64(optarg, 1, 3600, &v) < 0)
				usage_error("--timeout: not a number of "
				    "seconds in [1, 3600]: %s", optarg);
			m->timeout_ms = (int)v * 1000;
			break;
		case 'V':
			printf("mpctl (MPComm) %s\n", MPCOMM_VERSION);
			exit(EXIT_OK);
		default:
			proc_getopt_error(PROG, SYNOPSIS, ch, argv);
		}
	}
}

int
main(int argc, char **argv)
{
	static struct mpctl m;
	const struct cmd *c;
	const char *env;
	size_t i;
	int n;

	m.timeout_ms = MPCOMM_CTL_TIMEOUT_MS;
	m.gm_spec = (env = getenv("MPCOMM_GROUP_MANAGER")) && *env ? env :
	    MPCOMM_GM_ADDR;
	parse_args(&m, argc, argv);
	if (optind == argc)
		usage_error("no command (status, list, ping, start, shutdown, "
		    "abort, unregister, send, keygen)");
	for (i = 0, c = NULL; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			c = &cmds[i];
	if (!c)
		usage_error("unknown command '%s'", argv[optind]);
	n = argc - optind - 1;
	if (n < c->min || (c->max >= 0 && n > c->max))
		usage_error("%s: expected %s", c->name, c->args);
	/* -t for each server: shutdown names several, the others one. */
	signal(SIGALRM, on_alarm);
	alarm((unsigned)(m.timeout_ms / 1000) *
	    (unsigned)(c->fn == cmd_shutdown ? n : 1));
	return c->fn(&m, n, argv + optind + 1);
}
