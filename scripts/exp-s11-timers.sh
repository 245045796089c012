#!/bin/bash
# Issue 14 experiment against real haproxy 2.6.12 (the referee): which timer ends each side's
# session in lab 04's S11 (DROP cut of both peer ports) and what each side does next. Each trial
# follows 04-splitbrain.sh's steps up to the cut with the lab's own helpers (a private network
# namespace, iptables, root needed), with the peers trace of both nodes in their buf0 ring
# (microsecond timestamps: session releases, RESYNCREQ at each session's start, received updates,
# heartbeats sent); each side's `show peers` timers just before the cut and 0.3 s after both
# sides are DOWN (reconnect=, last_status, new_conn, no_hbt, coll), then the ring of each node.
#
#   bash scripts/exp-s11-timers.sh [TRIALS=10] [LAB_DIR=../shared/lab]
#
# Per trial it ends with one summary line (python3): Tc-start (the session the cut ends: its
# RESYNCREQ after the first session's, s), cut-Tc (s), write-Tc (the baseline update's reception
# after Tc, s), each side's DOWN (ms after the cut, wait_both_down's poll).
. "$(dirname "$0")/lib/lab-start.sh" exp-s11-timers e14t "${2:-}"
TRIALS=${1:-10}
K=127.0.0.50
timers() {  # timers N: node N's show peers timers for its peer
  peer_block "$1" $((3 - $1)) | grep -o 'last_status=[^ ]*\|reconnect=[^ ]*\|new_conn=[^ ]*\|coll=[^ ]*\|no_hbt=[^ ]*' | tr '\n' ' '
}
for t in $(seq 1 "$TRIALS"); do
  for n in 1 2; do
    gen_cfg $n "$(peer_lines 1 2)"; start_node $n
    cli $n "trace peers sink buf0; trace peers level developer; trace peers verbosity complete; trace peers start now" >/dev/null
  done
  wait_sess 1 2 EST 10 >/dev/null
  sleep 1.5
  cli 1 "set table st key $K data.gpc0 1" >/dev/null
  wait_val 2 st "$K" gpc0 1 "$(date +%s.%N)" 5 >/dev/null
  sleep 0.3
  {
    echo "== trial $t: hap1 $(sess 1 2) hap2 $(sess 2 1)"
    for n in 1 2; do echo "-- pre hap$n: $(timers $n)"; done
    cut_node 1 DROP; cut_node 2 DROP; echo "cut at $(date +%T.%N)"
    wait_both_down "$(date +%s.%N)"
    echo "down: A=$d1 B=$d2"
    sleep 0.3
    for n in 1 2; do echo "-- hap$n: $(timers $n)"; done
    for n in 1 2; do echo "--- events hap$n"; cli $n "show events buf0" | grep -v "^$" | cut -c1-220; done
  } | tee "$T/trial.txt"
  python3 - "$T/trial.txt" <<'PY'
import re, sys
blk = open(sys.argv[1]).read()
def sec(x):
    h, m, s = x.split(':'); return int(h) * 3600 + int(m) * 60 + float(s)
cut = sec(re.search(r'cut at (\S+)', blk).group(1))
reqs = [sec(m) for m in re.findall(r'T(\d\d:\d\d:\d\d\.\d+)\+00:00 \S+ send control message RESYNCREQ', blk)]
ups = [sec(m) for m in re.findall(r'T(\d\d:\d\d:\d\d\.\d+)\+00:00 \S+ peer_treat_updatemsg\(\): entering', blk)]
tc = max(r for r in reqs if r < cut)
tw = max([u for u in ups if u < cut] or [tc])
down = re.search(r'down: A=(\S*) B=(\S*)', blk).groups()
print('summary Tc-start %.3f cut-Tc %.3f write-Tc %.3f downA %s downB %s' % (tc - min(reqs), cut - tc, tw - tc, down[0], down[1]))
PY
  heal
  for n in 1 2; do stop_node $n; done
  sleep 0.3
done
