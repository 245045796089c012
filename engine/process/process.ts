/**
 * One haproxy process: a parsed configuration brought to life on an `Env` — its stick tables
 * with their expiry task, its peers sections (sessions, resync, reload hand-over), its runtime
 * API, and the entry point for client requests. The simulator's hosts and the live runner both
 * build processes through this class; nothing here reads time, randomness or sockets directly.
 */
import type { Env, TimerHandle } from '../env.ts';
import { assert } from '../../lib/assert.ts';
import { resolveLocalPeer, type LocalPeerResolution } from '../config/local-peer.ts';
import type { Config, Proxy } from '../config/types.ts';
import { NO_MARKS, type CoverageMarks } from '../peers/marks.ts';
import type { MergePolicyName } from '../peers/merge.ts';
import type { PlantedBug } from '../peers/planted-bug.ts';
import { PeersSection } from '../peers/section.ts';
import { registerShowPeers } from '../peers/show-peers.ts';
import { RuntimeApi } from '../runtime-api/runtime-api.ts';
import { handleRequest, handleRequestWithPlan, requestPlanOf, type FrontendPlan } from './request.ts';
import type { ClientRequest, RequestResult } from './request-types.ts';
import { TableSet } from '../table/table-set.ts';
import { profileFor, type HaproxyVersion, type VersionProfile } from '../version/profile.ts';
import { tickIsSet, tickRemain, TICK_ETERNITY, type Tick } from '../ticks.ts';

export interface HaproxyProcessOptions {
  env: Env;
  config: Config;
  /** The host's name (gethostname()), the default local peer name. */
  hostname: string;
  /** `-L <name>` on the command line. */
  cliLocalPeer?: string;
  /** True for the new process of a reload (`-sf`): it waits for the old one's lesson. */
  hasOldProcess?: boolean;
  mergePolicy?: MergePolicyName;
  marks?: CoverageMarks;
  pid?: number;
  /** `[DD/Mon/YYYY:HH:MM:SS]` of the start, for `show peers`. */
  startDate?: string;
  /** A soft-stopping process calls this once it may exit. */
  onMayExit?: () => void;
  /** A deliberately wrong peers behaviour (testing aid, engine/peers/planted-bug.ts); usually none. */
  plantedBug?: PlantedBug | undefined;
  /** The HAProxy release line the process behaves as (default 2.6): tables, runtime API, peers. */
  haproxy?: HaproxyVersion;
}

export type ProcessState = 'created' | 'running' | 'stopping' | 'stopped';

export class HaproxyProcess {
  readonly env: Env;
  readonly config: Config;
  readonly local: LocalPeerResolution;
  readonly tables: TableSet;
  readonly sections: readonly PeersSection[];
  readonly api: RuntimeApi;
  readonly profile: VersionProfile;
  state: ProcessState = 'created';
  private expiryTimer: TimerHandle | undefined;
  private expiryTimerTick: Tick = TICK_ETERNITY;

  constructor(options: HaproxyProcessOptions) {
    this.env = options.env;
    this.config = options.config;
    this.local = resolveLocalPeer(options.config, {
      hostname: options.hostname,
      ...(options.cliLocalPeer === undefined ? {} : { cliLocalPeer: options.cliLocalPeer }),
    });
    for (const w of this.local.warnings) this.env.events.emit('config.warning', { message: w.message });
    this.profile = profileFor(options.haproxy ?? '2.6');
    this.tables = new TableSet(this.local.tables, { profile: this.profile });
    for (const table of this.tables.tables) table.onExpiryScheduled = (tick) => this.armExpiry(tick);
    const sections: PeersSection[] = [];
    for (const section of this.local.sections) {
      if (section.status !== 'active') continue;
      const parsed = this.config.peersSections.find((s) => s.name === section.name);
      assert(parsed !== undefined, 'a resolved section comes from the config');
      const peers = parsed.entries
        .filter((e) => e.address !== undefined || e.name === this.local.localName)
        .map((e) => ({ name: e.name, address: e.address?.host ?? '', port: e.address?.port ?? 0 }));
      const tables = this.tables.tables.filter((t) => t.spec.peersSection === section.name);
      sections.push(
        new PeersSection({
          env: this.env,
          name: section.name,
          localName: this.local.localName,
          peers,
          tables,
          mergePolicy: options.mergePolicy ?? 'haproxy',
          marks: options.marks ?? NO_MARKS,
          hasOldProcess: options.hasOldProcess ?? false,
          pid: options.pid ?? 1,
          ...(options.startDate === undefined ? {} : { startDate: options.startDate }),
          onMayExit: () => this.maybeExited(options.onMayExit),
          ...(options.plantedBug === undefined ? {} : { plantedBug: options.plantedBug }),
          profile: this.profile,
        }),
      );
    }
    this.sections = sections;
    this.api = new RuntimeApi({ tables: this.tables.tables, now: () => this.env.clock.nowTick(), profile: this.profile });
    registerShowPeers(this.api, { sections: this.sections, profile: this.profile });
  }

