#!/bin/bash
# Issue 13: lab 04's 2-node REJECT split brain (trials S2/S4: both sides write gpc0, the heal lets
# INIT's connects through first), with a wire capture of the whole heal, to see the message order
# of the trials that end SWAPPED (each side holding the other's value). Needs root (netns, iptables,
# tcpdump). Follows lab 04's steps exactly (start both, wait EST, 1.5 s, 2 requests + gpc0=1 on A,
# wait for B, 0.3 s, REJECT cut, wait both DOWN, A gpc0=5 / B gpc0=12 in ORDER, 0.2 s, heal by INIT).
# For every trial prints the outcome (and each side's collision count before and after the INIT
# session came up), the timeline after the heal, and the heal on the wire: every message but
# heartbeats, with microseconds (tcpdump on the namespace's lo, decoded by the lab's
# peers_decode.py). scripts/lab-swap-gaps.awk reads the output: who sent what first after the 200.
# Outputs: test/fixtures/versions/swap-capture/.
# usage: HAPROXY_BIN=$(scripts/haproxy-bin.sh 3.0) bash scripts/lab-swap-capture.sh [TRIALS=6] [INIT=B|A|alt] [ORDER=AB|BA|alt]
LAB_NAME=swap; . "${LAB_COMMON:-$(dirname "$0")/../../shared/lab/v3/common.sh}"
. "$(dirname "$0")/lib/lab-steps.sh"
DEC="${LAB_DECODE:-$(dirname "$0")/../../shared/lab/v3/peers_decode.py}"
K=127.0.0.50
TRIALS=${1:-6}; INITSEL=${2:-B}; ORDERSEL=${3:-alt}
strip() { sed 's/ http_req_rate.*//'; }
coll() { peer_field $1 $2 coll; }  # coll N P: node N's collision count for peer P (a hello came while a session object existed)
for t in $(seq 1 $TRIALS); do
  init=$INITSEL; [ "$INITSEL" = alt ] && init=$([ $((t % 2)) = 1 ] && echo A || echo B)
  order=$ORDERSEL; [ "$ORDERSEL" = alt ] && order=$([ $(((t + 1) / 2 % 2)) = 1 ] && echo AB || echo BA)
  for n in 1 2; do gen_cfg $n "$(peer_lines 1 2)"; start_node $n; done
  wait_sess 1 2 EST 10 >/dev/null; sleep 1.5
  req 1 $K 2; cli 1 "set table st key $K data.gpc0 1" >/dev/null
  wait_val 2 st $K gpc0 1 $(date +%s.%N) 5 >/dev/null; sleep 0.3
  cut_node 1 REJECT; cut_node 2 REJECT
  wait_sess 1 2 DOWN 15 >/dev/null; wait_sess 2 1 DOWN 15 >/dev/null
  if [ $order = AB ]; then cli 1 "set table st key $K data.gpc0 5" >/dev/null; sleep 0.2; cli 2 "set table st key $K data.gpc0 12" >/dev/null
  else cli 2 "set table st key $K data.gpc0 12" >/dev/null; sleep 0.2; cli 1 "set table st key $K data.gpc0 5" >/dev/null; fi
  sleep 0.2
  preA=$(row 1 $K | strip); preB=$(row 2 $K | strip)
  c1a=$(coll 1 2); c1b=$(coll 2 1)
  rm -f "$T/heal.pcap"
  ip netns exec "$NS" tcpdump -i lo -U -s0 -w "$T/heal.pcap" "tcp port $PEERPORT" 2>/dev/null &
  TCPD=$!; LAB_PIDS+=($TCPD); sleep 0.3
  t0=$(date +%s.%N)
  if [ $init = A ]; then uncut_node 2 REJECT; e=$(wait_sess 1 2 EST 12); else uncut_node 1 REJECT; e=$(wait_sess 2 1 EST 12); fi
  c2a=$(coll 1 2); c2b=$(coll 2 1)
  heal; h=$(ms_since $t0)
  last=""; tl=()
  for i in $(seq 1 100); do
    cur="A[$(sess 1 2)] $(row 1 $K | strip | sed 's/.*gpc0/gpc0/') | B[$(sess 2 1)] $(row 2 $K | strip | sed 's/.*gpc0/gpc0/')"
    [ "$cur" != "$last" ] && tl+=("   +$(ms_since $t0)ms $cur"); last=$cur
    sleep 0.03
  done
  kill $TCPD; sleep 0.3
  fa=$(row 1 $K | strip); fb=$(row 2 $K | strip)
  if [ "$fa" = "$fb" ]; then
    if [ "$fa" = "$preA" ]; then who=A; elif [ "$fa" = "$preB" ]; then who=B; else who=mix; fi
    out="converged on $who's value"
  elif [ "$fa" = "$preB" ] && [ "$fb" = "$preA" ]; then out=SWAPPED; else out=DIVERGED; fi
  echo "---- trial $t init=$init order=$order: $init EST at +${e}ms, heal at +${h}ms => $out (coll A $c1a->$c2a, B $c1b->$c2b over the heal)"
  for l in "${tl[@]}"; do echo "$l"; done
  # the heal on the wire: every message but heartbeats and bare TCP ACKs, with microseconds
  # from the first SYN that got an answer; conn = the connection's client port, dir = who sent it
  python3 "$DEC" --abs "$T/heal.pcap" $PEERPORT 127.0.0.11=hap1 127.0.0.12=hap2 \
    | grep -v "HEARTBEAT\|TCP ACK$" | awk -F' [|] ' '
      { t = $1 + 0; n = $2; d = $3
        if (t0 == "") t0 = t
        cp = n; sub(/ ->.*/, "", cp); sub(/.*:/, "", cp)
        who = (n ~ /hap1.*initiator->acceptor/ || n ~ /hap2.*acceptor->initiator/) ? "B->A" : "A->B"
        sub(/ http_req_rate.*/, "", d); sub(/\(200=accepted.*/, "", d); sub(/ key_type.*/, "", d)
        printf "     %9.0fus %s conn %s %s\n", (t - t0) * 1e6, who, cp, d }' \
    | head -${CAPLINES:-40}
  for n in 1 2; do stop_node $n; done; heal; sleep 0.2
done
