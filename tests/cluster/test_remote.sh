#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# scripts/remote.sh against four real sshd (OpenSSH) in network namespaces
# made here, driven from a fifth one: host 0 runs the group manager, the
# comparison server and a peer, hosts 1-3 a peer each.  Asserts that the
# run ends ok with 0 mismatched rounds in total order, that RESULT is the
# last line, that the fetched delivery logs pass checklogs.sh and the JSON
# report is fetched, and that the same experiment through netns-cluster.sh
# gives the same judgement.  Then two runs that end early:
# - Ctrl-C (SIGINT to remote.sh's process group) in the middle of a long
#   run: exit 130, the last line an aborted RESULT judged against what was
#   sent (the fetched report says "(interrupted: N sent)"), every peer's
#   aborted delivery log fetched;
# - a peer that cannot start (its UDP port is taken on host 3): exit 3,
#   "peer did not start on 10.78.0.4", no RESULT.
# After each of the three, nothing remote.sh started is left (no process
# of the PIDs it recorded, no remote folder, no process run from one), and
# its standard error has no "No such file" (it used to grep a peer's log
# before it existed).  The Ctrl-C case is skipped, saying so, without
# setsid and env --default-signal.  Only addresses inside the namespaces
# are used (10.78.0.0/24, ssh on port 2222).  Needs root, ip and
# /usr/sbin/sshd (Debian's openssh-server); skipped otherwise.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "needs ip (iproute2)"
[ -x /usr/sbin/sshd ] || skip "needs /usr/sbin/sshd (openssh-server)"
command -v ssh >/dev/null && command -v scp >/dev/null &&
    command -v ssh-keygen >/dev/null || skip "needs ssh, scp and ssh-keygen"
tag=mr$$
ip netns add "${tag}h" 2>/dev/null || skip "cannot create network namespaces here"
namespaces=${tag}h
made_privsep=
teardown() {
	# shellcheck disable=SC2086
	stop_pids $PIDS
	PIDS=
	for ns in $namespaces; do ip netns del "$ns" 2>/dev/null; done
	[ -z "$made_privsep" ] || rmdir /run/sshd 2>/dev/null
}
trap 'rc=$?; teardown; (exit $rc); cleanup' EXIT

# A bridge in ${tag}h; host I in ${tag}I at 10.78.0.(I+1), the control
# namespace ${tag}c at 10.78.0.100.
ip -n "${tag}h" link add br0 type bridge || fail "bridge"
ip -n "${tag}h" link set br0 up
node() {
	ns=$tag$1
	ip netns add "$ns" || fail "cannot create namespace $ns"
	namespaces="$namespaces $ns"
	ip -n "${tag}h" link add "v$tag$1" type veth peer name eth0 netns "$ns" ||
	    fail "veth for $ns"
	ip -n "${tag}h" link set "v$tag$1" master br0 up
	ip -n "$ns" addr add "10.78.0.$2/24" dev eth0 || fail "address in $ns"
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
}
node c 100

# sshd's privilege separation folder, made (and removed) only if missing.
if [ ! -d /run/sshd ]; then
	mkdir -m 755 /run/sshd || fail "cannot make /run/sshd"
	made_privsep=1
fi
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" || fail "ssh-keygen host"
ssh-keygen -q -t ed25519 -N '' -f "$T/client" || fail "ssh-keygen client"
cp "$T/client.pub" "$T/authorized_keys"
: >"$T/known_hosts"
: >"$T/hosts"
# SetEnv SHLVL=1: bash, the login shell that runs each ssh command, then
# skips ~/.bashrc (it reads it when sshd starts it at level 1): this
# machine's start-up files are no part of the test, and at about 1 s (a
# pyenv init, here) they would be paid by each of remote.sh's commands.
for i in 0 1 2 3; do
	node "$i" $((i + 1))
	a=10.78.0.$((i + 1))
	cat >"$T/sshd$i.conf" <<EOF
ListenAddress $a:2222
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PidFile $T/sshd$i.pid
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
Subsystem sftp /usr/lib/openssh/sftp-server
SetEnv SHLVL=1
EOF
	ip netns exec "$tag$i" /usr/sbin/sshd -D -e -f "$T/sshd$i.conf" \
	    2>"$T/sshd$i.log" &
	PIDS="$PIDS $!"
	echo "[$a]:2222 $(cut -d' ' -f1,2 "$T/hostkey.pub")" >>"$T/known_hosts"
	case $i in
	0) echo "$a group_manager,comparison_server,peer   # all three" ;;
	*) echo "$a peer" ;;
	esac >>"$T/hosts"
done
for i in 0 1 2 3; do
	wait_line "$T/sshd$i.log" "Server listening on" >/dev/null ||
	    fail "sshd $i did not start"
done

