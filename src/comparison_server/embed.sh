#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Embeds files into C: `embed.sh OUT.c NAME FILE [NAME FILE]...` writes
# OUT.c with `const char NAME[]`, each file's bytes and a NUL, so that a
# program carries its page without reading anything at run time.  POSIX
# sh and od only.  A file holding a NUL byte is refused (it would cut
# the string short).
set -eu
out=$1; shift
tmp=$out.tmp
{
	echo "/* Made by embed.sh from the files named below: do not edit. */"
	echo "#include \"page.h\""
	while [ $# -ge 2 ]; do
		name=$1 file=$2; shift 2
		if od -An -v -tx1 "$file" | grep -q ' 00'; then
			echo "embed.sh: $file holds a NUL byte" >&2
			exit 1
		fi
		echo "/* $file */"
		echo "const char $name[] = {"
		od -An -v -tx1 "$file" |
		    sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' -e '/^$/d'
		echo "0x00 };"
	done
} >"$tmp"
mv "$tmp" "$out"
