/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Switches that break the ordering core on purpose, so that the simulation
 * can show that its checker catches each kind of mistake.  They exist only
 * in a copy of the core built with -DMPCOMM_FLAWS, which the simulation
 * links (Makefile); in the library the programs link, FLAW() is 0 and the
 * broken paths are compiled out.  Not a public header.
 */
#ifndef MPCOMM_ORDER_FLAW_H
#define MPCOMM_ORDER_FLAW_H

#include "mpcomm/order.h"

#define ORDER_FLAW_NO_HOLDBACK	0x01	/* process DATA out of seq order */
#define ORDER_FLAW_EARLY_COUNT	0x02	/* count ACK states before their K */
#define ORDER_FLAW_NO_ACK_WAIT	0x04	/* deliver the head without ACKs */
#define ORDER_FLAW_LATE_CLOCK	0x08	/* merge the clock at delivery */
#define ORDER_FLAW_NO_RELAY	0x10	/* install without a departed stream's
					   messages up to its cut */
#define ORDER_FLAW_NO_FLUSH	0x20	/* write the view line without
					   delivering up to the frontier */
#define ORDER_FLAW_MINORITY	0x40	/* a minority view goes on */
#define ORDER_FLAW_EXCLUDED_ON	0x80	/* an excluded member keeps
					   delivering */
#define ORDER_FLAW_CAUSAL_FIFO	0x100	/* causal: deliver a sender's next
					   message without its DEPS */
#define ORDER_FLAW_CAUSAL_FLUSH	0x200	/* causal: a view change delivers
					   everything held, DEPS or not */
#define ORDER_FLAW_SEQ_NO_ORDER	0x400	/* sequencer: deliver on processing,
					   before the assignment */
#define ORDER_FLAW_SEQ_NO_STABLE 0x800	/* sequencer: deliver an assignment
					   before every member holds it */
#define ORDER_FLAW_SEQ_RENUMBER	0x1000	/* sequencer: a new view's sequencer
					   numbers afresh, forgetting the old
					   assignments past the frontier */

#ifdef MPCOMM_FLAWS
#define FLAW(o, name)	(((o)->flaws & ORDER_FLAW_##name) != 0)
/* order_create() with the given ORDER_FLAW_* bits set. */
struct order	*order_create_flawed(const struct order_config *cfg,
		    unsigned flaws, order_deliver_fn deliver, void *arg);
#else
#define FLAW(o, name)	((void)(o), 0)
#endif

#endif