# nothing_left DIR N: DIR/started has N records, each gone.  A record is
# "ADDRESS - PATH folder" (the namespaces share this file system) or
# "ADDRESS PID WHAT" (and their PIDs).
nothing_left() {
	n=0
	while read -r a p what; do
		n=$((n + 1))
		case $p in
		-)	d=${what% folder}
			case $d in
			/*/mpcomm-remote.*) [ "$d" != "$what" ] ;;
			*) false ;;
			esac || fail "$1/started: not a folder record: $a $p $what"
			[ ! -e "$d" ] || fail "$a: $d left behind" ;;
		''|*[!0-9]*) fail "$1/started: not a record: $a $p $what" ;;
		*)	! kill -0 "$p" 2>/dev/null ||
			    fail "$a: $what (pid $p) left running" ;;
		esac
	done <"$1/started"
	[ $n -eq "$2" ] || { cat "$1/started"; fail "expected $2 records, not $n"; }
	# Nor any process run from one of the folders, recorded or not.
	ps -eo pid=,args= >"$T/ps"
	for d in $(folders "$(basename "$1")"); do
		! grep -F "$d/" "$T/ps" || fail "a process of $d left running"
	done
}
# folders NAME: the remote folders remote.sh run NAME recorded.
folders() {
	sed -n 's/^[^ ]* - \(.*\) folder$/\1/p' "$T/$1/started" 2>/dev/null
}

# remote NAME ARGS...: in place of the calling (sub)shell, remote.sh from
# the control namespace with the ssh options of these hosts, $PRE (words)
# before it; its results in $T/NAME, its output in $T/NAME.out and .err.
PRE=
remote() {
	name=$1; shift
	# shellcheck disable=SC2086
	exec ip netns exec "${tag}c" env MPCOMM_BIN="$BIN" \
	    MPCOMM_SSH_OPTS="-F /dev/null" $PRE "$TOP/scripts/remote.sh" \
	    --hosts "$T/hosts" --user root --identity "$T/client" \
	    --ssh-port 2222 --ssh-option "UserKnownHostsFile=$T/known_hosts" \
	    --ssh-option StrictHostKeyChecking=yes --out "$T/$name" "$@" \
	    >"$T/$name.out" 2>"$T/$name.err"
}
# no_missing NAME: remote.sh's standard error has no "No such file".
no_missing() {
	! grep "No such file" "$T/$1.err" ||
	    fail "$1: remote.sh printed an error about a missing file"
}

# The experiment over ssh, from the control namespace.
(remote ok -n 4 -m 30 --order total --json "$T/remote.json")
rc=$?
cat "$T/ok.out"
[ $rc -eq 0 ] || { tail -n 20 "$T/ok.err"; fail "remote.sh exited $rc"; }
no_missing ok
last=$(tail -n 1 "$T/ok.out")
case $last in RESULT*) ;; *) fail "the last line is not RESULT: $last" ;; esac
[ -s "$T/remote.json" ] || fail "the JSON report was not fetched"
[ -s "$T/ok/cs.err" ] || fail "the comparison server's log was not fetched"
for a in 10.78.0.1 10.78.0.2 10.78.0.3 10.78.0.4; do
	[ -s "$T/ok/$a/peer.log" ] || fail "no peer log of $a"
done
[ -s "$T/ok/10.78.0.1/gm.log" ] || fail "no group manager log"
run=$(echo "$last" | sed -n 's/.* run=\([0-9]*\).*/\1/p')
"$TOP/tests/cluster/checklogs.sh" "$T/ok/logs" "$run" 4 30 total ||
    fail "the fetched delivery logs"
nothing_left "$T/ok" 10

# The same experiment through netns-cluster.sh.
MPCOMM_NETNS_TAG=${tag}n MPCOMM_BIN=$BIN "$TOP/scripts/netns-cluster.sh" \
    -n 4 -m 30 --order total --log-dir "$T/nlogs" -q >"$T/netns.out" \
    2>"$T/netns.err"
rc=$?
cat "$T/netns.out"
[ $rc -eq 0 ] || { tail "$T/netns.err"; fail "netns-cluster.sh exited $rc"; }
nres=$(grep '^RESULT' "$T/netns.out" | tail -n 1)
nrun=$(echo "$nres" | sed -n 's/.* run=\([0-9]*\).*/\1/p')
"$TOP/tests/cluster/checklogs.sh" "$T/nlogs" "$nrun" 4 30 total ||
    fail "netns-cluster.sh's delivery logs"
