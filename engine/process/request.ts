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
import { assert, fail } from '../../lib/assert.ts';
import { TRACK_SLOTS } from '../config/fetches.ts';
import { countBytesIn, countBytesOut, countHttpError, countHttpFailure, countHttpRequest, countSession } from '../table/tracking.ts';
import { compileRules, runRules, RULE_SET_INDEX, type ProxyRules, type RuleRunOptions, type RuleVerdict } from './actions-eval.ts';
import {
  applyStickRequestRules,
  backendChoice,
  balanceRoundRobin,
  type BackendChoice,
  collectStickResponseStores,
  commitStickStores,
  selectBackend,
} from './backend-eval.ts';
import type { FetchScope } from './fetches-eval.ts';
import type { TableSet } from '../table/table-set.ts';
import type { Tick } from '../ticks.ts';
import type { ClientRequest, RequestContext, RequestResult, RequestStage, TrackedKey } from './request-types.ts';
import { parseSourceAddressCached, type RequestFacts } from './samples-eval.ts';
import { StickCounters } from './stick-counters.ts';

export type { ClientRequest, RequestContext, RequestResult } from './request-types.ts';

const STATUS_DEFAULT = 200;
/** HAProxy's answer when no backend or no server is available. */
const STATUS_NO_SERVER = 503;

/**
 * A frontend's compiled rules and backend switching: one lookup per request, or none when the
 * caller keeps it (`requestPlanOf`, then `handleRequestWithPlan`).
 */
export interface FrontendPlan {
  readonly rules: ProxyRules;
  readonly choice: BackendChoice;
}

const plans = new WeakMap<Proxy, FrontendPlan>();

export function requestPlanOf(frontend: Proxy, backends: readonly Proxy[]): FrontendPlan {
  let plan = plans.get(frontend);
  if (plan === undefined || plan.choice.backends !== backends) {
    plan = { rules: compileRules(frontend.rules), choice: backendChoice(frontend, backends) };
    plans.set(frontend, plan);
  }
  return plan;
}

/**
 * The running state of one exchange; also the fetch scope of the frontend's rules (one object
 * for both: every request makes one).
 */
class Exchange implements FetchScope {
  readonly counters = new StickCounters();
  readonly tables: TableSet;
  /** The frontend. */
  readonly proxy: Proxy;
  readonly now: Tick;
  readonly feRules: ProxyRules;
  /** The backend (once one distinct from the frontend is chosen): its scope and compiled rules. */
  beScope: FetchScope | undefined = undefined;
  beRules: ProxyRules | undefined = undefined;

  constructor(
    readonly ctx: RequestContext,
    readonly request: ClientRequest,
    readonly facts: RequestFacts,
    readonly plan: FrontendPlan,
  ) {
    this.tables = ctx.tables;
    this.proxy = ctx.frontend;
    this.now = ctx.now;
    this.feRules = plan.rules;
  }
}

/** Indexes into a proxy's compiled rules (constants: no keyed lookup per request). */
const SET_CONNECTION = RULE_SET_INDEX['tcp-request connection'];
const SET_SESSION = RULE_SET_INDEX['tcp-request session'];
const SET_CONTENT = RULE_SET_INDEX['tcp-request content'];
const SET_HTTP_REQUEST = RULE_SET_INDEX['http-request'];
const SET_HTTP_RESPONSE = RULE_SET_INDEX['http-response'];

/** The options of the rule-set runs, one object each for every request (http-response's carries the status). */
const FE_CONNECTION: RuleRunOptions = { ruleSet: 'tcp-request connection', level: 'session', byBackend: false };
const FE_SESSION: RuleRunOptions = { ruleSet: 'tcp-request session', level: 'session', byBackend: false };
const FE_CONTENT: RuleRunOptions = { ruleSet: 'tcp-request content', level: 'stream', byBackend: false };
const BE_CONTENT: RuleRunOptions = { ruleSet: 'tcp-request content', level: 'stream', byBackend: true };
const FE_HTTP_REQUEST: RuleRunOptions = { ruleSet: 'http-request', level: 'stream', byBackend: false };
const BE_HTTP_REQUEST: RuleRunOptions = { ruleSet: 'http-request', level: 'stream', byBackend: true };

/** The scope of `proxy`'s rules: the frontend's (the exchange), else the chosen backend's. */
function scopeOf(ex: Exchange, proxy: Proxy): FetchScope {
  if (proxy === ex.proxy) return ex;
  assert(ex.beScope?.proxy === proxy, 'a backend scope is made when the backend is chosen');
  return ex.beScope;
}

