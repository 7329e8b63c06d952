#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A finished log replaced by a symlink while the peer retries shipping it:
# the peer sends nothing but the file it wrote (it reopens the log with
# O_NOFOLLOW and checks it is the same file), and says why in its log.
. "$(dirname "$0")/lib.sh"
printf '# header line, skipped\nSECRET outside the log folder\n' >"$T/secret"
# A comparison server that is always busy: every upload is retried.
start_sink tcp 8 --out "$T/got" --say "ERR 503 busy
"
sp=$SINK_PORT
start_gm
start_peers 1
start_peers 1 --server "127.0.0.1:$sp" --ship-timeout 6
run_cs r -n 2 -m 20 -t 4 -q &
CS=$!
PIDS="$PIDS $CS"
wait_line "$T/peer1.err" "retrying in" 15 >/dev/null || fail "no retry"
f=$(ls "$T"/logs/run*-peer1.log) || fail "no log of peer 1"
rm -f "$f" && ln -s "$T/secret" "$f"
wait $CS
# Nothing more is sent once the log is a symlink: at most the two tries
# that were under way are taken for one.
wait_line "$T/peer1.err" "not shipped: .*symlink|giving up" 15 >/dev/null ||
    fail "peer 1 neither refused nor gave up"
sleep 0.5
! grep -q SECRET "$T/got" || fail "the peer sent a file outside its folder"
grep -q "not shipped: .*symlink" "$T/peer1.err" ||
    fail "the peer did not say why it stopped"
