#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# One experiment on a list of machines, driven over ssh from this one (a
# control node, as Jepsen's): copies the programs to each host (or builds
# them there), starts the group manager, then the peers one by one in the
# file's order, runs the comparison server with the options given, fetches
# its output and every peer's delivery log, and stops and removes all it
# started (by the PIDs it recorded, and its own temporary folder on each
# host), also on Ctrl-C, SIGTERM and failure.
#
#   scripts/remote.sh --hosts hosts.txt -n 4 -m 300 --order total
#   scripts/remote.sh --hosts hosts.txt --user admin --identity ~/.ssh/lab -m 100
#
# The hosts file, one host a line, `#` starts a comment:
#   ADDRESS ROLE[,ROLE...] [REGION]
# ROLE is group_manager, comparison_server or peer: exactly one host has
# group_manager, exactly one comparison_server, at least two peer.  A peer
# host runs one peer on the default ports.  REGION (peer hosts only, then
# on every one) places that peer there: --place in the file's order, with
# --regions world unless --regions FILE is given (emulated delays, as in
# cluster.sh; leave it out on hosts that really are far apart).  ADDRESS is
# used for ssh and by the programs: ports 5678, 5679, 5680 (TCP) and 6789
# (UDP) must be open between the hosts.
#
# Options of its own:
#   --hosts FILE        the hosts (required)
#   -n, --peers N       peers in the run (default: every peer host)
#   -m, --messages M    messages per peer (default 200)
#   --out DIR           where the results go (default ./mpcomm-remote.XXXXXX):
#                       cs.out, cs.err, logs/ (delivery logs), HOST/ (each
#                       host's program logs), started (address, pid, what)
#   --build             copy the sources and build on each host (make, cc)
#                       instead of copying this machine's programs
#   --user USER, -l USER   ssh login name
#   --identity KEY      ssh private key file
#   --ssh-port PORT     ssh port (default: ssh's)
#   --ssh-option OPT    one more ssh -o option (repeatable); $MPCOMM_SSH_OPTS
#                       adds words to every ssh and scp command line
#   -k, --key-file PATH the run's key (default: a fresh one, mpctl keygen)
#   -h, --help          this text; --version
# MPCOMM_BIN is the folder of the programs it copies (default build/bin of
# the source tree, built if missing; installed: PREFIX/bin); exit 3 when
# they are not found.  Every ssh runs with BatchMode=yes, one shared
# connection a host.  These go to comparison_server: -o, --order; -i,
# --interval; --delay; --loss; --dup; --seed; --window; --on-failure;
# --suspect; --regions; --place; --trace [N]; -r, --runs; -t, --timeout;
# --wait; --sweep-peers; --sweep-messages; -q, --quiet; -v, --verbose;
# and the files, written on the host and fetched to the path
# given here: -j, --json; --svg; --csv; --svg-summary; --spacetime;
# --shiviz.  The RESULT line is the last line of standard output; the rest
# of this script's messages go to standard error.
#
# Exit status: the comparison server's (0 every run ok, 1 a run failed, 2
# usage error), 2 also for a bad hosts file or option, 3 ssh, copy, build or
# start failed, 130/143 interrupted.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/lib.sh"
PROG=remote.sh
SYNOPSIS="remote.sh --hosts FILE [-n PEERS] [-m MESSAGES] [--out DIR] [--build] [--user USER] [--identity KEY] [--ssh-port PORT] [--ssh-option OPT]... [comparison_server options]"
bin=${MPCOMM_BIN:-$here/build/bin}
hosts_file= peers= messages=200 out= build=0 user= ident= sshport= key=
sshq=			# ssh options, quoted words
cs_args=		# comparison_server options, quoted words
files=			# output files: "remote-name local-path" lines
regions_file= place= sweep=0 sweep_max=0 nfiles=0

