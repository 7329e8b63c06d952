/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The defaults the programs share, in one place: the ports each server
 * listens on (and each client assumes when a H:P gives no port), how long
 * one control exchange may take, the control protocol's line limit, and the
 * window.  The manual pages and --help texts quote these values.
 */
#ifndef MPCOMM_DEFAULTS_H
#define MPCOMM_DEFAULTS_H

/* Ports, as strings: they go to getaddrinfo(). */
#define MPCOMM_PORT_GM		"5680"	/* group manager, TCP */
#define MPCOMM_PORT_LOG		"5678"	/* comparison server, TCP (LOG) */
#define MPCOMM_PORT_CTL		"5679"	/* a peer's control port, TCP */
#define MPCOMM_PORT_UDP		"6789"	/* a peer's datagrams */
#define MPCOMM_GM_ADDR		"127.0.0.1:" MPCOMM_PORT_GM

/*
 * One control exchange (connect, each line, each answer): a request to the
 * group manager or a peer is small and answered at once.
 */
#define MPCOMM_CTL_TIMEOUT_MS	5000
/* One step of shipping a log: a long body to a server that may be busy. */
#define MPCOMM_SHIP_TIMEOUT_MS	10000
/*
 * A peer keeps at most this many logs waiting to be reshipped (the oldest
 * is given up for a newer one), and refuses START while twice as many
 * shipping threads are alive: a stranger's bogus runs cannot pile them up.
 */
#define MPCOMM_SHIP_KEPT	4
/* A control server drops a client that completes no line for this long. */
#define MPCOMM_CTL_IDLE_MS	10000
/* ... the LOG server, whose clients stream long bodies, for this long. */
#define MPCOMM_LOG_IDLE_MS	30000

/* The longest control line, without its newline. */
#define MPCOMM_LINE_MAX		1024

/* Messages in flight per peer, when START does not say. */
#define MPCOMM_WINDOW		8192

#endif
