#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The ordering core's files call one another in one direction only: front
# (order.c) above membership (order_view.c) above the streams and the
# datagrams (order_stream.c, order_send.c) above the algorithms
# (order_total.c, order_fifo.c, order_causal.c), with no call cycle among
# them, read from the objects' symbol tables (what each file uses that
# another defines).
# And a sender's stream as received (struct stream, member.rx) is written
# in order_stream.c alone: elsewhere in the library, no statement assigns,
# increments, memsets or frees a field of an rx, nor takes a pointer into
# one that is not const.
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
grep -E '^order_(total|fifo|causal) ' "$T/edges" &&
    fail "an ordering algorithm calls up into the core"
# The statements (comments out, lines joined up to ; { or }) that write
# through an rx: ID and CHAIN spell an lvalue such as o->m[q].rx.ring[i].seq.
set --
for f in "$TOP"/src/lib/*.[ch]; do
	case $f in */order_stream.[ch]) ;; *) set -- "$@" "$f" ;; esac
done
awk '
function judge(s) {
	if (s ~ ("(\\.|->)rx" CHAIN "[ \t]*([-+*/%&|^]|<<|>>)?=([^=]|$)") ||
	    s ~ ("(\\.|->)rx" CHAIN "[ \t]*(\\+\\+|--)") ||
	    s ~ ("(\\+\\+|--)[ \t]*" ID CHAIN "(\\.|->)rx" TAIL) ||
	    s ~ ("(memset|memcpy|memmove|free|realloc)[ \t]*\\([^;]*(\\.|->)rx" TAIL) ||
	    (s !~ /const/ &&
	    (s ~ ("(^|[^&])&[ \t]*\\(?[ \t]*" ID CHAIN "(\\.|->)rx" TAIL) ||
	    s ~ /(\.|->)rx\.(ring|replay_seen)[ \t]*([;,+]|$)/))) {
		print FILENAME ":" start ":" s
		bad = 1
	}
}
BEGIN {
	ID = "[A-Za-z_][A-Za-z0-9_]*"
	CHAIN = "((\\.|->)" ID "|\\[[^]]*\\])*"
	TAIL = "([^A-Za-z0-9_]|$)"
}
FNR == 1 { incom = 0; st = "" }
{
	line = $0
	if (incom) {
		if (!(i = index(line, "*/")))
			next
		line = substr(line, i + 2)
		incom = 0
	}
	while ((i = index(line, "/*"))) {
		rest = substr(line, i + 2)
		if (!(j = index(rest, "*/"))) {
			line = substr(line, 1, i - 1)
			incom = 1
			break
		}
		line = substr(line, 1, i - 1) " " substr(rest, j + 2)
	}
	if (st == "")
		start = FNR
	st = st " " line
	if (line ~ /^#/ || line ~ /[;{}][ \t]*$/) {
		judge(st)
		st = ""
	}
}
END { exit bad }' "$@" || fail "a stream's state written outside order_stream.c"
echo "ok: the core's files in layers: $(tr '\n' ' ' <"$T/order")"
