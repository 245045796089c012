/**
 * How long a host's haproxy takes to process a connection its kernel accepted: from the
 * handshake completing (the connection waits in the listener's queue, bytes the client sends
 * pile up in its input) to the process taking it and running the new stream once. Each accept
 * draws a whole number of ms in [minMs, maxMs] from the host's own `accept:<host>` stream. What
 * arrives meanwhile is in the stream's input at its first processing, which matters on 2.6
 * (profile acceptedInputDropsReadTimeout, issue 14). Not measured: no default (accepts are
 * processed when the handshake completes), set per host for what-if runs and tests.
 */
import { assert } from '../lib/assert.ts';
import type { ByteStream } from '../engine/env.ts';
import type { Kernel, KernelTimer } from './kernel.ts';
import type { SeededRandom } from './seeds.ts';

export interface AcceptDelay {
  minMs: number;
  maxMs: number;
}

/** Bound on a host's accept delay: far beyond any loaded real host. */
export const ACCEPT_DELAY_MS_MAX = 1_000;
/** Connections one process holds unaccepted at once (a bound; the kernel's backlog is finite too). */
const WAITING_MAX = 4_096;

export function isAcceptDelay(delay: AcceptDelay): boolean {
  const { minMs, maxMs } = delay;
  return Number.isSafeInteger(minMs) && Number.isSafeInteger(maxMs) && minMs >= 0 && minMs <= maxMs && maxMs <= ACCEPT_DELAY_MS_MAX;
}

/** One process's accepts: each runs after its drawn delay, or is closed if the process dies first. */
export class AcceptDelayer {
  private readonly waiting: { stream: ByteStream; timer: KernelTimer }[] = [];

  constructor(
    private readonly options: { delay: AcceptDelay; random: SeededRandom; kernel: Kernel; host: string },
  ) {
    assert(isAcceptDelay(options.delay), `acceptDelay of ${options.host}: whole ms, 0 <= minMs <= maxMs <= ${ACCEPT_DELAY_MS_MAX}`);
  }

  /** Runs `accept` once the drawn delay passed (at once when it is 0). */
  run(stream: ByteStream, accept: () => void): void {
    const delayMs = this.options.random.nextIntBetween(this.options.delay.minMs, this.options.delay.maxMs);
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
