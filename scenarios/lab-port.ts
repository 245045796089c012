/**
 * Pieces the ports of the lab's scripts share (scenarios/builtin/lab-*.ts): the peer session
 * state the lab read from `show peers` (DOWN, EST(accepted), EST(initiated)), followed from the
 * trace, and an entry printed as the lab's `row` helper prints it.
 */
import type { ScriptApi } from './script-api.ts';

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
