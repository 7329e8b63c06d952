#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --json, --svg and --csv: well-formed, and their figures agree with the
# log files (judged by checklogs.sh and by counting lines).
. "$(dirname "$0")/lib.sh"
start_gm
start_peers 3
run_cs rep -n 3 -m 200 --order none --delay 1:30 --interval 0:3 \
    --json "$T/r.json" --svg "$T/r.svg" --csv "$T/r.csv" -q
run=$(result rep run)
out=$(check rep 3 200 none) || { echo "$out"; fail "logs incomplete"; }
echo "$out"
command -v python3 >/dev/null || skip "python3 is not installed"
python3 -m json.tool "$T/r.json" >/dev/null || fail "JSON is not valid"
mis=${out##*mismatched=}
python3 - "$T/r.json" "$T/logs" "$run" "$mis" <<'PY' || fail "JSON disagrees with the logs"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["run"] == int(sys.argv[3]), "run id"
assert r["mismatched_rounds"] == int(sys.argv[4]), "mismatched rounds"
assert r["messages"] == 600 and r["params"]["peers"] == 3
for p in r["peers"]:
    lines = open("%s/run%s-peer%d.log" % (sys.argv[2], sys.argv[3], p["id"])).read().splitlines()
    assert p["delivered"] == len(lines) - 1, "delivered of peer %d" % p["id"]
    assert p["missing"] == 0 and p["duplicates"] == 0
assert len(r["mismatched_positions"]) == r["mismatched_rounds"]
print("json ok:", r["status"], r["mismatched_rounds"])
PY
command -v xmllint >/dev/null || skip "xmllint is not installed (libxml2-utils)"
xmllint --noout "$T/r.svg" || fail "SVG is not well-formed XML"
grep -q "mismatched rounds: $mis of 600" "$T/r.svg" || fail "SVG title"
[ "$(wc -l <"$T/r.csv")" -eq 2 ] || fail "CSV should have a header and 1 row"
if command -v chromium >/dev/null; then
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	    --user-data-dir="$T/chr" --screenshot="$T/r.png" "file://$T/r.svg" \
	    >/dev/null 2>&1 && [ -s "$T/r.png" ] || fail "Chromium could not render the SVG"
	echo "rendered with Chromium"
else
	echo "(Chromium not installed: SVG checked with xmllint only)"
fi
