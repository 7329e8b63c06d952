/* SPDX-License-Identifier: BSD-2-Clause */
/* The replay page of a run (--html): comparison_server(8), README. */
#ifndef CS_HTML_H
#define CS_HTML_H

struct report;

/*
 * Writes the page, one self-contained HTML file, with the run's report,
 * logs and traces inside; 0, or -1 with errno.  Thread-safe.
 */
int	 html_write(const char *path, const struct report *r);

#endif
