/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A test tool that forges MPComm datagrams as if a member had sent them:
 * the source address is 127.0.0.1 and the member's UDP port, written into
 * the packet through a raw socket (needs root).  Only for the hardening
 * tests on loopback: the destination must be 127.0.0.1.
 *
 *   forge --to PORT --from PORT --run R --sender ID --n N --kind KIND
 *         [--seq S] [--ts T] [--c C] [--members MASK] [--ballot B]
 *         [--levels L] [--claim P:X] [--await-propose MS] [--key-file F]
 *         [--counter C] [--step D] [--seq-step E] [--count K]
 *         [--interval-ms I] [--replay MS]
 *
 * KIND: clock   a DATA of seq S whose timestamp is T (default just under
 *               2^62)
 *       ack     an ACK state acknowledging seq S of every member, with the
 *               clock C (default 5)
 *       hb      a heartbeat (with --key-file, sealed: a "captured" datagram)
 *       propose a view-change proposal of ballot B (default 1 << 6 | ID)
 *               for the members MASK
 *       notice  a VIEW notice: one view of ballot B with the members MASK
 *               was installed, every stream cut at seq L (default 0)
 *       state   a VIEW answer to ballot B saying stream i was processed up
 *               to L (the sender's own stream: S; stream P: X), frontier
 *               (T, 0)
 * --await-propose MS first waits up to MS ms for a PROPOSE of this run from
 * the --to port to the --from port (seen through a raw socket, as a member
 * on the path sees it), and takes its ballot: what a member answering that
 * proposal would send, lies included.
 * --replay MS sends no datagram of its own: it waits up to MS ms for any
 * datagram of this run from the --from port to the --to port and sends
 * that one again, byte for byte (KIND is then moot): a captured datagram
 * replayed by who cannot read or seal one.
 * Without --key-file nothing is sealed: what an attacker who does not know
 * the run's key (the shared key, or the secret of its START) can send.
 * Sends K copies (default 1), I ms apart, the counter going up by D and
 * the seq by E (default 0 and 0: the same datagram again); prints how many
 * it sent.  A rising seq sweeps a range of levels: ACK states from what a
 * victim has stamped upwards, one of which matches what it has sent by the
 * time they arrive.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpcomm/auth.h"
#include "mpcomm/msg.h"
#include "mpcomm/mptime.h"
#include "mpcomm/wire.h"

struct forge {
	uint16_t	 to, from;
	uint64_t	 run;
	uint16_t	 sender;
	unsigned	 n;
	const char	*kind;
	const char	*key_file;
	uint32_t	 counter;
	uint32_t	 seq;
	uint64_t	 ts, c, members;
	uint32_t	 ballot, levels;
	int		 claim_p;	/* -1: none */
	uint32_t	 claim_x;
	unsigned long	 await_ms;
	unsigned long	 replay_ms;
	uint32_t	 step, seq_step;
	unsigned long	 count, interval_ms;
};

static void
usage(void)
{
	fprintf(stderr, "usage: forge --to PORT --from PORT --run R --sender ID "
	    "--n N\n"
	    "             --kind clock|ack|hb|propose|notice|state [--seq S] "
	    "[--ts T] [--c C]\n"
	    "             [--members MASK] [--ballot B] [--levels L] "
	    "[--claim P:X]\n"
	    "             [--await-propose MS] [--key-file F] [--counter C] "
	    "[--step D]\n"
	    "             [--seq-step E] [--count K] [--interval-ms I] "
	    "[--replay MS]\n");
	exit(2);
}

static unsigned long long
num(const char *s, unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max)
		usage();
	return v;
}

/* The run key from --key-file; 0, or -1 without one. */
static int
run_key_of(const struct forge *f, struct auth_key *run_key)
{
	struct auth_key key;

	if (!f->key_file)
		return -1;
	if (auth_load_key(f->key_file, &key) < 0) {
		fprintf(stderr, "forge: cannot load %s\n", f->key_file);
		exit(2);
	}
	/* The shared key roots the run key (auth_run_key()). */
	auth_run_key(&key, f->run, run_key);
	return 0;
}

/*
 * Waits up to f->await_ms for a PROPOSE of run f->run sent from port
 * f->to to port f->from on loopback; its ballot into f->ballot.  0, or -1.
 */
static int
await_propose(struct forge *f)
{
	static struct msg_dgram dg;
	uint8_t pkt[65536];
	struct auth_key rk;
	uint64_t until = mptime_now_us() + f->await_ms * 1000;
	struct pollfd pfd;
	size_t ihl, i;
	ssize_t n;
	int fd, keyed = run_key_of(f, &rk) == 0;

	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_UDP)) < 0)
		return -1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (mptime_now_us() < until) {
		if (poll(&pfd, 1, 50) <= 0 ||
		    (n = recv(fd, pkt, sizeof(pkt), 0)) < 28)
			continue;
		ihl = (size_t)(pkt[0] & 15) * 4;
		if ((size_t)n < ihl + 8 || wire_get_u16(pkt + ihl) != f->to ||
		    wire_get_u16(pkt + ihl + 2) != f->from)
			continue;
		if (msg_check_mac(pkt + ihl + 8, (size_t)n - ihl - 8,
		    keyed ? &rk : NULL) < 0 ||
		    msg_decode(pkt + ihl + 8, (size_t)n - ihl - 8, &dg) < 0 ||
		    dg.hdr.run != f->run)
			continue;
		for (i = 0; i < dg.nrec; i++)
			if (dg.rec[i].type == MSG_PROPOSE) {
				f->ballot = dg.rec[i].u.propose.ballot;
				close(fd);
				return 0;
			}
	}
	close(fd);
	return -1;
}

