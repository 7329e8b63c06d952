#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# make install with DESTDIR and PREFIX: the programs, mpctl, the man pages
# (every page of the tree, the scripts' section 1 pages too), the scripts
# (remote.sh too) and the example units (their paths made
# PREFIX's); the installed cluster.sh runs the installed programs, and
# without them says where it looked (exit 3, no make); the installed
# scripts' --version is the programs'; make uninstall removes exactly what
# was installed.
. "$(dirname "$0")/lib.sh"
R=$T/root
P=/opt/mpc
make -s -C "$TOP" install DESTDIR="$R" PREFIX="$P" >"$T/i.out" 2>&1 ||
    { cat "$T/i.out"; fail "make install"; }
# Every manual page of the tree, in the folder of its section.
pages=$(cd "$TOP" && find src scripts -name '*.[178]' | sort)
[ "$(echo "$pages" | wc -l)" -eq 10 ] || fail "expected 10 pages: $pages"
for p in $pages; do
	f=share/man/man${p##*.}/${p##*/}
	[ -f "$R$P/$f" ] || fail "$f not installed"
	cmp -s "$TOP/$p" "$R$P/$f" || fail "$f is not $p"
done
for f in bin/group_manager bin/comparison_server bin/peer bin/mpctl bin/mpreport \
    share/man/man1/mpcomm-cluster.1 share/man/man1/mpcomm-remote.1 \
    share/mpcomm/scripts/cluster.sh share/mpcomm/scripts/start-peers.sh \
    share/mpcomm/scripts/netns-cluster.sh share/mpcomm/scripts/remote.sh \
    share/mpcomm/scripts/lib.sh \
    share/mpcomm/systemd/mpcomm-peer.service \
    share/mpcomm/systemd/mpcomm-group-manager.service \
    share/mpcomm/systemd/mpcomm-comparison-server.service; do
	[ -f "$R$P/$f" ] || fail "$f not installed"
done
for f in "$R$P"/bin/*; do [ -x "$f" ] || fail "$f not executable"; done
grep -h ExecStart "$R$P"/share/mpcomm/systemd/*.service >"$T/exec"
[ "$(grep -c "^ExecStart=$P/bin/" "$T/exec")" -eq 3 ] ||
    { cat "$T/exec"; fail "units do not run $P/bin"; }
grep -rq /usr/local "$R$P/share/mpcomm" && fail "/usr/local left in the installed files"
grep -q "MPCOMM_BIN:-$P/bin}" "$R$P/share/mpcomm/scripts/cluster.sh" ||
    fail "cluster.sh does not look in $P/bin"
"$R$P/share/mpcomm/scripts/cluster.sh" --help >/dev/null ||
    fail "installed cluster.sh --help"
grep -q "MPCOMM_BIN:-$P/bin}" "$R$P/share/mpcomm/scripts/remote.sh" ||
    fail "remote.sh does not look in $P/bin"
"$R$P/share/mpcomm/scripts/remote.sh" --help >/dev/null ||
    fail "installed remote.sh --help"
v=$("$R$P/bin/peer" --version)
for sc in cluster.sh start-peers.sh netns-cluster.sh remote.sh; do
	[ "$("$R$P/share/mpcomm/scripts/$sc" --version)" = "$sc (MPComm) ${v##* }" ] ||
	    fail "installed $sc --version is not ${v##* }"
done
# PREFIX/bin does not exist outside DESTDIR: the programs are not found.
"$R$P/share/mpcomm/scripts/cluster.sh" -n 2 -m 5 >"$T/nb.out" 2>"$T/nb.err"
rc=$?
[ $rc -eq 3 ] || { cat "$T/nb.err"; fail "installed cluster.sh without programs: exit $rc"; }
grep -q "not found.* $P/bin" "$T/nb.err" && ! grep -qi "make" "$T/nb.err" ||
    { cat "$T/nb.err"; fail "installed cluster.sh without programs: message"; }
# The installed script with the installed programs (PREFIX is under DESTDIR
# here, so point it at them as a package would).
MPCOMM_BIN=$R$P/bin "$R$P/share/mpcomm/scripts/cluster.sh" -n 2 -m 5 -q \
    >"$T/c.out" 2>"$T/c.err" || { tail "$T/c.err"; fail "installed cluster.sh"; }
grep -q "^RESULT.*status=ok" "$T/c.out" || fail "installed cluster.sh: no ok run"
if ps -eo pid,args | grep -F "$R$P/bin/" | grep -v grep >"$T/left"; then
	cat "$T/left"
	for p in $(awk '{ print $1 }' "$T/left"); do kill "$p"; done
	fail "cluster.sh left processes running"
fi
if command -v man >/dev/null; then
	for m in mpctl mpcomm-cluster; do
		MANPATH=$R$P/share/man man -w $m >/dev/null 2>&1 ||
		    echo "note: man -w $m did not find the page"
	done
fi
make -s -C "$TOP" uninstall DESTDIR="$R" PREFIX="$P" >/dev/null 2>&1 ||
    fail "make uninstall"
left=$(find "$R" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -e "$R$P/share/mpcomm" ] || fail "make uninstall left share/mpcomm"
exit 0
