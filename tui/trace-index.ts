/**
 * What the views need from a trace, built in one pass over the store and extended as a live
 * session appends events: the timeline's bands (partitions, holds, crashes, pauses, resync
 * windows) and instants (reloads, restarts), the marks `[` and `]` jump between (faults,
 * divergences, failed expectations, explore actions), the peer link states per (host, peer),
 * and where the table samples of each key are. Only the few kinds it needs are parsed.
 */
import { statusLabel } from '../engine/peers/constants.ts';
import { lastLeq, type TraceStore } from './trace-store.ts';

export type BandKind = 'partition' | 'hold' | 'crash' | 'pause' | 'resync';

export interface Band {
  kind: BandKind;
  /** '*' for the network bands (partitions, holds). */
  host: string;
  startIndex: number;
  /** Index of the event that ended it; undefined while open. */
  endIndex: number | undefined;
  startMs: number;
  endMs: number | undefined;
  id?: number;
  label: string;
  /** Partition: the groups cut from each other (oneWay: sides[0] cannot reach sides[1]). */
  sides?: string[][];
  oneWay?: boolean;
}

export interface Instant {
  kind: 'reload' | 'restart' | 'start';
  host: string;
  index: number;
  atMs: number;
}

export type MarkKind = 'fault' | 'divergence' | 'converged' | 'expect' | 'action';

export interface Mark {
  index: number;
  kind: MarkKind;
  label: string;
}

export type LinkLabel = 'NONE' | 'CONN' | 'HSHK' | 'ESTA' | 'RETR' | 'PROT' | 'VERS' | 'NAME' | 'UNKN';

interface PairTimeline {
  indices: number[];
  labels: LinkLabel[];
}

type LiveLabel = 'ESTA' | 'HSHK' | 'CONN';

interface PairLive {
  sessions: Map<number, LiveLabel>;
  counts: Record<LiveLabel, number>;
  last: LinkLabel;
}

/** Live sessions a pair keeps track of; older ones are forgotten (a trace that never closes them). */
const SESSIONS_PER_PAIR_MAX = 1024;

function setSession(live: PairLive, session: number, label: LiveLabel | undefined): void {
  const old = live.sessions.get(session);
  if (old !== undefined) {
    live.counts[old]--;
    live.sessions.delete(session);
  }
  if (label === undefined) return;
  if (live.sessions.size >= SESSIONS_PER_PAIR_MAX) {
    const [oldest, oldLabel] = live.sessions.entries().next().value as [number, LiveLabel];
    live.sessions.delete(oldest);
    live.counts[oldLabel]--;
  }
  live.sessions.set(session, label);
  live.counts[label]++;
}

const SESSION_ENDS = new Set(['session.closed', 'session.end', 'session.timeout', 'session.protocol-error', 'session.connect-failed']);
const LINK_KINDS = new Set([...SESSION_ENDS, 'session.connect', 'session.accept', 'hello.status']);
const HOST_FAULTS = new Set(['host.crash', 'host.restart', 'host.reload', 'host.pause', 'host.resume', 'host.start']);

export class TraceIndex {
  readonly bands: Band[] = [];
  readonly instants: Instant[] = [];
  readonly marks: Mark[] = [];
  /** `${table}\u0000${key}` -> indices of its table.sample events. */
  readonly samples = new Map<string, number[]>();
  readonly sampleTables = new Set<string>();
  /** Indices of explore.action events (re-applied by the replayer). */
  readonly actions: number[] = [];
  private readonly links = new Map<string, PairTimeline>();
  private readonly live = new Map<string, PairLive>();
  private readonly linkHosts = new Set<string>();
  private readonly diverged = new Map<string, boolean>();
  private processed = 0;
  private kindMemo: { kinds: number; interesting: Uint8Array } = { kinds: 0, interesting: new Uint8Array(0) };

  constructor(private readonly store: TraceStore) {
    this.extend();
  }

  /** Reads the events appended since the last call. */
  extend(): void {
    const store = this.store;
    for (let i = this.processed; i < store.count; i++) {
      if (this.isInteresting(store.kindId(i))) this.take(i);
    }
    this.processed = store.count;
  }

  /** Hosts that run haproxy (every host but the world's '*'). */
  hosts(): string[] {
    const names = new Set<string>(this.linkHosts);
    for (const h of this.store.hosts()) if (h !== '*') names.add(h);
    return [...names].sort();
  }

  private haproxyHostCount(): number {
    const names = this.store.hosts();
    return names.length - (this.store.hostIdOf('*') === undefined ? 0 : 1);
  }

  /** A link's HAProxy state (`last_status`) as `from` sees its peer `to`, after event `cursor`. */
  linkLabelAt(from: string, to: string, cursor: number): LinkLabel {
    const line = this.links.get(pairKey(from, to));
    if (line === undefined) return 'NONE';
    const at = lastLeq(line.indices, cursor);
    return at < 0 ? 'NONE' : line.labels[at]!;
  }

