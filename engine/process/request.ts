/**
 * `handleRequest`: one client connection carrying one HTTP request (mode http) or one TCP
 * connection (mode tcp) through a frontend, in HAProxy 2.6's order (spec §1.5, §1.6):
 *
 *  1. tcp-request connection rules (session-level trackers; reject ends here)
 *  2. tcp-request session rules (session-level trackers; reject ends here)
 *  3. session accepted: sess_cnt / sess_rate on the session-level trackers
 *  4. frontend tcp-request content rules (stream-level trackers)
 *  5. http: the request is counted (http_req_*) on every tracker present, then the frontend's
 *     http-request rules (deny → http_err counted, answer N; reject; return; allow stops them)
 *  6. backend switching; for a distinct backend: its tcp-request content rules, the request
 *     counted on backend-attached trackers, its http-request rules
 *  7. stick match / on / store-request, server choice (stick hit, else round robin)
 *  8. response: 4xx → http_err, 5xx except 501/505 → http_fail; stick stores written;
 *     http-response rules of the backend then the frontend
 *  9. bytes_in / bytes_out, then release of stream-level trackers, then session-level ones
 *     (conn_cur − 1, local touch, delete if expired and unreferenced).
 *
 * Every path releases every tracker: the function never leaves a reference behind.
 */
import type { Proxy } from '../config/types.ts';
import { assert } from '../../lib/assert.ts';
import { countBytesIn, countBytesOut, countHttpError, countHttpFailure, countHttpRequest, countSession } from '../table/tracking.ts';
import { runRules, type RuleVerdict } from './actions-eval.ts';
import {
  applyStickRequestRules,
  balanceRoundRobin,
  collectStickResponseStores,
  commitStickStores,
  selectBackend,
} from './backend-eval.ts';
import type { FetchScope } from './fetches-eval.ts';
import type { ClientRequest, RequestContext, RequestResult, RequestStage, TrackedKey } from './request-types.ts';
import { parseSourceAddressCached, type RequestFacts } from './samples-eval.ts';
import { StickCounters } from './stick-counters.ts';

export type { ClientRequest, RequestContext, RequestResult } from './request-types.ts';

const STATUS_DEFAULT = 200;
/** HAProxy's answer when no backend or no server is available. */
const STATUS_NO_SERVER = 503;

/** The running state of one exchange. */
interface Exchange {
  readonly ctx: RequestContext;
  readonly request: ClientRequest;
  readonly facts: RequestFacts;
  readonly counters: StickCounters;
  /** The frontend's fetch scope (asked for several times per exchange). */
  feScope: FetchScope | undefined;
}

function scopeOf(ex: Exchange, proxy: Proxy): FetchScope {
  if (proxy === ex.ctx.frontend) {
    ex.feScope ??= { counters: ex.counters, tables: ex.ctx.tables, proxy, facts: ex.facts, now: ex.ctx.now };
    return ex.feScope;
  }
  return { counters: ex.counters, tables: ex.ctx.tables, proxy, facts: ex.facts, now: ex.ctx.now };
}

function factsOf(ctx: RequestContext, request: ClientRequest): RequestFacts {
  const src = parseSourceAddressCached(request.srcAddress);
  if (src === undefined) {
    throw new Error(`handleRequest: srcAddress '${request.srcAddress}' is neither an IPv4 nor an IPv6 address`);
  }
  const host = request.targetHost;
  return { src, host, mode: ctx.frontend.mode === 'http' ? 'http' : 'tcp' };
}

