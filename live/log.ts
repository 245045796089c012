/**
 * Peer events as log lines on stderr. HAProxy's own prefix (`[WARNING]  (pid) : `) and its
 * wording where it has one (config warnings, bind failures); HAProxy 2.6 logs nothing about peer
 * sessions, so those lines are sticksim's own, plain. Per-entry traffic (updates, acks,
 * heartbeats, merges) is only printed in verbose mode, as JSON.
 */
import type { EngineEvent, EventDetails, Events } from '../engine/env.ts';
import { statusLabel } from '../engine/peers/constants.ts';

export type LogLevel = 'ALERT' | 'WARNING' | 'NOTICE';

/** HAProxy 2.6's message prefix: the level in brackets padded to 10 columns, then the pid. */
export function logPrefix(level: LogLevel, pid: number): string {
  return `${`[${level}]`.padEnd(10)} (${pid}) : `;
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));

/** One event's line (without prefix and newline), or undefined when it is not logged at this level. */
export function describeEvent(event: EngineEvent): { level: LogLevel; text: string } | undefined {
  const where = event['section'] === undefined ? '' : `peers '${str(event['section'])}': `;
  const peer = event['peer'] === undefined || event['peer'] === null ? 'unknown peer' : `peer '${str(event['peer'])}'`;
  switch (event.kind) {
    case 'config.warning':
      return { level: 'WARNING', text: `config : ${str(event['message'])}` };
    case 'process.soft-stop':
      return { level: 'NOTICE', text: 'soft stop: handing the tables over to the new process, then exiting' };
    case 'process.killed':
      return { level: 'NOTICE', text: 'stopped' };
    case 'section.start':
      return { level: 'NOTICE', text: `${where}local peer '${str(event['local'])}' started${event['hasOldProcess'] === true ? ', waiting for the old process' : ''}` };
    case 'section.may-exit':
      return { level: 'NOTICE', text: `${where}may exit (${str(event['reason'])})` };
    case 'session.accept':
      return { level: 'NOTICE', text: `${where}accepted a session from ${peer} (${str(event['from'])})` };
    case 'session.connect':
      return undefined;
    case 'hello.status': {
      const code = Number(event['code']);
      if (code === 200) return { level: 'NOTICE', text: `${where}session with ${peer} established (${str(event['role'])})` };
      const label = statusLabel(code);
      if (event['role'] === 'initiator') return { level: 'WARNING', text: `${where}${peer} refused our hello: ${code} (${label})` };
      return { level: 'WARNING', text: `${where}refused a hello: ${code} (${label}): ${str(event['reason'])}` };
    }
    case 'session.closed':
      return { level: 'NOTICE', text: `${where}session with ${peer} closed (${str(event['reason'])})` };
    case 'session.connect-failed':
      return { level: 'NOTICE', text: `${where}cannot connect to ${peer} (${str(event['reason'])})` };
    case 'session.timeout':
      return { level: 'WARNING', text: `${where}session with ${peer} timed out` };
    case 'session.input-overflow':
      return { level: 'WARNING', text: `${where}session with ${peer} closed: ${str(event['pendingBytes'])} bytes unread, input overflow` };
    case 'session.protocol-error':
      return { level: 'WARNING', text: `${where}protocol error from ${peer}: ${str(event['detail'])}` };
    case 'collision':
      return { level: 'NOTICE', text: `${where}connection collision with ${peer}` };
    case 'peer.dead':
      return { level: 'WARNING', text: `${where}${peer} is dead (no heartbeat)` };
    case 'resync.assign':
      return { level: 'NOTICE', text: `${where}learning the tables from ${peer} (${str(event['from'])})` };
    case 'resync.state':
      return { level: 'NOTICE', text: `${where}resync state ${str(event['state'])}${event['how'] === undefined ? '' : ` (${str(event['how'])})`}` };
    case 'resync.learned':
      return { level: 'NOTICE', text: `${where}learned the tables from ${peer}` };
    case 'resync.finished.tx':
      return { level: 'NOTICE', text: `${where}taught the tables to ${peer}` };
    case 'resync.partial.tx':
      return { level: 'NOTICE', text: `${where}taught the tables to ${peer} (partial: not up to date itself)` };
    case 'resync.partial.rx':
      return { level: 'NOTICE', text: `${where}learned the tables from ${peer} (partial: it is not up to date itself)` };
    case 'resync.abort':
      return { level: 'WARNING', text: `${where}resync from ${peer} aborted` };
    default:
      return undefined;
  }
}

export interface LogSinkOptions {
  pid: number;
  write: (line: string) => void;
  /** Every event as JSON (updates, acks, heartbeats too). */
  verbose?: boolean;
}

/** Events → log lines. */
export function logEvents(options: LogSinkOptions): Events & { log(level: LogLevel, text: string): void } {
  const log = (level: LogLevel, text: string): void => options.write(`${logPrefix(level, options.pid)}${text}\n`);
  return {
    log,
    emit(kind: string, details: EventDetails): void {
      const event: EngineEvent = { ...details, kind };
      const line = describeEvent(event);
      if (line !== undefined) log(line.level, line.text);
      else if (options.verbose === true) log('NOTICE', JSON.stringify(event));
    },
  };
}
