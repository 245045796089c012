#!/usr/bin/env python3
"""Issue 14: how fast the lab's helpers ran in each lab 02 run, read from the run's own output,
and how long that run's steps between (c)'s last write and (d)'s cut took.

Per run (lab/out/02-replication*.out, lab/v3/out/<line>/02-replication*.out):
  - 'one CLI poll costs about X ms': ten getv (socat | grep | head | cut) in one loop, /10.
    Speed factor = X / 7.5 (COMMAND_MS.cli's mean, scenarios/lab-port.ts): the factor the port
    (scenarios/lab-02-steps.ts LAB_02_RUNS) runs that run's helpers at.
  - startup loop: the gaps between the 0.25 s lines (three `sess`, the line's ms_since, a sleep's
    start, 250 ms): sess cost = (gap - 250 - clock - spawn) / 3; cross-check only (not used).
  - the (e) table of hap1: exp of 127.0.0.56 (touched by (c)'s last round) and of 127.0.0.60 (hap1's
    write after both wait_sess): their difference is the time from (c)'s last round to that write,
    which holds, in order: end of (c), sleep 1, 15 rows, cut_link, t0, wait_sess 1 3 (printed
    hap1 ms), wait_sess 3 1 (printed 'more' ms), two sess, the write's cli. So
    lastRoundToCut <= gap - hap1 - more (the remaining helpers: ~2 sess + 1 cli + 4 clock).
    The exp of 127.0.0.56 is the later of hap1's own write and hap3's update received.

Then, for the runs of scripts/exp-lab02-cut.sh (the lab's own lab 02 on this machine with (c)-(d)
timed; outputs scripts/out/exp-lab02-cut/run*.txt): the CLI poll, the fifteen rows' ms, one row's
ms over the run's own CLI poll (how far the poll predicts the rows), (c)'s last round end to t0,
and what wait_sess printed.

usage: python3 scripts/lab02-helper-costs.py [LAB_DIR]   (default ../shared/lab)
"""
import os
import re
import sys

LAB = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'lab')
CLI_MEAN_MS = 7.5
CLOCK_MS, SPAWN_MS = 2.0, 1.0


def runs():
    for d in ['out', 'v3/out/2.6', 'v3/out/3.0', 'v3/out/3.2', 'v3/out/3.4']:
        for name in sorted(os.listdir(os.path.join(LAB, d))):
            if name.startswith('02-replication') and name.endswith('.out'):
                yield f'{d}/{name}'


def table_exp(text, node):
    """key -> exp (ms) in node's (e) `show table st` (the lines after its `hapN> show table st`)."""
    out, inside = {}, False
    for line in text.splitlines():
        if re.match(r'hap\d> show table', line):
            inside = line.startswith(f'hap{node}>')
            continue
        m = re.search(r'key=(\S+) use=\d+ exp=(\d+)', line)
        if inside and m:
            out[m.group(1)] = int(m.group(2))
    return out


print('| run | CLI poll ms | speed factor | startup sess ms (median) | hap1 ms | more ms | exp 56->60 ms | last round to cut <= ms |')
print('|---|---|---|---|---|---|---|---|')
for rel in runs():
    text = open(os.path.join(LAB, rel)).read()
    poll = float(re.search(r'one CLI poll costs about ([0-9.]+) ms', text).group(1))
    stamps = [int(x) for x in re.findall(r'^  \+(\d+)ms hap1->hap2', text, re.M)]
    sess = sorted((b - a - 250 - CLOCK_MS - SPAWN_MS) / 3 for a, b in zip(stamps, stamps[1:]))
    det = re.search(r'hap1 sees hap3 DOWN after (\d+) ms; then hap3 sees hap1 DOWN after (\d+) more ms', text)
    hap1, more = int(det.group(1)), int(det.group(2))
    exp = table_exp(text, 1)
    gap = exp['127.0.0.60'] - exp['127.0.0.56']
    print(f'| {rel} | {poll} | {poll / CLI_MEAN_MS:.2f} | {sess[len(sess) // 2]:.1f} | {hap1} | {more} | {gap} | {gap - hap1 - more} |')


EXP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'out', 'exp-lab02-cut')
print()
print('scripts/exp-lab02-cut.sh runs (this machine):')
print('| output | CLI poll ms | 15 rows ms | row / poll | last round end to t0 ms | hap1 ms | more ms |')
print('|---|---|---|---|---|---|---|')
ratios = []
for name in sorted(os.listdir(EXP_DIR)) if os.path.isdir(EXP_DIR) else []:
    if not name.endswith('.txt'):
        continue
    text = open(os.path.join(EXP_DIR, name)).read()
    polls = re.findall(r'one CLI poll costs about ([0-9.]+) ms', text)
    dets = re.findall(r'hap1 sees hap3 DOWN after (\d+) ms; then hap3 sees hap1 DOWN after (\d+) more ms', text)
    steps = re.findall(r'sleep1_end=(\d+) rows_end=(\d+) rule1=\d+ t0=(\d+)', text)
    for poll, (h1, more), (s1, rows_end, t0) in zip(polls, dets, steps):
        rows = int(rows_end) - int(s1)
        ratio = rows / 15 / float(poll)
        ratios.append(ratio)
        print(f'| {name} | {poll} | {rows} | {ratio:.2f} | {t0} | {h1} | {more} |')
if ratios:
    print(f'row / poll: {", ".join(f"{r:.2f}" for r in sorted(ratios))}')
