/**
 * Regression found at run 814 of `sticksim fuzz --runs 1000 --seed 1` (alone: `sticksim fuzz --seed 1
 * --seed-offset 814 --runs 1`), shrunk to 2 fault(s). Fixed by the hard stop taking its orphan
 * streams out of the section before it kills the sessions (engine/peers/section.ts `stop`).
 * Property violated: engine-invariants-hold — the engine stopped at 22300 ms on a broken invariant (a bug in sticksim): invariant violated: section mypeers: 1 orphan streams outlive the process
 * Cluster: hap1, hap2 (peers, merge max), latency 1–10 ms.
 * Fault schedule:
 *   9.700 s cut [hap2] | [hap1] for 12.400 s
 *   22.300 s crash hap1 for 0.500 s
 * Convergence bound: quiet at 22800 ms, converged by 52109 ms (scenarios/fuzz/bound.ts).
 * No planted bug: a real case.
 *
 * Replay: npx sticksim run scenarios/regressions/fuzz-engine-invariants-hold-1-814.ts --seed 1-814
 */
import { scenario } from '../dsl.ts';
import type { FuzzCase } from '../fuzz/case.ts';
import type { RegressionRecord } from '../fuzz/regression-writer.ts';
import { fuzzDurationMs, fuzzHosts, fuzzScript } from '../fuzz/scenario.ts';

const CASE: FuzzCase = {
  "nodes": [
    "hap1",
    "hap2"
  ],
  "withPeers": true,
  "policy": "max",
  "table": {
    "sizeEntries": 36,
    "expireMs": 600000,
    "store": [
      "gpc0",
      "http_req_cnt"
    ]
  },
  "latencyMsMax": 10,
  "traffic": {
    "keysPerNode": 1,
    "sharedKeys": 0,
    "requestEveryMs": 250,
    "setEveryMs": 0,
    "clearEveryMs": 0,
    "untilMs": 6300
  },
  "faults": [
    {
      "kind": "cut",
      "atMs": 9700,
      "durationMs": 12400,
      "sides": [
        [
          "hap2"
        ],
        [
          "hap1"
        ]
      ]
    },
    {
      "kind": "crash",
      "atMs": 22300,
      "durationMs": 500,
      "host": "hap1"
    }
  ]
};

/** How the corpus test replays this file: at the seed it was found with. */
export const regression: RegressionRecord = {"seed":"1-814"};

export default scenario({
  name: "fuzz-engine-invariants-hold-1-814",
  title: "Fuzz regression: engine-invariants-hold",
  lesson: "Shrunk fault schedule that violated engine-invariants-hold.",
  hosts: fuzzHosts(CASE),
  durationMs: fuzzDurationMs(CASE),
  policies: [CASE.policy],
  // The properties read engine events: the script observes them.
  script: (s) => fuzzScript(s, CASE, (kind, fn) => s.observe(kind, fn)),
});
