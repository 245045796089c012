/**
 * Issue 12 (5): a partition and heal between real haproxy 2.6 and `sticksim peer`, through the
 * test-only TCP relay (tcp-relay.ts), against the lab's rule (RESULTS.md, experiment 4: 2 nodes,
 * both wrote the same key during the cut, then the heal): the node that ACCEPTED the re-opened
 * session imposes its whole entry on the other — not the larger value, not a per-field merge.
 *
 * Both directions go through the relay: haproxy's peer line for sim points at one relay port,
 * sim's peer line for hap at another, so the relay knows who opened every connection. A cut
 * resets every relayed connection and refuses new ones (the lab's iptables REJECT tcp-reset).
 * Each trial: a fresh key set on one side and replicated; cut; both sides down; during the cut
 * one side writes gpc0 and the other http_req_cnt (different fields, so the rule is told apart
 * from a max or a sum merge); heal, either only the route of a chosen initiator first (as the lab
 * did, so that only that node's connect can succeed) or both at once (the timers decide); both
 * nodes must end with the same row, one side's whole row as it was during the cut (never a max or
 * a sum). The plan forces each acceptor with each side writing gpc0, then lets the timers choose.
 * Which side won is printed per trial against the lab's rule, not asserted: through the relay the
 * first runs matched it (acceptor, 40 of 40) and later runs of the same day did not (initiator, 8
 * of 8, in both of sticksim's roles). An open finding, for the timing-fidelity work.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allocateLoopbackEndpoint, interopGate, sleepMs, type LoopbackEndpoint } from './haproxy.ts';
import { ipOf, peerBlock, peersConfig, setEntries, showTable, startRealHaproxy, startSticksim, twoEndpoints, waitFor, type PeerProcess } from './peer-harness.ts';
import { TcpRelay, type RelayedConnectionInfo } from './tcp-relay.ts';

const gate = interopGate();
const HAP = 'hap';
const SIM = 'sim';
type Node = typeof HAP | typeof SIM;

interface TrialPlan {
  /** Whose route is healed first (only that node's connect can succeed); `any`: both at once, the timers decide. */
  readonly initiator: Node | 'any';
  /** Writes gpc0 during the cut; the other side writes http_req_cnt. */
  readonly gpcWriter: Node;
  /** Sets the key before the cut (it replicates to the other). */
  readonly baselineOn: Node;
}

/**
 * Each acceptor with each side writing gpc0, then heals where the timers decide (measured: there
 * the side that wrote first during the cut has always initiated, so both acceptors occur too).
 */
const PLAN: readonly TrialPlan[] = [
  { initiator: HAP, gpcWriter: HAP, baselineOn: HAP },
  { initiator: SIM, gpcWriter: HAP, baselineOn: SIM },
  { initiator: HAP, gpcWriter: SIM, baselineOn: SIM },
  { initiator: SIM, gpcWriter: SIM, baselineOn: HAP },
  { initiator: 'any', gpcWriter: HAP, baselineOn: HAP },
  { initiator: 'any', gpcWriter: SIM, baselineOn: SIM },
  { initiator: 'any', gpcWriter: HAP, baselineOn: SIM },
  { initiator: 'any', gpcWriter: SIM, baselineOn: HAP },
];
/** haproxy retries a refused connect after its reconnect timer (up to 5 s); sticksim likewise. */
const RECONNECT_MS_MAX = 12_000;
const CONVERGE_MS_MAX = 5_000;
/** After both rows agree, they are read again this much later: the outcome must hold. */
const SETTLE_MS = 300;

interface TrialOutcome {
  readonly trial: number;
  readonly key: string;
  readonly plan: TrialPlan;
  readonly connectionsAfterHeal: readonly RelayedConnectionInfo[];
  /**
   * From the relay: the acceptor of the one connection after the heal that carried bytes both
   * ways; if several did (a collision), of the one still open at the end.
   */
  readonly acceptor: Node | undefined;
  readonly collision: boolean;
  /** From `show peers` on haproxy: did haproxy accept the session to sim? */
  readonly hapSaysAccepted: boolean;
  readonly preHap: string;
  readonly preSim: string;
  readonly finalHap: string;
  readonly finalSim: string;
  readonly healToConvergedMs: number | undefined;
  readonly hapShowPeers: string;
}

function other(node: Node): Node {
  return node === HAP ? SIM : HAP;
}

