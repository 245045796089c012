/**
 * Lab 05's misaddressings on a real haproxy over loopback (each node on its own 127.0.0.x): what
 * `show peers` says as `last_status` for the misaddressed peer.
 *   wrongAddress:  hap1 lists hap2 at hap3's address (hap2 not running): hap3 refuses the name;
 *   closedPort:    hap1 lists hap2 at an address where nothing listens;
 *   unknownCaller: hap2's section does not list hap1.
 * Two nodes claiming one name (the lab's (g)) is not run here.
 */
import { allocateLoopbackEndpoint, cfgPreamble, HaproxyProcess, sleepMs, type HaproxyBinary, type LoopbackEndpoint } from '../../test/interop/haproxy.ts';

export interface MisaddressingOutcome {
  wrongAddress: string;
  closedPort: string;
  unknownCaller: string;
}

type Peers = readonly { name: string; at: LoopbackEndpoint }[];
const POLLS_MAX = 40;
const POLL_MS = 200;

function config(peers: Peers): string {
  return [
    ...cfgPreamble(),
    'peers mypeers',
    ...peers.map((p) => `    peer ${p.name} ${p.at.address}:${p.at.port}`),
    '',
    'backend st',
    '    stick-table type ip size 1k expire 60s store gpc0 peers mypeers',
    '',
  ].join('\n');
}

/** `last_status` of `peer` in hap1's `show peers`, once it is something else than NONE. */
async function statusOf(node: HaproxyProcess, peer: string): Promise<string> {
  let status = 'NONE';
  for (let poll = 0; poll < POLLS_MAX && status === 'NONE'; poll++) {
    await sleepMs(POLL_MS);
    const line = (await node.cli('show peers')).split('\n').find((l) => l.includes(`id=${peer}(remote`));
    status = /last_status=([A-Z]+)/.exec(line ?? '')?.[1] ?? 'NONE';
  }
  return status;
}

async function withNodes<T>(binary: HaproxyBinary, nodes: readonly { name: string; peers: Peers }[], body: (first: HaproxyProcess) => Promise<T>): Promise<T> {
  const started: HaproxyProcess[] = [];
  try {
    // the callees first, so that hap1's first connect finds them listening (else CONN first)
    for (const n of [...nodes].reverse()) started.unshift(await HaproxyProcess.start({ binary, localPeer: n.name, config: () => config(n.peers) }));
    return await body(started[0]!);
  } finally {
    for (const p of started) await p.stop();
  }
}

export async function misaddressing(binary: HaproxyBinary): Promise<MisaddressingOutcome> {
  const [a, b, c] = [await allocateLoopbackEndpoint(), await allocateLoopbackEndpoint(), await allocateLoopbackEndpoint()];
  const right: Peers = [
    { name: 'hap1', at: a },
    { name: 'hap2', at: b },
    { name: 'hap3', at: c },
  ];
  const hap2AtHap3: Peers = right.map((p) => (p.name === 'hap2' ? { ...p, at: c } : p));
  const wrongAddress = await withNodes(binary, [{ name: 'hap1', peers: hap2AtHap3 }, { name: 'hap3', peers: right }], (hap1) => statusOf(hap1, 'hap2'));
  const closedPort = await withNodes(binary, [{ name: 'hap1', peers: right.slice(0, 2) }], (hap1) => statusOf(hap1, 'hap2'));
  const unknownCaller = await withNodes(
    binary,
    [
      { name: 'hap1', peers: right.slice(0, 2) },
      { name: 'hap2', peers: right.slice(1) },
    ],
    (hap1) => statusOf(hap1, 'hap2'),
  );
  return { wrongAddress, closedPort, unknownCaller };
}
