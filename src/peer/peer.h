/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The peer's context and its threads: control (START, ABORT, STATUS, SHUTDOWN)
 * and data (one event loop: UDP, emulation, stamping, the core's timers, END
 * of a run, log shipping).  One mutex guards the core and everything of the
 * current run; the threads drive the core only through core.c, which sends
 * what the core produced after unlocking, so no socket call is made while
 * holding it.  The I/O made under it is the delivery
 * log's write(2) when its 256 KiB buffer fills (dlog.c), about once every
 * 20,000 deliveries, and the one warning logged when that write fails.
 */
#ifndef PEER_PEER_H
#define PEER_PEER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpcomm/auth.h"
#include "mpcomm/dlog.h"
#include "mpcomm/emu.h"
#include "mpcomm/trace.h"
#include "mpcomm/hist.h"
#include "mpcomm/msg.h"
#include "mpcomm/net.h"
#include "mpcomm/order.h"
#include "mpcomm/proc.h"
#include "mpcomm/rng.h"

struct dlog;
struct helper;
struct ship_job;
struct loop;
struct lsrv;

/* One run.  Fields marked (mu) are guarded by ctx->mu; the rest are fixed
 * once the run is published. */
struct run {
	uint64_t	 id;
	unsigned	 self;
	unsigned	 n;
	enum order_mode	 mode;
	uint32_t	 messages;
	uint32_t	 window;	/* from START; 0: ctx->window */
	enum order_on_failure on_failure;	/* from START; default continue */
	uint64_t	 suspect_us;	/* from START; 0: ctx->suspect_ms */
	uint64_t	 imin_us;	/* pacing between stamps */
	uint64_t	 imax_us;
	struct emu_config emu_cfg;
	uint32_t	 trace_limit;	/* START's trace=: 0, not traced */
	size_t		 start_bytes;	/* of the START and its MEMBER lines */
	bool		 said_unanswered;	/* its budget spent: logged */
	struct net_addr	 addr[MSG_MAX_PEERS];	/* members' UDP addresses */
	struct net_addr	 server;	/* where the log goes */
	bool		 have_server;
	bool		 has_secret;	/* START's secret=, wiped once the
					   run key is derived from it */
	struct auth_key	 secret;
	bool		 keyed;		/* run_key is this run's datagram key */
	struct auth_key	 run_key;
	uint64_t	 real_minus_mono;	/* to report wall-clock times */

	struct order	*core;		/* (mu) */
	struct emu	*emu;		/* (mu) NULL without emulation */
	struct dlog	*log;		/* (mu) NULL once handed to shipping */
	struct trace	*trace;		/* (mu) NULL: not traced, or shipping */
	struct hist	 lat;		/* (mu) own-message latency, µs */
	struct rng	 pace;		/* data thread only */
	uint64_t	 first_stamp;	/* (mu) monotonic µs, 0: none yet */
	uint64_t	 last_delivery;	/* (mu) */
	bool		 shipping;	/* (mu) the log went to the shipper */
	uint32_t	 view_told;	/* (mu) the last view logged */
	uint64_t	 liars_told;	/* (mu) members whose lie was logged */
	bool		 log_failed;	/* (mu) */
	int		 log_errno;	/* (mu) the first write error */
	uint64_t	 cpu_at_start;	/* process CPU µs at START */
	uint64_t	 sent_at_start;	/* ctx->sent_dgrams at START */
	uint64_t	 bytes_at_start;
	unsigned	 refs;		/* (mu) threads using it unlocked */
};

struct peer_ctx {
	/* Options (fixed after startup). */
	struct proc_opts opt;		/* opt.port: the control port */
	const char	*udp_port;
	const char	*gm_spec;
	const char	*server_spec;
	const char	*advertise;
	char		 advertise_host[NET_HOST_MAX];	/* -a, numeric */
	const char	*log_dir;
	char		 log_dir_abs[DLOG_DIR_MAX + 1];	/* with --daemon */
	int		 daemon;
	uint64_t	 refresh_s;
	uint64_t	 register_timeout_s;	/* give up unregistered; 0 never */
	uint64_t	 peer_timeout_ms;
	uint64_t	 stall_timeout_ms;	/* 0: never give up by itself */
	uint64_t	 suspect_ms;	/* silence that suspects a member */
	uint64_t	 ship_timeout_s;
	uint32_t	 window;

	/* Sockets (fixed after startup). */
	int		 udp_fd;
	int		 udp_family;
	int		 ctl_fd;
	struct net_addr	 gm;
	const struct auth_key *key;	/* NULL without --key-file */
	struct auth_key	 key_store;
	bool		 have_server;
	struct net_addr	 server;
	char		 host[NET_HOST_MAX];	/* advertised */
	uint16_t	 udp_p;
	uint16_t	 ctl_p;

	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* (mu) something changed */
	struct run	*run;		/* (mu) current or last run */
	unsigned	 shippers;	/* (mu) shipping threads alive */
	uint64_t	 ship_seq;	/* (mu) the next shipment's number */
	uint64_t	 ship_cut;	/* (mu) shipments below it give up */
	struct helper	*helpers;	/* (mu) threads to join, see peer_spawn */
	atomic_bool	 stop;

