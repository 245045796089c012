/**
 * The real `Env` for the live runner: the monotonic clock, setTimeout timers, Math.random and
 * node:net. live/ is the only folder where real time and randomness may enter the engine.
 */
import type { Env, Events } from '../engine/env.ts';
import { LiveClock, LiveTimers } from './clock.ts';
import { LiveNet, type LiveNetOptions } from './net.ts';
import { LiveRandom } from './random.ts';

export interface LiveEnv extends Env {
  readonly net: LiveNet;
}

export function makeLiveEnv(options: { events: Events; net?: LiveNetOptions; startTick?: number }): LiveEnv {
  return {
    clock: new LiveClock(options.startTick === undefined ? {} : { startTick: options.startTick }),
    timers: new LiveTimers(),
    random: new LiveRandom(),
    net: new LiveNet(options.net ?? {}),
    events: options.events,
  };
}
