#!/bin/bash
# Issue 14: what each of the lab's helper commands costs on this machine, timed with the lab's own
# common.sh (two haproxy nodes in the lab's private namespace, the session up), interleaved, so
# that the port's command model (scenarios/builtin/lab-04-split-brain.ts COMMAND_MS) has every
# process lab 04's steps run, in one unit: cli (row: socat | grep | sed), sess (show peers, awk,
# two greps), iptables (one `ip netns exec iptables -A` or -D), clock (ms_since: a date in a
# command substitution and an awk), date (t0=$(date +%s.%N)), spawn (`sleep 0`: what a sleep costs
# beyond its time), curl (req: one `ip netns exec curl`). Also where inside a `sess` and a `row`
# the node reads its state: a stand-in stats socket (python, same path scheme) stamps the moment
# the command arrives; sampleAt = (arrival - start) / (end - start).
#
#   sudo bash scripts/exp-lab-helpers.sh [REPS=40] [LAB_DIR=../shared/lab]
LAB_DIR=${2:-$(cd "$(dirname "$0")/../../shared/lab" 2>/dev/null && pwd)}
[ -f "$LAB_DIR/common.sh" ] || { echo "exp-lab-helpers: no common.sh in LAB_DIR '$LAB_DIR'"; exit 2; }
LAB_NAME=e14h; . "$LAB_DIR/common.sh"
REPS=${1:-40}
K=127.0.0.50
for n in 1 2; do gen_cfg $n "$(peer_lines 1 2)"; start_node $n; done
wait_sess 1 2 EST 10 >/dev/null || { echo "no session"; exit 1; }
req 1 $K 2; cli 1 "set table st key $K data.gpc0 1" >/dev/null; sleep 0.5
# Stand-in socket for node 9: answers any command with hap1's `show peers`, stamps the arrival.
cli 1 "show peers" > "$T/peers.txt"
python3 - "$T/hap9.sock" "$T/peers.txt" "$T/arrivals" <<'PY' &
import os, socket, sys, time
path, reply, log = sys.argv[1], open(sys.argv[2], 'rb').read(), open(sys.argv[3], 'a', buffering=1)
s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(4096); log.write('%.6f\n' % time.time()); c.sendall(reply); c.close()
PY
LAB_PIDS+=($!)
for i in $(seq 1 50); do [ -S "$T/hap9.sock" ] && break; sleep 0.05; done
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b-a)*1000}'; }
declare -A SUM
time_it() {  # time_it NAME command...: one timed call, appended to $T/NAME
  local a b; a=$(date +%s.%N); "${@:2}" >/dev/null; b=$(date +%s.%N); ms $a $b >> "$T/$1"; echo >> "$T/$1"
}
ipt_pair() { nsx iptables -A INPUT -p tcp -d 127.0.0.19 --dport $PEERPORT -j DROP; nsx iptables -D INPUT -p tcp -d 127.0.0.19 --dport $PEERPORT -j DROP; }
sampled() {  # sampled NAME FUNC: start, the stand-in's arrival stamp, end
  local a b x; a=$(date +%s.%N); "$2" >/dev/null; b=$(date +%s.%N); x=$(tail -1 "$T/arrivals")
  awk -v a=$a -v b=$b -v x=$x 'BEGIN{printf "%.3f\n", (x-a)/(b-a)}' >> "$T/$1"
}
sess9() { sess 9 1; }
row9() { row 9 $K; }
echo "# load1 before: $(cut -d' ' -f1 /proc/loadavg)"
for r in $(seq 1 $REPS); do
  time_it cli row 2 $K
  time_it sess sess 1 2
  time_it ipt2 ipt_pair
  x=$(date +%s.%N); time_it clock ms_since $x
  time_it date date +%s.%N
  time_it spawn sleep 0
  time_it curl req 1 127.0.0.51 1
  sampled sessAt sess9
  sampled rowAt row9
done
echo "# load1 after: $(cut -d' ' -f1 /proc/loadavg)"
for f in cli sess ipt2 clock date spawn curl sessAt rowAt; do
  sort -n "$T/$f" | grep -v '^$' | awk -v n=$f '{v[NR]=$1; s+=$1} END{printf "%-7s n=%d min=%s p10=%s p25=%s median=%s p75=%s max=%s mean=%.3f\n", n, NR, v[1], v[int(NR/10)+1], v[int(NR/4)+1], v[int(NR/2)+1], v[int(3*NR/4)+1], v[NR], s/NR}'
done
echo "# ipt2 is one -A and one -D (two iptables processes)"
