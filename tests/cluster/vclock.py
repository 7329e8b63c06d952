#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A vector-clock checker for the ShiViz export, written apart from it.

Usage: vclock.py FILE [--hosts N] [--dead ID]

It reads the log with the regular expression on its first line, as ShiViz
does, and holds it to ShiViz's rules: each host's own entry grows by one
per event; a clock has no entry for a host that has no events; a
receipt's clock covers its send's, and the receipt is written after the
send, whenever some trace holds the send.  Beyond ShiViz, the clocks must
agree with happens-before computed here from program order and the sends
and receipts the events name.  --hosts N: exactly N hosts, peer0 up.
Without --dead, every receipt's send must be in the log; --dead ID: peer ID
left no trace, and at least one receipt of its DATA is in the log (the
case where the export must force receipts).
"""
import json
import re
import sys


def parse(path):
    lines = open(path).read().split("\n")
    regex, blank = lines[0], lines[1]
    assert blank == "", "line 2 is not blank"
    rx = re.compile(regex.replace("(?<", "(?P<"))
    ev = []
    for line in lines[2:]:
        if not line:
            continue
        m = rx.fullmatch(line)
        assert m, "a line the regular expression does not match: " + line
        ev.append((m.group("host"), json.loads(m.group("clock")),
                   m.group("event")))
    return ev


def check(ev, hosts_wanted, dead):
    hosts = sorted({h for h, _, _ in ev})
    if hosts_wanted is not None:
        assert hosts == ["peer%d" % k for k in range(hosts_wanted)], hosts
    if dead is not None:
        assert "peer%d" % dead not in hosts, "the dead peer has events"
    count, last, sendat, pred = {}, {}, {}, [set() for _ in ev]
    forced = 0
    for i, (h, vc, what) in enumerate(ev):
        # No entry for a host that has no events (ShiViz rejects it).
        for k in vc:
            assert k in hosts, "event %d: entry for unknown host %s" % (i, k)
        # The own entry grows by one per event.
        count[h] = count.get(h, 0) + 1
        assert vc.get(h) == count[h], "event %d: %s's own entry %s, not %d" % (
            i, h, vc.get(h), count[h])
        if h in last:
            p = ev[last[h]][1]
            assert all(vc.get(k, 0) >= v for k, v in p.items()), \
                "event %d: %s's clock went backwards" % (i, h)
            pred[i].add(last[h])
        last[h] = i
        m = re.match(r"send (\d+):(\d+)( |$)", what)
        if m:
            sendat[(m.group(1), m.group(2))] = i
    for i, (h, vc, what) in enumerate(ev):
        m = re.match(r"receive (\d+):(\d+)( |$)", what)
        if not m:
            continue
        key = (m.group(1), m.group(2))
        if key not in sendat:
            forced += 1
            continue
        s = sendat[key]
        # Written after its send, whenever a trace holds the send.
        assert s < i, "event %d: receipt of %s:%s written before its send" % (
            i, key[0], key[1])
        # A receipt's clock covers its send's.
        assert all(vc.get(k, 0) >= v for k, v in ev[s][1].items()), \
            "event %d: receipt's clock does not cover its send's" % i
        pred[i].add(s)
    if dead is None:
        assert forced == 0, "%d receipts of sends no trace holds, and no " \
            "peer died" % forced
    else:
        assert any(re.match(r"receive %d:" % dead, w) for _, _, w in ev), \
            "no receipt of the dead peer's DATA: the case is not exercised"
    # The clocks order exactly what happens-before orders.
    anc = []
    for i in range(len(ev)):
        a = set()
        for p in pred[i]:
            a |= anc[p] | {p}
        anc.append(a)

    def leq(a, b):
        return all(a.get(k, 0) <= b.get(k, 0) for k in a)
    for i in range(len(ev)):
        for j in range(len(ev)):
            if i != j:
                hb = i in anc[j]
                vb = leq(ev[i][1], ev[j][1]) and ev[i][1] != ev[j][1]
                assert hb == vb, "events %d, %d: clocks %s, %s, but " \
                    "happens-before %s" % (i, j, ev[i][1], ev[j][1], hb)
    return forced


def main():
    args = sys.argv[1:]
    hosts = dead = None
    if "--hosts" in args:
        k = args.index("--hosts")
        hosts = int(args[k + 1])
        del args[k:k + 2]
    if "--dead" in args:
        k = args.index("--dead")
        dead = int(args[k + 1])
        del args[k:k + 2]
    if len(args) != 1:
        sys.exit("usage: vclock.py FILE [--hosts N] [--dead ID]")
    ev = parse(args[0])
    try:
        forced = check(ev, hosts, dead)
    except AssertionError as e:
        sys.exit("%s: %s" % (args[0], e))
    print("%s: %d events, %d receipts of sends no trace holds; vector "
          "clocks keep ShiViz's rules and agree with happens-before"
          % (args[0], len(ev), forced))


main()
