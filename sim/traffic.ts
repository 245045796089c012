/**
 * Simulated clients: classes of clients (a population of source addresses taken from a CIDR, or
 * a few attacker addresses), each with an arrival pattern (constant rate, Poisson, on/off
 * bursts), scheduled on the kernel and sent through a `send` callback that knows nothing of how
 * hosts are wired. Per class it counts requests sent / allowed / denied / rejected / returned /
 * dropped, so a scenario can say "the attacker got 37 requests through".
 *
 * Determinism: each class draws from its own stream derived from the given stream's seed and
 * the class name, so adding a class never changes another class's arrivals. Time is integer
 * kernel milliseconds; arrivals are computed on an exact (fractional) clock and fired at the
 * millisecond they fall in. Queues are bounded: one kernel event per class at a time, at most
 * `arrivalsPerTickMax` arrivals per class per millisecond and `queueLengthMax` queued events
 * (the excess is dropped and counted).
 */
import { assert, fail } from '../lib/assert.ts';
import { parseIpv4Strict, ipv4ToText } from '../engine/table/keys.ts';
import type { Kernel, KernelTimer } from './kernel.ts';
import { deriveSeed, SeededRandom } from './seeds.ts';

export type ArrivalPattern =
  /** Evenly spaced: one every 1000/ratePerSec ms. */
  | { readonly kind: 'constant'; readonly ratePerSec: number }
  /** Exponential inter-arrival times with mean 1000/ratePerSec ms. */
  | { readonly kind: 'poisson'; readonly ratePerSec: number }
  /** Poisson at ratePerSec during `onMs`, silent during `offMs`, repeating. */
  | { readonly kind: 'burst'; readonly ratePerSec: number; readonly onMs: number; readonly offMs: number };

export type AddressSource =
  /** `count` consecutive host addresses of an IPv4 CIDR, starting after the network address. */
  | { readonly cidr: string; readonly count: number }
  | { readonly list: readonly string[] };

export interface ClientClassSpec {
  /** e.g. `legit`, `attacker`; unique. */
  readonly name: string;
  readonly addresses: AddressSource;
  /** The arrival pattern of the whole class (addresses are picked uniformly per request). */
  readonly arrival: ArrivalPattern;
  readonly targetHost: string;
  readonly startMs?: number;
  /** No arrival at or after this time. */
  readonly stopMs?: number;
}

export interface TrafficEvent {
  readonly atMs: number;
  readonly srcAddress: string;
  /** The same address as a number when it is IPv4 (what a request handler can use as it is). */
  readonly srcIpv4: number | undefined;
  readonly targetHost: string;
  readonly clientClass: string;
}

/** What the callback reports back; `action` as `handleRequest` gives it. */
export interface SendResult {
  readonly action: string;
}

export type SendFn = (event: TrafficEvent) => SendResult;

export interface ClassStats {
  sent: number;
  allowed: number;
  denied: number;
  rejected: number;
  returned: number;
  /** Arrivals that found the queue full. */
  dropped: number;
}

export const ADDRESSES_MAX = 1_000_000;
export const ARRIVALS_PER_TICK_MAX_DEFAULT = 10_000;
export const QUEUE_LENGTH_MAX_DEFAULT = 100_000;
const RATE_PER_SEC_MAX = 10_000_000;

/** The first `count` host addresses of an IPv4 CIDR (network address excluded). */
export function addressesFromCidr(cidr: string, count: number): string[] {
  return ipv4sFromCidr(cidr, count).map(ipv4ToText);
}

/** `addressesFromCidr` as numbers (uint32). */
function ipv4sFromCidr(cidr: string, count: number): number[] {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(cidr);
  const base = m === null ? undefined : parseIpv4Strict(m[1]!);
  if (m === null || base === undefined || Number(m[2]) > 32) throw new Error(`traffic: '${cidr}' is not an IPv4 CIDR (a.b.c.d/n)`);
  const bits = Number(m[2]);
  const size = 2 ** (32 - bits);
  const network = bits === 0 ? 0 : (base & (~0 << (32 - bits))) >>> 0;
  const hostsMax = size <= 2 ? size : size - 1;
  if (!Number.isSafeInteger(count) || count < 1 || count > Math.min(hostsMax, ADDRESSES_MAX)) {
    throw new Error(`traffic: ${count} addresses do not fit ${cidr} (at most ${Math.min(hostsMax, ADDRESSES_MAX)})`);
  }
  const first = size <= 2 ? 0 : 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((network + first + i) >>> 0);
  return out;
}

