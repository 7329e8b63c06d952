/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A poll(2) server of line-oriented TCP connections, for the control ports.
 * One thread serves every client: non-blocking sockets, per-connection input
 * and output buffers, so one slow client never blocks the others.  A
 * connection that completes no line for the idle timeout is dropped (this
 * also drops clients that trickle one byte at a time), and so is one whose
 * line is too long or that does not read its answers.  A client that has
 * not completed a first line (an authenticated one, with a key) within 2 s
 * is dropped; when every slot is taken, or one source address holds a
 * quarter of them, the oldest such client, else the one idle longest
 * between requests, makes room for a new one; out of descriptors, the
 * server sheds clients instead of spinning.
 */
#ifndef MPCOMM_LSRV_H
#define MPCOMM_LSRV_H

#include <stddef.h>

#include "mpcomm/auth.h"
#include "mpcomm/defaults.h"

#define LSRV_LINE_MAX	MPCOMM_LINE_MAX	/* the protocol's line limit */

struct lsrv;
struct lsrv_conn;

struct lsrv_ops {
	/*
	 * One complete line, without its newline.  Return 0 to go on, -1 to
	 * close the connection once its answers are written.
	 */
	int	(*line)(void *arg, struct lsrv_conn *c, char *line, size_t len);
	/* The connection is going away; why is NULL for a clean close. */
	void	(*closed)(void *arg, struct lsrv_conn *c, const char *why);
	/* Called about every 200 ms from the serving thread. */
	void	(*tick)(void *arg);
	/*
	 * Protected mode turned host away (lsrv_set_protected()): called at
	 * the first refused connection of each source (of the last 32
	 * sources), with how many were refused in all.  May be NULL.
	 */
	void	(*refused)(void *arg, const char *host, unsigned long long total);
};

/*
 * A server over nfd listening sockets (non-blocking), calling ops with arg.
 * NULL with errno on failure.
 */
struct lsrv	*lsrv_create(const int *fds, size_t nfd, const struct lsrv_ops *ops,
		    void *arg, int idle_timeout_ms, size_t max_conns);
/*
 * Requires every client to authenticate with this secret: each connection
 * is greeted with `HELLO nonce=<hex>`, and each line must end with
 * ` mac=<hex>` (auth_line_mac()), which is checked and removed before the
 * line callback sees it; a line that fails gets `ERR 401` and the
 * connection is closed.  Call before lsrv_run().
 */
void		 lsrv_set_key(struct lsrv *s, const struct auth_key *key);
/*
 * Protected mode (on non-zero): a client whose address is not loopback
 * (net_is_loopback()) gets one `ERR 403 protected mode: ...` line saying
 * how to let it in, and is closed before it takes a slot.  Call before
 * lsrv_run().
 */
void		 lsrv_set_protected(struct lsrv *s, int on);
/*
 * The lines that follow on c are a body (a LOG), until its END: how a body
 * ends and is authenticated is ctlbody.h's rule.  The END reaches the line
 * callback as "END" only when it verifies; a forged one gets ERR 401 and
 * the connection is closed, so a forged body is never complete.
 */
void		 lsrv_body_begin(struct lsrv_conn *c);

/* Serves until lsrv_stop(); returns 0, or -1 with errno on a poll error. */
int		 lsrv_run(struct lsrv *s);
/* Makes lsrv_run() return soon.  Async-signal-safe and thread-safe. */
void		 lsrv_stop(struct lsrv *s);
/* Closes every connection (not the listening sockets) and frees s. */
void		 lsrv_destroy(struct lsrv *s);

/* Queues an answer on c.  Returns 0 or -1 (output buffer over its limit). */
int		 lsrv_printf(struct lsrv_conn *c, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Closes c once its answers are written. */
void		 lsrv_close(struct lsrv_conn *c);
void		 lsrv_set_data(struct lsrv_conn *c, void *data);
void		*lsrv_get_data(const struct lsrv_conn *c);
/* The client's address as "host:port", for logs. */
const char	*lsrv_peer(const struct lsrv_conn *c);
/* The connection's socket (to learn the local address, for instance). */
int		 lsrv_fd(const struct lsrv_conn *c);

#endif
