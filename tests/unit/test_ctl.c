/* SPDX-License-Identifier: BSD-2-Clause */
/* Control lines, delivery-log lines and host:port parsing. */
#include <string.h>

#include "mpcomm/ctl.h"
#include "mpcomm/dlog.h"
#include "mpcomm/net.h"
#include "check.h"

static int
parses(const char *s)
{
	struct ctl_msg m;

	return ctl_parse(s, strlen(s), &m) == 0;
}

int
main(void)
{
	struct ctl_msg m;
	struct dlog_header h;
	uint64_t v, lo, hi;
	double d;
	char host[64], port[8], big[CTL_LINE_MAX + 10];
	unsigned sender;
	uint32_t seq;
	uint64_t ts;
	const char *line = "START run=5 n=3 loss=0.25 order=total";

	CHECK(ctl_parse(line, strlen(line), &m) == 0);
	CHECK(strcmp(m.verb, "START") == 0 && m.nfield == 4);
	CHECK(ctl_get_u64(&m, "run", 1, 10, 1, &v) == 0 && v == 5);
	CHECK(ctl_get_u64(&m, "n", 4, 10, 1, &v) < 0);	/* out of range */
	CHECK(ctl_get_double(&m, "loss", 0, 1, 1, &d) == 0 && d == 0.25);
	CHECK(ctl_get_u64(&m, "absent", 0, 1, 1, &v) < 0);
	v = 99;
	CHECK(ctl_get_u64(&m, "absent", 0, 1, 0, &v) == 0 && v == 99);
	CHECK(ctl_check_unused(&m) < 0);	/* order not asked for */
	CHECK(ctl_get(&m, "order") != NULL && ctl_check_unused(&m) == 0);

	/* Rejections. */
	CHECK(!parses(""));
	CHECK(!parses("   "));
	CHECK(!parses("k=v"));
	CHECK(!parses("VERB novalue"));
	CHECK(!parses("VERB =v"));
	CHECK(!parses("VERB a=1 a=2"));
	CHECK(!parses("VERB a=\x01"));
	CHECK(!parses("VERB a=\xff"));
	memset(big, 'a', sizeof(big));
	CHECK(ctl_parse(big, CTL_LINE_MAX + 1, &m) < 0);
	{
		char many[400] = "V";
		int i;

		for (i = 0; i < CTL_MAX_FIELDS + 1; i++)
			sprintf(many + strlen(many), " k%d=1", i);
		CHECK(!parses(many));
	}
	CHECK(parses("PING\r"));
	CHECK(ctl_parse_u64("12x", 0, 100, &v) < 0);
	CHECK(ctl_parse_u64("-1", 0, 100, &v) < 0);
	CHECK(ctl_parse_u64("18446744073709551616", 0, UINT64_MAX, &v) < 0);
	CHECK(ctl_parse_double("nan", 0, 1, &d) < 0);
	CHECK(ctl_parse_double("1e400", 0, 1e300, &d) < 0);
	CHECK(ctl_parse_range("3:7", 0, 10, &lo, &hi) == 0 && lo == 3 &&
	    hi == 7);
	CHECK(ctl_parse_range("7:3", 0, 10, &lo, &hi) < 0);
	CHECK(ctl_parse_range("5", 0, 10, &lo, &hi) == 0 && lo == 5 && hi == 5);
	CHECK(ctl_parse_range(":5", 0, 10, &lo, &hi) < 0);

	/* Delivery log lines. */
	CHECK(dlog_parse_entry("3 17 12345", &sender, &seq, &ts) == 0 &&
	    sender == 3 && seq == 17 && ts == 12345);
	CHECK(dlog_parse_entry("3 17", &sender, &seq, &ts) < 0);
	CHECK(dlog_parse_entry("3 17 1 2", &sender, &seq, &ts) < 0);
	CHECK(dlog_parse_entry("64 1 1", &sender, &seq, &ts) < 0);
	CHECK(dlog_parse_entry("1 4294967296 1", &sender, &seq, &ts) < 0);
	CHECK(dlog_parse_entry("1  2 3", &sender, &seq, &ts) < 0);
	CHECK(dlog_parse_entry("1 2 18446744073709551616", &sender, &seq,
	    &ts) < 0);
	CHECK(dlog_parse_entry("", &sender, &seq, &ts) < 0);
	CHECK(dlog_parse_header("# run=9 peer=2 order=total status=ok",
	    &h) == 0 && h.run == 9 && h.peer == 2 &&
	    strcmp(h.status, "ok") == 0);
	CHECK(dlog_parse_header("# run=9 peer=2 order=total", &h) < 0);
	CHECK(dlog_parse_header("run=9 peer=2 order=total status=ok", &h) < 0);

	/* host:port forms. */
	CHECK(net_split_hostport("example.org:80", "1", host, sizeof(host),
	    port, sizeof(port)) == 0 && strcmp(host, "example.org") == 0 &&
	    strcmp(port, "80") == 0);
	CHECK(net_split_hostport("[::1]:5680", "1", host, sizeof(host), port,
	    sizeof(port)) == 0 && strcmp(host, "::1") == 0 &&
	    strcmp(port, "5680") == 0);
	CHECK(net_split_hostport("::1", "5680", host, sizeof(host), port,
	    sizeof(port)) == 0 && strcmp(host, "::1") == 0 &&
	    strcmp(port, "5680") == 0);
	CHECK(net_split_hostport("10.0.0.1", "5680", host, sizeof(host), port,
	    sizeof(port)) == 0 && strcmp(port, "5680") == 0);
	CHECK(net_split_hostport("[::1", "1", host, sizeof(host), port,
	    sizeof(port)) < 0);
	CHECK(net_split_hostport(":80", "1", host, sizeof(host), port,
	    sizeof(port)) < 0);
	CHECK_DONE("test_ctl");
}
