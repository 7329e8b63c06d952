#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The replay page (--html) in a real browser, headless Chromium: a run in
# total order under 10 % emulated loss and 1-20 ms of delay, and one in
# none that disagrees.  Each page is opened at #t=0, at three instants in
# between, at #t=end and at #first, with no script error; at each,
# replaycheck.py (written apart from the page's script) computes from the
# run's trace lines and delivery logs what every peer delivered and holds,
# in (ts, sender) order, and what its head waits for, and the page's
# data-* attributes must say the same; at the end every peer's count is
# its log's and nothing is held.  Then a stranger's LOGs whose reason
# holds `</script><script>...`: the page still has its two scripts only,
# runs, and shows the text as text.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
    skip "chromium is not installed (apt-get install chromium)"
CHECK=$TOP/tests/cluster/replaycheck.py

# dump PAGE FRAGMENT OUT: the DOM once the page's script ran; script
# errors (the console) into OUT.console.
dump() {
	"$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --user-data-dir="$T/chromium" --enable-logging=stderr --v=0 \
	    --virtual-time-budget=20000 --dump-dom "file://$1#$2" \
	    >"$3" 2>"$3.console" || fail "chromium failed on $1#$2"
	if grep -E "Uncaught|CONSOLE.*(Error|error)" "$3.console"; then
		fail "script error on $1#$2"
	fi
	grep -q 'data-ready="1"' "$3" || fail "$1#$2: the page was not drawn"
}

# page NAME ARGS...: a run with --html, then the page judged.
page() {
	name=$1; shift
	MPCOMM_BIN=$BIN "$TOP/scripts/cluster.sh" "$@" --html "$T/$name.html" \
	    --log-dir "$T/logs-$name" >"$T/$name.out" 2>&1 ||
	    { tail -n 20 "$T/$name.out"; fail "$name: cluster.sh $*"; }
	run=$(sed -n 's/^RESULT run=\([0-9]*\).*/\1/p' "$T/$name.out")
	[ -n "$run" ] || fail "$name: no RESULT line"
	set -- $(python3 "$CHECK" "$T/$name.html" --instants) ||
	    fail "$name: cannot read the page's run"
	e=$1 first=$2
	[ "$e" -gt 8 ] || fail "$name: only $e events"
	mkdir -p "$T/$name"
	dump "$T/$name.html" "t=0" "$T/$name/dom-0.html"
	for k in $((e / 4)) $((e / 2)) $((3 * e / 4)); do
		dump "$T/$name.html" "t=$k" "$T/$name/dom-$k.html"
	done
	dump "$T/$name.html" "t=end" "$T/$name/dom-$e.html"
	dump "$T/$name.html" "first" "$T/$name/dom-first.html"
	python3 "$CHECK" "$T/$name.html" "$T/logs-$name" "$run" \
	    "$T/$name"/dom-*.html || fail "$name: the page is wrong"
	echo "$name: $(wc -c <"$T/$name.html") bytes, first=$first"
}

page total -n 4 -m 30 --order total --delay 1:20 --loss 0.1
[ "$first" = -1 ] || fail "total: a disagreement at $first"
page none -n 3 -m 15 --order none --delay 1:40
[ "$first" -gt 0 ] || fail "none: no disagreement found"
grep -q 'overtook' "$T/none/dom-first.html" ||
    fail "none: the first disagreement is not explained by an overtaking"

# A stranger's logs: the reason is hostile text.
[ "$HOST" = 127.0.0.1 ] || { echo "IPv4 loopback only: no hostile part"; exit 0; }
CTLRAW=$TOP/$B/tests/ctlraw
start_gm
fake_members 9 10
evil='</script><script>document.body.dataset.pwned="1"</script><!--&'
run_cs evil -n 2 -m 2 -o none -t 30 --html "$T/evil.html" &
cs=$!
PIDS="$PIDS $cs"
CS=$(cs_logs_addr evil) || fail "evil: no server"
run=$(fake_run 1) || fail "evil: no START"
for p in 0 1; do
	"$CTLRAW" "$CS" "LOG run=$run order=none status=aborted reason=$evil count=2 peer=$p trace=2 trace_cut=0" \
	    "0 1 1" "1 1 2" "@S 1 1 1" "@R 2 $((1 - p)) 1 2 3" END >"$T/evil$p.ans"
	grep -q "^OK" "$T/evil$p.ans" ||
	    { cat "$T/evil$p.ans"; fail "evil: log $p was not taken"; }
done
wait $cs
[ -s "$T/evil.html" ] || { cat "$T/evil.err"; fail "evil: no page"; }
[ "$(grep -c '</script' "$T/evil.html")" -eq 2 ] ||
    fail "evil: the hostile text closes a script element in the page"
dump "$T/evil.html" "t=end" "$T/evil-dom.html"
grep -q 'pwned' "$T/evil-dom.html" && ! grep -q 'data-pwned' "$T/evil-dom.html" ||
    fail "evil: the hostile text ran, or is not shown"
[ "$(grep -c '<script' "$T/evil-dom.html")" -eq 2 ] ||
    fail "evil: the page has more than its two scripts"
echo "ok"
