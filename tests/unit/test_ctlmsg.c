/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control messages' codec: every message formatted to the exact text
 * the programs have always sent, parsed back to the same struct, and each
 * malformed field refused with its reason.
 */
#include <stdint.h>
#include <string.h>

#include "mpcomm/ctlmsg.h"
#include "check.h"

static char line[CTL_LINE_MAX + 1];
static struct ctl_msg m;

/* Tokenises s into m; its verb, or -1. */
static int
rd(const char *s)
{
	return ctlmsg_read(s, strlen(s), &m);
}

/* True when the line s reads as verb v and the parser p refuses it. */
#define REFUSED(s, v, call)	(rd(s) == (v) && (call) < 0 && m.err[0])

/* A line and the words its refusal must contain. */
struct refusal {
	const char	*fields;
	const char	*why;
};

/*
 * Each "VERB fields" must read as verb v and be refused by parse, for the
 * reason given.
 */
static void
refuse_all(enum ctlmsg_verb v, const struct refusal *bad, size_t n,
    int (*parse)(struct ctl_msg *))
{
	char buf[256];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s %s", ctlmsg_verb_name(v),
		    bad[i].fields);
		CHECK(rd(buf) == (int)v);
		CHECK(parse(&m) < 0);
		if (!strstr(m.err, bad[i].why)) {
			fprintf(stderr, "%s: '%s', expected '%s'\n", buf, m.err,
			    bad[i].why);
			CHECK(!"the reason");
		}
	}
}

static int
parse_start(struct ctl_msg *msg)
{
	struct ctlmsg_start s;

	return ctlmsg_start_parse(msg, &s);
}

static int
parse_log(struct ctl_msg *msg)
{
	struct ctlmsg_log l;

	return ctlmsg_log_parse(msg, &l);
}

static void
test_verbs(void)
{
	CHECK(rd("REGISTER host=a udp=1 ctl=2") == CTLMSG_REGISTER);
	CHECK(rd("UNREGISTER") == CTLMSG_UNREGISTER);
	CHECK(rd("LIST") == CTLMSG_LIST && rd("PING") == CTLMSG_PING);
	CHECK(rd("START") == CTLMSG_START && rd("MEMBER") == CTLMSG_MEMBER);
	CHECK(rd("ABORT") == CTLMSG_ABORT && rd("STATUS") == CTLMSG_STATUS);
	CHECK(rd("SHUTDOWN") == CTLMSG_SHUTDOWN && rd("LOG") == CTLMSG_LOG);
	CHECK(rd("OK pong=1") == CTLMSG_OK && rd("HELLO nonce=ab") ==
	    CTLMSG_HELLO);
	CHECK(rd("FROB x=1") == CTLMSG_OTHER);
	CHECK(rd("list") == CTLMSG_OTHER);	/* verbs are upper case */
	CHECK(rd("") < 0 && strstr(m.err, "empty"));
	CHECK(rd("x=1 START") < 0);
	CHECK(rd("START run") < 0 && strstr(m.err, "key=value"));
	CHECK(rd("START run=1 run=2") < 0 && strstr(m.err, "repeated"));
	CHECK(strcmp(ctlmsg_verb_name(CTLMSG_ABORT), "ABORT") == 0);
	CHECK(strcmp(ctlmsg_verb_name(CTLMSG_OTHER), "") == 0);
	CHECK(strcmp(ctlmsg_verb_name((enum ctlmsg_verb)99), "") == 0);

	CHECK(ctlmsg_bare_format(CTLMSG_STATUS, line, sizeof(line)) == 6 &&
	    strcmp(line, "STATUS") == 0);
	CHECK(ctlmsg_bare_format(CTLMSG_LIST, line, sizeof(line)) == 4);
	CHECK(ctlmsg_bare_format(CTLMSG_SHUTDOWN, line, sizeof(line)) == 8);
	CHECK(ctlmsg_bare_format(CTLMSG_PING, line, 4) < 0);	/* too small */
	CHECK(ctlmsg_bare_format(CTLMSG_START, line, sizeof(line)) < 0);
	CHECK(rd("STATUS") == CTLMSG_STATUS && ctlmsg_bare_parse(&m) == 0);
	CHECK(REFUSED("STATUS x=1", CTLMSG_STATUS, ctlmsg_bare_parse(&m)));
	CHECK(REFUSED("LIST x=1", CTLMSG_LIST, ctlmsg_bare_parse(&m)));
	/* PING and SHUTDOWN always ignored their fields. */
	CHECK(rd("PING x=1") == CTLMSG_PING && ctlmsg_bare_parse(&m) == 0);
	CHECK(rd("SHUTDOWN x=1") == CTLMSG_SHUTDOWN &&
	    ctlmsg_bare_parse(&m) == 0);
}

