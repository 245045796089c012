/**
 * Runs one rule set of one proxy (`tcp-request connection|session|content`, `http-request`,
 * `http-response`) in declaration order, as 2.6's `tcp_exec_l4_rules` / `tcp_exec_l5_rules` /
 * `tcp_inspect_request` / `http_req_get_intercept_rule` / `http_res_get_intercept_rule` do:
 * a rule whose condition holds runs; track-sc, sc-inc-gpc*, sc-set-gpt* continue; accept/allow
 * stop this rule set; deny/tarpit/reject/return end the exchange.
 *
 * Modelled actions: track-sc0..2, sc-inc-gpc0, sc-inc-gpc1, sc-inc-gpc, sc-set-gpt0, sc-set-gpt,
 * accept, allow, deny, reject, return, tarpit. Every other action (`other`) is skipped.
 */
import type { Rule, RuleSet, SetGptRule, TrackScRule } from '../config/types.ts';
import { assert } from '../../lib/assert.ts';
import { DATA_TYPE_IDS as DT, countHttpRequest, countTrackedResponse, incGpc, incGpcLegacy, setGpt, setGpt0 } from '../table/tracking.ts';
import { fetchSample, type FetchScope } from './fetches-eval.ts';
import { compileCondition, type CondFn } from './conditions-eval.ts';
import { sampleToKey, type SampleValue } from './samples-eval.ts';
import type { TrackLevel } from './stick-counters.ts';
import type { StickTable } from '../table/table.ts';
import type { TableSet } from '../table/table-set.ts';

export type RuleVerdict =
  | { readonly kind: 'continue' }
  | { readonly kind: 'stop'; readonly line: number }
  | { readonly kind: 'deny'; readonly status: number; readonly line: number; readonly tarpit: boolean }
  | { readonly kind: 'reject'; readonly line: number }
  | { readonly kind: 'return'; readonly status: number; readonly line: number };

export interface RuleRunOptions {
  readonly ruleSet: RuleSet;
  /** Trackers attached by this rule set: session (tcp-request connection|session) or stream. */
  readonly level: TrackLevel;
  /** The rules belong to a backend other than the frontend (STKCTR_TRACK_BACKEND). */
  readonly byBackend: boolean;
  /** The response status, for http-response track-sc. */
  readonly responseStatus?: number;
}

/** Default status of `tarpit` (HAProxy: 500) unless `deny_status|status N` is given. */
const TARPIT_STATUS_DEFAULT = 500;

const CONTINUE: RuleVerdict = Object.freeze({ kind: 'continue' });

/** A rule with its condition compiled and, for a rule that ends its rule set, its verdict. */
export interface CompiledRule {
  readonly rule: Rule;
  readonly cond: CondFn | undefined;
  /** The verdict of accept/allow/deny/reject/return/tarpit (immutable, shared); else undefined. */
  readonly verdict: RuleVerdict | undefined;
  /** track-sc: the table it names in the last table set it ran with (a process's tables never change). */
  tablesSeen: TableSet | undefined;
  tableSeen: StickTable | undefined;
}

/** The rule sets in `RULE_SET_INDEX` order. */
const RULE_SETS: readonly RuleSet[] = ['tcp-request connection', 'tcp-request session', 'tcp-request content', 'http-request', 'http-response'];

/** A proxy's rules split by rule set, declaration order kept: index with `RULE_SET_INDEX`. */
export type ProxyRules = readonly (readonly CompiledRule[])[];

export const RULE_SET_INDEX = {
  'tcp-request connection': 0,
  'tcp-request session': 1,
  'tcp-request content': 2,
  'http-request': 3,
  'http-response': 4,
} as const satisfies Record<RuleSet, number>;

/** Compiled once per rule list: the config does not change as it runs. */
const compiledByRules = new WeakMap<readonly Rule[], ProxyRules>();

export function compileRules(rules: readonly Rule[]): ProxyRules {
  let compiled = compiledByRules.get(rules);
  if (compiled === undefined) {
    const sets: CompiledRule[][] = RULE_SETS.map(() => []);
    for (const rule of rules) {
      const cond = rule.cond === undefined ? undefined : compileCondition(rule.cond);
      sets[RULE_SET_INDEX[rule.ruleSet]]!.push({ rule, cond, verdict: terminalVerdict(rule), tablesSeen: undefined, tableSeen: undefined });
    }
    compiled = sets;
    compiledByRules.set(rules, compiled);
  }
  return compiled;
}

/** The verdict of a rule that ends its rule set (or the exchange), undefined for the others. */
function terminalVerdict(rule: Rule): RuleVerdict | undefined {
  switch (rule.action) {
    case 'accept':
    case 'allow':
      return Object.freeze({ kind: 'stop', line: rule.line });
    case 'deny':
      return Object.freeze({ kind: 'deny', status: rule.reply.status, line: rule.line, tarpit: false });
    case 'reject':
      return Object.freeze({ kind: 'reject', line: rule.line });
    case 'return':
      return Object.freeze({ kind: 'return', status: rule.reply.status, line: rule.line });
    case 'other':
      if (rule.name === 'tarpit' && rule.ruleSet === 'http-request') {
        return Object.freeze({ kind: 'deny', status: statusWord(rule.words) ?? TARPIT_STATUS_DEFAULT, line: rule.line, tarpit: true });
      }
      return undefined;
    case 'track-sc':
    case 'sc-inc-gpc0':
    case 'sc-inc-gpc1':
    case 'sc-inc-gpc':
    case 'sc-set-gpt0':
    case 'sc-set-gpt':
      return undefined;
  }
}

