/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Big-endian fixed-width field access at explicit offsets.  Every byte that
 * crosses the network is written by wire_put_* and read by wire_get_*; no
 * struct is ever cast onto a buffer.  Callers check lengths before reading.
 */
#ifndef MPCOMM_WIRE_H
#define MPCOMM_WIRE_H

#include <stdint.h>

static inline void
wire_put_u8(uint8_t *p, uint8_t v)
{
	p[0] = v;
}

static inline void
wire_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wire_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
wire_put_u64(uint8_t *p, uint64_t v)
{
	wire_put_u32(p, (uint32_t)(v >> 32));
	wire_put_u32(p + 4, (uint32_t)v);
}

static inline uint8_t
wire_get_u8(const uint8_t *p)
{
	return p[0];
}

static inline uint16_t
wire_get_u16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
wire_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t
wire_get_u64(const uint8_t *p)
{
	return (uint64_t)wire_get_u32(p) << 32 | wire_get_u32(p + 4);
}

#endif
