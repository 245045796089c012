/**
 * Regression found at run 958 of `sticksim fuzz --runs 1000 --seed 7` (alone: `npx sticksim fuzz --seed 7
 * --seed-offset 958 --runs 1`), shrunk to 1 fault(s). Fixed in the property, not the engine: a push
 * is allowed until the purge tick plus the host's timer lateness (scenarios/fuzz/properties.ts).
 * Property violated: no-expired-entry-pushed — hap2 pushed 10.2.0.5 to hap1 1 ms after it expired (at 7938 ms)
 * Cluster: hap1, hap2, hap3, hap4, hap5 (peers, merge aggregate), latency 1–1 ms.
 * Fault schedule:
 *   2.400 s cut [hap2, hap3, hap4, hap5] | [hap1] for 5.500 s
 * Convergence bound: quiet at 7900 ms, converged by 37155 ms (scenarios/fuzz/bound.ts).
 * No planted bug: a real case.
 *
 * Replay: npx sticksim run scenarios/regressions/fuzz-no-expired-entry-pushed-7-958.ts --seed 7-958
 */
import { scenario } from '../dsl.ts';
import type { FuzzCase } from '../fuzz/case.ts';
import type { RegressionRecord } from '../fuzz/regression-writer.ts';
import { fuzzDurationMs, fuzzHosts, fuzzScript } from '../fuzz/scenario.ts';

const CASE: FuzzCase = {
  "nodes": [
    "hap1",
    "hap2",
    "hap3",
    "hap4",
    "hap5"
  ],
  "withPeers": true,
  "policy": "aggregate",
  "table": {
    "sizeEntries": 12,
    "expireMs": 3000,
    "store": [
      "gpc0",
      "http_req_cnt"
    ]
  },
  "latencyMsMax": 1,
  "traffic": {
    "keysPerNode": 5,
    "sharedKeys": 1,
    "requestEveryMs": 100,
    "setEveryMs": 1500,
    "clearEveryMs": 0,
    "untilMs": 5000
  },
  "faults": [
    {
      "kind": "cut",
      "atMs": 2400,
      "durationMs": 5500,
      "sides": [
        [
          "hap2",
          "hap3",
          "hap4",
          "hap5"
        ],
        [
          "hap1"
        ]
      ]
    }
  ]
};

/** How the corpus test replays this file: at the seed it was found with. */
export const regression: RegressionRecord = {"seed":"7-958"};

export default scenario({
  name: "fuzz-no-expired-entry-pushed-7-958",
  title: "Fuzz regression: no-expired-entry-pushed",
  lesson: "Shrunk fault schedule that violated no-expired-entry-pushed.",
  hosts: fuzzHosts(CASE),
  durationMs: fuzzDurationMs(CASE),
  policies: [CASE.policy],
  // The properties read engine events: the script observes them.
  script: (s) => fuzzScript(s, CASE, (kind, fn) => s.observe(kind, fn)),
});
