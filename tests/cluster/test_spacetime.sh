#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Space-time diagrams and the ShiViz export, from the README's commands:
# `cluster.sh -n 3 -m 10 --order none --delay 1:40 --spacetime st.svg` and
# the same with --order total.  Each picture is valid SVG with one line per
# peer, one arrow per DATA and receiver (3 x 10 x 2), every delivery marked
# (3 x 30) with its position; in none the first disagreement is marked at
# every peer, with the message each delivered there, and explained in
# words; no two position labels overlap, and those left out are counted;
# in total every delivery of another peer's message is tied to what made
# it deliverable.  The ShiViz log is parsed back with the regular
# expression it declares, and its vector clocks are checked by vclock.py
# (ShiViz's rules, and happens-before from program order and the sends
# and receipts it names; test_shiviz_kill.sh runs it after a departure).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
command -v xmllint >/dev/null || skip "xmllint is not installed (libxml2-utils)"
for mode in none total; do
	MPCOMM_BIN=$BIN "$TOP/scripts/cluster.sh" -n 3 -m 10 --order $mode \
	    --delay 1:40 --spacetime "$T/st-$mode.svg" --shiviz "$T/$mode.shiviz" \
	    --json "$T/$mode.json" >"$T/$mode.out" 2>&1 ||
	    { cat "$T/$mode.out"; fail "cluster.sh --order $mode"; }
	xmllint --noout "$T/st-$mode.svg" || fail "st-$mode.svg is not valid XML"
done
python3 - "$T" <<'PY' || fail "a space-time diagram is wrong"
import json, re, sys, xml.etree.ElementTree as ET
T = sys.argv[1]
NS = "{http://www.w3.org/2000/svg}"
for mode in ("none", "total"):
    root = ET.parse("%s/st-%s.svg" % (T, mode)).getroot()
    assert root.tag == NS + "svg"
    els = list(root.iter())
    def cls(c):
        return [e for e in els if c in (e.get("class") or "").split()]
    def title(e):
        t = e.find(NS + "title")
        return t.text if t is not None else ""
    assert len(cls("lane")) == 3, "lanes"
    msgs = cls("msg")
    assert len(msgs) == 3 * 10 * 2, "arrows: %d" % len(msgs)
    pairs = set()
    for a in msgs:
        m = re.search(r"DATA (\d+):(\d+) ts=\d+, sent by peer \d+, received by peer (\d+)", title(a))
        assert m, title(a)
        assert m.group(1) != m.group(3)
        pairs.add(m.groups())
    assert len(pairs) == 60, "one arrow per DATA and receiver"
    dl = cls("dlv")
    assert len(dl) == 3 * 30, "deliveries: %d" % len(dl)
    seen = set()
    for d in dl:
        m = re.search(r"peer (\d+) delivers (\d+:\d+) \(ts \d+\) at position (\d+)", title(d))
        assert m, title(d)
        seen.add((m.group(1), m.group(3)))
    assert seen == {(str(p), str(k)) for p in range(3) for k in range(30)}, "every position of every peer"
    # Position labels never overlap (4.5 px a digit at font size 8), and
    # the ones left out are said in numbers.
    pos = [(float(e.get("x")), float(e.get("y")) - 7, 4.5 * len(e.text)) for e in cls("pos")]
    for a in range(len(pos)):
        for b in range(a + 1, len(pos)):
            (x1, y1, w1), (x2, y2, w2) = pos[a], pos[b]
            assert not (x1 < x2 + w2 and x2 < x1 + w1 and abs(y1 - y2) < 8), "labels overlap"
    said = re.search(r"(\d+) labels of (\d+) left out", open("%s/st-%s.svg" % (T, mode)).read())
    assert len(pos) + (int(said.group(1)) if said else 0) == len(dl), "labels drawn and left out"
    r = json.load(open("%s/%s.json" % (T, mode)))
    text = open("%s/st-%s.svg" % (T, mode)).read()
    if mode == "none":
        first = r["mismatched_positions"][0]
        marked = cls("first")
        assert len(marked) == 3, "first disagreement at every peer"
        for d in marked:
            assert ("at position %d" % first) in title(d), title(d)
        assert cls("crossed"), "the arrows of the messages involved"
        assert "first disagreement" in text and "its own" in text
        assert r["first_disagreement"].startswith("at position %d," % first)
    else:
        assert r["mismatched_rounds"] == 0 and not cls("first")
        assert r["first_disagreement"] == ""
        # Every delivery waited for an ACK state or a DATA: each is tied
        # to the one that made it deliverable.
        via = cls("via")
        assert len(via) == len(dl), "via: %d of %d" % (len(via), len(dl))
        for v in via:
            assert re.search(r"\d+:\d+ became deliverable at peer \d+ with the (ACK state|DATA) of peer \d+", title(v)), title(v)
print("space-time diagrams ok")
PY
for mode in total none; do
	python3 "$TOP/tests/cluster/vclock.py" "$T/$mode.shiviz" --hosts 3 ||
	    fail "the ShiViz log is wrong ($mode)"
done
echo "ok"