add_cs() { for a in "$@"; do cs_args="$cs_args $(quote "$a")"; done; }
add_ssh() { for a in "$@"; do sshq="$sshq $(quote "$a")"; done; }
# abspath FILE: FILE with its folder made absolute.
abspath() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }

# out_file OPTION PATH: a file the comparison server writes on its host,
# fetched to PATH here; PATH's folder must be writable now, not after the run.
out_file() {
	d=$(dirname "$2")
	[ -d "$d" ] && [ -w "$d" ] || usage_error "$1: cannot write in $d"
	[ ! -d "$2" ] || usage_error "$1: $2 is a folder"
	nfiles=$((nfiles + 1))
	files="$files
f$nfiles-$(basename "$2") $(abspath "$2")"
	add_cs "$1" "@DIR@/out/f$nfiles-$(basename "$2")"
}

while [ $# -gt 0 ]; do
	case $1 in
	--*=*)	o=${1%%=*}; v=${1#*=}; shift; set -- "$o" "$v" "$@"; continue ;;
	esac
	case $1 in
	--hosts) need_value "$1" $#; hosts_file=$2; shift 2 ;;
	-n|--peers) need_value "$1" $#; need_number "$1" "$2" 2 1000
		peers=$2; shift 2 ;;
	-m|--messages) need_value "$1" $#; need_number "$1" "$2" 1
		messages=$2; shift 2 ;;
	--out) need_value "$1" $#; out=$2; shift 2 ;;
	--build) build=1; shift ;;
	-l|--user) need_value "$1" $#; user=$2; shift 2 ;;
	--identity) need_value "$1" $#
		[ -r "$2" ] || usage_error "$1: cannot read $2"
		ident=$(abspath "$2"); shift 2 ;;
	--ssh-port) need_value "$1" $#; need_number "$1" "$2" 1 65535
		sshport=$2; shift 2 ;;
	--ssh-option) need_value "$1" $#; add_ssh -o "$2"; shift 2 ;;
	-k|--key-file) need_value "$1" $#
		[ -r "$2" ] || usage_error "$1: cannot read $2"
		key=$(abspath "$2"); shift 2 ;;
	-h|--help) show_help "$0" ;;
	--version) show_version ;;
	-o|--order|-i|--interval|--delay|--loss|--dup|--seed|--window|-r|--runs|\
	-t|--timeout|--wait|--on-failure|--suspect)
		need_value "$1" $#; add_cs "$1" "$2"; shift 2 ;;
	--sweep-peers) need_value "$1" $#; sweep=1
		for v in $(echo "$2" | tr ',' ' '); do
			need_number "$1" "$v" 2 1000
			[ "$v" -gt "$sweep_max" ] && sweep_max=$v
		done
		add_cs "$1" "$2"; shift 2 ;;
	--sweep-messages) need_value "$1" $#; sweep=1; add_cs "$1" "$2"; shift 2 ;;
	--place) need_value "$1" $#; place=$2; shift 2 ;;
	--regions) need_value "$1" $#
		case $2 in
		world) add_cs "$1" world ;;
		*) [ -f "$2" ] && [ -r "$2" ] ||
		       usage_error "$1: not a readable regular file: $2"
		   regions_file=$(abspath "$2"); add_cs "$1" "@DIR@/regions" ;;
		esac
		shift 2 ;;
	-j|--json|--svg|--csv|--svg-summary|--spacetime|--shiviz)
		need_value "$1" $#; out_file "$1" "$2"; shift 2 ;;
	--trace) case ${2:-} in
		[0-9]*) add_cs "--trace=$2"; shift 2 ;;
		*) add_cs "$1"; shift ;;
		esac ;;
	-q|--quiet|-v|--verbose) add_cs "$1"; shift ;;
	-*) usage_error "unknown option $1" ;;
	*) usage_error "unexpected argument '$1'" ;;
	esac
