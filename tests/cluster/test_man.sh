#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The manual pages: clean under mandoc -Tlint (or groff -ww -z), and every
# long option a program's --help names is in its page.
. "$(dirname "$0")/lib.sh"
pages=$(find "$TOP/src" -name '*.[78]' | sort)
[ "$(echo "$pages" | wc -l)" -eq 5 ] || fail "expected 5 pages: $pages"
if command -v mandoc >/dev/null; then
	# shellcheck disable=SC2086
	mandoc -Tlint -Wwarning $pages || fail "mandoc -Tlint"
elif command -v groff >/dev/null; then
	for p in $pages; do
		groff -mdoc -ww -z "$p" 2>"$T/g" && [ ! -s "$T/g" ] ||
		    { cat "$T/g"; fail "groff: $p"; }
	done
else
	skip "neither mandoc nor groff is installed"
fi
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
# No reference may point outside the repository (the notes the team keeps
# elsewhere).
grep -rlE 'DESI[G]N\.md|\.\./shar[e]d' "$TOP" --exclude-dir=.git \
    --exclude-dir=build --exclude-dir='build-*' >"$T/refs"
[ ! -s "$T/refs" ] || { cat "$T/refs"; fail "a reference outside the repository"; }
exit 0
