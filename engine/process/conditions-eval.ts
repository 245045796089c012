/**
 * `if|unless` conditions (2.6 `acl.c:acl_exec_cond`): OR of AND-groups, evaluated left to right
 * with short-circuits (an AND-group stops at its first false term, the OR at the first true
 * group) — which matters because `sc*_inc_gpc*` / `clr` fetches have side effects. A named ACL
 * is the OR of every `acl` line with that name, in declaration order, stopping at the first match.
 * A failed fetch never matches; `!` inverts the term's result (so `!{ failed fetch }` is true).
 *
 * A condition is compiled into a closure the first time it is evaluated (the config does not
 * change while it runs): its terms, their patterns and the counter reads of rate limits are
 * resolved once instead of on every request.
 */
import type { AclExpr, CondTerm, Condition, Proxy } from '../config/types.ts';
import { compileTrackedCounterRead, fetchSample, type FetchScope } from './fetches-eval.ts';
import { intRangesOf, matchIntRanges, matchSample } from './patterns-eval.ts';

/** A compiled condition, term or ACL expression: whether it holds in a request's scope. */
export type CondFn = (scope: FetchScope) => boolean;

/** Built-in ACLs sticksim can answer; every other predefined ACL is false. */
function predefinedAcl(name: string, scope: FetchScope): boolean | undefined {
  if (name === 'TRUE') return true;
  if (name === 'FALSE') return false;
  if (name === 'HTTP') return scope.facts.mode === 'http';
  return undefined;
}

const exprFns = new WeakMap<AclExpr, CondFn>();

/** An ACL expression: its fetch succeeds and the sample matches one of its patterns. */
function compileExpr(expr: AclExpr): CondFn {
  let fn = exprFns.get(expr);
  if (fn === undefined) {
    fn = buildExpr(expr);
    exprFns.set(expr, fn);
  }
  return fn;
}

function buildExpr(expr: AclExpr): CondFn {
  // A counter read matched as an integer (`sc_http_req_rate(0) gt 100`): matchSample on its
  // `sint` sample is matchInt when no method or `-m int` is given.
  const read = compileTrackedCounterRead(expr.sample);
  if (read !== undefined && (expr.matchMethod === undefined || expr.matchMethod === 'int')) {
    const ranges = intRangesOf(expr);
    return (scope) => {
      const value = read(scope);
      return value !== undefined && matchIntRanges(value, ranges);
    };
  }
  return (scope) => {
    const sample = fetchSample(expr.sample, scope);
    return sample !== undefined && matchSample(sample, expr);
  };
}

/** A named ACL: the OR of its definitions in the evaluating proxy, else a predefined ACL. */
function compileNamed(name: string): CondFn {
  // The definitions of the proxy last seen (a condition belongs to one proxy's rules).
  let proxySeen: Proxy | undefined;
  let defs: readonly CondFn[] = [];
  return (scope) => {
    if (scope.proxy !== proxySeen) {
      defs = scope.proxy.acls.filter((a) => a.name === name).map((d) => compileExpr(d.expr));
      proxySeen = scope.proxy;
    }
    if (defs.length === 0) return predefinedAcl(name, scope) ?? false;
    for (let i = 0; i < defs.length; i++) if (defs[i]!(scope)) return true;
    return false;
  };
}

function compileTerm(term: CondTerm): CondFn {
  const pass = term.target.kind === 'inline' ? compileExpr(term.target.expr) : compileNamed(term.target.name);
  return term.negated ? (scope) => !pass(scope) : pass;
}

function buildCondition(cond: Condition): CondFn {
  const groups = cond.anyOf.map((group) => group.map(compileTerm));
  const unless = cond.polarity === 'unless';
  if (groups.length === 1 && groups[0]!.length === 1) {
    const only = groups[0]![0]!;
    return unless ? (scope) => !only(scope) : only;
  }
  return (scope) => {
    let matched = false;
    for (let g = 0; g < groups.length && !matched; g++) {
      const group = groups[g]!;
      let all = true;
      for (let t = 0; t < group.length && all; t++) all = group[t]!(scope);
      matched = all;
    }
    return unless ? !matched : matched;
  };
}

const conditionFns = new WeakMap<Condition, CondFn>();

/** The compiled form of a condition (built once per condition object). */
export function compileCondition(cond: Condition): CondFn {
  let fn = conditionFns.get(cond);
  if (fn === undefined) {
    fn = buildCondition(cond);
    conditionFns.set(cond, fn);
  }
  return fn;
}

/** True when the rule applies: no condition, or the condition holds (inverted by `unless`). */
export function conditionHolds(cond: Condition | undefined, scope: FetchScope): boolean {
  return cond === undefined || compileCondition(cond)(scope);
}
