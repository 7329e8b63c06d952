#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs a whole MPComm cluster on this machine: a group manager, a comparison
# server and N peers on free localhost ports.  Prints the report, stops every
# process it started (also on Ctrl-C and on failure) and exits with the
# comparison server's status.  Ctrl-C or SIGTERM aborts the run at once at
# every peer, and the report judges what was delivered against what was
# sent.
#
#   scripts/cluster.sh -n 5 -m 200
#   scripts/cluster.sh -n 8 -m 1000 --interval 0:0
#   scripts/cluster.sh -n 4 -m 300 --order none --delay 1:40
#   scripts/cluster.sh -n 4 -m 300 --delay 1:40 --compare
#   scripts/cluster.sh -n 4 -m 300 --regions world --compare none,causal,total
#   scripts/cluster.sh -n 5 -m 300 --order causal --loss 0.1
#
# Options of its own:
#   -n, --peers N     peers to start (default 4; a sweep starts as many as
#                     its largest --sweep-peers)
#   -m, --messages M  messages per peer (default 200)
#   --compare [LIST]  the same workload in each mode of LIST (default
#                     none,fifo,total), then one table (and --svg-compare F)
#   --host ADDR       listen on ADDR (default 127.0.0.1; ::1 for IPv6)
#   --log-dir DIR     keep the peers' delivery logs in DIR
#   --keep            keep the temporary folder (logs of every program)
#   -h, --help        this text; --version
# Without --log-dir or --keep the temporary folder is removed at exit (on
# every exit, also when DIR cannot be made).  MPCOMM_BIN is the folder of
# the programs (default build/bin of the source tree, built with make if
# missing; installed: PREFIX/bin); exit 3 when they are not found.
# -k, --key-file PATH goes to all three programs.  These go to
# comparison_server: -o, --order; -i, --interval; --delay; --loss; --dup;
# --seed; --window; --on-failure; --suspect; --regions; --place;
# --trace [N]; --spacetime; --shiviz; --html; -r, --runs; -j, --json; --svg;
# --csv; --svg-summary; --svg-compare; --save; --sweep-peers; --sweep-messages; -t, --timeout;
# --wait; --shutdown-peers; -q, --quiet; -v, --verbose (as there: a single
# --delay or --interval value MS is MS:MS, --delay 40 is 40:40).
#
# Exit status: 0 every run ok, 1 a run failed, 2 usage error, 3 network or
# system error (a program did not start or is not found), 130/143
# interrupted.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lib.sh"
PROG=cluster.sh
SYNOPSIS="cluster.sh [-n PEERS] [-m MESSAGES] [--compare [LIST]] [--log-dir DIR] [--keep] [comparison_server options]"
bin=${MPCOMM_BIN:-$here/build/bin}
peers=4
messages=200
logdir=
compare=0
compare_list=none,fifo,total
host=127.0.0.1
keep=0
sweep=0
sweep_max=0
key=
cs_args=

# add_cs ARG...: arguments for comparison_server.
add_cs() { for a in "$@"; do cs_args="$cs_args $(quote "$a")"; done; }

