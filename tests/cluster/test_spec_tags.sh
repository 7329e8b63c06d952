#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The specification is in one place: mpcomm(7) tags its rules (S streams,
# T total order, C causal order, Q sequencer, L liveness, V views), and
# every tag that the code, the simulation, the README or a manual page
# cites is one that mpcomm(7) defines; the core cites tags, not rule
# numbers that can drift.
. "$(dirname "$0")/lib.sh"
spec=$TOP/src/lib/mpcomm.7
sed -n 's/^\.It \([STCLVQ][0-9][0-9]*\)$/\1/p' "$spec" | sort -u >"$T/defined"
[ "$(wc -l <"$T/defined")" -ge 10 ] || fail "mpcomm(7) defines too few tags"
# Each tag once.
sed -n 's/^\.It \([STCLVQ][0-9][0-9]*\)$/\1/p' "$spec" | sort | uniq -d >"$T/twice"
[ ! -s "$T/twice" ] || fail "tags defined twice: $(cat "$T/twice")"
find "$TOP/src" "$TOP/include" "$TOP/tests/sim" -name '*.[ch]' >"$T/files"
find "$TOP/src" -name '*.[78]' ! -name mpcomm.7 >>"$T/files"
echo "$TOP/README.md" >>"$T/files"
bad=0
while read -r f; do
	grep -owE '[STCLVQ][0-9]+' "$f" | sort -u | while read -r tag; do
		grep -qx "$tag" "$T/defined" ||
		    echo "${f#"$TOP"/} cites $tag, which mpcomm(7) does not define"
	done
done <"$T/files" >"$T/unknown"
if [ -s "$T/unknown" ]; then
	cat "$T/unknown"
	bad=1
fi
# The core says which rule by its tag.
if grep -nE '\brules? [0-9]' "$TOP"/src/lib/order*.[ch]; then
	echo "the core cites rules by number: cite mpcomm(7)'s tags"
	bad=1
fi
[ $bad -eq 0 ] || fail "the specification's tags and their citations disagree"
echo "ok: $(wc -l <"$T/defined") tags, every citation defined"
