#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""An independent judge of causal order, from the delivery logs alone
(written apart from the core and from the comparison server's compare.c).

Usage: checkcausal.py DIR RUN N [--absent ID[,ID...]]

A peer delivers its own message as it sends it, so the causal
predecessors of message (p, s) are the messages that p's own log
delivered before (p, s).  Every log q that delivers (p, s) must have
delivered each of them before it.  Reads run<RUN>-peer<i>.log for i < N
(a header line starting with '#', then '<sender> <seq> <lamport_ts>' lines;
view lines '# view=...' are skipped).  --absent: peers that left no log
(killed): their messages' predecessors are unknown and are not checked,
their log is not judged.  Prints one line of figures; exits 0 when no
delivery comes before one of its predecessors, 1 otherwise, 2 on a usage
error or a file that cannot be read.
"""
import sys


def read_log(path):
    """The (sender, seq) of each delivery, in order."""
    out = []
    with open(path, encoding="ascii") as f:
        for no, line in enumerate(f, 1):
            if line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 3 or not all(p.isdigit() for p in parts):
                raise ValueError("%s:%d: bad line %r" % (path, no, line))
            out.append((int(parts[0]), int(parts[1])))
    return out


def violations(logs):
    """Deliveries, in any log, that come before a causal predecessor;
    also how many deliveries were checked.  logs: peer id -> list."""
    bad, checked, first = 0, 0, None
    for q, lq in logs.items():
        pos = {}
        for i, key in enumerate(lq):
            pos.setdefault(key, i)
        for p, lp in logs.items():
            if p == q:
                continue
            latest = -1         # the latest of them at q
            missing = False     # one of them q never delivered
            for key in lp:
                at = pos.get(key)
                if key[0] == p and at is not None:
                    checked += 1
                    if missing or at < latest:
                        bad += 1
                        if first is None:
                            first = "peer %d delivered %d/%d before one " \
                                "of its predecessors in peer %d's log" % (
                                    q, key[0], key[1], p)
                if at is None:
                    missing = True
                else:
                    latest = max(latest, at)
    return bad, checked, first


def main(argv):
    if len(argv) not in (4, 6) or (len(argv) == 6 and argv[4] != "--absent"):
        print("usage: checkcausal.py DIR RUN N [--absent ID[,ID...]]",
              file=sys.stderr)
        return 2
    d, run, n = argv[1], argv[2], int(argv[3])
    absent = set()
    if len(argv) == 6:
        absent = {int(x) for x in argv[5].split(",") if x != ""}
    logs = {}
    try:
        for i in range(n):
            if i not in absent:
                logs[i] = read_log("%s/run%s-peer%d.log" % (d, run, i))
    except (OSError, ValueError) as e:
        print("checkcausal: %s" % e)
        return 2
    bad, checked, first = violations(logs)
    print("checkcausal: logs=%d deliveries_checked=%d causal_violations=%d%s"
          % (len(logs), checked, bad, " (first: %s)" % first if first else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
