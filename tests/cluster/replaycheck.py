#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Checks the replay page (comparison_server --html) against a computation
# of its own, written apart from the page's script: from the run's trace
# lines (the JSON inside the page, as the peers shipped them) and the
# delivery logs in LOGDIR.
#
#   replaycheck.py PAGE --instants       prints "E FIRST": the number of
#                                        events and the #first instant (-1)
#   replaycheck.py PAGE LOGDIR RUN DOM... judges each DOM dump, named
#                                        dom-K.html or dom-first.html
#
# The events of all peers in one order: by t, then peer id, then the
# peer's own order.  The state after K events: each peer holds what it
# received (@R) or sent (@S) and has not delivered (@D), in (ts, sender)
# order; in total order the head is the first whose stream is processed
# (contiguous from seq 1) up to it, and it waits for each member q of the
# current view, q neither the peer nor the head's sender, whose counted
# state has neither S[sender] >= seq (@K) nor C >= ts (@A, or the ts of
# q's DATA processed); a view (@V) forgets the counted states.  In fifo
# the head waits for the gap in its sender's stream.  Before judging a
# page, the rule is checked against the core's own behaviour in the
# traces: in total order every delivery is of a head that waits for
# nobody, and a peer whose head waits for nobody delivers before it sends
# anything or installs a view.
import html.parser
import json
import os
import re
import sys


def load(page):
    text = open(page, encoding="utf-8").read()
    m = re.search(r'<script type="application/json" id="run">(.*?)</script>',
                  text, re.S)
    if not m:
        sys.exit("no run data in %s" % page)
    return json.loads(m.group(1))


def events(run):
    ev = []
    for p, peer in enumerate(run["peers"]):
        for j, line in enumerate(peer["trace"]):
            f = line.split(" ")
            e = {"p": p, "j": j, "k": f[0][1], "t": int(f[1])}
            v = [int(x, 16) if (e["k"] == "V" and i == 1) else int(x)
                 for i, x in enumerate(f[2:])]
            if e["k"] == "S":
                e.update(s=p, q=v[0], ts=v[1])
            elif e["k"] == "R":
                e.update(s=v[0], q=v[1], ts=v[2])
            elif e["k"] == "A":
                e.update(frm=v[0], c=v[1])
            elif e["k"] == "K":
                e.update(frm=v[0], s=v[1], q=v[2])
            elif e["k"] == "D":
                e.update(pos=v[0], s=v[1], q=v[2], ts=v[3])
            elif e["k"] == "V":
                e.update(view=v[0], members=v[1])
            else:
                sys.exit("unknown event %r" % line)
            ev.append(e)
    ev.sort(key=lambda e: (e["t"], e["p"], e["j"]))
    return ev


class Peer:
    def __init__(self, i, n):
        self.i, self.n = i, n
        self.got = [set() for _ in range(n)]
        self.tsof = {}
        self.proc = [0] * n
        self.held = {}
        self.delivered = 0
        self.cc = [0] * n
        self.cs = [[0] * n for _ in range(n)]
        self.members = (1 << n) - 1

    def step(self, e):
        k = e["k"]
        if k in "SR":
            s, q = e["s"], e["q"]
            self.got[s].add(q)
            self.tsof[(s, q)] = e["ts"]
            self.held[(s, q)] = e["ts"]
            while self.proc[s] + 1 in self.got[s]:
                self.proc[s] += 1
                if s != self.i:
                    self.cc[s] = max(self.cc[s], self.tsof[(s, self.proc[s])])
        elif k == "A":
            self.cc[e["frm"]] = max(self.cc[e["frm"]], e["c"])
        elif k == "K":
            r = self.cs[e["frm"]]
            r[e["s"]] = max(r[e["s"]], e["q"])
        elif k == "D":
            self.held.pop((e["s"], e["q"]), None)
            self.delivered = e["pos"] + 1
        elif k == "V":
            self.members = e["members"]
            self.cc = [0] * self.n
            self.cs = [[0] * self.n for _ in range(self.n)]

    def queue(self):
        return sorted(self.held, key=lambda m: (self.held[m], m[0]))

    def head(self, order):
        """(sender, seq), waits, gap; or None."""
        qu = self.queue()
        if order == "total":
            for (s, q) in qu:
                if q <= self.proc[s]:
                    ts = self.held[(s, q)]
                    w = [j for j in range(self.n)
                         if j != self.i and j != s and self.members >> j & 1
                         and self.cs[j][s] < q and self.cc[j] < ts]
                    return (s, q), w, None
            return None
        if not qu:
            return None
        s, q = qu[0]
        return (s, q), [s], "%d:%d" % (s, self.proc[s] + 1)


def states(run, ev):
    """Yields (K, peers) for K = 0..E, the state after K events."""
    peers = [Peer(i, run["n"]) for i in range(run["n"])]
    yield 0, peers
    for k, e in enumerate(ev):
        peers[e["p"]].step(e)
        yield k + 1, peers


def judged(run):
    return [i for i, p in enumerate(run["peers"])
            if not p["departed"] and p["status"] != "no-log"]


def first_instant(run, ev, logs):
    """The first instant at which two judged peers delivered different
    messages at the first position where their logs differ; -1."""
    js = judged(run)
    pos = None
    for j in range(max([len(logs[i]) for i in js] or [0])):
        at = {tuple(logs[i][j]) for i in js if j < len(logs[i])}
        if len(at) > 1:
            pos = j
            break
    if pos is None:
        return -1
    seen = set()
    for k, e in enumerate(ev):
        if e["k"] == "D" and e["pos"] == pos and e["p"] in js:
            seen.add((e["s"], e["q"]))
            if len(seen) > 1:
                return k + 1
    return 0