static void
test_reg(void)
{
	struct ctlmsg_reg r = { "10.0.0.2", 6789, 5679 }, back;
	char big[300];

	CHECK(ctlmsg_reg_format(CTLMSG_REGISTER, &r, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "REGISTER host=10.0.0.2 udp=6789 ctl=5679") == 0);
	CHECK(rd(line) == CTLMSG_REGISTER && ctlmsg_reg_parse(&m, &back) == 0);
	CHECK(memcmp(&r, &back, sizeof(r)) == 0);
	CHECK(ctlmsg_reg_format(CTLMSG_UNREGISTER, &r, line,
	    sizeof(line)) > 0);
	CHECK(strcmp(line, "UNREGISTER host=10.0.0.2 udp=6789 ctl=5679") == 0);
	snprintf(r.host, sizeof(r.host), "fe80::1%%eth0");
	r.udp = 65535;
	r.ctl = 1;
	CHECK(ctlmsg_reg_format(CTLMSG_MEMBER, &r, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "MEMBER host=fe80::1%eth0 udp=65535 ctl=1") == 0);
	CHECK(rd(line) == CTLMSG_MEMBER && ctlmsg_reg_parse(&m, &back) == 0);
	CHECK(memcmp(&r, &back, sizeof(r)) == 0);
	CHECK(ctlmsg_reg_format(CTLMSG_LIST, &r, line, sizeof(line)) < 0);

	CHECK(REFUSED("REGISTER host=a_b udp=1 ctl=1", CTLMSG_REGISTER,
	    ctlmsg_reg_parse(&m, &back)) && strstr(m.err, "host name"));
	CHECK(REFUSED("REGISTER host=a udp=0 ctl=1", CTLMSG_REGISTER,
	    ctlmsg_reg_parse(&m, &back)) && strstr(m.err, "'udp'"));
	CHECK(REFUSED("REGISTER host=a udp=1 ctl=65536", CTLMSG_REGISTER,
	    ctlmsg_reg_parse(&m, &back)) && strstr(m.err, "'ctl'"));
	CHECK(REFUSED("REGISTER host=a udp=1", CTLMSG_REGISTER,
	    ctlmsg_reg_parse(&m, &back)) && strstr(m.err, "missing key"));
	CHECK(REFUSED("REGISTER udp=1 ctl=1", CTLMSG_REGISTER,
	    ctlmsg_reg_parse(&m, &back)));
	CHECK(REFUSED("REGISTER host=a udp=1 ctl=1 x=2", CTLMSG_REGISTER,
	    ctlmsg_reg_parse(&m, &back)) && strstr(m.err, "unknown key 'x'"));
	memset(big, 'a', sizeof(big));
	memcpy(big, "REGISTER udp=1 ctl=1 host=", 26);
	big[26 + NET_HOST_MAX] = '\0';		/* a host of 256 bytes */
	CHECK(REFUSED(big, CTLMSG_REGISTER, ctlmsg_reg_parse(&m, &back)));
	big[26 + NET_HOST_MAX - 1] = '\0';	/* 255: the longest */
	CHECK(rd(big) == CTLMSG_REGISTER && ctlmsg_reg_parse(&m, &back) == 0);
}

static void
test_members(void)
{
	struct ctlmsg_members r, back;

	/* Zeroed whole: the round trips compare the structs, padding too. */
	memset(&r, 0, sizeof(r));
	r.has_index = true;
	r.index = 3;
	r.members = 4;
	CHECK(ctlmsg_members_format(&r, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "OK index=3 members=4") == 0);
	CHECK(rd(line) == CTLMSG_OK && ctlmsg_members_parse(&m, &back) == 0);
	CHECK(back.has_index && back.index == 3 && back.members == 4);
	r.has_index = false;
	r.members = CTLMSG_MEMBERS_MAX;
	CHECK(ctlmsg_members_format(&r, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "OK members=100000") == 0);
	CHECK(rd(line) == CTLMSG_OK && ctlmsg_members_parse(&m, &back) == 0);
	CHECK(!back.has_index && back.members == CTLMSG_MEMBERS_MAX);
	CHECK(REFUSED("OK members=100001", CTLMSG_OK,
	    ctlmsg_members_parse(&m, &back)));
	CHECK(REFUSED("OK index=1", CTLMSG_OK, ctlmsg_members_parse(&m, &back)));
	CHECK(REFUSED("OK members=x", CTLMSG_OK,
	    ctlmsg_members_parse(&m, &back)));
}

