#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# LOG bodies with view lines, judged end to end without a view change
# happening: while three slow peers run, logs are uploaded for two of them
# that install view 1 without the third.  Bad view lines are refused
# (malformed, unannounced, naming a member the run does not have); the
# good pair makes a run with views: RESULT status=ok views=1 departed=2,
# the third peer's row departed@1 and a note that its log never came.
. "$(dirname "$0")/lib.sh"
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
start_peers 3
run_cs lv -n 3 -m 3 --interval 5000:5000 -t 30 &
cs=$!
PIDS="$PIDS $cs"
CS=$(cs_logs_addr lv) || fail "no server"
run=$(peer_run) || fail "run did not start"
hdr="LOG run=$run order=total status=ok count=6"
refused() {	# refused WHAT LINES...: the upload must get ERR 400
	what=$1; shift
	"$CTLRAW" "$CS" "$@" >"$T/bad.out"
	grep -q "^ERR 400" "$T/bad.out" || { cat "$T/bad.out"; fail "$what accepted"; }
}
refused "a malformed view line" "$hdr peer=0 views=1" "# view=1 members=1,0"
refused "an unannounced view line" "$hdr peer=0" "0 1 1" "# view=1 members=0,1"
refused "a view of a member beyond the run" "$hdr peer=0 views=1" \
    "# view=1 members=0,5"
refused "a view line missing" "$hdr peer=0 views=1" "0 1 1" "1 1 2" \
    "0 2 3" "1 2 4" "0 3 5" "1 3 6" "END"
for p in 0 1; do
	"$CTLRAW" "$CS" "$hdr peer=$p views=1" "0 1 1" "1 1 2" \
	    "# view=1 members=0,1" "0 2 3" "1 2 4" "0 3 5" "1 3 6" "END" \
	    >"$T/up$p.out"
	grep -q "^OK received=6" "$T/up$p.out" ||
	    { cat "$T/up$p.out"; fail "the log of peer $p was refused"; }
done
wait $cs
rc=$?
cat "$T/lv.out"
[ $rc -eq 0 ] || fail "comparison_server exited $rc"
[ "$(result lv status)" = ok ] || fail "status"
[ "$(result lv views)" = 1 ] && [ "$(result lv departed)" = 2 ] ||
    fail "views= departed="
grep -qE "^ +2 +$HOST udp=[0-9]+ ctl=[0-9]+ +departed@1 " "$T/lv.out" ||
    fail "the departed peer's row"
grep -q "^note: peer 2 departed in view 1 (no log)" "$T/lv.out" || fail "note"
grep -q "^mismatched rounds: 0 .*(among the survivors)" "$T/lv.out" ||
    fail "mismatched rounds"
