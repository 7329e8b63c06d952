/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the datagram decoder, and the ordering core's semantic
 * checks behind it (a core of 4 members takes every input as from member 1).
 */
#include <stddef.h>
#include <stdint.h>

#include "mpcomm/msg.h"
#include "mpcomm/order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(void *arg, const struct order_delivery *d)
{
	(void)arg;
	(void)d;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg_dgram dg;
	static struct order *o;
	static struct order_outbox box;
	static uint64_t now;

	if (!o) {
		struct order_config c;

		order_config_defaults(&c);
		c.run = 1;
		c.self = 0;
		c.n = 4;
		c.messages = 1000;
		c.payload_len = 8;
		c.window = 64;
		o = order_create(&c, sink, NULL);
		order_outbox_init(&box, 64);
		order_start(o, 0, &box);
	}
	(void)msg_decode(data, size, &dg);
	now += 1000;
	order_input(o, now, (int)(size % 5) - 1, data, size);
	box.n = 0;
	order_tick(o, now, &box);
	box.n = 0;
	return 0;
}
