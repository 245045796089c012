/** Test helper: a kernel, a network over three hosts and an in-memory trace. */
import type { ByteStream, StreamCloseReason } from '../../../engine/env.ts';
import { Kernel } from '../../../sim/kernel.ts';
import { Network, type NetworkOptions } from '../../../sim/network.ts';
import { Seeds } from '../../../sim/seeds.ts';
import { MemorySink } from '../../../sim/trace.ts';

export function makeWorld(options: Partial<Omit<NetworkOptions, 'kernel' | 'random' | 'sink'>> = {}) {
  const kernel = new Kernel();
  const seeds = new Seeds('network-test');
  const sink = new MemorySink();
  const network = new Network({ kernel, random: seeds.stream('network'), sink, link: { latencyMs: 10 }, ...options });
  network.addHost({ name: 'hap1', addresses: ['10.0.0.1'] });
  network.addHost({ name: 'hap2', addresses: ['10.0.0.2', '10.0.1.2'] });
  network.addHost({ name: 'hap3', addresses: ['10.0.0.3'] });
  return { kernel, network, sink };
}

export interface Recorder {
  stream: ByteStream;
  /** Every chunk received with its arrival time. */
  chunks: Array<{ t: number; text: string }>;
  closes: Array<{ t: number; reason: StreamCloseReason }>;
  text(): string;
}

export function record(kernel: Kernel, stream: ByteStream): Recorder {
  const recorder: Recorder = {
    stream,
    chunks: [],
    closes: [],
    text: () => recorder.chunks.map((c) => c.text).join(''),
  };
  stream.onData((bytes) => recorder.chunks.push({ t: kernel.nowMs(), text: new TextDecoder().decode(bytes) }));
  stream.onClose((reason) => recorder.closes.push({ t: kernel.nowMs(), reason }));
  return recorder;
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Listens on hap2 10.0.0.2:10000 and records every accepted stream. */
export function serve(world: ReturnType<typeof makeWorld>, host = 'hap2', address = '10.0.0.2', port = 10000) {
  const accepted: Recorder[] = [];
  const listener = world.network.netFor(host).listen({ address, port }, (stream) => accepted.push(record(world.kernel, stream)));
  return { accepted, listener };
}

/** hap1 connects to hap2:10000 and both ends are recorded; runs until accepted. */
export function connected(world: ReturnType<typeof makeWorld>) {
  const { accepted } = serve(world);
  const client = record(world.kernel, world.network.netFor('hap1').connect({ address: '10.0.0.2', port: 10000 }));
  for (let steps = 0; steps < 1000 && accepted.length === 0; steps += 1) world.kernel.step();
  const server = accepted[0];
  if (server === undefined) throw new Error('not accepted');
  return { client, server };
}