	/* Shell counters (atomics: any thread adds). */
	atomic_ullong	 send_errors;
	atomic_ullong	 recv_errors;
	atomic_ullong	 sent_dgrams;	/* datagrams handed to the kernel */
	atomic_ullong	 sent_bytes;
	atomic_ullong	 drop_protected;	/* datagrams from beyond loopback */

	struct lsrv	*ctl_srv;
	struct loop	*data_loop;	/* the data thread's; loop_wake() from any */
	pthread_t	 t_ctl, t_data, t_sig;
};

/*
 * core.c: the one way to drive the core.  core_run() locks ctx->mu, takes a
 * reference to the current run, calls fn with it (fn puts datagrams in box
 * and makes no socket call), unlocks, sends box, and drops the reference.
 * Returns 0, or -1 when there is no run (fn is not called).
 */
typedef void core_fn(struct peer_ctx *ctx, struct run *r, void *arg,
	    struct order_outbox *box);
int	 core_run(struct peer_ctx *ctx, core_fn *fn, void *arg,
	    struct order_outbox *box);
/*
 * Publishes r (created by run_create()) as the current run, replacing the
 * last one, starts its handshake and sends it.  Only the control thread
 * publishes runs.
 */
void	 core_start(struct peer_ctx *ctx, struct run *r,
	    struct order_outbox *box);

/* What core_abort() did. */
enum core_abort {
	CORE_ABORT_DONE,	/* the run is aborted; *job ships its log */
	CORE_ABORT_NOMEM,	/* aborted, but its log cannot be shipped */
	CORE_ABORT_ENDED,	/* it had ended already: nothing changed */
	CORE_ABORT_NOT_CURRENT	/* run is not the current run */
};
/*
 * Aborts the current run if it is run and has not ended, and prepares the
 * shipment of its log in *job (NULL when none; the caller launches it).
 * *ph is the run's phase after it.
 */
enum core_abort core_abort(struct peer_ctx *ctx, uint64_t run,
	    const char *why, enum order_phase *ph, struct ship_job **job);

/* control.c */
const struct lsrv_ops *control_ops(void);
void	*control_main(void *arg);
/* data.c: the data thread's loop, until ctx->stop. */
void	*data_main(void *arg);

/* run.c: lifetime of a run and sending what the core produced. */
struct run *run_create(struct peer_ctx *ctx, struct run *tmpl, char *err,
	    size_t errcap);
/* Takes a reference to ctx->run (mu held); NULL when there is none. */
struct run *run_get(struct peer_ctx *ctx);
/* Drops a reference (mu held); returns the run if it must be destroyed
 * (after unlocking) by run_destroy(). */
struct run *run_put(struct peer_ctx *ctx, struct run *r);
void	 run_destroy(struct run *r);
/* Drops a reference taken with run_get() (mu not held). */
void	 run_release(struct peer_ctx *ctx, struct run *r);
/* Sends every datagram of box to its members, then empties the box. */
void	 run_send(struct peer_ctx *ctx, const struct run *r,
	    struct order_outbox *box);
/*
 * Why r is not well (mu held), for STATUS reason= and the shipped LOG: its
 * abort reason, or its delivery log's write error; "" when it is well.
 */
void	 run_reason(const struct run *r, char *buf, size_t cap);
/* The delivery callback of the core (mu held). */
void	 run_deliver(void *arg, const struct order_delivery *d);
/* Wakes every thread waiting on ctx->cv, and the data thread's loop. */
void	 peer_wake(struct peer_ctx *ctx);
/*
 * Makes the peer wind down (SHUTDOWN, a signal): sets ctx->stop and wakes
 * main(), which stops and joins the threads.  Returns whether it was
 * already stopping.
 */
bool	 peer_stop(struct peer_ctx *ctx);
/*
 * Runs fn(arg) on a helper thread (a log shipper), joined by
 * peer_join_helpers() or by the next peer_spawn() once it has ended.
 * Returns 0, or -1 with errno when it cannot start.
 */
int	 peer_spawn(struct peer_ctx *ctx, void *(*fn)(void *), void *arg);
/*
 * Joins every helper thread, waiting at most us for those still running.
 * Returns how many are left running.
 */
unsigned peer_join_helpers(struct peer_ctx *ctx, uint64_t us);
/* CPU time this process used so far, µs; peak RSS in KiB. */
uint64_t peer_cpu_us(uint64_t *maxrss_kb);
/* Absolute CLOCK_MONOTONIC deadline us from now, for cond waits. */
void	 peer_deadline(struct timespec *ts, uint64_t us);

/*
 * ship.c: takes the finished log of r and the figures of its run (mu held);
 * NULL only when out of memory.  ship_launch() then ships it from a thread
 * of its own (mu not held).
 */
struct ship_job;
struct ship_job *ship_prepare(struct peer_ctx *ctx, struct run *r);
void	 ship_launch(struct ship_job *j);
/*
 * (mu held) When r has ended (finished, aborted or excluded) and its log has not gone
 * to a shipper yet, prepares its shipment in *job; otherwise *job is NULL.
 * Returns 0, or -1 when out of memory (the log is then not shipped).
 */
int	 ship_if_ended(struct peer_ctx *ctx, struct run *r,
	    struct ship_job **job);

#endif
