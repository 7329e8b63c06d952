#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Asserts that every output file of comparison_server (and of cluster.sh,
# which passes them on) is checked before the run starts: a file in a
# folder that does not exist, or a folder given as the file, is a usage
# error (exit 2) naming the option, and nothing starts (no "listening for
# logs"); --svg-summary without a sweep is a usage error too.
. "$(dirname "$0")/lib.sh"
start_gm
for opt in --json --svg --csv --svg-summary --spacetime --shiviz --html; do
	sweep="-n 2"
	[ $opt = --svg-summary ] && sweep="--sweep-peers 2 --sweep-messages 1"
	# shellcheck disable=SC2086
	run_cs bad -m 1 --wait 1 $sweep $opt "$T/nofolder/x.out"
	rc=$?
	[ $rc -eq 2 ] || { cat "$T/bad.err"; fail "$opt into no folder: exit $rc, not 2"; }
	grep -q -- "$opt $T/nofolder/x.out: no folder" "$T/bad.err" ||
	    { cat "$T/bad.err"; fail "$opt: the error does not say why"; }
	grep -q "listening for logs" "$T/bad.err" &&
	    fail "$opt: the run started before the check"
	# shellcheck disable=SC2086
	run_cs dir -m 1 --wait 1 $sweep $opt "$T"
	rc=$?
	[ $rc -eq 2 ] && grep -q -- "$opt $T: is a folder" "$T/dir.err" ||
	    { cat "$T/dir.err"; fail "$opt FOLDER: exit $rc, not 2"; }
done
run_cs nosweep -n 2 -m 1 --wait 1 --svg-summary "$T/s.svg"
rc=$?
[ $rc -eq 2 ] && grep -q -- "--svg-summary needs a sweep" "$T/nosweep.err" ||
    { cat "$T/nosweep.err"; fail "--svg-summary without a sweep: exit $rc"; }

MPCOMM_BIN=$BIN "$TOP/scripts/cluster.sh" -n 2 -m 1 --json "$T/nofolder/x.json" \
    >"$T/cl.out" 2>"$T/cl.err"
rc=$?
[ $rc -eq 2 ] && grep -q -- "--json $T/nofolder/x.json: no folder" "$T/cl.err" ||
    { cat "$T/cl.err"; fail "cluster.sh --json into no folder: exit $rc"; }
MPCOMM_BIN=$BIN "$TOP/scripts/cluster.sh" -n 2 -m 1 --svg-summary "$T/s.svg" \
    >"$T/cl2.out" 2>"$T/cl2.err"
rc=$?
[ $rc -eq 2 ] && grep -q -- "--svg-summary needs a sweep" "$T/cl2.err" ||
    { cat "$T/cl2.err"; fail "cluster.sh --svg-summary without a sweep: exit $rc"; }
echo "ok: output paths are checked before the run"