  /** 'partitioned' or 'held' when a fault active after event `cursor` stops `from` -> `to`. */
  linkFaultAt(from: string, to: string, cursor: number): 'partitioned' | 'held' | undefined {
    let held = false;
    for (const band of this.bands) {
      if (band.host !== '*' || band.startIndex > cursor || (band.endIndex !== undefined && band.endIndex <= cursor)) continue;
      if (band.kind === 'partition' && cuts(band, from, to)) return 'partitioned';
      if (band.kind === 'hold' && cuts(band, from, to)) held = true;
    }
    return held ? 'held' : undefined;
  }

  /** Index of the last table.sample of (table, key) at or before `cursor`, -1 if none. */
  sampleAt(table: string, key: string, cursor: number): number {
    const list = this.samples.get(`${table}\u0000${key}`);
    if (list === undefined) return -1;
    const at = lastLeq(list, cursor);
    return at < 0 ? -1 : list[at]!;
  }

  sampleKeys(table: string): string[] {
    const prefix = `${table}\u0000`;
    return [...this.samples.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
  }

  private isInteresting(kindId: number): boolean {
    const kinds = this.store.kinds();
    if (this.kindMemo.kinds !== kinds.length) {
      const interesting = new Uint8Array(kinds.length);
      kinds.forEach((k, id) => {
        interesting[id] = k.startsWith('fault.') || HOST_FAULTS.has(k) || LINK_KINDS.has(k) || k === 'resync.window' || k === 'table.sample' || k === 'expect.result' || k === 'explore.action' ? 1 : 0;
      });
      this.kindMemo = { kinds: kinds.length, interesting };
    }
    return this.kindMemo.interesting[kindId] === 1;
  }

  private take(i: number): void {
    const kind = this.store.kind(i);
    if (kind.startsWith('fault.')) return this.fault(i, kind);
    if (HOST_FAULTS.has(kind)) return this.hostLife(i, kind);
    if (LINK_KINDS.has(kind)) return this.link(i, kind);
    if (kind === 'resync.window') return this.resyncWindow(i);
    if (kind === 'table.sample') return this.sample(i);
    if (kind === 'expect.result') {
      const d = this.store.details(i);
      if (d['passed'] === false) this.marks.push({ index: i, kind: 'expect', label: `expectation failed: ${String(d['name'])}` });
      return;
    }
    this.actions.push(i);
    this.marks.push({ index: i, kind: 'action', label: `action: ${String(this.store.details(i)['verb'])}` });
  }

  private fault(i: number, kind: string): void {
    const d = this.store.details(i);
    const t = this.store.time(i);
    const id = typeof d['id'] === 'number' ? d['id'] : -1;
    const name = kind === 'fault.reset' ? `${toList(d['between']).join(',')} x ${toList(d['and']).join(',')}` : String(d['name'] ?? id);
    if (kind === 'fault.partition') {
      const sides = Array.isArray(d['sides']) ? (d['sides'] as unknown[]).map((s) => (Array.isArray(s) ? s.map(String) : [])) : [];
      const oneWay = d['oneWay'] === true;
      const label = `partition ${sides.map((s) => s.join(',')).join(oneWay ? ' -/-> ' : ' | ')}`;
      this.bands.push({ kind: 'partition', host: '*', startIndex: i, endIndex: undefined, startMs: t, endMs: undefined, id, label, sides, oneWay });
    } else if (kind === 'fault.hold') {
      const from = toList(d['from']);
      const to = toList(d['to']);
      this.bands.push({ kind: 'hold', host: '*', startIndex: i, endIndex: undefined, startMs: t, endMs: undefined, id, label: `hold ${from.join(',')} <-> ${to.join(',')}`, sides: [from, to], oneWay: false });
    } else if (kind === 'fault.heal' || kind === 'fault.release') {
      const bandKind = kind === 'fault.heal' ? 'partition' : 'hold';
      for (const band of this.bands) {
        if (band.kind === bandKind && band.endIndex === undefined && (id === -1 || band.id === id)) this.close(band, i);
      }
    }
    this.marks.push({ index: i, kind: 'fault', label: `${kind.slice('fault.'.length)} ${name}` });
  }

  private hostLife(i: number, kind: string): void {
    const host = this.store.host(i);
    const t = this.store.time(i);
    const openBand = (k: BandKind): Band | undefined => this.bands.find((b) => b.kind === k && b.host === host && b.endIndex === undefined);
    if (kind === 'host.crash') {
      this.bands.push({ kind: 'crash', host, startIndex: i, endIndex: undefined, startMs: t, endMs: undefined, label: `${host} crashed` });
    } else if (kind === 'host.pause') {
      this.bands.push({ kind: 'pause', host, startIndex: i, endIndex: undefined, startMs: t, endMs: undefined, label: `${host} paused` });
    } else if (kind === 'host.resume') {
      const band = openBand('pause');
      if (band !== undefined) this.close(band, i);
    } else {
      const band = openBand('crash');
      if (band !== undefined) this.close(band, i);
      const instant = kind === 'host.reload' ? 'reload' : kind === 'host.restart' ? 'restart' : 'start';
      this.instants.push({ kind: instant, host, index: i, atMs: t });
    }
    if (kind !== 'host.start') this.marks.push({ index: i, kind: 'fault', label: `${kind.slice('host.'.length)} ${host}` });
  }

  private resyncWindow(i: number): void {
    const d = this.store.details(i);
    const host = this.store.host(i);
    const startMs = typeof d['startMs'] === 'number' ? d['startMs'] : this.store.time(i);
    const endMs = typeof d['endMs'] === 'number' ? d['endMs'] : this.store.time(i);
    const startIndex = Math.max(0, this.store.lastAtOrBefore(startMs));
    this.bands.push({ kind: 'resync', host, startIndex, endIndex: i, startMs, endMs, label: `${host} resync window` });
  }

  private sample(i: number): void {
    const d = this.store.details(i);
    const table = String(d['table']);
    const key = String(d['key']);
    const id = `${table}\u0000${key}`;
    this.sampleTables.add(table);
    let list = this.samples.get(id);
    if (list === undefined) this.samples.set(id, (list = []));
    list.push(i);
    const differs = valuesDiffer(d['values'], this.haproxyHostCount());
    const was = this.diverged.get(id) ?? false;
    if (differs !== was) {
      this.diverged.set(id, differs);
      this.marks.push({ index: i, kind: differs ? 'divergence' : 'converged', label: `${differs ? 'diverged' : 'converged'} ${table} ${key}` });
    }
  }

  private link(i: number, kind: string): void {
    const d = this.store.details(i);
    const peer = d['peer'];
    if (typeof peer !== 'string') return; // a rejected hello names no peer
    const host = this.store.host(i);
    this.linkHosts.add(host);
    const id = pairKey(host, peer);
    let live = this.live.get(id);
    if (live === undefined) this.live.set(id, (live = { sessions: new Map(), counts: { ESTA: 0, HSHK: 0, CONN: 0 }, last: 'NONE' }));
    const session = typeof d['session'] === 'number' ? d['session'] : -1;
    if (kind === 'session.connect') setSession(live, session, 'CONN');
    else if (kind === 'session.accept') setSession(live, session, 'HSHK');
    else if (kind === 'hello.status') {
      const label = statusLabel(Number(d['code'])) as LinkLabel;
      if (label === 'ESTA') setSession(live, session, 'ESTA');
      else {
        setSession(live, session, undefined);
        live.last = label;
      }
    } else {
      setSession(live, session, undefined);
      live.last = kind === 'session.connect-failed' ? 'CONN' : live.last === 'ESTA' || live.last === 'HSHK' ? 'NONE' : live.last;
    }
    const best: LinkLabel | undefined = live.counts.ESTA > 0 ? 'ESTA' : live.counts.HSHK > 0 ? 'HSHK' : live.counts.CONN > 0 ? 'CONN' : undefined;
    if (best === 'ESTA') live.last = 'NONE';
    let line = this.links.get(id);
    if (line === undefined) this.links.set(id, (line = { indices: [], labels: [] }));
    line.indices.push(i);
    line.labels.push(best ?? live.last);
  }

  private close(band: Band, i: number): void {
    band.endIndex = i;
    band.endMs = this.store.time(i);
  }
}

function pairKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

function toList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === undefined ? [] : [String(value)];
}

function cuts(band: Band, from: string, to: string): boolean {
  const sides = band.sides ?? [];
  const sideOf = (h: string): number => sides.findIndex((s) => s.includes(h));
  if (band.oneWay === true) return (sides[0]?.includes(from) ?? false) && (sides[1]?.includes(to) ?? false);
  const a = sideOf(from);
  const b = sideOf(to);
  return a >= 0 && b >= 0 && a !== b;
}

/** True when the hosts of a table.sample hold different values (or only some hold the entry). */
export function valuesDiffer(values: unknown, hostCount: number): boolean {
  if (values === null || typeof values !== 'object') return false;
  const rows = Object.values(values as Record<string, unknown>).map((v) => JSON.stringify(sortedObject(v)));
  if (rows.length === 0) return false;
  return rows.length < hostCount || rows.some((r) => r !== rows[0]);
}

function sortedObject(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(source).sort()) out[k] = source[k];
  return out;
}