done
[ -n "$hosts_file" ] || usage_error "--hosts FILE is required"
[ -f "$hosts_file" ] && [ -r "$hosts_file" ] ||
    usage_error "--hosts: not a readable regular file: $hosts_file"

# The hosts file into h_addr_I, h_roles_I, h_region_I (I from 0); gm and
# cs the indexes of those roles, pl the peer hosts' indexes in order.
nh=0 gm= cs= pl= regions=0 lineno=0
bad() { usage_error "$hosts_file:$lineno: $1"; }
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	line=${line%%#*}
	# shellcheck disable=SC2086
	set -- $line
	[ $# -gt 0 ] || continue
	[ $# -le 3 ] || bad "expected ADDRESS ROLE[,ROLE...] [REGION], not '$line'"
	[ $# -ge 2 ] || bad "no role for $1"
	case $1 in
	*[!A-Za-z0-9.:_-]*|-*) bad "not a host name or address: '$1'" ;;
	esac
	i=0
	while [ $i -lt $nh ]; do
		eval "[ \"\$h_addr_$i\" != \"\$1\" ]" || bad "$1 is listed twice"
		i=$((i + 1))
	done
	has_peer=0
	for r in $(echo "$2" | tr ',' ' '); do
		case $r in
		group_manager) [ -z "$gm" ] || bad "a second group_manager"; gm=$nh ;;
		comparison_server) [ -z "$cs" ] || bad "a second comparison_server"
			cs=$nh ;;
		peer) [ $has_peer = 0 ] || bad "peer twice"; has_peer=1
			pl="$pl $nh" ;;
		*) bad "unknown role '$r' (group_manager, comparison_server, peer)" ;;
		esac
	done
	case $2 in ,*|*,|*,,*) bad "empty role in '$2'" ;; esac
	region=${3:-}
	if [ -n "$region" ]; then
		[ $has_peer = 1 ] || bad "a region without the peer role (it places the host's peer)"
		case $region in *[!A-Za-z0-9._-]*) bad "not a region name: '$region'" ;; esac
		regions=$((regions + 1))
	fi
	eval "h_addr_$nh=\$1 h_roles_$nh=\$2 h_region_$nh=\$region"
	nh=$((nh + 1))
done <"$hosts_file"
lineno=end
[ -n "$gm" ] || bad "no group_manager host"
[ -n "$cs" ] || bad "no comparison_server host"
npeers=$(echo $pl | wc -w)
[ "$npeers" -ge 2 ] || bad "at least two peer hosts are needed, not $npeers"
if [ -n "$peers" ]; then
	[ "$peers" -le "$npeers" ] ||
	    usage_error "-n $peers: the hosts file has $npeers peer hosts"
	[ $sweep = 0 ] || usage_error "-n and a sweep exclude each other"
else
	peers=$npeers
fi
[ "$sweep_max" -le "$npeers" ] ||
    usage_error "--sweep-peers $sweep_max: the hosts file has $npeers peer hosts"
if [ $regions -gt 0 ]; then
	[ $regions = "$npeers" ] || bad "a region on every peer host or on none"
	[ -z "$place" ] || usage_error "--place and regions in the hosts file exclude each other"
	for i in $pl; do eval "place=\${place:+\$place,}\$h_region_$i"; done
	case $cs_args in *"'--regions'"*) ;; *) add_cs --regions world ;; esac
fi
[ -z "$place" ] || add_cs --place "$place"

if [ $build = 0 ]; then
	need_programs group_manager peer comparison_server
else
	[ -f "$here/Makefile" ] && [ -d "$here/src" ] ||
	    usage_error "--build: no sources next to this script ($here)"
fi
[ -n "$key" ] || [ -x "$bin/mpctl" ] ||
    { echo "remote.sh: no $bin/mpctl to make a key (or give -k)" >&2; exit 3; }

if [ -n "$out" ]; then
	mkdir -p "$out" 2>/dev/null && [ -w "$out" ] ||
	    { echo "remote.sh: cannot write in $out" >&2; exit 3; }
