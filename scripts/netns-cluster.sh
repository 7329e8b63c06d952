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
#   --cut SPEC       an outage while the run goes on, SPEC in milliseconds
#                    from the moment peer A has delivered something:
#                    A>B@START+LEN  datagrams from peer A to peer B dropped
#                    A@START+LEN    peer A cut off from every peer, both ways
#                    A,B@START+LEN  peers A and B cut off from the others
#                                   (a partition; they still hear each other)
#                    without +LEN the cut lasts until the run ends
#                    (the control connections stay up)
# Only addresses inside the namespaces it creates are used (10.77.0.0/24),
# and it removes everything it created, also on failure.  The programs
# talk across those addresses, so they need a key (protected mode refuses
# strangers otherwise): a fresh one for the run, made with mpctl keygen.
#
#   sudo scripts/netns-cluster.sh -n 4 -m 300 --kernel-loss 0.1
#
# Options: -n PEERS (default 4), -m MESSAGES (default 200), --log-dir DIR
# (keep the peers' delivery logs there; otherwise they are removed at
# exit), -h/--help, --version.  These go to comparison_server: -o,
# --order; -i, --interval; --delay; --loss; --dup; --seed; --window;
# --on-failure; --suspect; -r, --runs; -j, --json; --svg; --csv; -t,
# --timeout; --wait; --shutdown-peers; -q, --quiet; -v, --verbose (as
# there: --delay 40 is 40:40).  MPCOMM_BIN: the folder of the programs
# (default build/bin of the source tree, built if missing; installed:
# PREFIX/bin).
#
# Exit status: 0 every run was ok, 1 a run failed, 2 usage error, 3
# network or system error, also when root, ip or iptables is missing or
# the programs are not found; 130/143 interrupted (SIGINT/SIGTERM).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lib.sh"
PROG=netns-cluster.sh
SYNOPSIS="netns-cluster.sh [-n PEERS] [-m MESSAGES] [--kernel-loss P] [--output-loss P] [--cut SPEC] [--log-dir DIR] [comparison_server options]"
bin=${MPCOMM_BIN:-$here/build/bin}
peers=4 messages=200 kloss= oloss= logdir= cs_args= cut=

# need_prob OPTION VALUE: a probability in [0, 1].
need_prob() {
	case $2 in 0|1|0.*|.*|1.0) ;; *) usage_error "$1: expected a probability in [0, 1]: '$2'" ;; esac
	case $2 in *[!0-9.]*|*.*.*) usage_error "$1: expected a probability in [0, 1]: '$2'" ;; esac
}

while [ $# -gt 0 ]; do
	case $1 in
	--*=*)	o=${1%%=*}; v=${1#*=}; shift; set -- "$o" "$v" "$@"; continue ;;
	-n|--peers) need_value "$1" $#; need_number "$1" "$2" 2 200
		peers=$2; shift 2 ;;
	-m|--messages) need_value "$1" $#; need_number "$1" "$2" 1
		messages=$2; shift 2 ;;
	--kernel-loss) need_value "$1" $#; need_prob "$1" "$2"; kloss=$2; shift 2 ;;
	--output-loss) need_value "$1" $#; need_prob "$1" "$2"; oloss=$2; shift 2 ;;
	--log-dir) need_value "$1" $#; logdir=$2; shift 2 ;;
	--cut) need_value "$1" $#; cut=$2; shift 2 ;;
	-h|--help) show_help "$0" ;;
	--version) show_version ;;
	-q|--quiet|-v|--verbose|--shutdown-peers) cs_args="$cs_args $1"; shift ;;
	-o|--order|-i|--interval|--delay|--loss|--dup|--seed|--window|-r|--runs|\
	-j|--json|--svg|--csv|-t|--timeout|--wait|--on-failure|--suspect)
		need_value "$1" $#
		cs_args="$cs_args $(quote "$1") $(quote "$2")"; shift 2 ;;
	-*) usage_error "unknown option $1" ;;
	*) usage_error "unexpected argument '$1'" ;;
	esac
done
need() { echo "netns-cluster.sh: $1" >&2; exit 3; }
[ "$(id -u)" = 0 ] || need "needs root (network namespaces)"
command -v ip >/dev/null || need "needs ip (iproute2)"
if [ -n "$kloss$oloss$cut" ] && ! command -v iptables >/dev/null; then
	need "--kernel-loss, --output-loss and --cut need iptables"
