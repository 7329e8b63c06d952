# SPDX-License-Identifier: BSD-2-Clause
# Shell helpers shared by cluster.sh, netns-cluster.sh, start-peers.sh and
# remote.sh (sourced).

# quote ARG: ARG as one single-quoted shell word, for eval.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# wait_gone TENTHS PID...: waits up to TENTHS/10 s for the PIDs to exit;
# prints those still running.
wait_gone() {
	t=$1; shift
	c=0
	while :; do
		alive=
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
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

# show_help FILE FIRST LAST: the comment block between those lines.
show_help() { sed -n "$2,$3p" "$1" | sed 's/^# \{0,1\}//'; exit 0; }
