#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# An independent judge of a run's delivery logs, written apart from the
# comparison server's C code so that the two cannot share a mistake.
#
#   checklogs.sh DIR RUN N M MODE
#
# Checks every peer's file run<RUN>-peer<i>.log: the header, every message
# (sender < N, 1 <= seq <= M) delivered exactly once, nothing missing,
# per-sender FIFO order (fifo and total), identical sequences in total and
# sequencer modes, and in total mode the rule itself: each file delivers in strictly increasing
# (lamport_ts, sender) order, its third column then its first, compared
# here as decimal strings of any length (order_violations=, total mode
# only).  A view line is a bad line: a run with views is checkviews.sh's.
# Prints one line of figures; exits 0 when all holds.
set -u
[ $# -eq 5 ] || { echo "usage: checklogs.sh DIR RUN N M MODE" >&2; exit 2; }
dir=$1 run=$2 n=$3 m=$4 mode=$5
files=
i=0
while [ $i -lt "$n" ]; do
	f=$dir/run$run-peer$i.log
	[ -f "$f" ] || { echo "checklogs: missing $f"; exit 1; }
	files="$files $f"
	i=$((i + 1))
done
# shellcheck disable=SC2086
exec awk -v N="$n" -v M="$m" -v MODE="$mode" -v RUN="$run" '
# Whether (ta, sa) precedes (tb, sb): timestamps as strings without leading
# zeros, shorter first, since awk numbers are exact only up to 2^53.
function before(ta, sa, tb, sb) {
	sub(/^0+/, "", ta); sub(/^0+/, "", tb)
	if (length(ta) != length(tb)) return length(ta) < length(tb)
	if (ta "" != tb "") return ta "" < tb ""
	return sa + 0 < sb + 0
}
FNR == 1 {
	nf++
	hdr = "^# run=" RUN " peer=" (nf - 1) " order=" MODE " status=ok$"
	if ($0 !~ hdr) { print "checklogs: bad header in " FILENAME ": " $0; bad++ }
	next
}
{
	if (NF != 3 || $1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ ||
	    $1 >= N || $2 < 1 || $2 > M) {
		print "checklogs: bad line " FNR " in " FILENAME ": " $0; bad++
		next
	}
	key = $1 " " $2
	if (seen[nf, key]++) dup++
	if ($2 <= last[nf, $1]) fifo++
	last[nf, $1] = $2
	if (MODE == "total" && (nf in pts) && !before(pts[nf], psd[nf], $3, $1)) {
		if (!order_of[nf]++)
			print "checklogs: " FILENAME " line " FNR ": " $1 " " $2 \
			    " " $3 " after ts=" pts[nf] " sender=" psd[nf] \
			    ", not in (ts, sender) order"
		order++
	}
	pts[nf] = $3
	psd[nf] = $1
	cnt[nf]++
	seq[nf, cnt[nf]] = key
}
END {
	total = N * M
	for (f = 1; f <= nf; f++) {
		distinct = 0
		for (k in seen) { split(k, parts, SUBSEP); if (parts[1] == f) distinct++ }
		missing += total - distinct
		if (cnt[f] != total) short++
	}
	for (j = 1; j <= total; j++)
		for (f = 2; f <= nf; f++)
			if (seq[f, j] != seq[1, j]) { mism++; break }
	printf "checklogs: peers=%d messages=%d missing=%d duplicates=%d fifo_violations=%d mismatched=%d",
	    nf, total, missing, dup, fifo, mism
	# Only in total mode, so that the other modes line ends as before.
	if (MODE == "total") printf " order_violations=%d", order
	printf "\n"
	if (bad || missing || dup || short) exit 1
	if (MODE != "none" && fifo) exit 1
	if (MODE == "total" && (mism || order)) exit 1
	if (MODE == "sequencer" && mism) exit 1
	exit 0
}' $files
