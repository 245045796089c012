#!/bin/bash
# Issue 14: how long lab 04's steps between the baseline write and the cut take (cut.peerPortRejectDetectMs).
# Runs the lab's own 04-splitbrain.sh (a copy, with common.sh) with timestamps added around
# wait_val, the "before" rows and each cut_node; prints per trial a STEPS line (ms from the
# baseline write: wait_val's print and return, start of the cut, each cut_node, t0) next to the
# lab's "link cut; ... DOWN at" line. A side that ends by its read timeout sees DOWN at about
# 5000 - (t0 - its last input); the last input is the baseline update (or its ack).
# usage: sudo bash scripts/exp-lab04-steps.sh [REPEATS] [LAB_DIR]
set -eu
LAB_DIR=${2:-$(cd "$(dirname "$0")/../../shared/lab" 2>/dev/null && pwd)}
[ -f "$LAB_DIR/common.sh" ] || { echo "exp-lab04-steps: no common.sh in '$LAB_DIR'"; exit 2; }
W=$(mktemp -d -t exp-lab04-steps.XXXXXX)
cp "$LAB_DIR/common.sh" "$LAB_DIR/04-splitbrain.sh" "$W/"
python3 - "$W/04-splitbrain.sh" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
a = '''  wait_val 2 st $K gpc0 1 $t0 5 >/dev/null
  sleep 0.3'''
b = '''  local tw=$t0 wv; wv=$(wait_val 2 st $K gpc0 1 $t0 5); local tv=$(date +%s.%N)
  sleep 0.3'''
c = '''  cut_node 1 $how; cut_node 2 $how
  t0=$(date +%s.%N)'''
d = '''  local tc=$(date +%s.%N)
  cut_node 1 $how; local t1=$(date +%s.%N); cut_node 2 $how
  t0=$(date +%s.%N)
  echo "   STEPS waitval_print=${wv} waitval_ret=$(awk -v a=$tw -v b=$tv 'BEGIN{printf "%d",(b-a)*1000}') write_to_cutstart=$(awk -v a=$tw -v b=$tc 'BEGIN{printf "%d",(b-a)*1000}') cut1=$(awk -v a=$tc -v b=$t1 'BEGIN{printf "%d",(b-a)*1000}') cut2=$(awk -v a=$t1 -v b=$t0 'BEGIN{printf "%d",(b-a)*1000}') write_to_t0=$(awk -v a=$tw -v b=$t0 'BEGIN{printf "%d",(b-a)*1000}') load1=$(cut -d' ' -f1 /proc/loadavg)"'''
assert a in s and c in s, 'lab 04 script changed: update exp-lab04-steps.sh'
open(p, 'w').write(s.replace(a, b).replace(c, d))
PY
bash "$W/04-splitbrain.sh" "${1:-1}" | grep -E "^---- trial|STEPS|link cut"
rm -rf "$W"
