#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The comparison server's prompt: " 7 " is 7, an empty line asks again,
# 99999999999 is "out of range" and "abc" "not a number", both on stderr;
# "q" leaves with exit 0 and the peers running (they take the next run);
# a run that cannot start (FATAL: too few peers) ends the prompt with
# exit 3; SIGINT during a run asks nothing more (one prompt only).
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 2
printf ' 7 \n\n99999999999\nabc\nq\n' | run_cs q -n 2
rc=$?
[ $rc -eq 0 ] || { cat "$T/q.err"; fail "q: exit $rc, not 0"; }
[ "$(grep -c '^RESULT' "$T/q.out")" -eq 1 ] || { cat "$T/q.out"; fail "not one run"; }
[ "$(result q messages)" = 14 ] || fail "' 7 ' was not 7"
grep -q "^out of range: 99999999999 (at most 2147483647 messages for each peer)$" \
    "$T/q.err" || { cat "$T/q.err"; fail "99999999999: not out of range"; }
grep -q "^not a number of messages: abc" "$T/q.err" || fail "abc"
[ "$(grep -c "^not a number\|^out of range" "$T/q.err")" -eq 2 ] ||
    fail "the empty line was an error"
grep -q "not a number\|out of range" "$T/q.out" && fail "errors on stdout"
# Prompts: the first, after the run, after the empty line, 99999999999, abc.
[ "$(grep -o "number of messages for each peer" "$T/q.out" | wc -l)" -eq 5 ] ||
    fail "not five prompts"
grep -q "INFO: leaving; the peers keep running" "$T/q.err" || fail "q: no word"
kill -0 "$PEER_PID_0" && kill -0 "$PEER_PID_1" || fail "q shut the peers down"
run_cs next -n 2 -m 5 || { cat "$T/next.err"; fail "the peers did not take the next run"; }

# FATAL at the prompt is fatal: one attempt, exit 3, no second prompt.
printf '5\n5\n' | run_cs fatal -n 3 --wait 1
rc=$?
[ $rc -eq 3 ] || { cat "$T/fatal.err"; fail "FATAL at the prompt: exit $rc, not 3"; }
[ "$(grep -c "FATAL: only 2 of 3 peers" "$T/fatal.err")" -eq 1 ] ||
    { cat "$T/fatal.err"; fail "not one FATAL line"; }
[ "$(grep -o "number of messages for each peer" "$T/fatal.out" | wc -l)" -eq 1 ] ||
    fail "prompted again after a FATAL"

# SIGINT during a run: it is reported, and no prompt follows.
mkfifo "$T/in"
run_cs int -n 2 --interval 1:2 -P "$T/int.pid" <"$T/in" &
cs=$!
PIDS="$PIDS $cs"
exec 3>"$T/in"
echo 1000000 >&3
wait_running 0 >/dev/null || fail "the run did not start"
PIDS="$PIDS $(cat "$T/int.pid")"
kill -INT "$(cat "$T/int.pid")"
wait $cs
rc=$?
exec 3>&-
[ $rc -eq 1 ] || { cat "$T/int.err"; fail "SIGINT: exit $rc, not 1"; }
[ "$(result int status)" = aborted ] || fail "SIGINT: not reported as aborted"
[ "$(grep -o "number of messages for each peer" "$T/int.out" | wc -l)" -eq 1 ] ||
    { cat "$T/int.out"; fail "a prompt after SIGINT"; }
tail -n 1 "$T/int.out" | grep -q "^RESULT" || fail "SIGINT: RESULT is not last"