export function handleRequest(ctx: RequestContext, request: ClientRequest): RequestResult {
  assert(ctx.frontend.kind === 'frontend' || ctx.frontend.kind === 'listen', 'requests enter through a frontend or listen proxy');
  const ex: Exchange = { ctx, request, facts: factsOf(ctx, request), counters: new StickCounters(), feScope: undefined };
  const sessionEnd = runSessionRules(ex);
  if (sessionEnd !== undefined) {
    ex.counters.release('session', ctx.now);
    assert(ex.counters.isEmpty(), 'every tracker is released');
    return finish(ex, sessionEnd);
  }
  const outcome = runStream(ex);
  countBytes(ex);
  ex.counters.release('stream', ctx.now);
  ex.counters.release('session', ctx.now);
  assert(ex.counters.isEmpty(), 'every tracker is released');
  return finish(ex, outcome);
}

type Outcome = Omit<RequestResult, 'trackedKeys'>;

function finish(ex: Exchange, outcome: Outcome): RequestResult {
  // The outcome literal and the exchange's own counters are this request's: completed in place.
  const result = outcome as Outcome & { trackedKeys: readonly TrackedKey[] };
  result.trackedKeys = ex.counters.attached;
  return result;
}

const SESSION_RULE_SETS = ['tcp-request connection', 'tcp-request session'] as const;

/** Steps 1–3. Undefined when the session is accepted. */
function runSessionRules(ex: Exchange): Outcome | undefined {
  const fe = ex.ctx.frontend;
  const scope = scopeOf(ex, fe);
  for (const ruleSet of SESSION_RULE_SETS) {
    const v = runRules(fe.rules, scope, { ruleSet, level: 'session', byBackend: false });
    if (v.kind === 'reject') return { action: 'rejected', status: 0, denyRuleLine: v.line, stage: ruleSet };
  }
  for (const t of ex.counters.active()) {
    assert(t.level === 'session', 'only session-level trackers exist before the stream');
    countSession(t.table, t.ref, ex.ctx.now);
  }
  return undefined;
}

/** Steps 4–8. */
function runStream(ex: Exchange): Outcome {
  const { ctx, facts } = ex;
  const fe = ctx.frontend;
  const http = facts.mode === 'http';
  const feScope = scopeOf(ex, fe);
  const feContent = runRules(fe.rules, feScope, { ruleSet: 'tcp-request content', level: 'stream', byBackend: false });
  if (feContent.kind === 'reject') return rejected(feContent.line, 'tcp-request content');
  if (http) {
    for (const t of ex.counters.active()) countHttpRequest(t.table, t.ref, ctx.now);
    const end = interceptHttpRequest(ex, fe, false);
    if (end !== undefined) return end;
  }
  const backend = selectBackend(fe, ctx.backends, feScope);
  if (backend === undefined) return noServer(ex, undefined);
  if (backend !== fe) {
    const beEnd = runBackendRequestRules(ex, backend);
    if (beEnd !== undefined) return { ...beEnd, backend: backend.name };
  }
  return serveFromBackend(ex, backend);
}

function rejected(line: number, stage: RequestStage): Outcome {
  return { action: 'rejected', status: 0, denyRuleLine: line, stage };
}

/** http-request rules of `proxy`: the exchange's end, or undefined to go on. */
function interceptHttpRequest(ex: Exchange, proxy: Proxy, byBackend: boolean): Outcome | undefined {
  const v = runRules(proxy.rules, scopeOf(ex, proxy), { ruleSet: 'http-request', level: 'stream', byBackend });
  return requestVerdictEnd(ex, v, 'http-request');
}

function requestVerdictEnd(ex: Exchange, v: RuleVerdict, stage: RequestStage): Outcome | undefined {
  switch (v.kind) {
    case 'continue':
    case 'stop':
      return undefined;
    case 'deny':
      for (const t of ex.counters.active()) countHttpError(t.table, t.ref, ex.ctx.now);
      return { action: 'denied', status: v.status, denyRuleLine: v.line, stage };
    case 'reject':
      return rejected(v.line, stage);
    case 'return':
      return { action: 'returned', status: v.status, returnRuleLine: v.line, stage };
  }
}

