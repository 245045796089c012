#!/usr/bin/env python3
"""Issue 14: how long the lab's helper commands took in each lab 04 run, read from the run's own output.

The lab's helpers (socat CLI calls, `show peers` parsing, `ip netns exec iptables`) are processes
whose cost depends on the machine's load when the run happened. Each lab 04 output records two
steps made of helpers only, with known composition:
  - heal step: the first timeline line of S11 and S12 (INIT=any: t0's date, heal's two iptables
    flushes, then one pass's row A, row B, sess A, sess B; printed at +N ms): date + 2 iptables +
    2 cli + 2 sess;
  - timeline pass: the gap between two consecutive timeline lines that are one pass apart (the
    pass is row A, row B, sess A, sess B, the printed line's ms_since, then sleep 0.1): 2 cli +
    2 sess + clock + spawn + 100 ms. A gap counts as one pass when it is under 1.5 x the run's
    shortest gap.
Each is compared with the same step's cost in the port's command model (COMMAND_MS of
scenarios/builtin/lab-04-split-brain.ts, this machine unloaded: cli 5-10, sess 8-13, iptables 2-6, clock 1-3,
date 1, spawn 1 ms): the run's speed factor is the sum of its measured helper ms over the sum of
the modelled ones.

Cross-check (not used): lab 02's 'one CLI poll costs about X ms' line of each 02 run, tabulated by
scripts/lab02-helper-costs.py.

usage: python3 scripts/lab-helper-costs.py [LAB_DIR]   (default ../shared/lab)
"""
import os
import re
import sys

LAB = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'lab')
RUNS = [
    ('2.6', 'out/04-splitbrain.out'),
    ('2.6', 'out/04-splitbrain.run2.out'),
    ('2.6', 'v3/out/2.6/04-splitbrain.control.out'),
    ('3.0', 'v3/out/3.0/04-splitbrain.out'),
    ('3.2', 'v3/out/3.2/04-splitbrain.out'),
    ('3.4', 'v3/out/3.4/04-splitbrain.out'),
]
# COMMAND_MS's means (scenarios/builtin/lab-04-split-brain.ts)
MEAN_MS = {'cli': 7.5, 'sess': 10.5, 'iptables': 4.0, 'clock': 2.0, 'date': 1.0, 'spawn': 1.0}
HEAL_STEP_MS = MEAN_MS['date'] + 2 * MEAN_MS['iptables'] + 2 * MEAN_MS['cli'] + 2 * MEAN_MS['sess']
PASS_HELPERS_MS = 2 * MEAN_MS['cli'] + 2 * MEAN_MS['sess'] + MEAN_MS['clock'] + MEAN_MS['spawn']
PASS_SLEEP_MS = 100


def timeline(path):
    """Per trial label: the +N ms of each timeline line, in order."""
    out, label = [], None
    for line in open(path):
        m = re.match(r'---- trial: (\S+)', line)
        if m:
            label = m.group(1)
            out.append((label, []))
            continue
        m = re.match(r'   \+(\d+)ms ', line)
        if m and out:
            out[-1][1].append(int(m.group(1)))
    return out


def run_costs(path):
    trials = timeline(path)
    heal = [ts[0] for label, ts in trials if label in ('S11', 'S12') and ts]
    gaps = [b - a for _, ts in trials for a, b in zip(ts, ts[1:])]
    shortest = min(gaps)
    passes = sorted(g for g in gaps if g < 1.5 * shortest)
    measured = sum(heal) + sum(p - PASS_SLEEP_MS for p in passes)
    modelled = len(heal) * HEAL_STEP_MS + len(passes) * PASS_HELPERS_MS
    return heal, passes, measured / modelled


print(f'modelled (factor 1): heal step {HEAL_STEP_MS:g} ms, timeline pass helpers {PASS_HELPERS_MS:g} ms (+{PASS_SLEEP_MS} ms sleep)')
print('| run | haproxy | heal steps (ms) | one-pass gaps (ms) | speed factor |')
print('|---|---|---|---|---|')
for version, rel in RUNS:
    heal, passes, factor = run_costs(os.path.join(LAB, rel))
    print(f'| {rel} | {version} | {", ".join(map(str, heal))} | {", ".join(map(str, passes))} | {factor:.2f} |')
print()
print("cross-check with lab 02's CLI polls (other runs): python3 scripts/lab02-helper-costs.py")
