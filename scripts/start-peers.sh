#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Starts K peers on this host against a group manager, detached, for a
# cloud VM; stops them again.
#
#   scripts/start-peers.sh -g 10.0.0.1:5680 [-k 1] [-d DIR] [-- PEER-ARGS...]
#   scripts/start-peers.sh -g 10.0.0.1:5680 -k 4 -- --peer-timeout 5000 --suspect 800
#   scripts/start-peers.sh --stop [-d DIR]
#
# -g H:P    the group manager (default $MPCOMM_GROUP_MANAGER)
# -k K      peers to start (default 1). One peer takes the default ports
#           (UDP 6789, TCP 5679); several take any free ports.
# -d DIR    delivery logs, program logs and pidfiles (default ./mpcomm-peers)
# --stop    stop the peers whose pidfiles are in DIR (SIGTERM: they
#           unregister and exit) and wait until they have exited.
# -h, --help  this text; --version.  The peers run detached (--daemon) and
# keep trying to register until the group manager answers.  A peer that
# does not start has its log's last lines (its FATAL) shown.
# MPCOMM_BIN    the folder of the programs (default build/bin of the source
#               tree, built if missing; installed: PREFIX/bin)
#
# Exit status: 0 done, 2 usage error (also --stop with a DIR that does not
# exist), 3 a peer did not start or did not stop, or the programs are not
# found.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lib.sh"
PROG=start-peers.sh
SYNOPSIS="start-peers.sh -g HOST:PORT [-k K] [-d DIR] [-- PEER-ARGS...] | --stop [-d DIR]"
bin=${MPCOMM_BIN:-$here/build/bin}
gm=${MPCOMM_GROUP_MANAGER:-}
k=1
dir=./mpcomm-peers
stop=0

while [ $# -gt 0 ]; do
	case $1 in
	-g) need_value "$1" $#; gm=$2; shift 2 ;;
	-k) need_value "$1" $#; need_number "$1" "$2" 1 1000; k=$2; shift 2 ;;
	-d) need_value "$1" $#; dir=$2; shift 2 ;;
	--stop) stop=1; shift ;;
	--) shift; break ;;
	-h|--help) show_help "$0" ;;
	--version) show_version ;;
	-*) usage_error "unknown option $1" ;;
	*) usage_error "unexpected argument '$1'" ;;
	esac
done

# stop_dir: SIGTERM to every peer with a pidfile in $dir, then waits.
stop_dir() {
	[ -d "$dir" ] || usage_error "-d: no such directory: $dir"
	pids=
	for f in "$dir"/peer*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		case $pid in ''|*[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null && pids="$pids $pid"
	done
	[ -n "$pids" ] || { echo "start-peers.sh: no running peer in $dir"; exit 0; }
	for p in $pids; do kill "$p" 2>/dev/null; done
	# shellcheck disable=SC2086
	alive=$(wait_gone 100 $pids)
	if [ -n "$alive" ]; then
		echo "start-peers.sh: still running after 10 s:$alive" >&2
		exit 3
	fi
	echo "stopped peer(s):$pids"
	exit 0
}

[ $stop -eq 1 ] && stop_dir
[ -n "$gm" ] || usage_error "give -g HOST:PORT (or set MPCOMM_GROUP_MANAGER)"
need_programs peer
mkdir -p "$dir" || exit 3
dir=$(cd "$dir" && pwd)

ports=
[ "$k" -gt 1 ] && ports="-u 0 -p 0"
i=0
while [ $i -lt "$k" ]; do
	# shellcheck disable=SC2086
	"$bin/peer" -g "$gm" $ports -l "$dir/logs" --daemon \
	    --pidfile "$dir/peer$i.pid" --log-file "$dir/peer$i.log" "$@" ||
	    { echo "start-peers.sh: peer $i did not start; $dir/peer$i.log" \
	      "ends with:" >&2; tail -n 5 "$dir/peer$i.log" >&2; exit 3; }
	i=$((i + 1))
done
echo "$k peer(s) started; logs in $dir; stop them with: $0 --stop -d $dir"