/** Step 6 for a backend distinct from the frontend. */
function runBackendRequestRules(ex: Exchange, backend: Proxy): Outcome | undefined {
  const scope = scopeOf(ex, backend);
  const content = runRules(backend.rules, scope, { ruleSet: 'tcp-request content', level: 'stream', byBackend: true });
  if (content.kind === 'reject') return rejected(content.line, 'tcp-request content');
  if (ex.facts.mode !== 'http') return undefined;
  // stream_inc_be_http_req_ctr: trackers a backend attached have not counted this request yet.
  for (const t of ex.counters.active()) if (t.byBackend) countHttpRequest(t.table, t.ref, ex.ctx.now);
  return interceptHttpRequest(ex, backend, true);
}

function noServer(ex: Exchange, backend: Proxy | undefined): Outcome {
  const status = ex.facts.mode === 'http' ? STATUS_NO_SERVER : 0;
  return { action: 'allowed', status, stage: 'backend', ...(backend === undefined ? {} : { backend: backend.name }) };
}

/** Steps 7–8. */
function serveFromBackend(ex: Exchange, backend: Proxy): Outcome {
  const { ctx } = ex;
  const beScope = scopeOf(ex, backend);
  const stick = applyStickRequestRules(backend, beScope);
  const server = stick.stuckServer ?? balanceRoundRobin(backend, ctx.roundRobin);
  if (server === undefined) return noServer(ex, backend);
  const served = { backend: backend.name, server: { name: server.name, id: server.id }, stuck: stick.stuckServer !== undefined };
  const http = ex.facts.mode === 'http';
  const status = http ? (ex.request.serverStatus ?? STATUS_DEFAULT) : 0;
  if (http) countResponseStatus(ex, status);
  collectStickResponseStores(backend, beScope, stick.stores);
  commitStickStores(stick.stores, server, beScope);
  if (!http) return { action: 'allowed', status, stage: 'done', backend: served.backend, server: served.server, stuck: served.stuck };
  // Backend first, then the frontend; `allow` only ends the current proxy's rules.
  for (let i = 0; i < 2; i++) {
    const proxy = i === 0 ? backend : ctx.frontend;
    if (i === 1 && backend === ctx.frontend) break;
    const v = runRules(proxy.rules, scopeOf(ex, proxy), {
      ruleSet: 'http-response',
      level: 'stream',
      byBackend: proxy !== ctx.frontend,
      responseStatus: status,
    });
    if (v.kind === 'deny') return { action: 'denied', status: v.status, denyRuleLine: v.line, stage: 'http-response', ...served };
    if (v.kind === 'reject') return { ...rejected(v.line, 'http-response'), ...served };
    if (v.kind === 'return') return { action: 'returned', status: v.status, returnRuleLine: v.line, stage: 'http-response', ...served };
  }
  return { action: 'allowed', status, stage: 'done', backend: served.backend, server: served.server, stuck: served.stuck };
}

/** `http_wait_for_response`: 4xx → http_err, 5xx other than 501/505 → http_fail. */
function countResponseStatus(ex: Exchange, status: number): void {
  const klass = Math.floor(status / 100);
  for (const t of ex.counters.active()) {
    if (klass === 4) countHttpError(t.table, t.ref, ex.ctx.now);
    if (klass === 5 && status !== 501 && status !== 505) countHttpFailure(t.table, t.ref, ex.ctx.now);
  }
}

/** `stream_process_counters`: the bytes of the exchange on every tracker. */
function countBytes(ex: Exchange): void {
  const bytesIn = ex.request.bytesIn ?? 0;
  const bytesOut = ex.request.bytesOut ?? 0;
  assert(bytesIn >= 0 && bytesOut >= 0, 'byte counts are not negative');
  for (const t of ex.counters.active()) {
    if (bytesIn > 0) countBytesIn(t.table, t.ref, ex.ctx.now, bytesIn);
    if (bytesOut > 0) countBytesOut(t.table, t.ref, ex.ctx.now, bytesOut);
  }
}
