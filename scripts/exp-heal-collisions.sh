#!/bin/bash
# Issue 14 experiment against real haproxy 2.6 (the referee): collisions per heal in lab 04's
# S11 (DROP cut of both nodes' peer ports, natural reconnect). Each trial follows
# 04-splitbrain.sh's steps for S11 with the lab's own helpers (a private network namespace,
# iptables, root needed): start hap1 then hap2, wait for the session, 1.5 s, a write replicated,
# 0.3 s, cut both nodes (DROP), wait until both show the session DOWN, write on A and B 0.2 s
# apart, 0.2 s, heal; then 4 s later read each side's `show peers`: coll (sessions accepted while
# the node had its own, any state), new_conn (sessions it created) and last_status just before
# the heal (CONN: a session of its own was under way).
#
#   sudo bash scripts/exp-heal-collisions.sh [TRIALS=10] [LAB_DIR=../shared/lab]
. "$(dirname "$0")/lib/lab-start.sh" exp-heal-collisions e14c "${2:-}"
TRIALS=${1:-10}
K=127.0.0.50
for t in $(seq 1 "$TRIALS"); do
  lab04_until_cut $K
  init_before=$(sess 1 2)
  cut_node 1 DROP; cut_node 2 DROP
  wait_both_down "$(date +%s.%N)"
  cli 1 "set table st key $K data.gpc0 5" >/dev/null; sleep 0.2
  cli 2 "set table st key $K data.gpc0 12" >/dev/null; sleep 0.2
  c1=$(peer_field 1 2 coll); c2=$(peer_field 2 1 coll); n1=$(peer_field 1 2 new_conn); n2=$(peer_field 2 1 new_conn)
  s1=$(peer_field 1 2 last_status); s2=$(peer_field 2 1 last_status)
  heal; th=$(date +%s.%N); up=""
  for i in $(seq 1 300); do
    case "$(sess 1 2) $(sess 2 1)" in "EST"*" EST"*) up=$(ms_since $th); break;; esac
    sleep 0.01
  done
  sleep 4
  echo "{\"trial\":$t,\"before\":\"$init_before\",\"downA\":${d1:--1},\"downB\":${d2:--1},\"statusAtHeal\":\"$s1,$s2\",\"reconnectMs\":${up:--1},\"collA\":$(( $(peer_field 1 2 coll) - c1 )),\"collB\":$(( $(peer_field 2 1 coll) - c2 )),\"newConnA\":$(( $(peer_field 1 2 new_conn) - n1 )),\"newConnB\":$(( $(peer_field 2 1 new_conn) - n2 )),\"final\":\"$(sess 1 2)\"}"
  for n in 1 2; do stop_node $n; done
  sleep 0.3
done
