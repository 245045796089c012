/**
 * Two real haproxy peers A and B that reach each other only through the test relay
 * (test/interop/tcp-relay.ts), as the experiment scripts against real haproxy use them
 * (scripts/exp-heal-reconnect.ts, scripts/exp-silent-cut.ts): the relay with its two routes, each
 * side's config, and one trial's processes with the clean-up that leaves the relay open again.
 */
import type { HaproxyBinary } from '../../test/interop/haproxy.ts';
import { peersConfig, startRealHaproxy, twoEndpoints, type PeerProcess } from '../../test/interop/peer-harness.ts';
import { TcpRelay } from '../../test/interop/tcp-relay.ts';

export interface RelayedPair {
  readonly relay: TcpRelay;
  /** The config of side `local` ('A' or 'B'): its own endpoint, the other's through the relay. */
  readonly cfg: (local: string) => string;
}

export interface RelayedPairOptions {
  /** The relay's `connectOnFirstBytes` (default false). */
  readonly connectOnFirstBytes?: boolean;
}

/** Allocates A's and B's endpoints and starts the relay between them (routes A→B and B→A). */
export async function startRelayedPair(options: RelayedPairOptions = {}): Promise<RelayedPair> {
  const [ea, eb] = await twoEndpoints();
  const relay = await TcpRelay.start({
    routes: [
      { from: 'A', to: 'B', target: eb },
      { from: 'B', to: 'A', target: ea },
    ],
    connectOnFirstBytes: options.connectOnFirstBytes ?? false,
  });
  const cfg = (local: string): string =>
    peersConfig({
      peers: [
        { name: 'A', endpoint: local === 'A' ? ea : relay.endpointFor('B', 'A') },
        { name: 'B', endpoint: local === 'B' ? eb : relay.endpointFor('A', 'B') },
      ],
    });
  return { relay, cfg };
}

/**
 * Starts A then B, runs `body` with them, then stops both, resets the relay's connections and
 * opens every route again (whatever `body` did), so that the next trial starts from the same place.
 */
export async function withRelayedProcesses<T>(pair: RelayedPair, binary: HaproxyBinary, body: (a: PeerProcess, b: PeerProcess) => Promise<T>): Promise<T> {
  const a = await startRealHaproxy({ binary, configText: pair.cfg('A'), local: 'A' });
  const b = await startRealHaproxy({ binary, configText: pair.cfg('B'), local: 'B' });
  try {
    return await body(a, b);
  } finally {
    await a.stop();
    await b.stop();
    pair.relay.reset();
    await pair.relay.heal();
  }
}
