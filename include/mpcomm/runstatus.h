/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How a run ended, as a peer reports it in its LOG (ok, aborted, failed,
 * excluded) and as the comparison server judges the whole run (ok,
 * aborted, failed, timeout).  The names are the wire's and the reports';
 * this is their one spelling.
 */
#ifndef MPCOMM_RUNSTATUS_H
#define MPCOMM_RUNSTATUS_H

enum run_status {
	RUN_STATUS_OK,		/* every log agrees, nothing lost */
	RUN_STATUS_ABORTED,	/* a peer gave up, or the run was torn down */
	RUN_STATUS_FAILED,	/* a log disagrees or could not be written */
	RUN_STATUS_TIMEOUT,	/* a log never came, or nothing moved */
	RUN_STATUS_EXCLUDED	/* the others went on without this peer */
};

/* "ok", "aborted", "failed", "timeout", "excluded"; "?" out of range. */
const char	*run_status_name(enum run_status s);
/* The status called name: 0, or -1 when there is none. */
int		 run_status_parse(const char *name, enum run_status *out);

#endif
