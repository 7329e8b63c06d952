#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# scripts/remote.sh against four real sshd (OpenSSH) in network namespaces
# made here, driven from a fifth one: host 0 runs the group manager, the
# comparison server and a peer, hosts 1-3 a peer each.  Asserts that the
# run ends ok with 0 mismatched rounds in total order, that RESULT is the
# last line, that remote.sh's standard error has no "No such file" (it used
# to grep a peer's log before it existed), that the fetched delivery logs
# pass checklogs.sh and the JSON report is fetched, that the same
# experiment through netns-cluster.sh gives the same judgement, and that
# nothing remote.sh started is left (no process of the PIDs it recorded, no
# remote folder).  Only addresses
# inside the namespaces are used (10.78.0.0/24, ssh on port 2222).  Needs
# root, ip and /usr/sbin/sshd (Debian's openssh-server); skipped otherwise.
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
}

# The experiment over ssh, from the control namespace.
ip netns exec "${tag}c" env MPCOMM_BIN="$BIN" MPCOMM_SSH_OPTS="-F /dev/null" \
    "$TOP/scripts/remote.sh" --hosts "$T/hosts" --user root \
    --identity "$T/client" --ssh-port 2222 \
    --ssh-option "UserKnownHostsFile=$T/known_hosts" \
    --ssh-option StrictHostKeyChecking=yes \
    -n 4 -m 30 --order total --out "$T/out" --json "$T/remote.json" \
    >"$T/remote.out" 2>"$T/remote.err"
rc=$?
cat "$T/remote.out"
[ $rc -eq 0 ] || { tail -n 20 "$T/remote.err"; fail "remote.sh exited $rc"; }
! grep "No such file" "$T/remote.err" ||
    fail "remote.sh: an error about a missing file"
last=$(tail -n 1 "$T/remote.out")
case $last in RESULT*) ;; *) fail "the last line is not RESULT: $last" ;; esac
[ -s "$T/remote.json" ] || fail "the JSON report was not fetched"
[ -s "$T/out/cs.err" ] || fail "the comparison server's log was not fetched"
for a in 10.78.0.1 10.78.0.2 10.78.0.3 10.78.0.4; do
	[ -s "$T/out/$a/peer.log" ] || fail "no peer log of $a"
done
[ -s "$T/out/10.78.0.1/gm.log" ] || fail "no group manager log"
run=$(echo "$last" | sed -n 's/.* run=\([0-9]*\).*/\1/p')
"$TOP/tests/cluster/checklogs.sh" "$T/out/logs" "$run" 4 30 total ||
    fail "the fetched delivery logs"

nothing_left "$T/out" 10

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
exit 0
