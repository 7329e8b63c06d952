#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The manual pages: clean under mandoc -Tlint and groff -mandoc -ww, every
# long option a program's --help names is in its page, every source file
# is named in the README's layout, and the README stays a front door (at
# most 350 lines: the manual is the manual).  Every page's parentheses
# balance; peer(8) documents MPCOMM_BIN; group_manager(8) says when a silent
# new client is dropped.
. "$(dirname "$0")/lib.sh"
pages=$(find "$TOP/src" -name '*.[78]' | sort)
[ "$(echo "$pages" | wc -l)" -eq 5 ] || fail "expected 5 pages: $pages"
# Both formatters, where they are installed: mandoc's lint, and groff's
# warnings (which mandoc does not give, e.g. a macro as the first argument
# of .Li).
linted=0
if command -v mandoc >/dev/null; then
	# shellcheck disable=SC2086
	mandoc -Tlint -Wwarning $pages || fail "mandoc -Tlint"
	linted=1
fi
if command -v groff >/dev/null; then
	for p in $pages; do
		groff -mandoc -ww -Tutf8 -z "$p" 2>"$T/g" && [ ! -s "$T/g" ] ||
		    { cat "$T/g"; fail "groff -mandoc -ww: $p"; }
	done
	linted=1
fi
# Every parenthesis a page opens it closes (a stray one was a typo in
# --regions and two in mpcomm(7)).
if command -v mandoc >/dev/null; then
	for p in $pages; do
		mandoc -Tutf8 "$p" | col -b | awk -v page="$p" '
		{ o += gsub(/\(/, "("); c += gsub(/\)/, ")")
		  if (c > o) { print page ": a stray \")\" at: " $0; bad = 1; o = c } }
		END { if (o != c) print page ": " o - c " \"(\" not closed"
		      exit bad || o != c }' || fail "unbalanced parentheses"
	done
fi
[ $linted = 1 ] || skip "neither mandoc nor groff is installed"
for p in group_manager comparison_server peer mpctl; do
	page=$(find "$TOP/src" -name "$p.8")
	"$BIN/$p" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u |
	while read -r o; do
		grep -q "^\.It.*Fl -${o#--}\>" "$page" ||
		    grep -q "Fl -${o#--}\>" "$page" ||
		    { echo "$p: $o is not in $p.8"; exit 1; }
	done || fail "$p.8 misses options"
	grep -q "^\.Sh EXIT STATUS" "$page" || fail "$p.8: no EXIT STATUS"
done
grep -q "^\.It Ev MPCOMM_BIN" "$TOP/src/peer/peer.8" ||
    fail "peer.8: MPCOMM_BIN (the scripts' programs) is not documented"
# group_manager(8) says how soon a silent new client is dropped (the
# first-line deadline of src/lib/lsrv.c), not only -t's idle time.
hello=$(sed -n 's/^#define HELLO_MS[^0-9]*\([0-9]*\)000[^0-9].*/\1/p' \
    "$TOP/src/lib/lsrv.c")
[ -n "$hello" ] || fail "no HELLO_MS in lsrv.c"
if command -v mandoc >/dev/null; then
	mandoc -Tutf8 "$TOP/src/group_manager/group_manager.8" 2>/dev/null |
	    col -b | tr -s ' \n' '  ' | grep -q "first line.*within $hello s" ||
	    fail "group_manager.8 -t: the $hello s first-line deadline is not said"
fi
# The README's layout names every source file, script and test tool.
layout=$(sed -n '/^## Layout/,/^## /p' "$TOP/README.md")
[ -n "$layout" ] || fail "README has no Layout section"
(cd "$TOP" && find src include scripts tests/tools tests/bench tests/sim \
    tests/soak -type f \( -name '*.[ch78]' -o -name '*.sh' \) | sort) |
while read -r f; do
	echo "$layout" | grep -qF "$(basename "$f" | sed 's/\.[ch]$//')" ||
	    { echo "$f is not named in the README's layout"; exit 1; }
done || fail "the layout misses files"
lines=$(wc -l <"$TOP/README.md")
[ "$lines" -le 350 ] || fail "README.md has $lines lines (at most 350)"
# No reference may point outside the repository (the notes the team keeps
# elsewhere).
grep -rlE 'DESI[G]N\.md|\.\./shar[e]d' "$TOP" --exclude-dir=.git \
    --exclude-dir=build --exclude-dir='build-*' >"$T/refs"
[ ! -s "$T/refs" ] || { cat "$T/refs"; fail "a reference outside the repository"; }
exit 0