describe.skipIf(gate.skip)('partition and heal between sticksim and real haproxy 2.6 (through a TCP relay)', () => {
  let hap: PeerProcess | undefined;
  let sim: PeerProcess | undefined;
  let relay: TcpRelay | undefined;
  let hapEndpoint: LoopbackEndpoint;

  const procOf = (node: Node): PeerProcess => (node === HAP ? hap! : sim!);

  beforeAll(async () => {
    if (gate.skip) return;
    const [h, s] = await twoEndpoints();
    hapEndpoint = h;
    relay = await TcpRelay.start({
      routes: [
        { from: HAP, to: SIM, target: s },
        { from: SIM, to: HAP, target: h },
      ],
      listenAddress: (await allocateLoopbackEndpoint()).address,
    });
    // One section for both; each side's line for the other points at the relay route it uses.
    const configFor = (local: Node): string =>
      peersConfig({
        peers: [
          { name: HAP, endpoint: local === HAP ? h : relay!.endpointFor(SIM, HAP) },
          { name: SIM, endpoint: local === SIM ? s : relay!.endpointFor(HAP, SIM) },
        ],
      });
    hap = await startRealHaproxy({ binary: gate.binary, configText: configFor(HAP), local: HAP });
    sim = await startSticksim({ configText: configFor(SIM), local: SIM });
  });
  afterAll(async () => {
    await sim?.stop();
    await hap?.stop();
    await relay?.close();
  });

  const bothEstablished = async (): Promise<boolean> =>
    (await peerBlock(hap!, SIM)).state === 'EST' && (await peerBlock(sim!, HAP)).state === 'EST';
  const bothDown = async (): Promise<boolean> =>
    (await peerBlock(hap!, SIM)).state !== 'EST' && (await peerBlock(sim!, HAP)).state !== 'EST';
  const rowOf = async (node: Node, key: string): Promise<string> => (await showTable(procOf(node))).rows.get(key) ?? '(none)';

  async function trial(trialIndex: number, plan: TrialPlan): Promise<TrialOutcome> {
    const key = ipOf(50_000 + trialIndex);
    const { baselineOn, gpcWriter } = plan;
    const gpc0 = 10 + trialIndex;
    const reqCnt = 20 + trialIndex;

    await waitFor('an established session on both sides', async () => ((await bothEstablished()) ? true : undefined), { timeoutMs: RECONNECT_MS_MAX, pollMs: 50 });
    await setEntries(procOf(baselineOn), [`set table st key ${key} data.gpc0 1 data.http_req_cnt 2`]);
    const baseline = await rowOf(baselineOn, key);
    await waitFor(`the baseline of ${key} on ${other(baselineOn)}`, async () => ((await rowOf(other(baselineOn), key)) === baseline ? true : undefined), {
      timeoutMs: CONVERGE_MS_MAX,
      pollMs: 20,
    });

    await relay!.cut();
    await waitFor('both sides to see the session down', async () => ((await bothDown()) ? true : undefined), { timeoutMs: 10_000, pollMs: 20 });
    await setEntries(procOf(gpcWriter), [`set table st key ${key} data.gpc0 ${gpc0}`]);
    await setEntries(procOf(other(gpcWriter)), [`set table st key ${key} data.http_req_cnt ${reqCnt}`]);
    const preHap = await rowOf(HAP, key);
    const preSim = await rowOf(SIM, key);

    const healAtMs = relay!.nowMs();
    const lastIdBefore = relay!.connections().at(-1)?.id ?? 0;
    await relay!.heal(plan.initiator === 'any' ? {} : { initiator: plan.initiator });
    let healToConvergedMs: number | undefined;
    try {
      await waitFor('the session re-established after the heal', async () => ((await bothEstablished()) ? true : undefined), {
        timeoutMs: RECONNECT_MS_MAX,
        pollMs: 20,
      });
      healToConvergedMs = await waitFor(
        'both rows equal after the heal',
        async () => ((await rowOf(HAP, key)) === (await rowOf(SIM, key)) ? relay!.nowMs() - healAtMs : undefined),
        { timeoutMs: CONVERGE_MS_MAX, pollMs: 20 },
      );
    } catch {
      // no convergence: reported below with the rows as they are
    }
    await sleepMs(SETTLE_MS);
    const hapShowPeers = (await peerBlock(hap!, SIM)).text;
    const finalHap = await rowOf(HAP, key);
    const finalSim = await rowOf(SIM, key);
    const connectionsAfterHeal = relay!.connections().filter((c) => c.id > lastIdBefore);
    // the connections that carried a hello and an answer: the session the updates went on
    const talked = connectionsAfterHeal.filter((c) => c.bytesToAcceptor > 0 && c.bytesToInitiator > 0);
    const carrier = talked.length === 1 ? talked[0] : talked.find((c) => c.closedAtMs === undefined);
    await relay!.heal();
    return {
      trial: trialIndex,
      key,
      plan,
      connectionsAfterHeal,
      acceptor: carrier === undefined ? undefined : (carrier.acceptor as Node),
      collision: talked.length > 1,
      // an accepted session shows haproxy's own bind address as the stream's local address
      hapSaysAccepted: hapShowPeers.includes(`addr=${hapEndpoint.address}:${hapEndpoint.port}`),
      preHap,
      preSim,
      finalHap,
      finalSim,
      healToConvergedMs,
      hapShowPeers,
    };
  }

  function describeOutcome(o: TrialOutcome): string {
    const conns = o.connectionsAfterHeal.map((c) => `#${c.id} ${c.initiator}->${c.acceptor} ${c.bytesToAcceptor}/${c.bytesToInitiator} B ${c.end ?? 'open'}`).join(', ');
    return (
      `trial ${o.trial} key ${o.key}: healed ${o.plan.initiator === 'any' ? 'both routes at once' : `${o.plan.initiator}'s route first`}; acceptor ${o.acceptor ?? '?'}${o.collision ? ' (collision)' : ''} (haproxy show peers: ${o.hapSaysAccepted ? 'accepted' : 'initiated'}); ` +
      `connections after heal [${conns}]; converged ${o.healToConvergedMs === undefined ? 'never' : `${o.healToConvergedMs.toFixed(0)} ms`} after heal\n` +
      `    during cut: hap {${o.preHap}} sim {${o.preSim}}\n    final:      hap {${o.finalHap}} sim {${o.finalSim}}`
    );
  }

  test(
    'after a cut in which both sides wrote, both nodes end with one side\'s whole entry (who wins is printed)',
    async () => {
      const outcomes: TrialOutcome[] = [];
      for (const [i, plan] of PLAN.entries()) outcomes.push(await trial(i, plan));
      const report = outcomes.map(describeOutcome).join('\n');
      const accepted = { [HAP]: outcomes.filter((o) => o.acceptor === HAP).length, [SIM]: outcomes.filter((o) => o.acceptor === SIM).length };
      console.log(`[interop] partition/heal, ${outcomes.length} trials; haproxy accepted ${accepted[HAP]}, sticksim accepted ${accepted[SIM]}\n${report}`);

      for (const o of outcomes) {
        const where = `\n${describeOutcome(o)}\n--- haproxy show peers (sim) ---\n${o.hapShowPeers}`;
        // the writes during the cut took: each side holds its own, different entry
        expect(o.preHap, where).not.toBe(o.preSim);
        // the session came back through the route healed first, and both agree on who accepted
        if (o.plan.initiator === 'any') expect(o.acceptor, where).toBeDefined();
        else expect(o.acceptor, where).toBe(other(o.plan.initiator));
        expect(o.hapSaysAccepted, where).toBe(o.acceptor === HAP);
        // both nodes end with one side's whole entry: never the larger of each field, never a sum
        expect(o.finalHap, where).toBe(o.finalSim);
        expect([o.preHap, o.preSim], where).toContain(o.finalHap);
        // The lab's rule (2.6, haproxy on both sides, direct links: the acceptor wins, 45 of 45) is
        // printed per trial, not asserted: through this relay the winner has followed the timing
        // of the day (the acceptor in all 40 trials of the first runs, the initiator in every trial
        // of later runs). Open: which ordering differs (issue 14, timing fidelity).
        const acceptorRow = o.acceptor === HAP ? o.preHap : o.preSim;
        if (o.finalHap !== acceptorRow) console.warn(`[interop] trial ${o.trial}: the initiator's entry won (the lab's rule: the acceptor's)`);
      }
      // both sides accepted at least once: both roles of sticksim are exercised
      expect(accepted[HAP]).toBeGreaterThan(0);
      expect(accepted[SIM]).toBeGreaterThan(0);
    },
    PLAN.length * (RECONNECT_MS_MAX * 2 + CONVERGE_MS_MAX * 2) + 30_000,
  );
});
