#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The key file: anything but a regular file (a FIFO would block startup) is
# refused at once with exit 2; a key that group or others can read is used
# with a warning, one that only its owner can read without.  Its length:
# 15 and 65 bytes (a trailing newline not counted) are refused by each of
# group_manager, peer, comparison_server and mpctl with exit 2 and a
# message naming 16 to 64 bytes; with 16, 64, and 64 and a newline, all
# four take it and a keyed run is ok.  mpctl keygen: the file is mode 0600
# whatever the umask, 64 hex digits and a newline; an existing file, a
# symbolic link to one and a dangling symbolic link are refused with exit
# 3, and neither the file nor the link's target is written.
. "$(dirname "$0")/lib.sh"
mkfifo "$T/fifo" || skip "no mkfifo"
"$BIN/group_manager" -b 127.0.0.1 -p 0 -k "$T/fifo" 2>"$T/fifo.err" &
gm=$!
PIDS="$PIDS $gm"
w=0
while kill -0 "$gm" 2>/dev/null && [ $w -lt 100 ]; do sleep 0.05; w=$((w + 1)); done
kill -0 "$gm" 2>/dev/null && fail "startup blocked on a FIFO as key file"
wait "$gm"
rc=$?
[ $rc -eq 2 ] || fail "FIFO key file: exit $rc, not 2"
grep -q "not a regular file" "$T/fifo.err" || { cat "$T/fifo.err"; fail "no clear message"; }
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/key"
chmod 644 "$T/key"
start_gm --key-file "$T/key"
grep -q "can be read by group or others (mode 644)" "$T/gm.err" ||
    fail "no warning for a world-readable key"
chmod 600 "$T/key"
"$BIN/group_manager" -b 127.0.0.1 -p 0 -k "$T/key" 2>"$T/gm2.err" &
PIDS="$PIDS $!"
wait_line "$T/gm2.err" "listening on" >/dev/null || fail "mode 600 key"
grep -q "can be read by" "$T/gm2.err" && fail "warned about a mode 600 key"
# key N [SUFFIX]: a file of N bytes of 'k' (and SUFFIX), mode 600.
key() {
	head -c "$1" /dev/zero | tr '\0' k >"$T/k$1${2-}"
	[ -z "${2-}" ] || printf '\n' >>"$T/k$1${2-}"
	chmod 600 "$T/k$1${2-}"
	echo "$T/k$1${2-}"
}
# refused NAME PROGRAM ARGS...: exits 2 within 10 s, saying the length.
refused() {
	n=$1; shift
	"$@" >"$T/$n.out" 2>"$T/$n.err" &
	p=$!
	PIDS="$PIDS $p"
	w=0
	while kill -0 "$p" 2>/dev/null && [ $w -lt 200 ]; do
		sleep 0.05; w=$((w + 1))
	done
	kill -0 "$p" 2>/dev/null && fail "$n: still running with that key"
	wait "$p"
	rc=$?
	[ $rc -eq 2 ] || { cat "$T/$n.err"; fail "$n: exit $rc, not 2"; }
	grep -q "key file .*(it must hold 16 to 64 bytes)" "$T/$n.err" ||
	    { cat "$T/$n.err"; fail "$n: no clear message"; }
}
mkdir -p "$T/logs"
for kf in "$(key 15)" "$(key 65)" "$(key 15 nl)"; do
	b=$(basename "$kf")
	refused "gm-$b" "$BIN/group_manager" -b 127.0.0.1 -p 0 -k "$kf"
	refused "peer-$b" "$BIN/peer" -g 127.0.0.1:9 -b 127.0.0.1 -u 0 -p 0 \
	    -l "$T/logs" -k "$kf"
	refused "cs-$b" "$BIN/comparison_server" -g 127.0.0.1:9 -b 127.0.0.1 \
	    -p 0 -n 2 -m 1 -k "$kf"
	refused "mpctl-$b" "$BIN/mpctl" -k "$kf" ping 127.0.0.1:9
done
for kf in "$(key 16)" "$(key 64)" "$(key 64 nl)"; do
	b=$(basename "$kf")
	# shellcheck disable=SC2086
	stop_pids $PIDS
	PIDS= NPEERS=0
	start_gm -k "$kf"
	start_peers 2 -k "$kf"
	"$BIN/mpctl" -k "$kf" ping "$GM" >/dev/null || fail "$b: mpctl ping"
	run_cs "run-$b" -k "$kf" -n 2 -m 20 -t 20 -q ||
	    { cat "$T/run-$b.out"; fail "$b: the keyed run failed"; }
	[ "$(result "run-$b" status)" = ok ] || fail "$b: status"
done

# mpctl keygen.
umask 000
"$BIN/mpctl" keygen "$T/kg" >/dev/null || fail "keygen"
[ "$(stat -c %a "$T/kg")" = 600 ] || fail "keygen under umask 000: mode $(stat -c %a "$T/kg")"
umask 277
"$BIN/mpctl" keygen "$T/kg2" >/dev/null || fail "keygen under umask 277"
[ "$(stat -c %a "$T/kg2")" = 600 ] || fail "keygen under umask 277: mode $(stat -c %a "$T/kg2")"
umask 077
[ "$(wc -c <"$T/kg")" -eq 65 ] && grep -qxE "[0-9a-f]{64}" "$T/kg" ||
    fail "keygen: not 64 hex digits and a newline"
cmp -s "$T/kg" "$T/kg2" && fail "keygen: the same key twice"
cp "$T/kg" "$T/kg.copy"
# keygen_refused NAME PATH: exit 3, saying it cannot create PATH.
keygen_refused() {
	"$BIN/mpctl" keygen "$2" >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	[ $rc -eq 3 ] || fail "keygen over $1: exit $rc, not 3"
	grep -q "cannot create $2" "$T/$1.err" ||
	    { cat "$T/$1.err"; fail "keygen over $1: no clear message"; }
}
keygen_refused existing "$T/kg"
grep -q "never overwritten" "$T/existing.err" || fail "keygen: no hint"
cmp -s "$T/kg" "$T/kg.copy" || fail "keygen overwrote an existing key"
ln -s "$T/kg" "$T/kg.link"
keygen_refused link "$T/kg.link"
cmp -s "$T/kg" "$T/kg.copy" || fail "keygen wrote through a symlink"
ln -s "$T/absent" "$T/dangling"
keygen_refused dangling "$T/dangling"
[ -e "$T/absent" ] && fail "keygen created a dangling symlink's target"
[ -L "$T/dangling" ] || fail "keygen replaced the dangling symlink"
exit 0
