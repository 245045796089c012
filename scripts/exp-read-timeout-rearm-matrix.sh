#!/bin/bash
# usage: scripts/exp-read-timeout-rearm-matrix.sh HAPROXY_BINARY LABEL > test/fixtures/read-timeout-rearm/LABEL.txt
B="$1"; L="$2"; cd "$(dirname "$0")/.."
for v in "initiator drop" "acceptor drop sep" "initiator reject" "acceptor reject sep" "initiator partial" "initiator ignored" "initiator heartbeat" "initiator none" "acceptor partial sep" "acceptor ignored sep" "acceptor heartbeat sep" "acceptor none sep" "acceptor partial with" "acceptor ignored with" "acceptor none with"; do
  echo "== $L $v"; timeout 25 python3 scripts/exp-read-timeout-rearm.py "$B" $v 2>&1
done
# first-attempt connects (the initiator keeps SC_FL_INDEP_STR):
for v in "initiator none" "initiator partial"; do
  echo "== $L LISTEN_FIRST=1 $v"; LISTEN_FIRST=1 timeout 30 python3 scripts/exp-read-timeout-rearm.py "$B" $v 2>&1
done