/** The compiled rules of `proxy` (the frontend or the chosen backend). */
function rulesOf(ex: Exchange, proxy: Proxy): ProxyRules {
  if (proxy === ex.proxy) return ex.feRules;
  assert(ex.beScope?.proxy === proxy && ex.beRules !== undefined, 'a backend scope is made when the backend is chosen');
  return ex.beRules;
}

function factsOf(ctx: RequestContext, request: ClientRequest): RequestFacts {
  const v4 = request.srcIpv4;
  if (v4 !== undefined && v4 !== v4 >>> 0) fail(`handleRequest: srcIpv4 ${v4} is a uint32`);
  const src = v4 !== undefined ? { type: 'ipv4' as const, value: v4, text: request.srcAddress } : parseSourceAddressCached(request.srcAddress);
  if (src === undefined) {
    throw new Error(`handleRequest: srcAddress '${request.srcAddress}' is neither an IPv4 nor an IPv6 address`);
  }
  const host = request.targetHost;
  return { src, host, mode: ctx.frontend.mode === 'http' ? 'http' : 'tcp' };
}

export function handleRequest(ctx: RequestContext, request: ClientRequest): RequestResult {
  return handleRequestWithPlan(ctx, request, requestPlanOf(ctx.frontend, ctx.backends));
}

