/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: the control-line parser and its typed getters. */
#include <stddef.h>
#include <stdint.h>

#include "mpcomm/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_msg m;
	uint64_t v;
	double d;
	char s[64];

	if (ctl_parse((const char *)data, size, &m) < 0)
		return 0;
	(void)ctl_get_u64(&m, "run", 1, UINT64_MAX, 0, &v);
	(void)ctl_get_u64(&m, "n", 2, 64, 0, &v);
	(void)ctl_get_double(&m, "loss", 0, 1, 0, &d);
	(void)ctl_get_str(&m, "host", 0, s, sizeof(s));
	(void)ctl_check_unused(&m);
	return 0;
}