  private readonly roundRobin = new Map<string, number>();
  /** The first frontend and the backends of the (immutable) config, found on the first request. */
  private frontendDefault: Proxy | undefined = undefined;
  private frontendDefaultPlan: FrontendPlan | undefined = undefined;
  private backends: readonly Proxy[] | undefined = undefined;

  /**
   * One client connection with one request through a frontend (by name; default the first
   * frontend or listen section). Undefined when the process is not serving (stopping or dead).
   */
  handleRequest(request: ClientRequest, options?: { frontend?: string }): RequestResult | undefined {
    if (this.state !== 'running') return undefined;
    const name = options?.frontend;
    let frontend = name === undefined ? this.frontendDefault : undefined;
    if (frontend === undefined) {
      frontend = this.config.proxies.find((p) => (p.kind === 'frontend' || p.kind === 'listen') && (name === undefined || p.name === name));
      assert(frontend !== undefined, `the configuration has a frontend${name === undefined ? '' : ` named ${name}`}`);
      if (name === undefined) this.frontendDefault = frontend;
    }
    this.backends ??= this.config.proxies.filter((p) => p.kind === 'backend' || p.kind === 'listen');
    const ctx = { frontend, backends: this.backends, tables: this.tables, now: this.env.clock.nowTick(), roundRobin: this.roundRobin };
    if (frontend !== this.frontendDefault) return handleRequest(ctx, request);
    this.frontendDefaultPlan ??= requestPlanOf(frontend, this.backends);
    return handleRequestWithPlan(ctx, request, this.frontendDefaultPlan);
  }

  /** Starts listening and syncing. */
  start(): void {
    assert(this.state === 'created', 'a process starts once');
    this.state = 'running';
    for (const s of this.sections) s.start();
    this.env.events.emit('process.start', { local: this.local.localName, sections: this.sections.length });
  }

  /** Soft stop (the old process of a reload): hands its tables over, then exits. */
  softStop(onExit?: () => void): void {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    this.env.events.emit('process.soft-stop', {});
    if (this.sections.length === 0) {
      this.finish();
      onExit?.();
      return;
    }
    this.exitWaiters.push(() => onExit?.());
    for (const s of this.sections) s.softStop();
  }

  /** Hard stop or crash: everything closes at once; the tables are lost with the process. */
  kill(): void {
    if (this.state === 'stopped') return;
    for (const s of this.sections) s.stop();
    this.finish();
    this.env.events.emit('process.killed', {});
  }

  /** One runtime-API command line (the stats socket); the answer ends with its empty line. */
  cli(line: string): string {
    return this.api.execute(line).join('');
  }

  private readonly exitWaiters: (() => void)[] = [];
  private sectionsExited = 0;

  private maybeExited(userCallback: (() => void) | undefined): void {
    this.sectionsExited++;
    if (this.sectionsExited < this.sections.length) return;
    userCallback?.();
    this.finish();
    for (const w of this.exitWaiters.splice(0)) w();
  }

  private finish(): void {
    this.state = 'stopped';
    this.expiryTimer?.cancel();
    this.expiryTimer = undefined;
  }

  /** Keeps one timer at the earliest tick an expiry task wants to run. */
  private armExpiry(tick: Tick): void {
    if (this.state === 'stopped' || !tickIsSet(tick)) return;
    if (this.expiryTimer !== undefined && ((this.expiryTimerTick - tick) | 0) <= 0) return;
    this.expiryTimer?.cancel();
    this.expiryTimerTick = tick;
    const now = this.env.clock.nowTick();
    this.expiryTimer = this.env.timers.schedule(tickRemain(now, tick), () => this.runExpiry());
  }

  private runExpiry(): void {
    this.expiryTimer = undefined;
    const now = this.env.clock.nowTick();
    this.tables.runDueExpiry(now);
    const next = this.tables.nextExpiryTick();
    if (tickIsSet(next)) this.armExpiry(next);
  }
}
