#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The ShiViz export after a departure: one of four traced peers killed
# with SIGKILL in the run, after its first messages were traced; its
# trace is lost with it.  The export is checked by tests/cluster/vclock.py,
# written apart from the exporter, with ShiViz's own rules: each host's own
# entry grows by one per event, no entry for an unknown host, a receipt's
# clock covers its send's, and a receipt is written after its send whenever
# a trace holds the send.  The lanes picture of the same run (past 300
# positions) keeps the view-change marker, counts the positions the report
# counts, and its captions fit its width.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
start_gm
start_peers 4
run_cs kill -n 4 -m 200 --interval 4:4 --suspect 400 --trace 40 -t 20 \
    --shiviz "$T/kill.shiviz" --svg "$T/kill.svg" --json "$T/kill.json" &
cs=$!
PIDS="$PIDS $cs"
wait_running 3 >/dev/null || fail "the run did not start"
victim=$(peer_with_id 3)
# Past 300 positions, so that the view falls beyond the lanes' first
# window: wait for peer 3's deliveries, not for a time.
w=0
until "$TOP/$B/tests/ctlraw" "$(peer_ctl "$victim")" STATUS |
    grep -qE " delivered=(3[5-9][0-9]|[4-9][0-9][0-9])"; do
	w=$((w + 1)); [ $w -lt 400 ] || fail "peer 3 did not reach 350"
	sleep 0.02
done
eval "kill -9 \$PEER_PID_$victim"
wait $cs
rc=$?
[ $rc -eq 0 ] || { cat "$T/kill.out" "$T/kill.err"; fail "comparison_server exited $rc"; }
[ "$(result kill departed)" = 3 ] || { cat "$T/kill.out"; fail "peer 3 did not depart"; }
python3 "$TOP/tests/cluster/vclock.py" "$T/kill.shiviz" --dead 3 ||
    fail "the ShiViz log after a departure breaks ShiViz's rules"
n=$(sed -n 's/^mismatched rounds: [0-9]* of \([0-9]*\) positions.*/\1/p' "$T/kill.out")
[ -n "$n" ] || { cat "$T/kill.out"; fail "no count of positions in the report"; }
python3 - "$T/kill.svg" "$n" <<'PY' || fail "the lanes picture of the killed-peer run"
import re, sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
path, n = sys.argv[1], sys.argv[2]
root = ET.parse(path).getroot()
width = float(root.get("width"))
texts = [e for e in root.iter(NS + "text")]
words = [e.text or "" for e in texts]
assert any("of %s positions" % n in w for w in words), "not the report's count %s" % n
assert any(w.startswith("All %s positions" % n) for w in words), "density: not %s" % n
views = [e for e in root.iter(NS + "line") if e.get("class") == "view"]
assert len(views) >= 2, "the view marker: %d (the density and the lanes)" % len(views)
assert any(re.match(r"view 1 \(after \d+ messages\): -3", w) for w in words), "no view label"
# Every caption fits the picture and none runs into another: 0.6 em a
# character, more than sans-serif needs.
box = []
for e in texts:
    fs = float(e.get("font-size") or root.get("font-size") or 12)
    w = 0.6 * fs * len(e.text or "")
    x, y = float(e.get("x")), float(e.get("y"))
    if e.get("text-anchor") == "end":
        x -= w
    elif e.get("text-anchor") == "middle":
        x -= w / 2
    assert x >= 0 and x + w <= width, "cut at the edge: " + (e.text or "")
    box.append((x, y - 0.8 * fs, x + w, y, e.text))
for a in range(len(box)):
    for b in range(a + 1, len(box)):
        p, q = box[a], box[b]
        assert not (p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]), \
            "captions overlap: %r, %r" % (p[4], q[4])
print("lanes picture: %s positions, %d view markers, captions fit" % (n, len(views)))
PY
echo "ok"
