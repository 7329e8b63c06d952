#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Regions on one machine: two regions 50 ms apart one way.  A total-order
# message waits for the other peer's ACK state, which left it at least one
# one-way delay earlier and, since a DATA needs a round trip to be
# acknowledged, at most about two: every peer's median latency lies in
# [50 ms, 2 x 50 ms + 25 %].  The JSON names each peer's region; START
# carries the delays (a MEMBER's delay_us=); a bad table or placement is a
# usage error.  Asserts the latencies the run measured, never its duration.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
printf '# two regions\nnear far 50\n' >"$T/two.txt"
run_cs bad1 -m 5 --regions "$T/none.txt"
[ $? -eq 2 ] || fail "a missing regions file is not a usage error"
run_cs bad2 -m 5 --regions "$T/two.txt" --place near,mars
[ $? -eq 2 ] || fail "an unknown region is not a usage error"
grep -q "no region mars" "$T/bad2.err" || fail "the unknown region is not named"
start_gm
start_peers 2
run_cs geo -n 2 -m 150 --order total --regions "$T/two.txt" \
    --place near,far --json "$T/geo.json" -q
[ "$(result geo status)" = ok ] || { cat "$T/geo.out"; fail "run not ok"; }
out=$(check geo 2 150 total) || { echo "$out"; fail "logs"; }
python3 - "$T/geo.json" <<'PY' || fail "latency does not follow the regions"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["params"]["regions"].endswith("two.txt"), r["params"]["regions"]
assert [p["region"] for p in r["peers"]] == ["near", "far"]
for p in r["peers"]:
    assert p["farthest_ms"] == 50.0, p["farthest_ms"]
    p50 = p["latency_us"]["p50"]
    print("peer %d (%s): p50 %.1f ms" % (p["id"], p["region"], p50 / 1000))
    assert 50000 <= p50 <= 125000, "p50 %d us" % p50
PY
# Without regions the JSON says so, and the same peers run as before.
run_cs plain -n 2 -m 20 --json "$T/plain.json" -q
[ "$(result plain status)" = ok ] || fail "a run without regions"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["params"]["regions"] is None and r["peers"][0]["region"] is None' \
    "$T/plain.json" || fail "regions in a run without them"
echo "regions ok"