/* A START with every field, as the comparison server sends it. */
static const char start_all[] = "START run=1795971105105273 id=1 n=3 "
    "messages=20 order=fifo imin=1 imax=3 dmin=2 dmax=5 loss=0.1 dup=0.05 "
    "seed=7 window=8192 on_failure=abort suspect=900 "
    "server=[::1]:5678 trace=5";

static void
test_start_round_trip(void)
{
	struct ctlmsg_start s, back;

	CHECK(rd(start_all) == CTLMSG_START && ctlmsg_start_parse(&m, &s) == 0);
	CHECK(s.run == 1795971105105273ULL && s.id == 1 && s.n == 3);
	CHECK(s.messages == 20 && s.mode == ORDER_FIFO);
	CHECK(s.imin_ms == 1 && s.imax_ms == 3 && s.dmin_ms == 2 &&
	    s.dmax_ms == 5);
	CHECK(s.loss == 0.1 && s.dup == 0.05 && s.seed == 7);
	CHECK(s.window == 8192 && s.trace == 5);
	CHECK(s.on_failure == ORDER_ABORT && s.has_suspect &&
	    s.suspect_ms == 900);
	CHECK(strcmp(s.server, "[::1]:5678") == 0);
	CHECK(ctlmsg_start_format(&s, line, sizeof(line)) ==
	    (int)strlen(start_all) && strcmp(line, start_all) == 0);
	CHECK(rd(line) == CTLMSG_START && ctlmsg_start_parse(&m, &back) == 0);
	CHECK(memcmp(&s, &back, sizeof(s)) == 0);
	CHECK(ctlmsg_start_format(&s, line, strlen(start_all)) < 0);

	/* The least a START says: the rest takes its default. */
	CHECK(rd("START run=1 id=0 n=2 messages=1") == CTLMSG_START &&
	    ctlmsg_start_parse(&m, &s) == 0);
	CHECK(s.mode == ORDER_TOTAL && s.on_failure == ORDER_CONTINUE);
	CHECK(!s.has_suspect && s.window == 0 && s.trace == 0 &&
	    s.server[0] == '\0' && s.loss == 0 && s.imax_ms == 0);
	CHECK(ctlmsg_start_format(&s, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "START run=1 id=0 n=2 messages=1 order=total "
	    "imin=0 imax=0 dmin=0 dmax=0 loss=0 dup=0 seed=0 "
	    "on_failure=continue") == 0);
	CHECK(rd(line) == CTLMSG_START && ctlmsg_start_parse(&m, &back) == 0);
	CHECK(memcmp(&s, &back, sizeof(s)) == 0);

	/* The boundaries. */
	CHECK(rd("START run=18446744073709551615 id=63 n=64 "
	    "messages=2147483647 imin=3600000 imax=3600000 dmin=60000 "
	    "dmax=60000 loss=0.95 dup=1 window=1048576 trace=5000 "
	    "seed=18446744073709551615") == CTLMSG_START &&
	    ctlmsg_start_parse(&m, &s) == 0);
	CHECK(s.run == UINT64_MAX && s.id == 63 && s.n == 64 &&
	    s.messages == INT32_MAX && s.window == 1 << 20 &&
	    s.trace == 5000 && s.loss == 0.95);
	CHECK(rd("START run=1 id=0 n=2 messages=1 window=1 trace=0") ==
	    CTLMSG_START && ctlmsg_start_parse(&m, &s) == 0);

	/* secret=: the run's secret, in hex, last; read back to its bytes. */
	CHECK(rd("START run=1 id=0 n=2 messages=1 secret="
	    "000102030405060708090a0b0c0d0e0fF0") == CTLMSG_START &&
	    ctlmsg_start_parse(&m, &s) == 0);
	CHECK(s.secret_len == 17 && s.secret[0] == 0 && s.secret[15] == 15 &&
	    s.secret[16] == 0xf0);
	CHECK(ctlmsg_start_format(&s, line, sizeof(line)) > 0);
	CHECK(strstr(line, " on_failure=continue secret="
	    "000102030405060708090a0b0c0d0e0ff0") != NULL);
	CHECK(rd(line) == CTLMSG_START && ctlmsg_start_parse(&m, &back) == 0);
	CHECK(memcmp(&s, &back, sizeof(s)) == 0);
	CHECK(rd("START run=1 id=0 n=2 messages=1 secret="
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
	    == CTLMSG_START && ctlmsg_start_parse(&m, &s) == 0 &&
	    s.secret_len == 32 && s.secret[31] == 0xff);

	/* messages=0, the demo's "terminate": nothing else is looked at. */
	CHECK(rd("START messages=0 bogus=1") == CTLMSG_START &&
	    ctlmsg_start_parse(&m, &s) == 0 && s.messages == 0);
	CHECK(ctlmsg_start_format(&s, line, sizeof(line)) > 0 &&
	    strcmp(line, "START messages=0") == 0);
}

static void
test_start_refused(void)
{
	static const struct refusal bad[] = {
		{ "id=0 n=2 messages=1", "missing key 'run'" },
		{ "run=0 id=0 n=2 messages=1", "key 'run'" },
		{ "run=1 id=64 n=2 messages=1", "key 'id'" },
		{ "run=1 id=0 n=1 messages=1", "key 'n'" },
		{ "run=1 id=0 n=65 messages=1", "key 'n'" },
		{ "run=1 id=0 n=2", "missing key 'messages'" },
		{ "run=1 id=0 n=2 messages=2147483648", "key 'messages'" },
		{ "run=1 id=0 n=2 messages=-1", "key 'messages'" },
		{ "run=1 id=0 n=2 messages=1 order=chaos", "order must be" },
		{ "run=1 id=0 n=2 messages=1 imin=3600001", "key 'imin'" },
		{ "run=1 id=0 n=2 messages=1 imax=x", "key 'imax'" },
		{ "run=1 id=0 n=2 messages=1 dmin=60001", "key 'dmin'" },
		{ "run=1 id=0 n=2 messages=1 dmax=60001", "key 'dmax'" },
		{ "run=1 id=0 n=2 messages=1 loss=0.96", "key 'loss'" },
		{ "run=1 id=0 n=2 messages=1 loss=nan", "key 'loss'" },
		{ "run=1 id=0 n=2 messages=1 dup=1.5", "key 'dup'" },
		{ "run=1 id=0 n=2 messages=1 seed=18446744073709551616",
		    "key 'seed'" },
		{ "run=1 id=0 n=2 messages=1 window=0", "key 'window'" },
		{ "run=1 id=0 n=2 messages=1 window=1048577", "key 'window'" },
		{ "run=1 id=0 n=2 messages=1 trace=5001", "key 'trace'" },
		{ "run=1 id=0 n=2 messages=1 on_failure=stop", "on_failure" },
		{ "run=1 id=0 n=2 messages=1 suspect=soon", "suspect=soon: " },
		{ "run=1 id=0 n=2 messages=1 imin=5 imax=4", "a minimum" },
		{ "run=1 id=0 n=2 messages=1 dmin=5 dmax=4", "a minimum" },
		{ "run=1 id=2 n=2 messages=1", "id 2 is not below n=2" },
		{ "run=1 id=0 n=2 messages=1 server=", "key 'server'" },
		{ "run=1 id=0 n=2 messages=1 delay_us=5", "unknown key" },
		/* The secret: 16 to 32 bytes in hex; never echoed back. */
		{ "run=1 id=0 n=2 messages=1 secret="
		    "000102030405060708090a0b0c0d0e", "key 'secret': 32 to 64" },
		{ "run=1 id=0 n=2 messages=1 secret="
		    "000102030405060708090a0b0c0d0e0f1", "key 'secret'" },
		{ "run=1 id=0 n=2 messages=1 secret="
		    "00112233445566778899aabbccddeeff00112233445566778899aabbccdd"
		    "eeff00", "key 'secret'" },
		{ "run=1 id=0 n=2 messages=1 secret="
		    "000102030405060708090a0b0c0d0e0g", "key 'secret'" },
		{ "run=1 id=0 n=2 messages=1 secret=", "key 'secret'" },
	};

	refuse_all(CTLMSG_START, bad, sizeof(bad) / sizeof(bad[0]), parse_start);
	/* A refused secret is not repeated where a log would show it. */
	CHECK(rd("START run=1 id=0 n=2 messages=1 secret="
	    "0123456789abcdef0123456789abcdeg") == CTLMSG_START &&
	    parse_start(&m) < 0 && !strstr(m.err, "0123456789"));
}

static void
test_member(void)
{
	struct ctlmsg_member x, back;

	/* Zeroed whole: the round trips compare the structs, padding too. */
	memset(&x, 0, sizeof(x));
	x.id = 2;
	snprintf(x.host, sizeof(x.host), "10.0.0.3");
	x.udp = 6789;
	x.has_delay = true;
	CHECK(ctlmsg_member_format(&x, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "MEMBER id=2 host=10.0.0.3 udp=6789 delay_us=0")
	    == 0);
	CHECK(rd(line) == CTLMSG_MEMBER &&
	    ctlmsg_member_parse(&m, 3, &back) == 0);
	CHECK(memcmp(&x, &back, sizeof(x)) == 0);
	x.has_delay = false;
	CHECK(ctlmsg_member_format(&x, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "MEMBER id=2 host=10.0.0.3 udp=6789") == 0);
	CHECK(rd(line) == CTLMSG_MEMBER &&
	    ctlmsg_member_parse(&m, 3, &back) == 0);
	CHECK(memcmp(&x, &back, sizeof(x)) == 0);
	CHECK(rd("MEMBER id=63 host=::1 udp=65535 delay_us=60000000") ==
	    CTLMSG_MEMBER && ctlmsg_member_parse(&m, 64, &back) == 0);
	CHECK(back.id == 63 && back.delay_us == 60000000 && back.has_delay);

	CHECK(REFUSED("MEMBER id=3 host=a udp=1", CTLMSG_MEMBER,
	    ctlmsg_member_parse(&m, 3, &back)) && strstr(m.err, "'id'"));
	CHECK(REFUSED("MEMBER id=0 host=a udp=1", CTLMSG_MEMBER,
	    ctlmsg_member_parse(&m, 0, &back)));
	CHECK(REFUSED("MEMBER id=0 udp=1", CTLMSG_MEMBER,
	    ctlmsg_member_parse(&m, 3, &back)) && strstr(m.err, "'host'"));
	CHECK(REFUSED("MEMBER id=0 host=a udp=0", CTLMSG_MEMBER,
	    ctlmsg_member_parse(&m, 3, &back)) && strstr(m.err, "'udp'"));
	CHECK(REFUSED("MEMBER id=0 host=a udp=1 delay_us=60000001",
	    CTLMSG_MEMBER, ctlmsg_member_parse(&m, 3, &back)) &&
	    strstr(m.err, "'delay_us'"));
	CHECK(REFUSED("MEMBER id=0 host=a udp=1 ctl=2", CTLMSG_MEMBER,
	    ctlmsg_member_parse(&m, 3, &back)) && strstr(m.err, "'ctl'"));
}

static void
test_abort_and_answers(void)
{
	struct ctlmsg_abort a = { UINT64_MAX }, ab;
	struct ctlmsg_runok r, rb;
	struct ctlmsg_received g = { 4294967295u }, gb;

	/* Zeroed whole: the round trips compare the structs, padding too. */
	memset(&r, 0, sizeof(r));
	r.what = CTLMSG_RUN_FINISHED;
	r.run = 12;
	snprintf(r.state, sizeof(r.state), "done");
	CHECK(ctlmsg_abort_format(&a, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "ABORT run=18446744073709551615") == 0);
	CHECK(rd(line) == CTLMSG_ABORT && ctlmsg_abort_parse(&m, &ab) == 0 &&
	    ab.run == UINT64_MAX);
	CHECK(REFUSED("ABORT run=0", CTLMSG_ABORT, ctlmsg_abort_parse(&m, &ab)));
	CHECK(REFUSED("ABORT", CTLMSG_ABORT, ctlmsg_abort_parse(&m, &ab)));
	CHECK(REFUSED("ABORT run=1 now=1", CTLMSG_ABORT,
	    ctlmsg_abort_parse(&m, &ab)));

	CHECK(ctlmsg_runok_format(&r, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "OK already finished run=12 state=done") == 0);
	CHECK(ctlmsg_runok_parse(line, &rb) == 0 && memcmp(&r, &rb,
	    sizeof(r)) == 0);
	r.what = CTLMSG_RUN_ABORTED;
	memset(r.state, 0, sizeof(r.state));
	CHECK(ctlmsg_runok_format(&r, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "OK aborted run=12") == 0);
	CHECK(ctlmsg_runok_parse(line, &rb) == 0 && memcmp(&r, &rb,
	    sizeof(r)) == 0);
	r.what = CTLMSG_RUN_STARTED;
	CHECK(ctlmsg_runok_format(&r, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "OK run=12") == 0);
	CHECK(ctlmsg_runok_parse(line, &rb) == 0 && memcmp(&r, &rb,
	    sizeof(r)) == 0);
	CHECK(ctlmsg_runok_parse("OK aborted", &rb) < 0);
	CHECK(ctlmsg_runok_parse("OK already finished run=1", &rb) < 0);
	CHECK(ctlmsg_runok_parse("OK run=0", &rb) < 0);
	CHECK(ctlmsg_runok_parse("ERR 404 run 1 is not the current run",
	    &rb) < 0);

	CHECK(ctlmsg_received_format(&g, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "OK received=4294967295") == 0);
	CHECK(rd(line) == CTLMSG_OK && ctlmsg_received_parse(&m, &gb) == 0 &&
	    gb.count == g.count);
	CHECK(REFUSED("OK received=4294967296", CTLMSG_OK,
	    ctlmsg_received_parse(&m, &gb)));

	CHECK(ctlmsg_is_ok("OK") && ctlmsg_is_ok("OK pong"));
	CHECK(!ctlmsg_is_ok("OKAY") && !ctlmsg_is_ok("ERR 400 x"));
	CHECK(strcmp(ctlmsg_ok_text("OK pong"), "pong") == 0);
	CHECK(strcmp(ctlmsg_ok_text("OK"), "") == 0);
	CHECK(strcmp(ctlmsg_ok_text("ERR 1"), "") == 0);
	CHECK(ctlmsg_is_hello("HELLO nonce=ab") && !ctlmsg_is_hello("HELLOx"));
	CHECK(ctlmsg_ok_format("", line, sizeof(line)) == 2 &&
	    strcmp(line, "OK") == 0);
	CHECK(ctlmsg_ok_format("bye", line, sizeof(line)) == 6 &&
	    strcmp(line, "OK bye") == 0);
	CHECK(ctlmsg_err_format(503, "registry full (1024 members)", line,
	    sizeof(line)) > 0);
	CHECK(strcmp(line, "ERR 503 registry full (1024 members)") == 0);
	CHECK(ctlmsg_err_parse(line) == 503);
	CHECK(ctlmsg_err_format(99, "x", line, sizeof(line)) < 0);
	CHECK(ctlmsg_err_format(600, "x", line, sizeof(line)) < 0);
	CHECK(ctlmsg_err_parse("ERR 400") == 400);
	CHECK(ctlmsg_err_parse("ERR 50 x") < 0);
	CHECK(ctlmsg_err_parse("ERR 5030 x") < 0);
	CHECK(ctlmsg_err_parse("ERR 099 x") < 0);
	CHECK(ctlmsg_err_parse("OK 400") < 0);
	CHECK(strcmp(ctlmsg_answer("OK", 2), "OK") == 0);
	CHECK(strcmp(ctlmsg_answer("OK", -1), "ERR 500 answer too long") == 0);
}

/* STATUS's answer of a peer with a run, as the peer has always sent it. */
static const char status_run[] = "OK state=aborted run=9 peer=1 n=3 "
    "order=total messages=20 stamped=20 delivered=41 queue=2 retrans=3 "
    "dgrams_in=100 dgrams_out=90 dup_data=4 drop_decode=5 drop_run=6 "
    "drop_sender=7 drop_field=8 drop_window=9 drop_payload=10 drop_auth=11 "
    "drop_replay=12 drop_bound=13 queue_full=14 emu_lost=15 emu_dup=16 "
    "emu_overflow=17 send_errors=18 recv_errors=19 drop_view=20 view=2 "
    "reason=member_2_silent_for_1000_ms";

static void
test_status(void)
{
	struct ctlmsg_status s, back;

	memset(&s, 0, sizeof(s));
	snprintf(s.state, sizeof(s.state), "idle");
	s.send_errors = 3;
	s.delivered = 99;		/* not said when idle */
	CHECK(ctlmsg_status_format(&s, line, sizeof(line)) > 0);
	CHECK(strcmp(line, "OK state=idle send_errors=3") == 0);
	CHECK(rd(line) == CTLMSG_OK && ctlmsg_status_parse(&m, &back) == 0);
	CHECK(back.send_errors == 3 && back.delivered == 0 &&
	    strcmp(back.state, "idle") == 0);

	CHECK(rd(status_run) == CTLMSG_OK && ctlmsg_status_parse(&m, &s) == 0);
	CHECK(s.run == 9 && s.delivered == 41 && s.drop_view == 20 &&
	    s.view == 2 && strcmp(s.order, "total") == 0);
	CHECK(strcmp(s.reason, "member 2 silent for 1000 ms") == 0);
	CHECK(ctlmsg_status_format(&s, line, sizeof(line)) ==
	    (int)strlen(status_run) && strcmp(line, status_run) == 0);
	CHECK(rd(line) == CTLMSG_OK && ctlmsg_status_parse(&m, &back) == 0);
	CHECK(memcmp(&s, &back, sizeof(s)) == 0);
	s.reason[0] = '\0';
	CHECK(ctlmsg_status_format(&s, line, sizeof(line)) > 0 &&
	    strstr(line, " view=2") && !strstr(line, "reason"));
	snprintf(s.reason, sizeof(s.reason), "a\tb");	/* unprintable */
	CHECK(ctlmsg_status_format(&s, line, sizeof(line)) > 0 &&
	    strstr(line, " reason=a?b"));

	/* A newer peer's keys are ignored; a known one must be well formed. */
	CHECK(rd("OK state=running delivered=5 newkey=1") == CTLMSG_OK &&
	    ctlmsg_status_parse(&m, &back) == 0 && back.delivered == 5);
	CHECK(REFUSED("OK state=running delivered=-5", CTLMSG_OK,
	    ctlmsg_status_parse(&m, &back)));
	CHECK(REFUSED("OK state=averylongstatename", CTLMSG_OK,
	    ctlmsg_status_parse(&m, &back)));

	/* drop_protected= only when there were any, before the reason. */
	CHECK(rd(status_run) == CTLMSG_OK && ctlmsg_status_parse(&m, &s) == 0);
	s.drop_protected = 7;
	CHECK(ctlmsg_status_format(&s, line, sizeof(line)) > 0 &&
	    strstr(line, " view=2 drop_protected=7 reason=") != NULL);
	CHECK(rd(line) == CTLMSG_OK && ctlmsg_status_parse(&m, &back) == 0 &&
	    back.drop_protected == 7);
	memset(&s, 0, sizeof(s));
	snprintf(s.state, sizeof(s.state), "idle");
	s.drop_protected = 2;
	CHECK(ctlmsg_status_format(&s, line, sizeof(line)) > 0 &&
	    strcmp(line, "OK state=idle send_errors=0 drop_protected=2") == 0);
}

/* A LOG header with every field, as the peer has always sent it. */
static const char log_all[] = "LOG run=77 peer=2 order=total lat_p50=1 "
    "lat_p99=2 lat_max=3 retrans=4 dgrams_out=5 dgrams_in=6 drops=7 dup=8 "
    "t_first=9 t_last=10 sent_dgrams=11 sent_bytes=12 "
    "reason=aborted_by_the_comparison_server cpu_us=13 rss_kb=14 "
    "status=aborted count=15 views=2 trace=16 trace_cut=1";

static void
test_log_round_trip(void)
{
	struct ctlmsg_log l, back;

	CHECK(rd(log_all) == CTLMSG_LOG && ctlmsg_log_parse(&m, &l) == 0);
	CHECK(l.run == 77 && l.peer == 2 && strcmp(l.order, "total") == 0);
	CHECK(l.status == RUN_STATUS_ABORTED && l.count == 15 &&
	    l.views == 2 && l.traced && l.trace == 16 && l.trace_cut);
	CHECK(l.lat_p50 == 1 && l.sent_bytes == 12 && l.cpu_us == 13 &&
	    l.rss_kb == 14);
	CHECK(strcmp(l.reason, "aborted by the comparison server") == 0);
	CHECK(ctlmsg_log_format(&l, line, sizeof(line)) ==
	    (int)strlen(log_all) && strcmp(line, log_all) == 0);
	CHECK(rd(line) == CTLMSG_LOG && ctlmsg_log_parse(&m, &back) == 0);
	CHECK(memcmp(&l, &back, sizeof(l)) == 0);

	/* Without views, trace and reason: as a LOG always was. */
	l.views = 0;
	l.traced = false;
	l.trace = 0;
	l.trace_cut = false;
	memset(l.reason, 0, sizeof(l.reason));
	l.status = RUN_STATUS_OK;
	CHECK(ctlmsg_log_format(&l, line, sizeof(line)) > 0);
	CHECK(strstr(line, "sent_bytes=12 cpu_us=13 rss_kb=14 status=ok "
	    "count=15") && !strstr(line, "views") && !strstr(line, "trace"));
	CHECK(rd(line) == CTLMSG_LOG && ctlmsg_log_parse(&m, &back) == 0);
	CHECK(memcmp(&l, &back, sizeof(l)) == 0);
	/* A traced run whose trace is empty still says so. */
	l.traced = true;
	CHECK(ctlmsg_log_format(&l, line, sizeof(line)) > 0 &&
	    strstr(line, " trace=0 trace_cut=0"));
	CHECK(rd(line) == CTLMSG_LOG && ctlmsg_log_parse(&m, &back) == 0 &&
	    back.traced);

	/* A log that could not be written: its error as one plain field. */
	l.traced = false;
	l.status = RUN_STATUS_FAILED;
	l.count = 0;
	snprintf(l.error, sizeof(l.error), "cannot write: No space (28)");
	CHECK(ctlmsg_log_format(&l, line, sizeof(line)) > 0);
	CHECK(strstr(line, " status=failed count=0 "
	    "error=cannot_write:_No_space__28_") != NULL);
	CHECK(rd(line) == CTLMSG_LOG && ctlmsg_log_parse(&m, &back) == 0);
	CHECK(back.status == RUN_STATUS_FAILED &&
	    strcmp(back.error, "cannot_write:_No_space__28_") == 0);

	/* The boundaries. */
	CHECK(rd("LOG run=1 peer=63 order=none status=excluded "
	    "count=4294967295 views=64 trace_cut=0") == CTLMSG_LOG &&
	    ctlmsg_log_parse(&m, &back) == 0);
	CHECK(back.peer == 63 && back.count == UINT32_MAX &&
	    back.views == 64 && !back.traced);
}

static void
test_log_refused(void)
{
	static const struct refusal bad[] = {
		{ "peer=0 order=total status=ok count=0", "missing key 'run'" },
		{ "run=0 peer=0 order=total status=ok count=0", "key 'run'" },
		{ "run=1 peer=64 order=total status=ok count=0", "key 'peer'" },
		{ "run=1 peer=0 status=ok count=0", "missing key 'order'" },
		{ "run=1 peer=0 order=sequencer-ordered status=ok count=0",
		    "'order'" },
		{ "run=1 peer=0 order=total count=0", "missing key 'status'" },
		{ "run=1 peer=0 order=total status=ok", "missing key 'count'" },
		{ "run=1 peer=0 order=total status=ok count=4294967296",
		    "key 'count'" },
		{ "run=1 peer=0 order=total status=ok count=0 views=65",
		    "key 'views'" },
		{ "run=1 peer=0 order=total status=ok count=0 lat_p50=x",
		    "key 'lat_p50'" },
		{ "run=1 peer=0 order=total status=ok count=0 rss_kb=-1",
		    "key 'rss_kb'" },
		{ "run=1 peer=0 order=total status=ok count=0 trace=999999999",
		    "key 'trace'" },
		{ "run=1 peer=0 order=total status=ok count=0 trace_cut=2",
		    "key 'trace_cut'" },
		{ "run=1 peer=0 order=total status=ok count=0 extra=1",
		    "unknown key 'extra'" },
		{ "run=1 peer=0 order=total status=timeout count=0",
		    "status must be" },
		{ "run=1 peer=0 order=total status=great count=0",
		    "status must be" },
		{ "run=1 peer=0 order=total status=failed count=0",
		    "error= goes with status=failed" },
		{ "run=1 peer=0 order=total status=ok count=0 error=disk",
		    "error= goes with status=failed" },
	};

	refuse_all(CTLMSG_LOG, bad, sizeof(bad) / sizeof(bad[0]), parse_log);
}

int
main(void)
{
	test_verbs();
	test_reg();
	test_members();
	test_start_round_trip();
	test_start_refused();
	test_member();
	test_abort_and_answers();
	test_status();
	test_log_round_trip();
	test_log_refused();
	CHECK_DONE("ctlmsg");
}
