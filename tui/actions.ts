/**
 * The explore verbs a person applies to a live world: each is recorded first as an
 * `explore.action` trace event { verb, node?, ratePerS?, src? } and then applied, so a
 * saved session replays (the replayer re-applies these events at their times).
 * The attack is deterministic: `ratePerS` requests a second from one source address, evenly
 * spaced, through the target host's frontend rules.
 */
import { assert } from '../lib/assert.ts';
import type { World } from '../sim/world.ts';

export type ExploreAction =
  | { verb: 'partition'; host: string }
  | { verb: 'heal' }
  | { verb: 'crash'; host: string }
  | { verb: 'restart'; host: string }
  | { verb: 'reload'; host: string }
  | { verb: 'attack.start'; host: string; ratePerS: number; src: string }
  | { verb: 'attack.stop'; host: string };

export const ATTACK_RATE_PER_S = 50;
export const ATTACK_SOURCE = '203.0.113.66';
const ATTACK_RATE_PER_S_MAX = 10_000;

/** Attacks running in one world (host -> generation; a stopped attack's timer sees a newer one). */
export class Attacks {
  private readonly generation = new Map<string, number>();
  private readonly running = new Set<string>();

  isRunning(host: string): boolean {
    return this.running.has(host);
  }

  start(world: World, options: { host: string; ratePerS: number; src: string }): void {
    assert(options.ratePerS > 0 && options.ratePerS <= ATTACK_RATE_PER_S_MAX, `attack rate within 1..${ATTACK_RATE_PER_S_MAX}/s`);
    const gen = (this.generation.get(options.host) ?? 0) + 1;
    this.generation.set(options.host, gen);
    this.running.add(options.host);
    const everyMs = Math.max(1, Math.round(1000 / options.ratePerS));
    const fire = (): void => {
      if (this.generation.get(options.host) !== gen) return;
      const host = world.host(options.host);
      if (!host.isPaused()) host.process?.handleRequest({ srcAddress: options.src });
      world.at(world.nowMs() + everyMs, fire);
    };
    world.at(world.nowMs(), fire);
  }

  stop(host: string): void {
    this.generation.set(host, (this.generation.get(host) ?? 0) + 1);
    this.running.delete(host);
  }
}

/** Records the action as a trace event, then applies it. */
export function applyAction(world: World, attacks: Attacks, action: ExploreAction): void {
  // 'host' is reserved in trace details: the node is recorded as `node`.
  const { verb, ...rest } = action;
  const { host, ...others } = rest as { host?: string };
  world.record('explore.action', { verb, ...(host === undefined ? {} : { node: host }), ...others });
  replayAction(world, attacks, action);
}

/** Applies an action without recording it (the replayer: the trace already holds it). */
export function replayAction(world: World, attacks: Attacks, action: ExploreAction): void {
  switch (action.verb) {
    case 'partition': {
      const others = [...world.hosts.keys()].filter((h) => h !== action.host);
      world.partition({ sides: [[action.host], others] });
      return;
    }
    case 'heal':
      world.heal();
      return;
    case 'crash':
      world.crash(action.host);
      return;
    case 'restart':
      world.restart(action.host);
      return;
    case 'reload':
      world.reload(action.host);
      return;
    case 'attack.start':
      attacks.start(world, action);
      return;
    case 'attack.stop':
      attacks.stop(action.host);
      return;
  }
}

/** Reads an `explore.action` event's details back; undefined when they are not one. */
export function actionFromDetails(details: Readonly<Record<string, unknown>>): ExploreAction | undefined {
  const verb = details['verb'];
  const host = typeof details['node'] === 'string' ? details['node'] : undefined;
  switch (verb) {
    case 'heal':
      return { verb };
    case 'partition':
    case 'crash':
    case 'restart':
    case 'reload':
    case 'attack.stop':
      return host === undefined ? undefined : { verb, host };
    case 'attack.start': {
      const ratePerS = Number(details['ratePerS']);
      const src = typeof details['src'] === 'string' ? details['src'] : ATTACK_SOURCE;
      return host === undefined || !(ratePerS > 0) ? undefined : { verb, host, ratePerS, src };
    }
    default:
      return undefined;
  }
}
