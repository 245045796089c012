/**
 * Issue 14, collisions per heal: each side's state around S11's heal in the ported lab 04
 * (scenarios/builtin/lab-04-split-brain.ts), per seed, to set next to the real haproxy 2.6.12's
 * (scripts/exp-s11-timers.sh, scripts/exp-heal-collisions.sh; scripts/out/exp-s11-timers/README.md).
 *
 * Per seed and side: its role in the session the cut ends (ini: initiated, acc: accepted), how that
 * session ended (rto: read timeout, dead: the dead-peer check of the reconnect tick) and when (ms
 * after the cut), its connects from that end on (ms relative to the heal: negative = before it,
 * i.e. `last_status=CONN` at the heal as scripts/exp-heal-collisions.sh reads it), and for the seed
 * the cut's distance from the initiator's connect (`cut-Tc`: the initiator's reconnect tick was set
 * at Tc + 5 s and, the session alive, re-armed to Tc + 10 s) and the collisions from the heal on.
 *
 *   npx tsx scripts/lab-04-heal-states.ts [FROM=1] [TO=80] [fast|slow|all=fast]
 *
 * LINK_LATENCY_MS=0 runs the port with that one-way link latency instead of the default 1 ms (the
 * lab's loopback is well under 1 ms: at 0, both of a host's timers may land on one ms).
 *
 * fast/slow: only seeds drawn at lab/out's helper speeds (1.12, 1.28) or at lab/v3's (14-16).
 */
import spec, { LAB_RUN_SPEED } from '../scenarios/builtin/lab-04-split-brain.ts';
import { runScenario } from '../scenarios/runner.ts';
import type { TraceEntry } from '../sim/trace.ts';

const FROM = Number(process.argv[2] ?? 1);
const TO = Number(process.argv[3] ?? 80);
const SPEEDS = process.argv[4] ?? 'fast';
/** S11 is the eleventh trial: its cut and its heal carry fault id 11. */
const S11_FAULT_ID = 11;
const FAST_FACTOR_MAX = 2;
const HOSTS = ['hap1', 'hap2'] as const;
const LINK_LATENCY_MS = process.env['LINK_LATENCY_MS'];
const portSpec = LINK_LATENCY_MS === undefined ? spec : { ...spec, link: { latencyMs: Number(LINK_LATENCY_MS) } };

const d = (e: TraceEntry, key: string): unknown => e.details?.[key];

interface SideState {
  role: 'ini' | 'acc';
  end: 'rto' | 'dead' | 'none';
  endMs: number;
  connectsMs: number[];
}

function sideState(entries: TraceEntry[], host: string, cutMs: number, healMs: number, trialEndMs: number): SideState {
  const before = entries.filter((e) => e.host === host && e.t < cutMs && e.kind === 'hello.status' && d(e, 'code') === 200);
  const role = d(before.at(-1)!, 'role') === 'initiator' ? 'ini' : 'acc';
  const after = entries.filter((e) => e.host === host && e.t >= cutMs && e.t < trialEndMs);
  const endEv = after.find((e) => e.kind === 'session.timeout' || e.kind === 'peer.dead');
  const endMs = endEv?.t ?? -1;
  const connectsMs = after.filter((e) => e.kind === 'session.connect' && e.t >= endMs && e.t <= healMs + 3_000).map((e) => e.t - healMs);
  return { role, end: endEv === undefined ? 'none' : endEv.kind === 'peer.dead' ? 'dead' : 'rto', endMs: endMs < 0 ? -1 : endMs - cutMs, connectsMs };
}

const tally = new Map<string, number>();
const bump = (k: string): void => void tally.set(k, (tally.get(k) ?? 0) + 1);
let trials = 0;
let withCollision = 0;
for (let seed = FROM; seed <= TO; seed++) {
  const out = runScenario(portSpec, { seed: String(seed), policy: 'haproxy', traceLevel: 'off', keepEntries: true });
  const entries = out.entries;
  const speed = Number(out.result.figures.helperSpeedFactor);
  const fast = speed < FAST_FACTOR_MAX;
  if ((SPEEDS === 'fast' && !fast) || (SPEEDS === 'slow' && fast)) continue;
  const cut = entries.find((e) => e.kind === 'net.partition' && d(e, 'id') === S11_FAULT_ID);
  const heal = entries.find((e) => e.kind === 'net.heal' && d(e, 'id') === S11_FAULT_ID);
  if (cut === undefined || heal === undefined) throw new Error(`seed ${seed}: no S11 cut or heal in the trace`);
  const trialEndMs = entries.find((e) => e.kind === 'process.killed' && e.t > heal.t)?.t ?? Number.MAX_SAFE_INTEGER;
  const sides = HOSTS.map((h) => sideState(entries, h, cut.t, heal.t, trialEndMs));
  const iniHost = HOSTS[sides.findIndex((s) => s.role === 'ini')] ?? 'hap1';
  const tc = entries.filter((e) => e.host === iniHost && e.kind === 'session.connect' && e.t < cut.t).at(-1)?.t ?? -1;
  const collisions = entries.filter((e) => e.kind === 'collision' && e.t >= heal.t && e.t < trialEndMs).map((e) => `${e.host}@${e.t - heal.t}`);
  trials++;
  if (collisions.length > 0) withCollision++;
  for (const s of sides) bump(`${s.role}:${s.end}${s.connectsMs.some((c) => c <= 0) ? ':CONN-at-heal' : ''}`);
  const show = (h: string, s: SideState): string => `${h} ${s.role}:${s.end}@+${s.endMs} connects=${s.connectsMs.slice(0, 3).join(',') || '-'}`;
  console.log(`${seed} speed=${speed} cut-Tc=${tc < 0 ? '?' : cut.t - tc} heal@+${heal.t - cut.t} | ${show('A', sides[0]!)} | ${show('B', sides[1]!)} | coll ${collisions.join(' ') || '-'}`);
}
console.log(`\n${trials} S11 trials (${SPEEDS} seeds ${FROM}-${TO}; speeds ${LAB_RUN_SPEED.map((r) => r.factor).join(', ')}): a collision after the heal in ${withCollision}`);
console.log(`sides by role:end[:CONN-at-heal]: ${[...tally].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