else
	out=$(mktemp -d ./mpcomm-remote.XXXXXX) || exit 3
fi
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mpcomm-remote.XXXXXX") || exit 3
if [ -z "$key" ]; then
	key=$work/mpcomm.key
	"$bin/mpctl" keygen "$key" >/dev/null || exit 3
fi
: >"$out/started"

# ssh's and scp's options: batch mode, then the user's.
add_ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 \
    -o ServerAliveCountMax=3
# One connection a host, shared by all the commands (ended at exit).
add_ssh -o ControlMaster=auto -o "ControlPath=$work/cm-%C" \
    -o ControlPersist=120
[ -z "$user" ] || add_ssh -o "User=$user"
[ -z "$sshport" ] || add_ssh -o "Port=$sshport"
[ -z "$ident" ] || add_ssh -i "$ident"
for w in ${MPCOMM_SSH_OPTS:-}; do add_ssh "$w"; done

addr() { eval "echo \"\$h_addr_$1\""; }
rdir() { eval "echo \"\${h_dir_$1:-}\""; }
# on I COMMAND: runs the shell COMMAND on host I (@DIR@ is its folder).
on() {
	c=$(printf '%s\n' "$2" | sed "s|@DIR@|$(rdir "$1")|g")
	eval "ssh $sshq -- $(quote "$(addr "$1")") $(quote "$c")"
}
# copy I FILE...: scp of the FILEs into host I's folder.
copy() {
	h=$1; shift
	a=$(addr "$h")
	case $a in *:*) a="[$a]" ;; esac
	l=
	for f in "$@"; do l="$l $(quote "$f")"; done
	eval "scp -q $sshq $l $(quote "$a:$(rdir "$h")/")"
}
say() { echo "remote.sh: $*" >&2; }
die() { say "$*"; exit 3; }

# The remote halves.  stop: every process whose pidfile is in the folder
# and whose command line names the folder (no other process, even one that
# took a recycled PID), SIGTERM, up to 5 s, SIGKILL; then the folder goes.
STOP='cd / || exit 1; d=@DIR@; pids=
for f in "$d"/*.pid; do
	[ -f "$f" ] || continue
	p=$(cat "$f"); case $p in ""|*[!0-9]*) continue ;; esac
	ps -p "$p" -o args= 2>/dev/null | grep -qF "$d/" && pids="$pids $p"
done
[ -z "$pids" ] || kill $pids 2>/dev/null
alive=$pids; i=0
while [ -n "$alive" ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1)); a=
	for p in $alive; do kill -0 "$p" 2>/dev/null && a="$a $p"; done
	alive=$a
done
[ -z "$alive" ] || kill -9 $alive 2>/dev/null
rm -rf "$d"'
# start NAME PATTERN COMMAND: COMMAND detached, its pid in NAME.pid, its
# standard error in NAME.log; waits (10 s) for PATTERN there (grep -s: the
# log may not be made yet); prints the pid.
start_cmd() {
	printf '%s' "cd @DIR@ || exit 1
nohup $3 </dev/null >$1.out 2>$1.log &
p=\$!; echo \$p >$1.pid; i=0
until grep -qs '$2' $1.log; do
	kill -0 \$p 2>/dev/null || { echo '$1 exited:' >&2; tail -n 5 $1.log >&2; exit 1; }
	i=\$((i + 1)); [ \$i -lt 100 ] || { echo 'no \"$2\" after 10 s:' >&2; tail -n 5 $1.log >&2; exit 1; }
	sleep 0.1
done
echo \$p"
}

cs_started=0 sig= status=
cleanup() {
	rc=$?
	[ -n "$status" ] && rc=$status
	[ -n "$sig" ] && rc=$sig
	# The other hosts first (their peers unregister), the group manager's
	# host last.
	i=0
	while [ $i -le $nh ]; do
		h=$i
		[ $i = $nh ] && h=$gm
		i=$((i + 1))
		[ "$h" != "$gm" ] || [ $i -gt $nh ] || continue
		d=$(rdir "$h")
		[ -n "$d" ] || continue
		on "$h" "$STOP" </dev/null ||
		    say "could not clean up $(addr "$h"):$d"
	done
	i=0
	while [ $i -lt $nh ]; do
		eval "ssh $sshq -O exit $(quote "$(addr $i)")" </dev/null \
		    >/dev/null 2>&1
		i=$((i + 1))
	done
	rm -rf "$work"
	trap - EXIT
	exit "$rc"
}
trap cleanup EXIT
# A signal while the run goes on aborts it (SIGTERM to the comparison
# server: the peers get ABORT, the report is written and fetched); before
# it, or a second signal, ends at once (the EXIT trap cleans up).
on_signal() {
	if [ -n "$sig" ] || [ $cs_started = 0 ]; then sig=$1; exit "$1"; fi
	sig=$1
	say "interrupted: stopping the comparison server"
	on "$cs" 'kill -TERM $(cat @DIR@/cs.pid)' </dev/null
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# 1. A fresh folder on each host.
i=0
while [ $i -lt $nh ]; do
	d=$(on $i 'mktemp -d "${TMPDIR:-/tmp}/mpcomm-remote.XXXXXX"' </dev/null) ||
	    die "ssh to $(addr $i) failed"
	case $d in
	/*/mpcomm-remote.*) ;;
	*) die "$(addr $i): mktemp -d answered '$d'" ;;
	esac
	case $d in *[!A-Za-z0-9/._-]*) die "$(addr $i): odd folder name '$d'" ;; esac
	eval "h_dir_$i=\$d"
	echo "$(addr $i) - $d folder" >>"$out/started"
	i=$((i + 1))
