#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# An independent judge of a run in which members departed, from the log
# files alone (written apart from the comparison server's views.c):
#
#   checkviews.sh DIR RUN N M DEPARTED MODE
#
# DEPARTED is a comma-separated list of peer ids.  The survivors' files
# run<RUN>-peer<i>.log must say status=ok, have at least one view line,
# end in a view whose members are exactly the survivors, be identical in
# total and sequencer modes (view lines included), deliver every survivor's message
# exactly once, and each departed member's messages 1..c for the same c
# (all or none, in FIFO order).  In total mode each file also delivers in
# strictly increasing (lamport_ts, sender) order, across its view lines
# too: an install delivers the held queue, in its order, up to a frontier
# (order_violations=).  Prints one line; exits 0 when all holds.
set -u
[ $# -eq 6 ] || { echo "usage: checkviews.sh DIR RUN N M DEPARTED MODE" >&2; exit 2; }
dir=$1 run=$2 n=$3 m=$4 departed=,$5, mode=$6
files= members= first=
tmp=$(mktemp "${TMPDIR:-/tmp}/checkviews.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
i=0
while [ $i -lt "$n" ]; do
	case $departed in *",$i,"*) i=$((i + 1)); continue ;; esac
	f=$dir/run$run-peer$i.log
	[ -f "$f" ] || { echo "checkviews: missing $f"; exit 1; }
	files="$files $f"
	members=${members:+$members,}$i
	if { [ "$mode" = total ] || [ "$mode" = sequencer ]; } &&
	    [ -n "$first" ]; then
		tail -n +2 "$first" >"$tmp"
		tail -n +2 "$f" | cmp -s - "$tmp" ||
		    { echo "checkviews: $f differs from $first"; exit 1; }
	fi
	first=${first:-$f}
	i=$((i + 1))
done
# shellcheck disable=SC2086
awk -v N="$n" -v M="$m" -v RUN="$run" -v DEP="$departed" \
    -v MEMBERS="$members" -v MODE="$mode" '
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
	if ($0 !~ "^# run=" RUN " peer=[0-9]+ order=[a-z]+ status=ok$") {
		print "checkviews: bad header in " FILENAME ": " $0; bad++
	}
	next
}
/^# view=/ {
	views[nf]++
	last[nf] = $3
	next
}
{
	if (NF != 3 || $1 >= N || $2 < 1 || $2 > M || $3 !~ /^[0-9]+$/) {
		print "checkviews: bad line " FNR " in " FILENAME ": " $0; bad++
		next
	}
	# A view line in between changes nothing: no reset.
	if (MODE == "total" && (nf in pts) && !before(pts[nf], psd[nf], $3, $1)) {
		if (!order_of[nf]++)
			print "checkviews: " FILENAME " line " FNR ": " $1 " " $2 \
			    " " $3 " after ts=" pts[nf] " sender=" psd[nf] \
			    ", not in (ts, sender) order"
		order++
	}
	pts[nf] = $3
	psd[nf] = $1
	if (seen[nf, $1, $2]++) dup++
	if ($2 <= top[nf, $1]) fifo++
	top[nf, $1] = $2
	cnt[nf, $1]++
}
END {
	for (f = 1; f <= nf; f++) {
		if (!views[f]) { print "checkviews: no view line in file " f; bad++ }
		if (last[f] != "members=" MEMBERS) {
			print "checkviews: last view " last[f] " in file " f ", expected members=" MEMBERS; bad++
		}
		for (s = 0; s < N; s++) {
			if (index(DEP, "," s ",")) {
				# all or none: every survivor the same 1..c
				if (f > 1 && cnt[f, s] + 0 != cnt[1, s] + 0) partial++
				if (cnt[f, s] + 0 != top[f, s] + 0) partial++
			} else if (cnt[f, s] + 0 != M) {
				missing += M - cnt[f, s]
			}
		}
	}
	printf "checkviews: survivors=%s missing=%d duplicates=%d fifo_violations=%d partial=%d",
	    MEMBERS, missing, dup, fifo, partial
	if (MODE == "total") printf " order_violations=%d", order
	printf "\n"
	exit (bad || missing || dup || fifo || partial || order) ? 1 : 0
}' $files
