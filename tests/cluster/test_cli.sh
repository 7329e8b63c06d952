#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Command lines: --help and --version work, bad options are usage errors
# (exit 2).  (make install: test_install.sh.)
. "$(dirname "$0")/lib.sh"
for p in group_manager comparison_server peer mpctl; do
	"$BIN/$p" --help >"$T/h" || fail "$p --help"
	grep -q "^usage: $p" "$T/h" || fail "$p --help: no usage line"
	grep -q "Examples:" "$T/h" || fail "$p --help: no examples"
	[ "$(wc -L <"$T/h")" -le 80 ] || fail "$p --help is wider than 80"
	"$BIN/$p" --version | grep -q "(MPComm)" || fail "$p --version"
	"$BIN/$p" --no-such-flag 2>/dev/null; [ $? -eq 2 ] || fail "$p bad flag"
	[ $p = mpctl ] && continue
	"$BIN/$p" --port 70000 2>/dev/null; [ $? -eq 2 ] || fail "$p bad port"
done
"$BIN/comparison_server" --loss 2 2>/dev/null; [ $? -eq 2 ] || fail "loss 2"
"$BIN/comparison_server" --interval 5:1 2>/dev/null; [ $? -eq 2 ] ||
    fail "interval 5:1"
for v in 0 100 30000; do
	"$BIN/peer" --stall-timeout $v --version >/dev/null ||
	    fail "--stall-timeout $v refused"
done
for v in 50 -1 abc 3600001; do
	"$BIN/peer" --stall-timeout $v --version >/dev/null 2>&1
	[ $? -eq 2 ] || fail "--stall-timeout $v is not a usage error"
done
"$BIN/comparison_server" -m 5 -g 127.0.0.1:1 --wait 0 -p 0 2>/dev/null
[ $? -eq 3 ] || fail "no group manager should be a network error (3)"
# Views: the suspicion timeout above two heartbeat intervals, and at a peer
# below its peer timeout; the on-failure mode by name.
for v in 0 50 100 abc 3600001; do
	"$BIN/comparison_server" --suspect $v 2>/dev/null
	[ $? -eq 2 ] || fail "comparison_server --suspect $v is not a usage error"
	"$BIN/peer" --suspect $v 2>/dev/null
	[ $? -eq 2 ] || fail "peer --suspect $v is not a usage error"
done
"$BIN/comparison_server" --on-failure sometimes 2>/dev/null
[ $? -eq 2 ] || fail "--on-failure sometimes is not a usage error"
"$BIN/peer" --peer-timeout 1000 --suspect 1000 2>"$T/e"
[ $? -eq 2 ] && grep -q "not below the peer timeout" "$T/e" ||
    fail "peer --suspect not below --peer-timeout"