done

# 2. The programs and the key (and the regions table) on each host.
if [ $build = 1 ]; then
	(cd "$here" && tar cf "$work/src.tar" Makefile include src) ||
	    die "cannot pack the sources"
fi
progs() {
	r=$(eval echo "\$h_roles_$1")
	case $r in *group_manager*) echo group_manager ;; esac
	case $r in *comparison_server*) echo comparison_server ;; esac
	case $r in *peer*) echo peer ;; esac
}
i=0
while [ $i -lt $nh ]; do
	extra=
	[ "$i" = "$cs" ] && [ -n "$regions_file" ] && extra=$regions_file
	if [ $build = 1 ]; then
		copy $i "$work/src.tar" "$key" $extra ||
		    die "cannot copy to $(addr $i)"
		say "building on $(addr $i)"
		cp_bins=
		for p in $(progs $i); do cp_bins="$cp_bins src/build/bin/$p"; done
		on $i "cd @DIR@ && mkdir src && tar xf src.tar -C src &&
		    make -s -C src >build.log 2>&1 && cp $cp_bins . ||
		    { tail -n 20 build.log >&2; exit 1; }" </dev/null ||
		    die "the build failed on $(addr $i)"
	else
		l=
		for p in $(progs $i); do l="$l $bin/$p"; done
		# shellcheck disable=SC2086
		copy $i $l "$key" $extra || die "cannot copy to $(addr $i)"
	fi
	on $i "chmod 600 @DIR@/$(basename "$key")" </dev/null || die "chmod on $(addr $i)"
	[ -z "$extra" ] || on $i "mv @DIR@/$(basename "$extra") @DIR@/regions" </dev/null
	i=$((i + 1))
done
rkey="@DIR@/$(basename "$key")"
gm_addr=$(addr "$gm")
case $gm_addr in *:*) gm_hp="[$gm_addr]:5680" ;; *) gm_hp="$gm_addr:5680" ;; esac

