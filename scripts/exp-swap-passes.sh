#!/bin/bash
# Issue 13, S11: why 3.2 swaps less than 3.0. Lab 04's 2-node REJECT split brain (trials S2/S4 steps,
# INIT=B: B's connect goes through first, A accepts), with a private ftrace instance over the heal on
# both haproxy processes: the sendto/recvfrom/epoll_wait syscalls and their scheduling (switch,
# wakeup), in microseconds. scripts/exp-swap-passes.py reads the traces: how the initiator read the
# `200`, how many polls (epoll_wait) each side made between its `200` step and its push, and whether
# the initiator's first message was its own push or the ACK of the acceptor's update.
# PIN=1 pins A to CPU 0 and B to CPU 1 (both processes run in parallel: the race every time).
# Needs root (netns, iptables, /sys/kernel/tracing). Outputs: test/fixtures/versions/swap-capture/passes.txt.
# usage: PIN=1 OUTDIR=out-x VTAG=30 HAPROXY_BIN=$(scripts/haproxy-bin.sh 3.0) bash scripts/exp-swap-passes.sh [TRIALS=2]
#        python3 scripts/exp-swap-passes.py out-x/ft-30-*.txt
LAB_NAME=swft; . "${LAB_COMMON:-$(dirname "$0")/../../shared/lab/v3/common.sh}"
K=127.0.0.50
TRIALS=${1:-2}
OUTDIR=${OUTDIR:-.}; VTAG=${VTAG:-x}
TI=/sys/kernel/tracing/instances/swap-passes-$$
mkdir "$TI" || { echo "cannot create an ftrace instance under /sys/kernel/tracing/instances"; exit 1; }
cleanup_ti() { echo 0 > "$TI/tracing_on"; rmdir "$TI"; }
trap 'cleanup_ti; lab_cleanup' EXIT
echo 8192 > "$TI/buffer_size_kb"
for e in syscalls/sys_enter_sendto syscalls/sys_enter_recvfrom syscalls/sys_exit_recvfrom syscalls/sys_enter_epoll_wait \
         syscalls/sys_exit_epoll_wait sched/sched_switch sched/sched_wakeup; do echo 1 > "$TI/events/$e/enable"; done
for t in $(seq 1 "$TRIALS"); do
  order=$([ $(((t + 1) / 2 % 2)) = 1 ] && echo AB || echo BA)
  for n in 1 2; do
    gen_cfg $n "$(peer_lines 1 2)"; start_node $n
    [ -n "${PIN:-}" ] && taskset -a -p -c $((n - 1)) "$(cat "$T/hap$n.pid")" >/dev/null
  done
  wait_sess 1 2 EST 10 >/dev/null; sleep 1.5
  req 1 $K 2; cli 1 "set table st key $K data.gpc0 1" >/dev/null
  wait_val 2 st $K gpc0 1 "$(date +%s.%N)" 5 >/dev/null; sleep 0.3
  cut_node 1 REJECT; cut_node 2 REJECT
  wait_sess 1 2 DOWN 15 >/dev/null; wait_sess 2 1 DOWN 15 >/dev/null
  if [ $order = AB ]; then cli 1 "set table st key $K data.gpc0 5" >/dev/null; sleep 0.2; cli 2 "set table st key $K data.gpc0 12" >/dev/null
  else cli 2 "set table st key $K data.gpc0 12" >/dev/null; sleep 0.2; cli 1 "set table st key $K data.gpc0 5" >/dev/null; fi
  sleep 0.2
  echo "$(cat "$T/hap1.pid") $(cat "$T/hap2.pid")" > "$TI/set_event_pid"
  echo > "$TI/trace"; echo 1 > "$TI/tracing_on"
  uncut_node 1 REJECT; e=$(wait_sess 2 1 EST 12)
  heal; sleep 0.3
  echo 0 > "$TI/tracing_on"
  echo "---- trial $t order=$order: B EST at +${e}ms, trace $OUTDIR/ft-$VTAG-$t.txt"
  cp "$TI/trace" "$OUTDIR/ft-$VTAG-$t.txt"
  for n in 1 2; do stop_node $n; done; heal; sleep 0.2
done
