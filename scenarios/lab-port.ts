/**
 * Pieces the ports of the lab's scripts share (scenarios/builtin/lab-*.ts): the peer session
 * state the lab read from `show peers` (DOWN, EST(accepted), EST(initiated)), followed from the
 * trace, an entry printed as the lab's `row` helper prints it, and the script's shell on the
 * virtual clock (LabShell: each helper process takes its measured time, times a run's speed).
 */
import type { ScriptApi } from './script-api.ts';
import type { Step, StepResult } from './sequence.ts';

export type SessionState = 'DOWN' | 'EST(accepted)' | 'EST(initiated)';

/** The live peers session of each host to each peer, as the lab's `sess A B` reads it. */
export class PeerSessions {
  private readonly live = new Map<string, { session: unknown; role: 'accepted' | 'initiated'; sinceMs: number }>();
  /** Every session accepted so far: when, and by which host (bounded by the sessions a run makes). */
  private readonly accepted: { t: number; host: string; peer: string }[] = [];

  constructor(s: ScriptApi) {
    s.observe('hello.status', (e) => {
      if (e.details?.['code'] !== 200 || typeof e.details['peer'] !== 'string') return;
      const role = e.details['role'] === 'acceptor' ? 'accepted' : 'initiated';
      this.live.set(key(e.host, e.details['peer']), { session: e.details['session'], role, sinceMs: e.t });
      if (role === 'accepted') this.accepted.push({ t: e.t, host: e.host, peer: e.details['peer'] });
    });
    s.observe('session.end', (e) => {
      const k = key(e.host, String(e.details?.['peer']));
      if (this.live.get(k)?.session === e.details?.['session']) this.live.delete(k);
    });
  }

  state(host: string, peer: string): SessionState {
    const live = this.live.get(key(host, peer));
    return live === undefined ? 'DOWN' : live.role === 'accepted' ? 'EST(accepted)' : 'EST(initiated)';
  }

  /** The host that accepted the first session between `a` and `b` made at or after `sinceMs`. */
  firstAcceptorSince(sinceMs: number, a: string, b: string): string | undefined {
    return this.accepted.find((x) => x.t >= sinceMs && ((x.host === a && x.peer === b) || (x.host === b && x.peer === a)))?.host;
  }

  established(host: string, peer: string): boolean {
    return this.live.has(key(host, peer));
  }

  /** A host's processes are gone (crash, restart): none of its sessions is live. */
  forget(host: string): void {
    for (const k of [...this.live.keys()]) if (k.startsWith(`${host}\u0000`)) this.live.delete(k);
  }
}

function key(host: string, peer: string): string {
  return `${host}\u0000${peer}`;
}

/** The fields of an entry in `show table` order, e.g. `gpc0=5 conn_cnt=2 http_req_cnt=2`; 'absent' when none. */
export function row(s: ScriptApi, host: string, table: string, entryKey: string, fields: readonly string[]): string {
  const e = s.entry(host, table, entryKey);
  if (e === undefined) return 'absent';
  return fields.map((f) => `${f}=${e.read(f) ?? '?'}`).join(' ');
}

/**
 * How long one of the lab's helper commands takes (ms) on this machine, unloaded, drawn from the
 * script's own stream. Measured with the lab's helpers (scripts/exp-lab04-steps.sh: lab 04 itself
 * with the steps timed, haproxy 2.6.12, load 1.6-1.9): `cli` (a row or getv: socat to the stats
 * socket, plus grep/sed; also a write) 5-10 ms (two rows 14-16 ms; lab/out/02-replication.out:
 * "one CLI poll costs about 5.4 ms"); `sess` (a CLI call plus awk and greps) 8-13 ms (lab/out/02's
 * 0.25 s loop of three sess calls: 280-287 ms per pass); one `ip netns exec iptables -A` 2-6 ms
 * (cut_node, two rules: 4-11 ms). The others relative to `cli` in the same runs
 * (scripts/exp-lab-helpers.sh, outputs scripts/out/exp-lab-helpers/, 10th percentiles less the
 * timing's own date): `clock` (ms_since or a deadline check: a date in a command substitution and
 * an awk) 0.30 cli, `date` (t0=$(date +%s.%N)) and `spawn` (what a `sleep` costs beyond its time)
 * 0.14 cli each, `curl` (one `ip netns exec curl`, the lab's req) 1.6 cli.
 */
export const COMMAND_MS = {
  cli: { minMs: 5, maxMs: 10 },
  sess: { minMs: 8, maxMs: 13 },
  iptables: { minMs: 2, maxMs: 6 },
  clock: { minMs: 1, maxMs: 3 },
  date: { minMs: 1, maxMs: 1 },
  spawn: { minMs: 1, maxMs: 1 },
  curl: { minMs: 9, maxMs: 15 },
} as const;
export type Command = keyof typeof COMMAND_MS;

/**
 * Where inside a call the node is read (or written), as a share of the call's time: the stand-in
 * stats socket of scripts/exp-lab-helpers.sh got `sess`'s command at 0.39 of it (median; socat,
 * awk and two greps: the greps come after) and a row's at 0.79 (socat | grep | sed). A curl's
 * request is taken at its end (not measured; the writes it makes are 0.2 s from anything else).
 */
export const SAMPLE_AT: Record<'cli' | 'sess' | 'curl', number> = { cli: 0.79, sess: 0.39, curl: 1 };

/** The lab script's shell on the virtual clock: each helper command takes its COMMAND_MS draw times the run's speed factor. */
export class LabShell {
  constructor(
    readonly s: ScriptApi,
    private readonly speedFactor: number,
  ) {
    if (!(speedFactor > 0)) throw new Error(`LabShell: speed factor ${speedFactor}`);
  }

  nowMs(): number {
    return this.s.nowMs();
  }

  /** The same shell with every command `ratio` times as long (a kind of step that ran slower or faster in one run). */
  scaled(ratio: number): LabShell {
    return new LabShell(this.s, this.speedFactor * ratio);
  }

  /** One command's duration (ms): its COMMAND_MS draw from the script's stream, times the run's factor. */
  commandMs(command: Command): number {
    const cost = COMMAND_MS[command];
    return Math.round(this.s.random.nextIntBetween(cost.minMs, cost.maxMs) * this.speedFactor);
  }

  /** A command that reads or writes nothing the script looks at. */
  *run(command: Command): Generator<Step, void, StepResult> {
    yield this.s.sleep(this.commandMs(command));
  }

  /** A command that reads (or writes) a node part-way through (SAMPLE_AT): what `act` returns then. */
  *call<T>(command: keyof typeof SAMPLE_AT, act: () => T): Generator<Step, T, StepResult> {
    const totalMs = this.commandMs(command);
    const atMs = Math.round(totalMs * SAMPLE_AT[command]);
    yield this.s.sleep(atMs);
    const value = act();
    yield this.s.sleep(totalMs - atMs);
    return value;
  }

  /** `sleep N`: its time, and the process's own start. */
  *sleep(ms: number): Generator<Step, void, StepResult> {
    yield this.s.sleep(ms + this.commandMs('spawn'));
  }
}
