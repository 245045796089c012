#!/bin/bash
# Issue 14 experiment against real haproxy 2.6 (the referee): how often an accepted peer session
# loses its read timeout in the lab's own setting (two haproxy processes started with the lab's
# helpers in a private network namespace, loopback, real connects; no relay, no raw client).
# 2.6 drops an accepted stream's read expiry (rex=<NEVER> on both channels in `show sess all`)
# when the initiator's hello is already in the stream's input at the stream's first processing
# (profile flag acceptedInputDropsReadTimeout); so the share of accepted sessions with rex=<NEVER>
# is the share of accepts whose first processing came after the hello arrived.
#
# Per trial: `shutdown session` of the peer stream on node K (alternating 1, 2), wait until both
# nodes show a session in message mode again, 0.5 s, then `show sess all` on both: each peer stream
# in message mode (st0=7) is classified as accepted (its front is a connection from the peer
# listener) or initiated, with its rex. Also prints the load average before the trial. The first
# sample is the session after the startup teardown and re-make (trial 0).
#
# MODE=startup instead: per trial lab 04's start (hap1 then hap2, wait for the session, 1.5 s, a
# write replicated, 0.3 s: when lab 04 cuts) and a sample then, i.e. the session lab 04's cut
# meets; the nodes are stopped after each trial. NICE=-15 runs haproxy at that priority (the other
# work on the machine then hardly delays it: the unloaded condition as far as haproxy sees it).
# CUT=REJECT (startup mode): then lab 04's cut of both peer ports and when each side saw the
# session DOWN (ms after the cut), as lab 04 prints it: which accepted sessions end late; and
# the peer streams again 2.5 s into the cut (at2500), before either side can have ended.
#
#   sudo [MODE=reconnect|startup] [NICE=0] bash scripts/exp-accept-rate.sh [TRIALS=40] [LAB_DIR=../shared/lab]
. "$(dirname "$0")/lib/lab-start.sh" exp-accept-rate e14a "${2:-}"
TRIALS=${1:-40}
# one line per peer stream in message mode: "<ptr> accepted|initiated <rex of req>/<rex of res> age=<age>"
peer_streams() {
  cli "$1" "show sess all" | awk '
    /^0x[0-9a-f]+: \[/ { flush(); ptr=$1; sub(":","",ptr); peers=0; msg=0; acc=0; rex=""; age="" }
    /mode=peers/ { peers=1 }
    /applet=<PEER>/ && / st0=7 / { msg=1 }
    /target=LISTENER:/ { acc=1 }
    /age=/ { match($0, /age=[^)]*/); age=substr($0, RSTART, RLENGTH) }
    / rex=/ { match($0, /rex=[^ ]*/); rex=rex (rex==""?"":"/") substr($0, RSTART+4, RLENGTH-4) }
    function flush() { if (ptr!="" && peers && msg) print ptr, (acc?"accepted":"initiated"), rex, age; ptr="" }
    END { flush() }'
}
wait_both() {  # until each node has one peer stream in message mode; prints ms or -1
  local t0=$(date +%s.%N) i a b
  for i in $(seq 1 600); do
    a=$(peer_streams 1 | wc -l); b=$(peer_streams 2 | wc -l)
    [ "$a" = 1 ] && [ "$b" = 1 ] && { ms_since $t0; return 0; }
    sleep 0.02
  done
  echo -1
}
sample() {  # sample TRIAL
  local s1 s2
  s1=$(peer_streams 1); s2=$(peer_streams 2)
  echo "{\"trial\":$1,\"load1\":\"$(cut -d' ' -f1 /proc/loadavg)\",\"remadeMs\":$2,\"hap1\":\"$s1\",\"hap2\":\"$s2\",\"coll\":\"$(cli 1 'show peers' | grep -o 'coll=[0-9]*' | head -1),$(cli 2 'show peers' | grep -o 'coll=[0-9]*' | head -1)\"}"
}
NICE=${NICE:-0}
start_node() {   # as common.sh's, at priority NICE
  local n=$1
  nsx nice -n "$NICE" haproxy -f "$T/hap$n.cfg" -D -p "$T/hap$n.pid" 2>&1 | sed "s/^/[hap$n stderr] /"
  for i in $(seq 1 50); do [ -S "$T/hap$n.sock" ] && break; sleep 0.05; done
}
mid_streams() {  # once, 2.5 s into the cut at t0 (before either side can end): the streams again
  [ -z "$mid" ] && [ "$(ms_since $t0)" -ge 2500 ] && { mid="$(peer_streams 1) | $(peer_streams 2)"; }
}
K=127.0.0.50
if [ "${MODE:-reconnect}" = startup ]; then
  for t in $(seq 1 "$TRIALS"); do
    lab04_until_cut $K
    sample "$t" 0
    if [ -n "${CUT:-}" ]; then   # lab 04's cut: both nodes' peer ports, then when each side saw DOWN
      cut_node 1 "$CUT"; cut_node 2 "$CUT"
      t0=$(date +%s.%N); mid=""
      wait_both_down $t0 mid_streams
      echo "{\"trial\":$t,\"cut\":\"$CUT\",\"downA\":${d1:--1},\"downB\":${d2:--1},\"at2500\":\"$mid\"}"
      heal
    fi
    for n in 1 2; do stop_node $n; done
    sleep 0.3
  done
  exit 0
fi
for n in 1 2; do gen_cfg $n "$(peer_lines 1 2)"; start_node $n; done
sleep 6
sample 0 "$(wait_both)"
for t in $(seq 1 "$TRIALS"); do
  k=$(( (t % 2) + 1 ))
  ptr=$(peer_streams $k | awk '{print $1; exit}')
  [ -n "$ptr" ] && cli $k "shutdown session $ptr" >/dev/null
  sleep 0.05
  ms=$(wait_both)
  sleep 0.5
  sample "$t" "$ms"
done