def core_agrees(run, ev):
    """The rule above is the core's: checked on every traced delivery."""
    if run["order"] != "total" or any(p["cut"] for p in run["peers"]):
        return
    # An event's next at its peer that is neither an ACK state nor a
    # receipt: the core takes a whole datagram (DATA, the states they let
    # count) before it delivers, so a head found free may wait for the rest
    # of its datagram (and a DATA in it may come before it: the first check
    # judges that delivery); but nothing is sent before it is delivered.
    nxt = {}
    for k in range(len(ev) - 1, -1, -1):
        e = ev[k]
        e["next"] = nxt.get(e["p"])
        if e["k"] not in "AKR":
            nxt[e["p"]] = k
    frozen = set(e["p"] for e in ev if e["k"] == "V")
    for k, peers in states(run, ev):
        if k == len(ev):
            break
        e = ev[k]
        P = peers[e["p"]]
        if e["k"] == "D" and e["p"] not in frozen:
            h = P.head("total")
            if not h or h[0] != (e["s"], e["q"]) or h[1]:
                sys.exit("peer %d delivers %d:%d at event %d, but the rule "
                         "says the head is %r" % (e["p"], e["s"], e["q"],
                                                  k + 1, h))
    for k, peers in states(run, ev):
        if k == 0 or ev[k - 1]["p"] in frozen:
            continue
        e = ev[k - 1]
        h = peers[e["p"]].head("total")
        if h and not h[1]:
            n = e["next"]
            if n is None or ev[n]["k"] != "D":
                sys.exit("after event %d peer %d's head %r waits for "
                         "nobody, but the peer does not deliver it next" %
                         (k, e["p"], h[0]))


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.body = {}
        self.peers = {}
        self.cur = None
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if tag == "script":
            self.scripts += 1
        if "data-peer" in a:
            self.cur = int(a["data-peer"])
            self.peers[self.cur] = {"delivered": int(a["data-delivered"]),
                                    "held": [], "waits": None, "head": None,
                                    "gap": None}
        if "data-held" in a and self.cur is not None:
            p = self.peers[self.cur]
            p["held"].append(a["data-held"])
            if "data-waits" in a:
                if p["head"] is not None:
                    sys.exit("two heads at peer %d" % self.cur)
                p["head"] = a["data-held"]
                p["waits"] = [int(x) for x in a["data-waits"].split(",") if x]
                p["gap"] = a.get("data-gap")


def main():
    run = load(sys.argv[1])
    ev = events(run)
    if len(sys.argv) == 3 and sys.argv[2] == "--instants":
        logs = [[p["log"][k:k + 2] for k in range(0, len(p["log"]), 2)]
                for p in run["peers"]]
        print(len(ev), first_instant(run, ev, logs))
        return
    logdir, rid, doms = sys.argv[2], sys.argv[3], sys.argv[4:]
    n = run["n"]
    logs = []
    for i in range(n):
        path = os.path.join(logdir, "run%s-peer%d.log" % (rid, i))
        lines = [l.split() for l in open(path) if l.strip() and l[0] != "#"]
        logs.append([[int(x[0]), int(x[1])] for x in lines])
    for i in range(n):
        if logs[i] != [run["peers"][i]["log"][k:k + 2]
                       for k in range(0, len(run["peers"][i]["log"]), 2)]:
            sys.exit("peer %d: the page's log is not the file's" % i)
    first = first_instant(run, ev, logs)
    core_agrees(run, ev)
    want = {}
    for d in doms:
        m = re.search(r"dom-(\d+|first)\.html$", d)
        k = first if m.group(1) == "first" else int(m.group(1))
        want.setdefault(max(k, 0), []).append(d)
    checked = 0
    for k, peers in states(run, ev):
        for d in want.get(k, []):
            dom = Dom()
            dom.feed(open(d, encoding="utf-8").read())
            b = dom.body
            if b.get("data-ready") != "1" or b.get("data-t") != str(k) or \
                    b.get("data-events") != str(len(ev)) or \
                    b.get("data-first") != str(first) or \
                    b.get("data-exact") != "1":
                sys.exit("%s: body %r; expected t=%d events=%d first=%d" %
                         (d, b, k, len(ev), first))
            if dom.scripts != 2:
                sys.exit("%s: %d script elements, not 2" % (d, dom.scripts))
            for i in range(n):
                P, got = peers[i], dom.peers.get(i)
                if got is None:
                    sys.exit("%s: no element of peer %d" % (d, i))
                held = ["%d:%d" % m for m in P.queue()]
                if got["delivered"] != P.delivered or got["held"] != held:
                    sys.exit("%s: peer %d delivered %d holds %s; the page "
                             "says %d and %s" % (d, i, P.delivered, held,
                                                 got["delivered"],
                                                 got["held"]))
                h = P.head(run["order"])
                wh = ("%d:%d" % h[0], h[1], h[2]) if h else (None, None, None)
                if (got["head"], got["waits"], got["gap"]) != wh:
                    sys.exit("%s: peer %d head %r; the page says %r" %
                             (d, i, wh, (got["head"], got["waits"],
                                         got["gap"])))
                if k == len(ev) and (P.delivered != len(logs[i]) or held):
                    sys.exit("%s: at the end peer %d shows %d delivered "
                             "(its log: %d), %d held" % (d, i, P.delivered,
                                                         len(logs[i]),
                                                         len(held)))
            checked += 1
    if checked != len(doms):
        sys.exit("%d of %d pages judged" % (checked, len(doms)))
    print("ok: %d instants of %d events judged, first=%d" %
          (checked, len(ev), first))


main()