# The judgement, without the run number: the same on both ways.
judge() {
	echo "$1" | grep -oE ' (order|peers|messages|delivered_min|delivered_max|mismatched_rounds|missing|duplicates|fifo_violations|status)=[^ ]*' | tr -d '\n'
}
want=" order=total peers=4 messages=120 delivered_min=120 delivered_max=120 mismatched_rounds=0 missing=0 duplicates=0 fifo_violations=0 status=ok"
[ "$(judge "$last")" = "$want" ] || fail "remote.sh: $(judge "$last")"
[ "$(judge "$nres")" = "$want" ] || fail "netns-cluster.sh: $(judge "$nres")"
left=$(ip netns list | awk '{ print $1 }' | grep "^${tag}n")
[ -z "$left" ] || fail "netns-cluster.sh left namespaces: $left"

# Ctrl-C in the middle of a run far too long to finish: SIGINT to
# remote.sh's process group, as a terminal sends it.  A background job
# ignores SIGINT, and a shell cannot trap what it was started ignoring: env
# gives the script the default, as a terminal would.
if command -v setsid >/dev/null && env --default-signal=INT true 2>/dev/null
then
	"$BIN/mpctl" keygen "$T/key" >/dev/null || fail "mpctl keygen"
	PRE="setsid env --default-signal=INT"
	(remote int -k "$T/key" -n 4 -m 1000000 --interval 1:2 --order total) &
	SID=$!
	PIDS="$PIDS $SID"
	PRE=
	# The run is on (the server's output reached remote.sh) and a peer
	# has delivered 100 messages or more.
	w=0
	until grep -q "comparison_server INFO: run [0-9]*: 4 peers" "$T/int.err" \
	    2>/dev/null && ip netns exec "${tag}c" "$BIN/mpctl" -k "$T/key" \
	    -t 2 status 10.78.0.2 2>/dev/null | grep -q "^delivered=[1-9][0-9][0-9]"; do
		w=$((w + 1))
		[ $w -lt 900 ] || { cat "$T/int.err"; fail "int: no run"; }
		sleep 0.1
	done
	kill -INT "-$SID"
	t0=$(date +%s)
	w=0
	while kill -0 "$SID" 2>/dev/null; do
		w=$((w + 1))
		[ $w -lt 900 ] || fail "int: still running 90 s after SIGINT"
		sleep 0.1
	done
	wait "$SID"
	rc=$?
	echo "int: remote.sh ended $(( $(date +%s) - t0 )) s after SIGINT"
	cat "$T/int.out"
	[ $rc -eq 130 ] || { tail -n 20 "$T/int.err"; fail "int: exit $rc, not 130"; }
	no_missing int
	last=$(tail -n 1 "$T/int.out")
	case $last in
	RESULT*" status=aborted") ;;
	*) fail "int: the last line is not an aborted RESULT: $last" ;;
	esac
	run=$(echo "$last" | sed -n 's/.* run=\([0-9]*\).*/\1/p')
	sent=$(echo "$last" | sed -n 's/.* messages=\([0-9]*\) .*/\1/p')
	# The report is in the fetched cs.out: the SIGINT ended the ssh that
	# followed the server's output.
	[ "$sent" -gt 0 ] && [ "$sent" -lt 4000000 ] &&
	    grep -q "(interrupted: $sent sent)" "$T/int/cs.out" ||
	    fail "int: not judged against what was sent"
	for id in 0 1 2 3; do
		head -n 1 "$T/int/logs/run$run-peer$id.log" 2>/dev/null |
		    grep -q "status=aborted" ||
		    fail "int: no aborted delivery log of peer $id fetched"
	done
	nothing_left "$T/int" 10
else
	echo "the Ctrl-C case is skipped: it needs setsid and env --default-signal (coreutils 8.31)"
fi

# A peer that cannot start: UDP port 6789 on host 3 is held by a peer of
# ours that never registers (its group manager is nowhere), so remote.sh's
# peer there exits at once: exit 3, and what it had started is stopped and
# removed.
mkdir "$T/holder" || fail "mkdir"
ip netns exec "${tag}3" "$BIN/peer" -g 127.0.0.1:9 -u 6789 -p 0 \
    -l "$T/holder" --register-timeout 600 2>"$T/holder.err" &
holder=$!
PIDS="$PIDS $holder"
wait_line "$T/holder.err" "ready: udp port 6789," >/dev/null ||
    fail "the peer holding UDP port 6789 did not start"
(remote fail -n 4 -m 30 --order total)
rc=$?
cat "$T/fail.out"
[ $rc -eq 3 ] || { tail -n 20 "$T/fail.err"; fail "fail: exit $rc, not 3"; }
no_missing fail
grep -q "cannot bind UDP port 6789" "$T/fail.err" &&
    grep -q "^remote.sh: peer did not start on 10.78.0.4$" "$T/fail.err" ||
    { cat "$T/fail.err"; fail "fail: not the peer on 10.78.0.4 that could not bind"; }
! grep -q "^RESULT" "$T/fail.out" || fail "fail: a RESULT line"
nothing_left "$T/fail" 8
exit 0
