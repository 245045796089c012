#!/bin/bash
# Issue 14: lab 02 (c)->(d) as the lab runs it, with the steps timed and the peer port captured
# (cut.rejectDetectMs). Runs the lab's own 02-replication.sh (a copy, with common.sh) with
# timestamps added after (c)'s last round, after `sleep 1`, after the rows, after each of
# cut_link's two rules, at t0 and at each wait_sess's return, and a tcpdump of the peer port from
# (c) on; prints a STEPS line (ms from the end of (c)'s last round), the lab's (d) line, and the
# capture's segments on the hap1-hap3 connections from the last round on (ms from the same end),
# RST and FIN flags included, and the (e) table lines of 127.0.0.56 and .60 (their exp: see
# scripts/lab02-helper-costs.py, which reads these outputs too). One run of lab 02 takes ~40 s.
# usage: bash scripts/exp-lab02-cut.sh [REPEATS] [LAB_DIR]   (root: netns, iptables)
set -eu
LAB_DIR=${2:-$(cd "$(dirname "$0")/../../shared/lab" 2>/dev/null && pwd)}
[ -f "$LAB_DIR/common.sh" ] || { echo "exp-lab02-cut: no common.sh in '$LAB_DIR'"; exit 2; }
W=$(mktemp -d -t exp-lab02-cut.XXXXXX)
cp "$LAB_DIR/common.sh" "$LAB_DIR/02-replication.sh" "$LAB_DIR/peers_decode.py" "$W/"
python3 - "$W/02-replication.sh" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
def sub(a, b):
    global s
    assert a in s, 'lab 02 script changed: update exp-lab02-cut.sh: ' + a
    s = s.replace(a, b, 1)
sub('''echo "== (c) concurrent writes''', '''ip netns exec "$NS" tcpdump -i lo -U -s0 -w "$T/cut.pcap" "tcp port $PEERPORT" 2>/dev/null &
LAB_PIDS+=($!); TCPC=$!; sleep 0.5
echo "== (c) concurrent writes''')
sub('''  wait $p1 $p3
done
sleep 1
''', '''  wait $p1 $p3
done
tc=$(date +%s.%N)
sleep 1
ts=$(date +%s.%N)
''')
sub('''echo
echo "== (d) no relaying''', '''tr=$(date +%s.%N)
echo
echo "== (d) no relaying''')
sub('''cut_link 1 3
t0=$(date +%s.%N)''', '''nsx iptables -A OUTPUT -p tcp -m owner --gid-owner 1001 -d "127.0.0.13" --dport $PEERPORT -j REJECT --reject-with tcp-reset
ti1=$(date +%s.%N)
nsx iptables -A OUTPUT -p tcp -m owner --gid-owner 1003 -d "127.0.0.11" --dport $PEERPORT -j REJECT --reject-with tcp-reset
t0=$(date +%s.%N)''')
sub('''echo "   hap1 sees hap3 DOWN after $(wait_sess 1 3 DOWN 30) ms; then hap3 sees hap1 DOWN after $(wait_sess 3 1 DOWN 30) more ms"''',
'''w1=$(wait_sess 1 3 DOWN 30); tw1=$(date +%s.%N); w3=$(wait_sess 3 1 DOWN 30); tw3=$(date +%s.%N)
echo "   hap1 sees hap3 DOWN after $w1 ms; then hap3 sees hap1 DOWN after $w3 more ms"
m() { awk -v a=$tc -v b=$1 'BEGIN{printf "%d", (b-a)*1000}'; }
echo "   STEPS from (c)'s last round end: sleep1_end=$(m $ts) rows_end=$(m $tr) rule1=$(m $ti1) t0=$(m $t0) wait1_ret=$(m $tw1) wait3_ret=$(m $tw3) load1=$(cut -d' ' -f1 /proc/loadavg)"
echo "   hap1->hap3 $(sess 1 3)"
sleep 0.3; kill $TCPC; sleep 0.2
ip netns exec "$NS" tcpdump -r "$T/cut.pcap" -nn -tt 2>/dev/null | awk -v a=$tc '{t=$1; $1=""; printf "   CAP %+d ms%s\\n", (t-a)*1000, $0}' | awk '{v=$2+0; if (v > -50) print}' | grep -vE "127.0.0.1[2]\\.10000.*127.0.0.1[2]" | tail -40
''')
open(p, 'w').write(s)
PY
for i in $(seq 1 "${1:-1}"); do
  bash "$W/02-replication.sh" | grep -E "one CLI poll|sees hap3|STEPS|CAP|hap1->hap3|^hap[123]> show table|key=127.0.0.5[6] use|key=127.0.0.60 use" | grep -v "^  +" || true
done
rm -rf "$W"