/*
 * Waits up to f->replay_ms for a datagram of run f->run sent from port
 * f->from to port f->to on loopback, sealed or not (its MAC is not
 * checked: a replayer holds no key); its bytes into buf.  Their length,
 * or 0 when none came.
 */
static size_t
capture(const struct forge *f, uint8_t *buf)
{
	static struct msg_dgram dg;
	uint8_t pkt[65536];
	uint64_t until = mptime_now_us() + f->replay_ms * 1000;
	struct pollfd pfd;
	size_t ihl, len;
	ssize_t n;
	int fd;

	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_UDP)) < 0)
		return 0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (mptime_now_us() < until) {
		if (poll(&pfd, 1, 50) <= 0 ||
		    (n = recv(fd, pkt, sizeof(pkt), 0)) < 28)
			continue;
		ihl = (size_t)(pkt[0] & 15) * 4;
		if ((size_t)n < ihl + 8 + MSG_HDR_LEN ||
		    wire_get_u16(pkt + ihl) != f->from ||
		    wire_get_u16(pkt + ihl + 2) != f->to ||
		    (len = (size_t)n - ihl - 8) > MSG_MAX_DGRAM)
			continue;
		if (msg_decode(pkt + ihl + 8, len, &dg) < 0 ||
		    dg.hdr.run != f->run)
			continue;
		memcpy(buf, pkt + ihl + 8, len);
		close(fd);
		return len;
	}
	close(fd);
	return 0;
}

static size_t
build(const struct forge *f, uint8_t *buf)
{
	struct msg_ack a = { .n = (uint8_t)f->n };
	struct msg_data d = { .seq = f->seq, .ts = f->ts };
	struct msg_propose pr = { .ballot = f->ballot, .members = f->members };
	struct msg_view v = { .ballot = f->ballot, .n = (uint8_t)f->n };
	struct msg_view_entry e = { .ballot = f->ballot,
	    .members = f->members };
	uint32_t s[MSG_MAX_PEERS];
	struct msg_builder b;
	struct auth_key run_key;
	size_t len;
	unsigned i;

	msg_begin(&b, buf, MSG_MAX_DGRAM - AUTH_TAG_LEN, f->sender, f->run);
	msg_set_counter(&b, f->counter);
	if (strcmp(f->kind, "clock") == 0) {
		d.plen = 32;
		d.payload = buf + MSG_MAX_DGRAM - 32;	/* scratch */
		msg_payload_fill(buf + MSG_MAX_DGRAM - 32, 32, f->run,
		    f->sender, f->seq);
		(void)msg_put_data(&b, &d);
	} else if (strcmp(f->kind, "ack") == 0) {
		for (i = 0; i < f->n; i++)
			s[i] = f->seq;
		a.k = f->seq;
		a.c = f->c;
		(void)msg_put_ack(&b, &a, s);
	} else if (strcmp(f->kind, "hb") == 0) {
		(void)msg_put_heartbeat(&b, 0);
	} else if (strcmp(f->kind, "propose") == 0) {
		(void)msg_put_propose(&b, &pr);
	} else if (strcmp(f->kind, "notice") == 0 ||
	    strcmp(f->kind, "state") == 0) {
		for (i = 0; i < f->n; i++)
			s[i] = f->levels;
		if (f->kind[0] == 'n') {
			v.kind = MSG_VIEW_NOTICE;
			v.nviews = 1;
		} else {
			/* An answer: what the sender claims to hold. */
			v.kind = MSG_VIEW_STATE;
			v.d_ts = f->ts;
			s[f->sender] = f->seq;
			if (f->claim_p >= 0 && (unsigned)f->claim_p < f->n)
				s[f->claim_p] = f->claim_x;
		}
		msg_set_view(&b, 0);
		(void)msg_put_view(&b, &v, &e, s);
	} else {
		usage();
	}
	len = msg_finish(&b);
	if (run_key_of(f, &run_key) == 0)
		len = msg_seal(buf, len, &run_key);
	return len;
}