/** Runs one rule set (`compileRules(…)[RULE_SET_INDEX[options.ruleSet]]`) in declaration order. */
export function runRules(own: readonly CompiledRule[], scope: FetchScope, options: RuleRunOptions): RuleVerdict {
  for (let i = 0; i < own.length; i++) {
    const compiled = own[i]!;
    if (compiled.cond !== undefined && !compiled.cond(scope)) continue;
    if (compiled.verdict !== undefined) return compiled.verdict;
    runAction(compiled, scope, options);
  }
  return CONTINUE;
}

/** The actions that continue the rule set (the others have a verdict). */
function runAction(compiled: CompiledRule, scope: FetchScope, options: RuleRunOptions): void {
  const rule = compiled.rule;
  switch (rule.action) {
    case 'track-sc':
      trackSc(compiled, rule, scope, options);
      return;
    case 'sc-inc-gpc0':
    case 'sc-inc-gpc1':
    case 'sc-inc-gpc': {
      const t = scope.counters.get(rule.slot);
      if (t === undefined) return;
      if (rule.action === 'sc-inc-gpc') incGpc(t.table, t.ref, scope.now, rule.gpcIndex);
      else incGpcLegacy(t.table, t.ref, scope.now, rule.action === 'sc-inc-gpc0' ? 0 : 1);
      return;
    }
    case 'sc-set-gpt0':
    case 'sc-set-gpt':
      setGptRule(rule, scope);
      return;
    default:
      // Every other action has a verdict (runRules returned it), except 'other' ones: skipped.
      assert(rule.action === 'other', 'an action without a verdict is run or skipped here');
      return;
  }
}

function statusWord(words: readonly string[]): number | undefined {
  for (let i = 0; i + 1 < words.length; i++) {
    if (words[i] === 'deny_status' || words[i] === 'status') {
      const n = Number(words[i + 1]);
      if (Number.isInteger(n)) return n;
    }
  }
  return undefined;
}

/** `track-sc<N> <key> [table <t>]` (tcp_action_track_sc / http_action_track_sc). */
function trackSc(compiled: CompiledRule, rule: TrackScRule, scope: FetchScope, options: RuleRunOptions): void {
  if (rule.tableName === '') return;
  if (scope.counters.get(rule.slot) !== undefined) return;
  if (scope.tables !== compiled.tablesSeen) {
    compiled.tableSeen = scope.tables.get(rule.tableName);
    compiled.tablesSeen = scope.tables;
  }
  const table = compiled.tableSeen;
  if (table === undefined) return;
  const sample = fetchSample(rule.sample, scope);
  if (sample === undefined) return;
  const key = sampleToKey(sample, table.spec);
  if (key === undefined) return;
  const keyText = sample.type === 'ipv4' && table.spec.keyType === 'ip' ? sample.text : undefined;
  const tracker = scope.counters.track(rule.slot, options.level, table, key, scope.now, options.byBackend, rule.line, keyText);
  if (tracker === undefined) return;
  if (options.ruleSet === 'http-request') countHttpRequest(table, tracker.ref, scope.now);
  if (options.ruleSet === 'http-response') countTrackedResponse(table, tracker.ref, scope.now, options.responseStatus ?? 0);
}

/** `sample_fetch_as_type(…, SMP_T_SINT)`. */
function sampleToInt(sample: SampleValue): number | undefined {
  switch (sample.type) {
    case 'sint':
      return sample.value;
    case 'bool':
      return sample.value ? 1 : 0;
    case 'ipv4':
      return sample.value;
    case 'str': {
      const m = /^[+-]?[0-9]+/.exec(sample.value);
      return m === null ? 0 : Number(m[0]);
    }
    case 'ipv6':
      return undefined;
  }
}

/** `sc-set-gpt0` / `sc-set-gpt`: the value expression is evaluated only when the slot stores the gpt. */
function setGptRule(rule: SetGptRule, scope: FetchScope): void {
  const t = scope.counters.get(rule.slot);
  if (t === undefined) return;
  const arr = t.table.slot(DT.gpt);
  const stored = rule.action === 'sc-set-gpt0'
    ? t.table.slot(DT.gpt0) !== undefined || (arr !== undefined && arr.count > 0)
    : arr !== undefined && rule.gptIndex < arr.count;
  if (!stored) return;
  let value: number;
  if (rule.value.kind === 'int') {
    value = rule.value.value;
  } else {
    const sample = fetchSample(rule.value.expr, scope);
    const v = sample === undefined ? undefined : sampleToInt(sample);
    if (v === undefined) return;
    value = v;
  }
  if (rule.action === 'sc-set-gpt0') setGpt0(t.table, t.ref, scope.now, BigInt(Math.trunc(value)));
  else setGpt(t.table, t.ref, scope.now, rule.gptIndex, BigInt(Math.trunc(value)));
}
