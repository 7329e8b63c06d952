# SPDX-License-Identifier: BSD-2-Clause
# What bench.sh and ab.sh share: starting a localhost cluster, the number
# of messages of each flood, and the median.  Source it; the caller sets
# $pids (the PIDs it must stop) and stops them on exit.

# wait_line FILE TEXT: waits up to 20 s for TEXT in FILE; exit 3 if not.
wait_line() {
	w=0
	while [ $w -lt 400 ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05; w=$((w + 1))
	done
	echo "bench: no '$2' in $1" >&2; exit 3
}

# start_cluster BIN DIR MAXN: a group manager and MAXN peers from BIN, on
# 127.0.0.1 with ephemeral ports, their stderr and delivery logs in DIR;
# returns once all MAXN have registered, with the group manager's address
# in $gm and the PIDs added to $pids.  A run of -n N uses the first N
# registered peers, so one cluster serves every N up to MAXN.
start_cluster() {
	"$1/group_manager" -b 127.0.0.1 -p 0 2>"$2/gm.log" &
	pids="$pids $!"
	wait_line "$2/gm.log" "listening on"
	gm=127.0.0.1:$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$2/gm.log")
	i=0
	while [ $i -lt "$3" ]; do
		"$1/peer" -g "$gm" -b 127.0.0.1 -u 0 -p 0 -l "$2/logs" -q \
		    2>"$2/peer$i.log" &
		pids="$pids $!"
		i=$((i + 1))
	done
	w=0
	until "$1/mpctl" send "$gm" LIST | grep -q "members=$3"; do
		w=$((w + 1)); [ $w -lt 200 ] || { echo "bench: peers did not register" >&2; exit 3; }
		sleep 0.05
	done
}

# m_for N: messages per peer of the lossless flood of N peers.
m_for() {
	case $1 in 2) echo 300000 ;; 3) echo 200000 ;; 5) echo 80000 ;;
	8) echo 40000 ;; *) echo 10000 ;; esac
}

# median: of the numbers on standard input, one a line (of an even count,
# the lower of the middle two).
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