/** A class's addresses as text and, where they are IPv4, as numbers (same index). */
interface Addresses {
  readonly texts: readonly string[];
  readonly ipv4s: readonly (number | undefined)[];
}

function addressesOf(source: AddressSource): Addresses {
  if ('cidr' in source) {
    const ipv4s = ipv4sFromCidr(source.cidr, source.count);
    return { texts: ipv4s.map(ipv4ToText), ipv4s };
  }
  assert(source.list.length > 0 && source.list.length <= ADDRESSES_MAX, 'an address list is not empty and bounded');
  return { texts: [...source.list], ipv4s: source.list.map(parseIpv4Strict) };
}

function checkPattern(p: ArrivalPattern): void {
  if (Number.isNaN(p.ratePerSec) || p.ratePerSec <= 0 || p.ratePerSec > RATE_PER_SEC_MAX) fail(`arrival rate in (0, ${RATE_PER_SEC_MAX}] per second`);
  if (p.kind === 'burst') assert(p.onMs > 0 && p.offMs >= 0, 'burst phases: onMs > 0, offMs >= 0');
}

/**
 * The exact time of the arrival after `prevExactMs` (pure leaf; draws from `random`).
 * For bursts, time that falls in an off phase is skipped (the exponential is memoryless, so the
 * rest of the draw carries into the next on phase).
 */
export function nextArrivalMs(p: ArrivalPattern, prevExactMs: number, random: SeededRandom, originMs: number): number {
  const meanMs = 1000 / p.ratePerSec;
  if (p.kind === 'constant') return prevExactMs + meanMs;
  const gapMs = -Math.log(1 - random.nextFloat()) * meanMs;
  if (p.kind === 'poisson') return prevExactMs + gapMs;
  const cycleMs = p.onMs + p.offMs;
  let at = prevExactMs;
  let left = gapMs;
  for (let guard = 0; ; guard++) {
    assert(guard < 1_000_000, 'burst arrival search is bounded');
    const phase = (at - originMs) % cycleMs;
    if (phase >= p.onMs) {
      at += cycleMs - phase;
      continue;
    }
    const onLeft = p.onMs - phase;
    if (left < onLeft) return at + left;
    left -= onLeft;
    at += onLeft;
  }
}

class ClientClass {
  readonly stats: ClassStats = { sent: 0, allowed: 0, denied: 0, rejected: 0, returned: 0, dropped: 0 };
  readonly addresses: readonly string[];
  private readonly ipv4s: readonly (number | undefined)[];
  private nextExactMs: number;
  private readonly originMs: number;
  timer: KernelTimer | undefined;
  /** The kernel label of its arrivals and their callback (made once, not per arrival). */
  readonly label: string;
  onDue: () => void = () => {};

  constructor(
    readonly spec: ClientClassSpec,
    readonly random: SeededRandom,
  ) {
    checkPattern(spec.arrival);
    const addresses = addressesOf(spec.addresses);
    this.addresses = addresses.texts;
    this.ipv4s = addresses.ipv4s;
    this.label = `traffic:${spec.name}`;
    this.originMs = spec.startMs ?? 0;
    assert(Number.isSafeInteger(this.originMs) && this.originMs >= 0, 'startMs is a non-negative integer');
    // The first arrival of a constant pattern is at the start; random ones after one draw.
    this.nextExactMs = spec.arrival.kind === 'constant' ? this.originMs : nextArrivalMs(spec.arrival, this.originMs, random, this.originMs);
  }

  /** The millisecond of the next arrival, undefined once past stopMs. */
  nextTickMs(): number | undefined {
    const at = Math.floor(this.nextExactMs);
    if (this.spec.stopMs !== undefined && at >= this.spec.stopMs) return undefined;
    return at;
  }

  /**
   * Pops the next arrival if one is due at `nowMs`, with its source address (drawn uniformly,
   * as `random.pick` draws); undefined when none is.
   */
  takeDue(nowMs: number): TrafficEvent | undefined {
    if (Math.floor(this.nextExactMs) > nowMs) return undefined;
    if (this.spec.stopMs !== undefined && Math.floor(this.nextExactMs) >= this.spec.stopMs) return undefined;
    const count = this.addresses.length;
    assert(count > 0, 'a class has addresses');
    const at = count === 1 ? 0 : this.random.nextInt(count);
    const event: TrafficEvent = {
      atMs: nowMs,
      srcAddress: this.addresses[at]!,
      srcIpv4: this.ipv4s[at],
      targetHost: this.spec.targetHost,
      clientClass: this.spec.name,
    };
    this.nextExactMs = nextArrivalMs(this.spec.arrival, this.nextExactMs, this.random, this.originMs);
    return event;
  }
}