fi
cut_from= cut_to= cut_start= cut_len= cut_group=
if [ -n "$cut" ]; then
	# A>B@START+LEN, A@START+LEN or A,B,...@START+LEN; +LEN optional
	cut_group=$(echo "${cut%%[>@]*}" | tr ',' ' ')
	cut_from=${cut%%[>@,]*}
	case $cut in *">"*) cut_to=${cut#*>}; cut_to=${cut_to%%@*} ;; esac
	cut_start=${cut#*@}; cut_len=
	case $cut_start in *+*) cut_len=${cut_start#*+} ;; esac
	cut_start=${cut_start%%+*}
	bad="--cut: expected A>B@START+LEN, A@START+LEN or A,B@START+LEN (milliseconds; +LEN optional), not '$cut'"
	case $cut in *@*) ;; *) usage_error "$bad" ;; esac
	for v in "$cut_start" ${cut_len:+"$cut_len"}; do
		case $v in ''|*[!0-9]*) usage_error "$bad" ;; esac
	done
	for v in $cut_group ${cut_to:+"$cut_to"}; do
		case $v in ''|*[!0-9]*) usage_error "$bad" ;; esac
		[ ${#v} -le 4 ] && [ "$v" -lt "$peers" ] ||
		    usage_error "--cut: there is no peer $v of $peers"
	done
	[ -n "$cut_group" ] || usage_error "$bad"
	[ -z "$cut_to" ] || [ "$cut_group" = "$cut_from" ] || usage_error "$bad"
fi
need_programs group_manager peer comparison_server mpctl

tag=${MPCOMM_NETNS_TAG:-m$$}	# the namespaces are named after it
hub=${tag}hub
work=$(mktemp -d "${TMPDIR:-/tmp}/mpcomm-netns.XXXXXX") || exit 3
namespaces=
pids=

cleanup() {
	# shellcheck disable=SC2086
	stop_pids $pids
	for ns in $namespaces; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# After the trap, so that $work goes on every exit.
[ -n "$logdir" ] || logdir=$work/logs
mkdir -p "$logdir" || { echo "netns-cluster.sh: cannot create $logdir" >&2; exit 3; }
key=$work/mpcomm.key
"$bin/mpctl" keygen "$key" >/dev/null || exit 3

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
ip netns exec "${tag}s" "$bin/group_manager" -k "$key" 2>"$work/gm.log" &
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
	ip netns exec "$ns" "$bin/peer" -g "$srv:5680" -l "$logdir" -k "$key" \
	    2>"$work/peer$i.log" &
	pids="$pids $!"
	i=$((i + 1))
done
i=0
while [ $i -lt "$peers" ]; do
	wait_line "$work/peer$i.log" "registered at" >/dev/null || exit 3
	i=$((i + 1))
done

# cut_rules -A|-D: adds or deletes the rules of --cut.  Each rule drops at
# the receiving end, so that no sendto() fails and the cut is silent.
cut_rules() {
	if [ -n "$cut_to" ]; then
		ip netns exec "${tag}p$cut_to" iptables "$1" INPUT -p udp \
		    -s "$(addr $((cut_from + 1)))" -j DROP
		return
	fi
	# Every pair across the cut, at both ends: inside the group, peers
	# still hear each other (a partition).  The group's ends first, one
	# command each, so that once the cut starts no news from the other
	# side (a view change, say) can reach the group.
	others=
	j=0
	while [ $j -lt "$peers" ]; do
		case " $cut_group " in *" $j "*) ;; *) others="$others $j" ;; esac
		j=$((j + 1))
	done
	for g in $cut_group; do
		ip netns exec "${tag}p$g" iptables "$1" INPUT -p udp \
		    -s "$(addr_list $others)" -j DROP
	done
	for j in $others; do
		ip netns exec "${tag}p$j" iptables "$1" INPUT -p udp \
		    -s "$(addr_list $cut_group)" -j DROP
	done
}
# addr_list ID...: the peers' addresses, comma-separated (iptables -s).
addr_list() {
	l=
	for i in "$@"; do l="$l${l:+,}$(addr $((i + 1)))"; done
	echo "$l"
}
ms_sleep() { sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')"; }

eval "ip netns exec \"${tag}s\" \"$bin/comparison_server\" -g \"$srv:5680\" \
    -k \"$key\" -n \"$peers\" -m \"$messages\" $cs_args" &
cs=$!
pids="$pids $cs"
# running: waits (30 s at most) until the run delivers at peer A, so that
# the cut falls inside the run however long the comparison server takes.
running() {
	w=0
	until ip netns exec "${tag}s" "$bin/mpctl" -k "$key" status \
	    "$(addr $((cut_from + 1))):5679" 2>/dev/null |
	    grep -q "^delivered=[1-9]"; do
		w=$((w + 1)); [ $w -lt 600 ] || return 1; sleep 0.05
	done
}
if [ -n "$cut" ]; then
	running || echo "netns-cluster.sh: the run did not start; cutting anyway" >&2
	ms_sleep "$cut_start"
	cut_rules -A && echo "cut: $cut from now" >&2
	if [ -n "$cut_len" ]; then
		ms_sleep "$cut_len"
		cut_rules -D && echo "cut: $cut healed" >&2
	fi
fi
wait "$cs"
status=$?
send_errors=$(cat "$work"/peer*.log | grep -c "sendmmsg" || true)
kept=
[ "$logdir" != "$work/logs" ] && kept="peer logs: $logdir; "
echo "${kept}peers reporting send errors: $send_errors"
exit $status