/* Sends payload from 127.0.0.1:from to 127.0.0.1:to through a raw socket. */
static int
send_spoofed(int fd, const struct forge *f, const uint8_t *p, size_t plen)
{
	uint8_t pkt[20 + 8 + MSG_MAX_DGRAM];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	size_t tot = 20 + 8 + plen;

	memset(pkt, 0, 28);
	pkt[0] = 0x45;				/* IPv4, 5 words */
	wire_put_u16(pkt + 2, (uint16_t)tot);
	pkt[8] = 64;				/* TTL */
	pkt[9] = IPPROTO_UDP;
	wire_put_u32(pkt + 12, 0x7f000001);	/* 127.0.0.1 */
	wire_put_u32(pkt + 16, 0x7f000001);
	wire_put_u16(pkt + 20, f->from);
	wire_put_u16(pkt + 22, f->to);
	wire_put_u16(pkt + 24, (uint16_t)(8 + plen));	/* checksum 0: none */
	memcpy(pkt + 28, p, plen);
	dst.sin_addr.s_addr = htonl(0x7f000001);
	return sendto(fd, pkt, tot, 0, (struct sockaddr *)&dst,
	    sizeof(dst)) == (ssize_t)tot ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct forge f = { .count = 1, .counter = 1, .seq = 1,
	    .ts = (UINT64_C(1) << 62) - 2, .c = 5, .claim_p = -1 };
	char *colon;
	uint8_t dgram[MSG_MAX_DGRAM];
	unsigned long i, sent = 0;
	size_t len = 0;
	int a, fd;

	for (a = 1; a + 1 < argc; a += 2) {
		const char *o = argv[a], *v = argv[a + 1];

		if (!strcmp(o, "--to"))
			f.to = (uint16_t)num(v, 65535);
		else if (!strcmp(o, "--from"))
			f.from = (uint16_t)num(v, 65535);
		else if (!strcmp(o, "--run"))
			f.run = num(v, UINT64_MAX);
		else if (!strcmp(o, "--sender"))
			f.sender = (uint16_t)num(v, MSG_MAX_PEERS - 1);
		else if (!strcmp(o, "--n"))
			f.n = (unsigned)num(v, MSG_MAX_PEERS);
		else if (!strcmp(o, "--kind"))
			f.kind = v;
		else if (!strcmp(o, "--key-file"))
			f.key_file = v;
		else if (!strcmp(o, "--seq"))
			f.seq = (uint32_t)num(v, UINT32_MAX);
		else if (!strcmp(o, "--ts"))
			f.ts = num(v, UINT64_MAX);
		else if (!strcmp(o, "--c"))
			f.c = num(v, UINT64_MAX);
		else if (!strcmp(o, "--members"))
			f.members = num(v, UINT64_MAX);
		else if (!strcmp(o, "--ballot"))
			f.ballot = (uint32_t)num(v, UINT32_MAX);
		else if (!strcmp(o, "--levels"))
			f.levels = (uint32_t)num(v, UINT32_MAX);
		else if (!strcmp(o, "--claim") && (colon = strchr(v, ':'))) {
			*colon = '\0';
			f.claim_p = (int)num(v, MSG_MAX_PEERS - 1);
			f.claim_x = (uint32_t)num(colon + 1, UINT32_MAX);
		} else if (!strcmp(o, "--await-propose"))
			f.await_ms = (unsigned long)num(v, 600000);
		else if (!strcmp(o, "--replay"))
			f.replay_ms = (unsigned long)num(v, 600000);
		else if (!strcmp(o, "--step"))
			f.step = (uint32_t)num(v, 1000);
		else if (!strcmp(o, "--seq-step"))
			f.seq_step = (uint32_t)num(v, 1000);
		else if (!strcmp(o, "--counter"))
			f.counter = (uint32_t)num(v, UINT32_MAX);
		else if (!strcmp(o, "--count"))
			f.count = (unsigned long)num(v, 100000);
		else if (!strcmp(o, "--interval-ms"))
			f.interval_ms = (unsigned long)num(v, 10000);
		else
			usage();
	}
	if (a != argc || !f.to || !f.from || !f.run || !f.n || !f.kind ||
	    f.n > MSG_MAX_PEERS || f.sender >= f.n)
		usage();
	if (!f.ballot)
		f.ballot = 1 << 6 | f.sender;
	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) < 0) {
		perror("forge: raw socket (needs root)");
		return 77;
	}
	if (f.await_ms && await_propose(&f) < 0) {
		fprintf(stderr, "forge: no PROPOSE seen in %lu ms\n",
		    f.await_ms);
		close(fd);
		return 1;
	}
	if (f.replay_ms && !(len = capture(&f, dgram))) {
		fprintf(stderr, "forge: no datagram of run %llu seen in %lu ms\n",
		    (unsigned long long)f.run, f.replay_ms);
		close(fd);
		return 1;
	}
	for (i = 0; i < f.count; i++) {
		if (!f.replay_ms)
			len = build(&f, dgram);
		f.counter += f.step;
		f.seq += f.seq_step;
		if (send_spoofed(fd, &f, dgram, len) == 0)
			sent++;
		if (f.interval_ms && i + 1 < f.count)
			mptime_sleep_us(f.interval_ms * 1000);
	}
	close(fd);
	printf("forge: sent %lu of %lu\n", sent, f.count);
	return sent == f.count ? 0 : 1;
}
