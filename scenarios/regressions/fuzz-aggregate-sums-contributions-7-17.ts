/**
 * Regression found by `sticksim fuzz --runs 1000 --seed 7 --plant-bug forget-ack` (run 17), shrunk to 1 fault(s).
 * Property violated: aggregate-sums-contributions — hap2 holds http_req_cnt=33 for 10.1.0.1; the nodes handled 36 requests for it (at 48279 ms)
 * Cluster: hap1, hap2, hap3 (peers, merge aggregate), latency 1–5 ms.
 * Fault schedule:
 *   17.300 s cut [hap1] | [hap2, hap3] for 0.500 s
 * Convergence bound: quiet at 19000 ms, converged by 48279 ms (scenarios/fuzz/bound.ts).
 * PLANTED BUG EXAMPLE: found with --plant-bug forget-ack (a testing aid); it fails only with that bug and passes on the correct engine.
 *
 * Replay: npx sticksim run scenarios/regressions/fuzz-aggregate-sums-contributions-7-17.ts --seed 7-17 --plant-bug forget-ack
 */
import { scenario } from '../dsl.ts';
import type { FuzzCase } from '../fuzz/case.ts';
import type { RegressionRecord } from '../fuzz/regression-writer.ts';
import { fuzzDurationMs, fuzzHosts, fuzzScript } from '../fuzz/scenario.ts';

const CASE: FuzzCase = {
  "nodes": [
    "hap1",
    "hap2",
    "hap3"
  ],
  "withPeers": true,
  "policy": "aggregate",
  "table": {
    "sizeEntries": 36,
    "expireMs": 120000,
    "store": [
      "gpc0",
      "http_req_cnt"
    ]
  },
  "latencyMsMax": 5,
  "traffic": {
    "keysPerNode": 1,
    "sharedKeys": 0,
    "requestEveryMs": 500,
    "setEveryMs": 0,
    "clearEveryMs": 0,
    "untilMs": 19000
  },
  "faults": [
    {
      "kind": "cut",
      "atMs": 17300,
      "durationMs": 500,
      "sides": [
        [
          "hap1"
        ],
        [
          "hap2",
          "hap3"
        ]
      ]
    }
  ]
};

/** How the corpus test replays this file: at the seed it was found with, with its planted bug. */
export const regression: RegressionRecord = {"seed":"7-17","plantedBug":"forget-ack"};

export default scenario({
  name: "fuzz-aggregate-sums-contributions-7-17",
  title: "Fuzz regression: aggregate-sums-contributions",
  lesson: "Shrunk fault schedule that violated aggregate-sums-contributions.",
  hosts: fuzzHosts(CASE),
  durationMs: fuzzDurationMs(CASE),
  policies: [CASE.policy],
  // The properties read engine events: the script observes them.
  script: (s) => fuzzScript(s, CASE, (kind, fn) => s.observe(kind, fn)),
});
