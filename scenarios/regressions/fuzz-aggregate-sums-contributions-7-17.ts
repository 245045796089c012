/**
 * Regression found by `STICKSIM_PLANT_BUG=forget-ack sticksim fuzz --runs 1000 --seed 7`, shrunk to 1 fault(s).
 * Property violated: aggregate-sums-contributions — hap2 holds http_req_cnt=33 for 10.1.0.1; the nodes handled 36 requests for it (at 48279 ms)
 * Cluster: hap1, hap2, hap3 (peers, merge aggregate), latency 1–5 ms.
 * Fault schedule:
 *   17.300 s cut [hap1] | [hap2, hap3] for 0.500 s
 * Convergence bound: quiet at 19000 ms, converged by 48279 ms (scenarios/fuzz/bound.ts).
 * Planted bug: forget-ack (found with STICKSIM_PLANT_BUG=forget-ack; passes without it).
 *
 * Replay: STICKSIM_PLANT_BUG=forget-ack npx sticksim run scenarios/regressions/fuzz-aggregate-sums-contributions-7-17.ts --seed 7-17
 */
import { scenario } from '../dsl.ts';
import type { FuzzCase } from '../fuzz/case.ts';
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
