/**
 * How long a host's haproxy takes to process a connection its kernel accepted: from the
 * handshake completing (the connection waits in the listener's queue, bytes the client sends
 * pile up in its input) to the process taking it and running the new stream once. Each accept
 * draws from the host's own `accept:<host>` stream: with `delayedPerMille`, first whether it waits
 * at all, then a whole number of ms in [minMs, maxMs]. What arrives meanwhile is in the stream's
 * input at its first processing, which matters on 2.6 (profile acceptedInputDropsReadTimeout,
 * issue 14): the accepted session keeps no read timeout.
 *
 * Measured default (ACCEPT_DELAY_MEASURED): on the lab's machine (2 cores, loopback, two haproxy
 * 2.6.12 processes started with the lab's helpers, other work running: load 4-11), the accepted
 * peer stream had already lost its read expiry (rex=<NEVER> in `show sess all`, i.e. the
 * initiator's hello was in its input at its first processing) in 151 of 162 accepted sessions
 * (scripts/exp-accept-rate.sh, outputs in scripts/out/exp-accept-rate/: 38 of 41 re-made after
 * `shutdown session`, 40 of 41 with haproxy at nice -15, 26 of 30, 28 of 30 and 19 of 20 at lab
 * 04's cut time after lab 04's start; 93%). The real
 * delay is sub-millisecond: haproxy's initiator sends its hello with the connect, so on loopback
 * it lands before the acceptor, woken by the listener, gets to the new stream. In the simulator,
 * with the hello arriving in the millisecond the handshake completes, an accept processed 1 ms
 * later always holds it and one processed at once never does (lab-04 port: 942 of 942 accepts
 * and 0 of 942), so the measured share becomes the share of accepts that wait 1 ms: 930 per mille.
 * The share depends on what the process and the machine are doing (raw client sending its
 * hello after node's connect event: 1 of 20, scripts/exp-accept-delay.ts); set acceptDelay per
 * host to change it, `{ minMs: 0, maxMs: 0 }` for none.
 */
import { assert } from '../lib/assert.ts';
import type { ByteStream } from '../engine/env.ts';
import type { Kernel, KernelTimer } from './kernel.ts';
import type { SeededRandom } from './seeds.ts';
import { isWholeMsRange, type MsRange } from './ms-range.ts';

export interface AcceptDelay extends MsRange {
  /**
   * Share of accepts, per mille, that wait a delay drawn from [minMs, maxMs]; the others are
   * processed when the handshake completes (0 ms). Default 1000: every accept draws.
   */
  delayedPerMille?: number;
}

/** Bound on a host's accept delay: far beyond any loaded real host. */
export const ACCEPT_DELAY_MS_MAX = 1_000;
const PER_MILLE = 1_000;
/** The measured default for simulated hosts (see above): 1 ms late in 930 of 1000 accepts. */
export const ACCEPT_DELAY_MEASURED: AcceptDelay = { minMs: 1, maxMs: 1, delayedPerMille: 930 };
/** Connections one process holds unaccepted at once (a bound; the kernel's backlog is finite too). */
const WAITING_MAX = 4_096;

export function isAcceptDelay(delay: AcceptDelay): boolean {
  const { minMs, maxMs, delayedPerMille } = delay;
  const share = delayedPerMille === undefined || (Number.isSafeInteger(delayedPerMille) && delayedPerMille >= 0 && delayedPerMille <= PER_MILLE);
  return share && isWholeMsRange({ minMs, maxMs }, ACCEPT_DELAY_MS_MAX);
}

/** One accept's delay: the share draw first (only when a share is given), then the delay. */
export function drawAcceptDelayMs(delay: AcceptDelay, random: SeededRandom): number {
  if (delay.delayedPerMille !== undefined && random.nextInt(PER_MILLE) >= delay.delayedPerMille) return 0;
  return random.nextIntBetween(delay.minMs, delay.maxMs);
}

/** One process's accepts: each runs after its drawn delay, or is closed if the process dies first. */
export class AcceptDelayer {
  private readonly waiting: { stream: ByteStream; timer: KernelTimer }[] = [];

  constructor(
    private readonly options: { delay: AcceptDelay; random: SeededRandom; kernel: Kernel; host: string },
  ) {
    assert(isAcceptDelay(options.delay), `acceptDelay of ${options.host}: whole ms, 0 <= minMs <= maxMs <= ${ACCEPT_DELAY_MS_MAX}, delayedPerMille in 0..1000`);
  }

  /** Runs `accept` once the drawn delay passed (at once when it is 0). */
  run(stream: ByteStream, accept: () => void): void {
    const delayMs = drawAcceptDelayMs(this.options.delay, this.options.random);
    if (delayMs === 0) return accept();
    assert(this.waiting.length < WAITING_MAX, `${this.options.host} holds at most ${WAITING_MAX} connections unaccepted`);
    const entry = {
      stream,
      timer: this.options.kernel.schedule(delayMs, () => {
        const at = this.waiting.indexOf(entry);
        assert(at >= 0, 'a pending accept fires once');
        this.waiting.splice(at, 1);
        accept();
      }, `accept:${this.options.host}`),
    };
    this.waiting.push(entry);
  }

  /** The process died with connections in its queue: the kernel closes them. */
  closeAll(): void {
    for (const entry of this.waiting.splice(0)) {
      entry.timer.cancel();
      entry.stream.close();
    }
  }
}
