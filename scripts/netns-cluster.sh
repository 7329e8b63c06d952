#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A cluster as on separate machines (needs root, ip, and iptables for loss):
# every peer in its own network namespace with its own address and the
# DEFAULT ports, the group manager and the comparison server in another,
# all joined by a bridge inside one more namespace.  Optional kernel-level
# loss in each peer's namespace:
#   --kernel-loss P  iptables INPUT ... -m statistic --probability P -j DROP
#                    (a silent drop at the receiver, like real loss)
#   --output-loss P  the same rule in OUTPUT: the sender's sendto() fails
#                    with EPERM, which the peer must survive as a loss
# Only addresses inside the namespaces it creates are used (10.77.0.0/24),
# and it removes everything it created, also on failure.
#
#   sudo scripts/netns-cluster.sh -n 4 -m 300 --kernel-loss 0.1
#
# Options: -n PEERS (default 4), -m MESSAGES (default 200), --log-dir DIR;
# every other option goes to comparison_server.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lib.sh"
bin=${MPCOMM_BIN:-$here/build/bin}
peers=4 messages=200 kloss= oloss= logdir= cs_args=

while [ $# -gt 0 ]; do
	case $1 in
	-n) peers=$2; shift 2 ;;
	-m) messages=$2; shift 2 ;;
	--kernel-loss) kloss=$2; shift 2 ;;
	--output-loss) oloss=$2; shift 2 ;;
	--log-dir) logdir=$2; shift 2 ;;
	-h|--help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-q|--quiet|--shutdown-peers) cs_args="$cs_args $1"; shift ;;
	-*) cs_args="$cs_args $(quote "$1") $(quote "$2")"; shift 2 ;;
	*) echo "netns-cluster.sh: unexpected $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "netns-cluster.sh: needs root" >&2; exit 77; }
command -v ip >/dev/null || { echo "netns-cluster.sh: needs ip (iproute2)" >&2; exit 77; }
if [ -n "$kloss$oloss" ] && ! command -v iptables >/dev/null; then
	echo "netns-cluster.sh: --kernel-loss needs iptables" >&2; exit 77
fi
case $peers in ''|*[!0-9]*) exit 2 ;; esac
[ "$peers" -ge 2 ] && [ "$peers" -le 200 ] || { echo "netns-cluster.sh: 2..200 peers" >&2; exit 2; }
[ -x "$bin/peer" ] || make -s -C "$here" >&2 || exit 3

tag=m$$
hub=${tag}hub
work=$(mktemp -d "${TMPDIR:-/tmp}/mpcomm-netns.XXXXXX") || exit 3
[ -n "$logdir" ] || logdir=$work/logs
mkdir -p "$logdir"
namespaces=
pids=

cleanup() {
	# shellcheck disable=SC2086
	stop_pids $pids
	for ns in $namespaces; do ip netns del "$ns" 2>/dev/null; done
	[ "$logdir" = "$work/logs" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "netns-cluster.sh: $*" >&2; exit 3; }

ip netns add "$hub" || die "cannot create namespace $hub"
namespaces="$hub"
ip -n "$hub" link add br0 type bridge || die "bridge"
ip -n "$hub" link set br0 up
ip -n "$hub" link set lo up

# host NAME INDEX: a namespace with address 10.77.0.INDEX on the bridge.
host() {
	ns=$tag$1
	ip netns add "$ns" || die "cannot create namespace $ns"
	namespaces="$namespaces $ns"
	ip -n "$hub" link add "h$tag$1" type veth peer name eth0 netns "$ns" ||
	    die "veth for $ns"
	ip -n "$hub" link set "h$tag$1" master br0 up
	ip -n "$ns" addr add "10.77.$(($2 / 250)).$(($2 % 250 + 1))/16" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
}
addr() { echo "10.77.$(($1 / 250)).$(($1 % 250 + 1))"; }


host s 0
srv=$(addr 0)
ip netns exec "${tag}s" "$bin/group_manager" 2>"$work/gm.log" &
pids="$pids $!"
wait_line "$work/gm.log" "listening on" >/dev/null || exit 3

i=0
while [ $i -lt "$peers" ]; do
	host "p$i" $((i + 1))
	ns=${tag}p$i
	if [ -n "$kloss" ]; then
		ip netns exec "$ns" iptables -A INPUT -p udp -m statistic \
		    --mode random --probability "$kloss" -j DROP || die "iptables"
	fi
	if [ -n "$oloss" ]; then
		ip netns exec "$ns" iptables -A OUTPUT -p udp -m statistic \
		    --mode random --probability "$oloss" -j DROP || die "iptables"
	fi
	ip netns exec "$ns" "$bin/peer" -g "$srv:5680" -l "$logdir" \
	    2>"$work/peer$i.log" &
	pids="$pids $!"
	i=$((i + 1))
done
i=0
while [ $i -lt "$peers" ]; do
	wait_line "$work/peer$i.log" "registered at" >/dev/null || exit 3
	i=$((i + 1))
done

eval "ip netns exec \"${tag}s\" \"$bin/comparison_server\" -g \"$srv:5680\" \
    -n \"$peers\" -m \"$messages\" $cs_args"
status=$?
send_errors=$(cat "$work"/peer*.log | grep -c "sendmmsg" || true)
echo "peer logs: $logdir (peers reporting send errors: $send_errors)"
exit $status