export interface TrafficOptions {
  readonly kernel: Kernel;
  /** The traffic stream (e.g. `seeds.stream('traffic')`); each class derives its own from its seed. */
  readonly random: SeededRandom;
  readonly classes: readonly ClientClassSpec[];
  readonly send: SendFn;
  readonly queueLengthMax?: number;
  readonly arrivalsPerTickMax?: number;
  /** Called with each event and its result, after counting (for traces). */
  readonly onResult?: (event: TrafficEvent, result: SendResult) => void;
}

export class Traffic {
  private readonly classes = new Map<string, ClientClass>();
  private readonly queue: TrafficEvent[] = [];
  /** The class of each queued event (same index as `queue`). */
  private readonly queueClasses: ClientClass[] = [];
  private readonly queueLengthMax: number;
  private readonly arrivalsPerTickMax: number;
  private running = false;
  /** Largest queue length seen (to show the bound holds). */
  queueLengthHigh = 0;

  constructor(private readonly options: TrafficOptions) {
    this.queueLengthMax = options.queueLengthMax ?? QUEUE_LENGTH_MAX_DEFAULT;
    this.arrivalsPerTickMax = options.arrivalsPerTickMax ?? ARRIVALS_PER_TICK_MAX_DEFAULT;
    assert(this.queueLengthMax >= 1 && this.arrivalsPerTickMax >= 1, 'traffic bounds are positive');
    for (const spec of options.classes) {
      if (this.classes.has(spec.name)) fail(`client class name '${spec.name}' is unique`);
      const random = new SeededRandom(`traffic:${spec.name}`, deriveSeed(options.random.seed, `class:${spec.name}`));
      const c = new ClientClass(spec, random);
      this.classes.set(spec.name, c);
      c.onDue = () => this.fire(c);
    }
  }

  /** Schedules every class's first arrival. */
  start(): void {
    assert(!this.running, 'traffic starts once');
    this.running = true;
    for (const c of this.classes.values()) this.scheduleNext(c);
  }

  /** Cancels pending arrivals; counters stay readable. */
  stop(): void {
    this.running = false;
    for (const c of this.classes.values()) {
      c.timer?.cancel();
      c.timer = undefined;
    }
  }

  stats(name: string): ClassStats {
    const c = this.classes.get(name);
    if (c === undefined) fail(`client class '${name}' exists`);
    return { ...c.stats };
  }

  /** Addresses of a class (for scenario expectations). */
  addresses(name: string): readonly string[] {
    const c = this.classes.get(name);
    if (c === undefined) fail(`client class '${name}' exists`);
    return c.addresses;
  }

  private scheduleNext(c: ClientClass): void {
    const at = c.nextTickMs();
    c.timer = undefined;
    if (at === undefined || !this.running) return;
    const kernel = this.options.kernel;
    c.timer = kernel.scheduleAt(Math.max(at, kernel.nowMs()), c.onDue, c.label);
  }

  /** Queues every arrival of `c` due now (at most arrivalsPerTickMax; beyond the queue bound dropped), then sends. */
  private fire(c: ClientClass): void {
    const now = this.options.kernel.nowMs();
    for (let taken = 0; taken < this.arrivalsPerTickMax; taken++) {
      const event = c.takeDue(now);
      if (event === undefined) break;
      if (this.queue.length >= this.queueLengthMax) {
        c.stats.dropped++;
        continue;
      }
      this.queue.push(event);
      this.queueClasses.push(c);
      this.queueLengthHigh = Math.max(this.queueLengthHigh, this.queue.length);
    }
    this.drain();
    this.scheduleNext(c);
  }

  private drain(): void {
    for (let guard = 0; this.queue.length > 0; guard++) {
      assert(guard < this.queueLengthMax + 1, 'drain is bounded by the queue length');
      const event = this.queue.shift()!;
      const c = this.queueClasses.shift()!;
      const result = this.options.send(event);
      c.stats.sent++;
      if (result.action === 'allowed') c.stats.allowed++;
      else if (result.action === 'denied') c.stats.denied++;
      else if (result.action === 'rejected') c.stats.rejected++;
      else if (result.action === 'returned') c.stats.returned++;
      this.options.onResult?.(event, result);
    }
  }
}
