# SPDX-License-Identifier: BSD-2-Clause
# Shell helpers shared by cluster.sh, netns-cluster.sh, start-peers.sh and
# remote.sh (sourced).

# The programs' version (include/mpcomm/proc.h); make install writes it
# into the installed copy of this file, which has no include/ beside it.
MPCOMM_VERSION=
[ -n "$MPCOMM_VERSION" ] || MPCOMM_VERSION=$(sed -n \
    's/^#define MPCOMM_VERSION[^"]*"\(.*\)"$/\1/p' "${here:-.}/include/mpcomm/proc.h" 2>/dev/null)

# show_version: "PROG (MPComm) VERSION", as the programs' --version.
show_version() { echo "$PROG (MPComm) $MPCOMM_VERSION"; exit 0; }

# need_programs NAME...: the programs are in $bin ($MPCOMM_BIN, default
# build/bin of the source tree); in a source tree without them they are
# built first (make), otherwise it says where it looked and exits 3.
need_programs() {
	missing=
	for p in "$@"; do [ -x "$bin/$p" ] || missing="$missing $p"; done
	[ -n "$missing" ] || return 0
	if [ -z "${MPCOMM_BIN:-}" ] && [ -f "$here/Makefile" ]; then
		echo "$PROG: building MPComm first (make)" >&2
		make -s -C "$here" >&2 && return 0
		exit 3
	fi
	echo "$PROG: the programs are not found:$missing not in $bin" \
	    "(set MPCOMM_BIN to the folder that has them)" >&2
	exit 3
}

# quote ARG: ARG as one single-quoted shell word, for eval.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# still_running PID: the process exists and has not exited.  A child of ours that
# exited stays a zombie until we reap it, and kill -0 still finds it.
still_running() {
	kill -0 "$1" 2>/dev/null || return 1
	case $(ps -o stat= -p "$1" 2>/dev/null) in Z*) return 1 ;; esac
}

# wait_gone TENTHS PID...: waits up to TENTHS/10 s for the PIDs to exit;
# prints those still running.
wait_gone() {
	t=$1; shift
	c=0
	while :; do
		alive=
		for p in "$@"; do still_running "$p" && alive="$alive $p"; done
		[ -z "$alive" ] || [ $c -ge "$t" ] && break
		sleep 0.1; c=$((c + 1))
	done
	echo "$alive"
}

# stop_pids PID...: SIGTERM to each (they unregister and exit), up to 5 s
# for them to go, then SIGKILL to whatever is left; our children among them
# are reaped.  Only the PIDs given.  The one way every script and test
# stops what it started.
stop_pids() {
	for p in "$@"; do kill "$p" 2>/dev/null; done
	for p in $(wait_gone 50 "$@"); do kill -9 "$p" 2>/dev/null; done
	for p in "$@"; do wait "$p" 2>/dev/null; done
	return 0
}

# wait_line FILE PATTERN: waits (10 s at most) for a line of FILE that
# matches PATTERN and prints it; on time-out says what FILE ends with.
wait_line() {
	w=0
	while [ $w -lt 200 ]; do
		line=$(grep -m1 -- "$2" "$1" 2>/dev/null) && { echo "$line"; return 0; }
		sleep 0.05; w=$((w + 1))
	done
	echo "${0##*/}: no '$2' in $1 after 10 s:" >&2
	tail -n 5 "$1" >&2
	return 1
}

# The argument helpers below print "PROG: MESSAGE" and the script's one-line
# synopsis, then exit 2.  PROG and SYNOPSIS are set by the script.
usage_error() {
	echo "$PROG: $1" >&2
	echo "usage: $SYNOPSIS  (more: $PROG --help)" >&2
	exit 2
}

# need_value OPTION COUNT: OPTION needs a value (COUNT is the "$#" it saw).
need_value() { [ "$2" -ge 2 ] || usage_error "$1: needs a value"; }

# need_number OPTION VALUE [MIN [MAX]]: VALUE is a whole number in range.
need_number() {
	case $2 in ''|*[!0-9]*) usage_error "$1: expected a number: '$2'" ;; esac
	[ ${#2} -le 9 ] || usage_error "$1: too large: $2"
	[ "$2" -ge "${3:-0}" ] || usage_error "$1: expected at least ${3:-0}: $2"
	[ -z "${4:-}" ] || [ "$2" -le "$4" ] ||
	    usage_error "$1: expected at most $4: $2"
}

# show_help FILE: the script's opening comment, from its third line (after
# the shebang and the licence) to the first line that is not a comment, so
# that a longer text is never cut short.
show_help() {
	awk 'NR > 2 && !/^#/ { exit } NR > 2' "$1" | sed 's/^# \{0,1\}//'
	exit 0
}
