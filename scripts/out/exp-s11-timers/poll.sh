#!/bin/bash
# How poll-run1.txt was made (bash scripts/out/exp-s11-timers/poll.sh 8 [LAB_DIR]): the initiator's
# `show peers` from the cut until its session is DOWN (printed when a value changes; timers in whole s).
# Poll the initiator's show peers from the cut to past its DOWN: reconnect, task_calls, status.
. "$(dirname "$0")/../../lib/lab-start.sh" exp-s11-poll e14p "${2:-$(cd "$(dirname "$0")/../../../../shared/lab" 2>/dev/null && pwd)}"
K=127.0.0.50
TRIALS=${1:-1}
for t in $(seq 1 "$TRIALS"); do
  lab04_until_cut $K
  if [ "$(sess 1 2)" = "EST(initiated)" ]; then I=1; else I=2; fi; O=$((3-I))
  echo "== trial $t: initiator hap$I"
  cut_node 1 DROP; cut_node 2 DROP; t0=$(date +%s.%N)
  last=""
  for i in $(seq 1 700); do
    out=$(cli $I "show peers")
    tc=$(echo "$out" | grep -o "task_calls=[0-9]*")
    pb=$(echo "$out" | awk -v p="id=hap$O(" 'index($0,p){f=1} /id=hap[0-9]\(/{if(!index($0,p))f=0} f' | grep -o 'state=[A-Z]*\|last_status=[^ ]*\|reconnect=[^ ]*\|new_conn=[^ ]*\|no_hbt=[^ ]*' | tr '\n' ' ')
    cur="$tc $pb"
    [ "$cur" != "$last" ] && echo "+$(ms_since $t0) $cur"
    last=$cur
    case "$pb" in *CONN*) break;; esac
    el=$(ms_since $t0); [ "$el" -gt 5600 ] && break
    sleep 0.005
  done
  heal
  for n in 1 2; do stop_node $n; done
  sleep 0.3
done
