#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Starts K peers on this host against a group manager, detached, for a
# cloud VM; stops them again.
#
#   scripts/start-peers.sh -g 10.0.0.1:5680 [-k 1] [-d DIR] [-- PEER-ARGS...]
#   scripts/start-peers.sh --stop [-d DIR]
#
# -k K      peers to start (default 1). One peer takes the default ports
#           (UDP 6789, TCP 5679); several take any free ports.
# -d DIR    delivery logs, program logs and pidfiles (default ./mpcomm-peers)
# --stop    stop the peers whose pidfiles are in DIR (SIGTERM: they
#           unregister and exit).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${MPCOMM_BIN:-$here/build/bin}
gm=${MPCOMM_GROUP_MANAGER:-}
k=1
dir=./mpcomm-peers
stop=0

while [ $# -gt 0 ]; do
	case $1 in
	-g) gm=$2; shift 2 ;;
	-k) k=$2; shift 2 ;;
	-d) dir=$2; shift 2 ;;
	--stop) stop=1; shift ;;
	--) shift; break ;;
	-h|--help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "start-peers.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done

if [ $stop -eq 1 ]; then
	for f in "$dir"/peer*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null && echo "stopped peer pid $pid"
	done
	exit 0
fi
case $k in ''|*[!0-9]*|0) echo "start-peers.sh: -k needs a positive number" >&2; exit 2 ;; esac
[ -n "$gm" ] || { echo "start-peers.sh: give -g HOST:PORT (or set MPCOMM_GROUP_MANAGER)" >&2; exit 2; }
[ -x "$bin/peer" ] || make -s -C "$here" >&2 || exit 3
mkdir -p "$dir" || exit 3
dir=$(cd "$dir" && pwd)

ports=
[ "$k" -gt 1 ] && ports="-u 0 -p 0"
i=0
while [ $i -lt "$k" ]; do
	# shellcheck disable=SC2086
	"$bin/peer" -g "$gm" $ports -l "$dir/logs" --daemon \
	    --pidfile "$dir/peer$i.pid" --log-file "$dir/peer$i.log" "$@" ||
	    { echo "start-peers.sh: peer $i did not start" >&2; exit 3; }
	i=$((i + 1))
done
echo "$k peer(s) started; logs in $dir; stop them with: $0 --stop -d $dir"