# need_output OPTION PATH: PATH can be written (its folder exists and is
# writable, PATH itself is not a folder); checked before anything starts.
need_output() {
	[ -n "$2" ] || usage_error "$1: empty file name"
	[ -d "$2" ] && usage_error "$1 $2: is a folder"
	case $2 in */*) d=${2%/*}; [ -n "$d" ] || d=/ ;; *) d=. ;; esac
	[ -d "$d" ] || usage_error "$1 $2: no folder $d"
	[ -w "$d" ] || usage_error "$1 $2: cannot write in $d"
	[ ! -e "$2" ] || [ -w "$2" ] || usage_error "$1 $2: cannot write"
	return 0
}
svg_summary=0

# sweep_peers LIST: the largest peer count of a --sweep-peers list.
sweep_peers() {
	for v in $(echo "$1" | tr ',' ' '); do
		need_number --sweep-peers "$v" 2 1000
		[ "$v" -gt "$sweep_max" ] && sweep_max=$v
	done
	[ "$sweep_max" -gt 0 ] || usage_error "--sweep-peers: empty list"
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--*=*)	o=${1%%=*}; v=${1#*=}; shift
			set -- "$o" "$v" "$@"; continue ;;
		esac
		case $1 in
		-n|--peers) need_value "$1" $#; need_number "$1" "$2" 2 1000
			peers=$2; shift 2 ;;
		-m|--messages) need_value "$1" $#; need_number "$1" "$2" 1
			messages=$2; shift 2 ;;
		--log-dir) need_value "$1" $#; logdir=$2; shift 2 ;;
		--compare) compare=1; shift
			# A list follows unless an option or nothing does.
			case ${1:-} in
			''|-*) ;;
			*) compare_list=$1; shift ;;
			esac ;;
		--host) need_value "$1" $#; host=$2; shift 2 ;;
		--keep) keep=1; shift ;;
		-h|--help) show_help "$0" ;;
		--version) show_version ;;
		-k|--key-file) need_value "$1" $#
			[ -r "$2" ] || usage_error "$1: cannot read $2"
			key=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
			shift 2 ;;
		--sweep-peers) need_value "$1" $#; sweep=1; sweep_peers "$2"
			add_cs "$1" "$2"; shift 2 ;;
		--sweep-messages) need_value "$1" $#; sweep=1
			add_cs "$1" "$2"; shift 2 ;;
		-j|--json|--svg|--csv|--svg-summary|--svg-compare|--spacetime|--shiviz|--html)
			need_value "$1" $#; need_output "$1" "$2"
			[ "$1" = --svg-summary ] && svg_summary=1
			add_cs "$1" "$2"; shift 2 ;;
		--save) need_value "$1" $#; add_cs "$1" "$2"; shift 2 ;;
		-o|--order|-i|--interval|--delay|--loss|--dup|--seed|--window|-r|--runs|\
		-t|--timeout|--wait|--on-failure|--suspect|--place)
			need_value "$1" $#; add_cs "$1" "$2"; shift 2 ;;
		--regions) need_value "$1" $#
			case $2 in
			world) add_cs "$1" "$2" ;;
			*) [ -r "$2" ] || usage_error "$1: cannot read $2"
			   add_cs "$1" "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")" ;;
			esac
			shift 2 ;;
		--trace) case ${2:-} in
			[0-9]*) add_cs "--trace=$2"; shift 2 ;;
			*) add_cs "$1"; shift ;;
			esac ;;
		--shutdown-peers|-q|--quiet|-v|--verbose) add_cs "$1"; shift ;;
		-*)	usage_error "unknown option $1" ;;
		*)	usage_error "unexpected argument '$1'" ;;
		esac
	done
}
parse_args "$@"
[ $sweep -eq 1 ] && peers=$sweep_max
[ $sweep -eq 1 ] && [ $compare -eq 1 ] &&
    usage_error "--compare and a sweep exclude each other"
[ $svg_summary -eq 1 ] && [ $sweep -eq 0 ] &&
    usage_error "--svg-summary needs a sweep (--sweep-peers and --sweep-messages)"

need_programs group_manager peer comparison_server

work=$(mktemp -d "${TMPDIR:-/tmp}/mpcomm-cluster.XXXXXX") || exit 3
pids=
keyarg=
[ -n "$key" ] && keyarg="-k $(quote "$key")"

cleanup() {
	# shellcheck disable=SC2086
	stop_pids $pids
	if [ $keep -eq 1 ]; then
		echo "program logs kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
# Ctrl-C or SIGTERM: the comparison server is told at once (it ABORTs
# the run and reports what was delivered), and once it has ended, so does
# this script; the other programs are in sessions of their own, so that
# Ctrl-C reaches them only through the server's ABORT and cleanup.
cs_pid=
on_signal() {
	if [ -n "$cs_pid" ]; then
		p=$cs_pid
		[ -s "$work/cs.pid" ] && p=$(cat "$work/cs.pid")
		kill -"$2" "$p" 2>/dev/null
		wait "$cs_pid" 2>/dev/null
	fi
	exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130 INT' INT
trap 'on_signal 143 TERM' TERM
# setsid: the group manager and the peers leave the terminal's process
# group (where it is missing, Ctrl-C still stops them, before the ABORT).
detach=
command -v setsid >/dev/null 2>&1 && detach=setsid
# After the trap: a folder that cannot be made removes $work too.
[ -n "$logdir" ] || logdir=$work/logs
mkdir -p "$logdir" || { echo "cluster.sh: cannot create $logdir" >&2; exit 3; }

# started FILE PATTERN WHAT: waits for the ready line of a program.
started() {
	wait_line "$1" "$2" && return 0
	echo "cluster.sh: $3 did not start" >&2
	exit 3
}

# The key, if any, as "$@" (no eval: $! must be the program itself).
if [ -n "$key" ]; then set -- -k "$key"; else set --; fi
$detach "$bin/group_manager" -b "$host" -p 0 "$@" 2>"$work/gm.log" &
pids="$pids $!"
gm_line=$(started "$work/gm.log" "listening on" "the group manager") || exit 3
gm_port=${gm_line##*:}
case $host in *:*) gm="[$host]:$gm_port" ;; *) gm="$host:$gm_port" ;; esac

i=0
while [ $i -lt "$peers" ]; do
	$detach "$bin/peer" -g "$gm" -b "$host" -u 0 -p 0 -l "$logdir" "$@" \
	    2>"$work/peer$i.log" &
	pids="$pids $!"
	i=$((i + 1))
done
i=0
while [ $i -lt "$peers" ]; do
	started "$work/peer$i.log" "registered at" "peer $i" >/dev/null
	i=$((i + 1))
done

# Runs the comparison server with the given extra arguments, in the
# background (its pid in cs_pid) so that a signal to this script is
# handled at once, not when the server has finished; its status.
run_cs() {
	n_args="-n \"$peers\" -m \"$messages\""
	[ $sweep -eq 1 ] && n_args=
	rm -f "$work/cs.pid"
	eval "\"$bin/comparison_server\" -g \"$gm\" -b \"$host\" -p 0 $keyarg \
	    -P \"$work/cs.pid\" $n_args $cs_args $*" <&0 &
	cs_pid=$!
	wait "$cs_pid"
	rc=$?
	cs_pid=
	return $rc
}

if [ $compare -eq 0 ]; then
	run_cs
else
	# One run per mode, their RESULT lines, then the table of them all.
	run_cs --compare "$compare_list" --quiet
fi
status=$?
[ "$logdir" != "$work/logs" ] && echo "peer logs: $logdir"
[ $keep -eq 1 ] && echo "peer logs: $logdir"
exit $status
