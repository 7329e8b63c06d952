#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The ordering core's files call one another in one direction only: front
# (order.c) above membership (order_view.c) above the streams and the
# datagrams (order_stream.c, order_send.c) above the algorithms
# (order_total.c, order_fifo.c), with no call cycle among them, read from
# the objects' symbol tables (what each file uses that another defines).
. "$(dirname "$0")/lib.sh"
OBJ=$TOP/$B/obj/lib
command -v nm >/dev/null || skip "needs nm (binutils)"
command -v tsort >/dev/null || skip "needs tsort (coreutils)"
ls "$OBJ"/order*.o >/dev/null 2>&1 || fail "no core objects in $OBJ: build first"
for o in "$OBJ"/order*.o; do
	nm -g --defined-only "$o" | awk -v f="$(basename "$o" .o)" \
	    '$2 ~ /^[TDBR]$/ {print $3, f}'
done | sort >"$T/defined"
: >"$T/edges"
for o in "$OBJ"/order*.o; do
	f=$(basename "$o" .o)
	nm -u "$o" | awk '{print $NF}' | sort -u | join - "$T/defined" |
	    awk -v f="$f" '$2 != f {print f, $2}' >>"$T/edges"
done
sort -u "$T/edges" -o "$T/edges"
cat "$T/edges"
[ -s "$T/edges" ] || fail "found no calls between the core's files"
if ! tsort "$T/edges" >"$T/order" 2>"$T/loop"; then
	cat "$T/loop"
	fail "the core's files call each other in a cycle"
fi
# The algorithms call no other file of the core.
grep -E '^order_(total|fifo) ' "$T/edges" &&
    fail "an ordering algorithm calls up into the core"
echo "ok: the core's files in layers: $(tr '\n' ' ' <"$T/order")"
