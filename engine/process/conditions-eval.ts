/**
 * `if|unless` conditions (2.6 `acl.c:acl_exec_cond`): OR of AND-groups, evaluated left to right
 * with short-circuits (an AND-group stops at its first false term, the OR at the first true
 * group) — which matters because `sc*_inc_gpc*` / `clr` fetches have side effects. A named ACL
 * is the OR of every `acl` line with that name, in declaration order, stopping at the first match.
 * A failed fetch never matches; `!` inverts the term's result (so `!{ failed fetch }` is true).
 */
import type { AclExpr, CondTerm, Condition } from '../config/types.ts';
import { fetchSample, type FetchScope } from './fetches-eval.ts';
import { matchSample } from './patterns-eval.ts';

/** Built-in ACLs sticksim can answer; every other predefined ACL is false. */
function predefinedAcl(name: string, scope: FetchScope): boolean | undefined {
  if (name === 'TRUE') return true;
  if (name === 'FALSE') return false;
  if (name === 'HTTP') return scope.facts.mode === 'http';
  return undefined;
}

function evalExpr(expr: AclExpr, scope: FetchScope): boolean {
  const sample = fetchSample(expr.sample, scope);
  if (sample === undefined) return false;
  return matchSample(sample, expr);
}

function evalTerm(term: CondTerm, scope: FetchScope): boolean {
  let pass: boolean;
  if (term.target.kind === 'inline') {
    pass = evalExpr(term.target.expr, scope);
  } else {
    const name = term.target.name;
    const defs = scope.proxy.acls.filter((a) => a.name === name);
    if (defs.length === 0) pass = predefinedAcl(name, scope) ?? false;
    else pass = defs.some((d) => evalExpr(d.expr, scope));
  }
  return term.negated ? !pass : pass;
}

/** True when the rule applies: no condition, or the condition holds (inverted by `unless`). */
export function conditionHolds(cond: Condition | undefined, scope: FetchScope): boolean {
  if (cond === undefined) return true;
  const matched = cond.anyOf.some((group) => group.every((term) => evalTerm(term, scope)));
  return cond.polarity === 'unless' ? !matched : matched;
}
