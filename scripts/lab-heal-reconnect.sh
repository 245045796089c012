#!/bin/bash
# Issue 13: lab 04's REJECT heal (iptables in a private netns, needs root) with the counters that
# tell the close paths apart: coll (a hello came while a session object existed), no_hbt, new_conn.
# Sampled every 30 ms for 3.6 s after the heal. INIT alternates A, B.
# usage: HAPROXY_BIN=$(scripts/haproxy-bin.sh 3.2) bash scripts/lab-heal-reconnect.sh [TRIALS=4]
# Uses the lab's helpers (LAB_COMMON, default ../shared/lab/v3/common.sh).
LAB_NAME=heal; . "${LAB_COMMON:-$(dirname "$0")/../../shared/lab/v3/common.sh}"
. "$(dirname "$0")/lib/lab-steps.sh"
K=127.0.0.50
TRIALS=${1:-4}
cnt() { # cnt N P -> "state coll no_hbt new_conn"
  peer_block $1 $2 | tr ' ' '\n' | grep -E "^(coll|no_hbt|new_conn|last_status)=" | tr '\n' ' '
}
for t in $(seq 1 $TRIALS); do
  init=$([ $((t % 2)) = 1 ] && echo A || echo B)
  echo "---- trial $t init=$init"
  for n in 1 2; do gen_cfg $n "$(peer_lines 1 2)"; start_node $n; done
  wait_sess 1 2 EST 10 >/dev/null; sleep 1.5
  cli 1 "set table st key $K data.gpc0 1" >/dev/null; sleep 0.5
  cut_node 1 REJECT; cut_node 2 REJECT
  t0=$(date +%s.%N)
  wait_sess 1 2 DOWN 15 >/dev/null; d1=$(ms_since $t0); wait_sess 2 1 DOWN 15 >/dev/null; d2=$(ms_since $t0)
  echo "   down seen at +$d1 (A) +$d2 (B)"
  cli 1 "set table st key $K data.gpc0 5" >/dev/null; sleep 0.2; cli 2 "set table st key $K data.gpc0 12" >/dev/null; sleep 0.2
  echo "   before: A[$(cnt 1 2)] B[$(cnt 2 1)]"
  t0=$(date +%s.%N)
  if [ $init = A ]; then uncut_node 2 REJECT; wait_sess 1 2 EST 12 >/dev/null; else uncut_node 1 REJECT; wait_sess 2 1 EST 12 >/dev/null; fi
  heal; echo "   heal at +$(ms_since $t0)"
  last=""
  for i in $(seq 1 120); do
    cur="A[$(sess 1 2) $(cnt 1 2)] B[$(sess 2 1) $(cnt 2 1)]"
    [ "$cur" != "$last" ] && echo "   +$(ms_since $t0)ms $cur"; last=$cur
    sleep 0.03
  done
  for n in 1 2; do stop_node $n; done; heal; sleep 0.2
done