# run NAME I PATTERN COMMAND: started on host I, its pid recorded.
run() {
	p=$(on "$2" "$(start_cmd "$1" "$3" "$4")" </dev/null) ||
	    die "$1 did not start on $(addr "$2")"
	echo "$(addr "$2") $p $1" >>"$out/started"
}

# 3. The group manager, then the peers one at a time: the comparison
# server numbers them in the order they registered, the file's order.
run gm "$gm" "listening on" "@DIR@/group_manager -k $rkey"
say "group manager on $gm_addr"
for i in $pl; do
	run peer "$i" "registered at" \
	    "@DIR@/peer -g $gm_hp -k $rkey -l @DIR@/logs"
	say "peer on $(addr "$i")"
done

# 4. The comparison server, detached on its host (a lost ssh connection
# does not end the run), its output followed from here.
n_args="-n $peers -m $messages"
[ $sweep = 1 ] && n_args=
csq=$(printf '%s' "$cs_args" | sed "s/'/'\\\\''/g")
on "$cs" "cd @DIR@ || exit 1; mkdir -p out || exit 1
nohup sh -c 'echo \$\$ >csw.pid
@DIR@/comparison_server -g $gm_hp -k $rkey $n_args $csq </dev/null >cs.out 2>cs.err &
echo \$! >cs.pid; wait \$!; echo \$? >cs.rc' </dev/null >/dev/null 2>&1 &
i=0; until [ -s cs.pid ]; do i=\$((i + 1)); [ \$i -lt 50 ] || exit 1; sleep 0.1; done
cat cs.pid" </dev/null >"$work/cs.pid" ||
    die "the comparison server did not start on $(addr "$cs")"
echo "$(addr "$cs") $(cat "$work/cs.pid") comparison_server" >>"$out/started"
cs_started=1
on "$cs" 'cd @DIR@ && p=$(cat cs.pid) &&
    { tail -n +1 -f --pid="$p" cs.err >&2 & tail -n +1 -f --pid="$p" cs.out; wait; }' \
    </dev/null | grep --line-buffered -v '^RESULT' &
follow=$!
# wait returns early on a signal; the stream ends with the server.
while kill -0 "$follow" 2>/dev/null; do wait "$follow"; done

# 5. Its output, its files and every host's logs.
on "$cs" 'cd @DIR@ && i=0; while [ ! -f cs.rc ] && [ $i -lt 100 ]; do
    i=$((i + 1)); sleep 0.1; done; cat cs.rc' </dev/null >"$work/cs.rc"
cs_rc=$(cat "$work/cs.rc")
on "$cs" 'cd @DIR@ && tar cf - cs.out cs.err out' </dev/null |
    tar xf - -C "$work" || say "cannot fetch the comparison server's output"
cp "$work/cs.out" "$work/cs.err" "$out/" 2>/dev/null
echo "$files" | while read -r r l; do
	[ -n "$r" ] || continue
	if [ -f "$work/out/$r" ]; then cp "$work/out/$r" "$l"
	else say "the comparison server wrote no $(basename "$l")"; fi
done
mkdir -p "$out/logs"
i=0
while [ $i -lt $nh ]; do
	hd=$out/$(addr $i)
	mkdir -p "$hd"
	on $i 'cd @DIR@ && tar cf - *.log $(test -d logs && echo logs)' \
	    </dev/null | tar xf - -C "$hd" ||
	    say "cannot fetch the logs of $(addr $i)"
	if [ -d "$hd/logs" ]; then
		for f in "$hd"/logs/*; do [ -f "$f" ] && mv "$f" "$out/logs/"; done
		rmdir "$hd/logs" 2>/dev/null
	fi
	i=$((i + 1))
done
say "results in $out"
case $cs_rc in
''|*[!0-9]*) say "no exit status from the comparison server"; status=3 ;;
*) status=$cs_rc ;;
esac
grep '^RESULT' "$out/cs.out" 2>/dev/null | tail -n 1
exit "$status"
