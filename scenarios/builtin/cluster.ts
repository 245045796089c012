/** Shared pieces of the built-in scenarios: host addresses and the lab's mesh configuration. */
import { meshConfig, type HostSpec } from '../dsl.ts';

export function mesh(names: readonly string[], options: { frontend?: string[]; table?: string; withPeers?: boolean } = {}): HostSpec[] {
  const peers = names.map((name, i) => ({ name, address: `10.0.0.${i + 1}` }));
  return names.map((name, i) => ({
    name,
    addresses: [`10.0.0.${i + 1}`],
    config: meshConfig({ local: name, peers, ...options }),
  }));
}