/** `handleRequest` with the frontend's plan the caller keeps (`requestPlanOf(ctx.frontend, ctx.backends)`). */
export function handleRequestWithPlan(ctx: RequestContext, request: ClientRequest, plan: FrontendPlan): RequestResult {
  assert(ctx.frontend.kind === 'frontend' || ctx.frontend.kind === 'listen', 'requests enter through a frontend or listen proxy');
  assert(plan.choice.backends === ctx.backends, 'the plan was made for these backends');
  const ex = new Exchange(ctx, request, factsOf(ctx, request), plan);
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

/** Steps 1–3. Undefined when the session is accepted. */
function runSessionRules(ex: Exchange): Outcome | undefined {
  const connection = runRules(ex.feRules[SET_CONNECTION]!, ex, FE_CONNECTION);
  if (connection.kind === 'reject') return rejected(connection.line, 'tcp-request connection');
  const session = runRules(ex.feRules[SET_SESSION]!, ex, FE_SESSION);
  if (session.kind === 'reject') return rejected(session.line, 'tcp-request session');
  const slots = ex.counters.slots;
  for (let i = 0; i < TRACK_SLOTS; i++) {
    const t = slots[i];
    if (t === undefined) continue;
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
  const feContent = runRules(ex.feRules[SET_CONTENT]!, ex, FE_CONTENT);
  if (feContent.kind === 'reject') return rejected(feContent.line, 'tcp-request content');
  if (http) {
    const slots = ex.counters.slots;
    for (let i = 0; i < TRACK_SLOTS; i++) {
      const t = slots[i];
      if (t !== undefined) countHttpRequest(t.table, t.ref, ctx.now);
    }
    const end = interceptHttpRequest(ex, fe, false);
    if (end !== undefined) return end;
  }
  const target = selectBackend(ex.plan.choice, ex);
  if (target === undefined) return noServer(ex, undefined);
  const backend = target.proxy;
  if (backend !== fe) {
    ex.beScope = { counters: ex.counters, tables: ctx.tables, proxy: backend, facts, now: ctx.now };
    ex.beRules = target.rules;
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
  const scope = scopeOf(ex, proxy);
  const v = runRules(rulesOf(ex, proxy)[SET_HTTP_REQUEST]!, scope, byBackend ? BE_HTTP_REQUEST : FE_HTTP_REQUEST);
  return requestVerdictEnd(ex, v, 'http-request');
}

function requestVerdictEnd(ex: Exchange, v: RuleVerdict, stage: RequestStage): Outcome | undefined {
  switch (v.kind) {
    case 'continue':
    case 'stop':
      return undefined;
    case 'deny': {
      const slots = ex.counters.slots;
      for (let i = 0; i < TRACK_SLOTS; i++) {
        const t = slots[i];
        if (t !== undefined) countHttpError(t.table, t.ref, ex.ctx.now);
      }
      return { action: 'denied', status: v.status, denyRuleLine: v.line, stage };
    }
    case 'reject':
      return rejected(v.line, stage);
    case 'return':
      return { action: 'returned', status: v.status, returnRuleLine: v.line, stage };
  }
}

/** Step 6 for a backend distinct from the frontend. */
function runBackendRequestRules(ex: Exchange, backend: Proxy): Outcome | undefined {
  const scope = scopeOf(ex, backend);
  const content = runRules(rulesOf(ex, backend)[SET_CONTENT]!, scope, BE_CONTENT);
  if (content.kind === 'reject') return rejected(content.line, 'tcp-request content');
  if (ex.facts.mode !== 'http') return undefined;
  // stream_inc_be_http_req_ctr: trackers a backend attached have not counted this request yet.
  const slots = ex.counters.slots;
  for (let i = 0; i < TRACK_SLOTS; i++) {
    const t = slots[i];
    if (t !== undefined && t.byBackend) countHttpRequest(t.table, t.ref, ex.ctx.now);
  }
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
  // Without stick rules nothing is matched, stored or committed (the three steps are skipped).
  const sticky = backend.stickRules.length > 0;
  const stick = sticky ? applyStickRequestRules(backend, beScope) : undefined;
  const stuckServer = stick?.stuckServer;
  const server = stuckServer ?? balanceRoundRobin(backend, ctx.roundRobin);
  if (server === undefined) return noServer(ex, backend);
  const chosen = { name: server.name, id: server.id };
  const stuck = stuckServer !== undefined;
  const http = ex.facts.mode === 'http';
  const status = http ? (ex.request.serverStatus ?? STATUS_DEFAULT) : 0;
  if (http) countResponseStatus(ex, status);
  if (stick !== undefined) {
    collectStickResponseStores(backend, beScope, stick.stores);
    commitStickStores(stick.stores, server, beScope);
  }
  if (!http) return { action: 'allowed', status, stage: 'done', backend: backend.name, server: chosen, stuck };
  // Backend first, then the frontend; `allow` only ends the current proxy's rules.
  for (let i = 0; i < 2; i++) {
    const proxy = i === 0 ? backend : ctx.frontend;
    if (i === 1 && backend === ctx.frontend) break;
    const scope = scopeOf(ex, proxy);
    const own = rulesOf(ex, proxy)[SET_HTTP_RESPONSE]!;
    if (own.length === 0) continue;
    const v = runRules(own, scope, { ruleSet: 'http-response', level: 'stream', byBackend: proxy !== ctx.frontend, responseStatus: status });
    if (v.kind === 'deny') return { action: 'denied', status: v.status, denyRuleLine: v.line, stage: 'http-response', backend: backend.name, server: chosen, stuck };
    if (v.kind === 'reject') return { ...rejected(v.line, 'http-response'), backend: backend.name, server: chosen, stuck };
    if (v.kind === 'return') return { action: 'returned', status: v.status, returnRuleLine: v.line, stage: 'http-response', backend: backend.name, server: chosen, stuck };
  }
  return { action: 'allowed', status, stage: 'done', backend: backend.name, server: chosen, stuck };
}

/** `http_wait_for_response`: 4xx → http_err, 5xx other than 501/505 → http_fail. */
function countResponseStatus(ex: Exchange, status: number): void {
  const klass = Math.floor(status / 100);
  if (klass !== 4 && klass !== 5) return;
  const slots = ex.counters.slots;
  for (let i = 0; i < TRACK_SLOTS; i++) {
    const t = slots[i];
    if (t === undefined) continue;
    if (klass === 4) countHttpError(t.table, t.ref, ex.ctx.now);
    if (klass === 5 && status !== 501 && status !== 505) countHttpFailure(t.table, t.ref, ex.ctx.now);
  }
}

/** `stream_process_counters`: the bytes of the exchange on every tracker. */
function countBytes(ex: Exchange): void {
  const bytesIn = ex.request.bytesIn ?? 0;
  const bytesOut = ex.request.bytesOut ?? 0;
  assert(bytesIn >= 0 && bytesOut >= 0, 'byte counts are not negative');
  if (bytesIn === 0 && bytesOut === 0) return;
  const slots = ex.counters.slots;
  for (let i = 0; i < TRACK_SLOTS; i++) {
    const t = slots[i];
    if (t === undefined) continue;
    if (bytesIn > 0) countBytesIn(t.table, t.ref, ex.ctx.now, bytesIn);
    if (bytesOut > 0) countBytesOut(t.table, t.ref, ex.ctx.now, bytesOut);
  }
}
