/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mpreport: the report of a run kept with comparison_server --save DIR,
 * judged again from its logs and drawn in every format the comparison
 * server draws, by the same code, without running it again.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpcomm/defaults.h"
#include "mpcomm/log.h"
#include "mpcomm/proc.h"
#include "../comparison_server/cs.h"
#include "../comparison_server/html.h"

#define PROG		"mpreport"
#define SYNOPSIS	"mpreport [-hqV] [-j file] [--svg file] [--spacetime file] " \
			"[--shiviz file] [--html file] [--csv file] dir"
#define usage_error(...) proc_usage_error(PROG, SYNOPSIS, __VA_ARGS__)

/* Exit statuses (proc.h), as the comparison server's: EXIT_FAILED the
 * run was not ok; EXIT_NETWORK a file could not be read or written. */

enum { OPT_SVG = 256, OPT_SPACETIME, OPT_SHIVIZ, OPT_HTML, OPT_CSV };

struct outputs {
	const char	*json, *svg, *spacetime, *shiviz, *html, *csv;
	bool		 quiet;
};

static void
usage(void)
{
	printf(
"usage: " SYNOPSIS "\n"
"Judges again a run saved with comparison_server --save DIR, prints its\n"
"report and RESULT line, and draws what is asked.\n"
"\n"
"  -j, --json FILE      the report as JSON\n"
"      --svg FILE       the delivery lanes\n"
"      --spacetime FILE the space-time diagram (a traced run)\n"
"      --shiviz FILE    the traces as a ShiViz log\n"
"      --html FILE      the page that replays the run (a traced run)\n"
"      --csv FILE       the run's CSV row, with the header\n"
"  -q, --quiet          only the RESULT line\n"
"  -h, --help           this text         -V, --version\n"
"\n"
"Exit status: 0 the run was ok, 1 it was not, 2 usage error, 3 the saved\n"
"run cannot be read or a file cannot be written.\n"
"Example, a run saved by comparison_server --trace --save run1:\n"
"  mpreport run1 --html run1.html --svg run1.svg\n");
	exit(EXIT_OK);
}

static const struct option long_opts[] = {
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "help", no_argument, NULL, 'h' },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "json", required_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "shiviz", required_argument, NULL, OPT_SHIVIZ },
	{ "spacetime", required_argument, NULL, OPT_SPACETIME },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const char *
parse_args(int argc, char **argv, struct outputs *o)
{
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hj:qV", long_opts, NULL)) != -1)
		switch (ch) {
		case 'h':
			usage();
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'V':
			printf("mpreport (MPComm) %s\n", MPCOMM_VERSION);
			exit(EXIT_OK);
		case OPT_SVG:
			o->svg = optarg;
			break;
		case OPT_SPACETIME:
			o->spacetime = optarg;
			break;
		case OPT_SHIVIZ:
			o->shiviz = optarg;
			break;
		case OPT_HTML:
			o->html = optarg;
			break;
		case OPT_CSV:
			o->csv = optarg;
			break;
		default:
			proc_getopt_error(PROG, SYNOPSIS, ch, argv);
		}
	if (optind == argc)
		usage_error("expected the folder of a saved run");
	if (optind + 1 != argc)
		usage_error("unexpected argument '%s'", argv[optind + 1]);
	return argv[optind];
}

static int
write_csv(const char *path, const struct report *r)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	if (report_csv_row(f, r, true) < 0 || report_csv_row(f, r, false) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* Every file asked for; false when one could not be written. */
static bool
draw(const struct outputs *o, const struct report *r)
{
	bool ok = true;

#define OUT(path, call)							\
	if ((path) && (call) < 0) {					\
		log_warn("cannot write %s", (path));			\
		ok = false;						\
	}
	OUT(o->json, report_json(o->json, r))
	OUT(o->svg, report_svg(o->svg, r))
	OUT(o->spacetime, st_svg(o->spacetime, r))
	OUT(o->shiviz, shiviz_write(o->shiviz, r))
	OUT(o->html, html_write(o->html, r))
	OUT(o->csv, write_csv(o->csv, r))
#undef OUT
	return ok;
}

int
main(int argc, char **argv)
{
	struct outputs o = { 0 };
	struct saved_run s;
	const char *dir;
	char why[4400];
	bool written;

	dir = parse_args(argc, argv, &o);
	log_init(PROG, o.quiet ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, 0);
	if (saved_read(dir, &s, why, sizeof(why)) < 0) {
		log_warnx("%s", why);
		saved_free(&s);
		return EXIT_NETWORK;
	}
	compare_run(s.r);
	written = draw(&o, s.r);
	if (!o.quiet)
		report_print(stdout, s.r);
	report_result_line(stdout, s.r);
	fflush(stdout);
	if (s.r->v.status != RUN_STATUS_OK) {
		saved_free(&s);
		return EXIT_FAILED;
	}
	saved_free(&s);
	return written ? EXIT_OK : EXIT_NETWORK;
}
