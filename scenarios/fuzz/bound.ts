/**
 * The convergence bound: how long after the quiet starts (traffic stopped and every fault
 * undone) every live node must hold the same entries. Computed from HAProxy's timers and the
 * case's latency, never guessed:
 *
 *   quietMs     = max(traffic.untilMs, end of the last fault)
 *   + idleMs    = 5 000    a session stalled by a fault is closed by the stream inactivity timeout
 *                          (PEERS_STREAM_TIMEOUT_MS; heartbeats every 3 s keep live ones open)
 *   + reconnect = 5 000    the sync task's next connect attempt (PEER_RECONNECT_TIMEOUT_MS)
 *   + backoff   = 2 049    the collision/dead-peer back-off, at most 50 + 1 999 ms
 *   + connect   = 7 000    one session's connect attempts: 1 + 3 retries of 1 s connect timeout
 *                          with a 1 s turn-around after each fast refusal (PEERS_CONN_RETRIES)
 *   + resync    = 10 000   a restarted node's startup resync: FROM_LOCAL then FROM_REMOTE, each
 *                          bounded by PEER_RESYNC_TIMEOUT_MS
 *   + latency   = 6 × latencyMsMax   hello → status (1 RTT), then the pushes and their ACK (1 RTT),
 *                          and one more RTT for a resync request/teach
 *   + slackMs   = 200      the sync task's own wake-ups (same-tick ordering, 1 ms ticks)
 *
 * = quietMs + 29 049 ms + 6 × latencyMsMax + 200 ms.
 */
import {
  PEER_BACKOFF_MIN_MS,
  PEER_BACKOFF_RANGE_MS,
  PEER_RECONNECT_TIMEOUT_MS,
  PEER_RESYNC_TIMEOUT_MS,
  PEERS_CONN_RETRIES,
  PEERS_CONNECT_TIMEOUT_MS,
  PEERS_CONNECT_TURNAROUND_MS,
  PEERS_STREAM_TIMEOUT_MS,
} from '../../engine/peers/constants.ts';
import type { FuzzCase } from './case.ts';
import { scheduleEndMs } from './schedule.ts';

export const SLACK_MS = 200;
export const LATENCY_TRIPS = 6;

export interface ConvergenceBound {
  quietMs: number;
  idleMs: number;
  reconnectMs: number;
  backoffMs: number;
  connectMs: number;
  resyncMs: number;
  latencyMs: number;
  slackMs: number;
  /** The instant by which every live node holds the same entries. */
  convergedByMs: number;
}

export function convergenceBound(c: FuzzCase): ConvergenceBound {
  const quietMs = Math.max(c.traffic.untilMs, scheduleEndMs({ faults: c.faults }));
  const idleMs = PEERS_STREAM_TIMEOUT_MS;
  const reconnectMs = PEER_RECONNECT_TIMEOUT_MS;
  const backoffMs = PEER_BACKOFF_MIN_MS + PEER_BACKOFF_RANGE_MS - 1;
  const connectMs = (PEERS_CONN_RETRIES + 1) * PEERS_CONNECT_TIMEOUT_MS + PEERS_CONN_RETRIES * PEERS_CONNECT_TURNAROUND_MS;
  const resyncMs = 2 * PEER_RESYNC_TIMEOUT_MS;
  const latencyMs = LATENCY_TRIPS * c.latencyMsMax;
  const convergedByMs = quietMs + idleMs + reconnectMs + backoffMs + connectMs + resyncMs + latencyMs + SLACK_MS;
  return { quietMs, idleMs, reconnectMs, backoffMs, connectMs, resyncMs, latencyMs, slackMs: SLACK_MS, convergedByMs };
}

/** A run lasts until the bound plus one sample period. */
export function caseDurationMs(c: FuzzCase): number {
  return convergenceBound(c).convergedByMs + 500;
}
