/**
 * The typed model of a haproxy.cfg as sticksim understands it (spec §1.1, §1.5, §6.1).
 *
 * Result shape of `parseConfig` (see parse.ts):
 *   - `{ ok: true,  config, warnings }` when the file has no fatal error;
 *   - `{ ok: false, errors, warnings, partial }` otherwise: `errors` holds EVERY error found in the
 *     file (parsing does not stop at the first one), each a `ConfigError` (engine/errors.ts) with
 *     file, line, column (1-based, pointing at `token` in the raw line) and HAProxy's wording where
 *     HAProxy has one; `partial` is the model built from the lines that did parse (useful for lint).
 * `parseConfig` never throws.
 *
 * Everything the parser does not model is kept as a `KeptLine` (file/line/words) and ignored.
 */
import type { ConfigError } from '../errors.ts';
import type { HaproxyVersion } from '../table/data-types.ts';
import type { TableSpec } from '../table/table-spec.ts';

export type TargetVersion = HaproxyVersion;

/** One word of a config line after quote/escape/environment processing. */
export interface Token {
  readonly text: string;
  /** 1-based line number. */
  readonly line: number;
  /** 1-based column of the first raw character of the word (a quote if it starts with one). */
  readonly column: number;
}

/** A non-fatal finding; `message` is `file:line:column: detail`. */
export interface ConfigWarning {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly detail: string;
  readonly message: string;
}

/** A line the parser keeps but does not interpret. `words[0]` is the keyword. */
export interface KeptLine {
  readonly line: number;
  readonly column: number;
  readonly words: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// global
// ---------------------------------------------------------------------------------------------

export interface LocalPeerSetting {
  readonly name: string;
  readonly line: number;
  readonly column: number;
  /** True when the line comes after a `peers` section (HAProxy ignores it then, §6.1). */
  readonly afterPeers: boolean;
}

export interface GlobalSection {
  /** Every `localpeer` line, in file order (the effective one is the last with afterPeers=false). */
  readonly localpeerLines: readonly LocalPeerSetting[];
  readonly lines: readonly KeptLine[];
}

// ---------------------------------------------------------------------------------------------
// peers
// ---------------------------------------------------------------------------------------------

export interface PeerAddress {
  /** Host part as written: IPv4, IPv6 (without brackets), a name, or '' / '*' for "any". */
  readonly host: string;
  readonly port: number;
}

export interface PeerEntry {
  readonly kind: 'peer' | 'server';
  readonly name: string;
  /** Absent when the line gives no address (allowed for the local peer). */
  readonly address: PeerAddress | undefined;
  /** `shard <k>` (2.7+) if given. */
  readonly shard: number | undefined;
  /** Words after the address (ssl, verify, …), kept. */
  readonly options: readonly string[];
  readonly line: number;
  readonly column: number;
}

export interface PeersBind {
  readonly address: PeerAddress;
  readonly options: readonly string[];
  readonly line: number;
  readonly column: number;
}

export interface PeersSection {
  readonly name: string;
  readonly line: number;
  readonly column: number;
  /** `disabled` seen last (and not re-`enabled`). */
  readonly disabled: boolean;
  /** `peer` and `server` lines, in file order. */
  readonly entries: readonly PeerEntry[];
  readonly bind: PeersBind | undefined;
  readonly defaultServerOptions: readonly string[] | undefined;
  /** Internal names (`<section>/<name>`) of the tables declared in this section. */
  readonly tableNames: readonly string[];
  /** `shards <n>`: HAProxy 2.7+ only (a 2.6 binary rejects it). */
  readonly shards: { readonly count: number; readonly line: number } | undefined;
  /** True when something in the section needs a version newer than 2.6. */
  readonly needsNewerThan26: boolean;
  /** log, default-bind, enabled, … */
  readonly lines: readonly KeptLine[];
}

// ---------------------------------------------------------------------------------------------
// samples, ACLs, conditions
// ---------------------------------------------------------------------------------------------

/** A stick-counter fetch (sc_*, scN_*, src_*) decoded (spec §1.5). */
export interface StickCounterFetch {
  /** `sc`: reads a tracked slot; `src`: looks the source address up in a table. */
  readonly family: 'sc' | 'src';
  /** Tracking slot (0..2) for the sc family; undefined for src. */
  readonly slot: number | undefined;
  /** What is read or done, e.g. `http_req_rate`, `get_gpc0`, `inc_gpc0`, `clr_gpc`, `tracked`. */
  readonly what: string;
  /** Array index for gpc/gpt/gpc_rate array fetches. */
  readonly index: number | undefined;
  /** Table argument as written, if given. */
  readonly table: string | undefined;
}

export interface Converter {
  readonly name: string;
  readonly args: readonly string[];
}

export interface SampleExpr {
  /** The text as written. */
  readonly text: string;
  readonly fetch: string;
  readonly args: readonly string[];
  readonly converters: readonly Converter[];
  /** Set when the fetch is a stick-counter fetch. */
  readonly stickCounter: StickCounterFetch | undefined;
}

export type IntOperator = 'eq' | 'ge' | 'gt' | 'le' | 'lt';

export interface AclExpr {
  readonly sample: SampleExpr;
  /** Flags as written: -i, -n, -m <method>, -f <file>, -M, -u … */
  readonly flags: readonly string[];
  readonly matchMethod: string | undefined;
  readonly operator: IntOperator | undefined;
  readonly values: readonly string[];
  readonly line: number;
  readonly column: number;
}

export interface AclDef {
  readonly name: string;
  readonly expr: AclExpr;
  readonly line: number;
  readonly column: number;
}

export type CondTermTarget =
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'inline'; readonly expr: AclExpr };

export interface CondTerm {
  readonly negated: boolean;
  readonly target: CondTermTarget;
  readonly line: number;
  readonly column: number;
}

/** `if|unless` followed by OR-ed groups of AND-ed terms. An empty list never matches. */
export interface Condition {
  readonly polarity: 'if' | 'unless';
  readonly anyOf: readonly (readonly CondTerm[])[];
}

// ---------------------------------------------------------------------------------------------
// rules
// ---------------------------------------------------------------------------------------------

export type RuleSet =
  | 'http-request'
  | 'http-response'
  | 'tcp-request connection'
  | 'tcp-request session'
  | 'tcp-request content';

interface RuleBase {
  readonly ruleSet: RuleSet;
  readonly cond: Condition | undefined;
  readonly line: number;
  readonly column: number;
}

export interface TrackScRule extends RuleBase {
  readonly action: 'track-sc';
  readonly slot: number;
  readonly sample: SampleExpr;
  /** Table name as written (`table <t>`), undefined when the proxy's own table is meant. */
  readonly tableArg: string | undefined;
  /** Internal name of the table actually used (resolved after parsing; '' if unresolved). */
  readonly tableName: string;
}

export interface IncGpcRule extends RuleBase {
  readonly action: 'sc-inc-gpc0' | 'sc-inc-gpc1' | 'sc-inc-gpc';
  readonly slot: number;
  /** 0 for gpc0, 1 for gpc1, the given index for sc-inc-gpc. */
  readonly gpcIndex: number;
}

export type GptValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'expr'; readonly expr: SampleExpr };

export interface SetGptRule extends RuleBase {
  readonly action: 'sc-set-gpt0' | 'sc-set-gpt';
  readonly slot: number;
  readonly gptIndex: number;
  readonly value: GptValue;
}

export interface ReplyOptions {
  readonly status: number;
  readonly contentType: string | undefined;
  /** string / lf-string / file / lf-file / errorfile / errorfiles payload, as written. */
  readonly body: { readonly kind: string; readonly value: string } | undefined;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
}

export interface DenyRule extends RuleBase {
  readonly action: 'deny';
  readonly reply: ReplyOptions;
}

export interface RejectRule extends RuleBase {
  readonly action: 'reject';
}

export interface AcceptRule extends RuleBase {
  readonly action: 'accept' | 'allow';
}

export interface ReturnRule extends RuleBase {
  readonly action: 'return';
  readonly reply: ReplyOptions;
}

/** Any other action HAProxy knows: kept, not interpreted. */
export interface OtherRule extends RuleBase {
  readonly action: 'other';
  readonly name: string;
  readonly words: readonly string[];
}

export type Rule =
  | TrackScRule
  | IncGpcRule
  | SetGptRule
  | DenyRule
  | RejectRule
  | AcceptRule
  | ReturnRule
  | OtherRule;

export interface StickRule {
  readonly kind: 'on' | 'match' | 'store-request' | 'store-response';
  readonly sample: SampleExpr;
  readonly tableArg: string | undefined;
  /** Internal name of the target table (resolved after parsing; '' if unresolved). */
  readonly tableName: string;
  readonly cond: Condition | undefined;
  readonly line: number;
  readonly column: number;
}

export interface ServerLine {
  readonly name: string;
  readonly address: string;
  /** Numeric id: `id N` when given, else HAProxy's automatic numbering (first free id from 1). */
  readonly id: number;
  readonly explicitId: boolean;
  readonly options: readonly string[];
  readonly line: number;
  readonly column: number;
}

export interface UseBackend {
  readonly backend: string;
  readonly cond: Condition | undefined;
  readonly line: number;
}

// ---------------------------------------------------------------------------------------------
// proxies and the whole config
// ---------------------------------------------------------------------------------------------

export type ProxyKind = 'frontend' | 'backend' | 'listen' | 'defaults';

export interface Proxy {
  readonly kind: ProxyKind;
  /** '' for an anonymous defaults section. */
  readonly name: string;
  readonly line: number;
  readonly column: number;
  /** Effective mode (own `mode`, else inherited from defaults, else 'tcp'). */
  readonly mode: string;
  /** Internal name of this proxy's own table (= the proxy name), if it declares one. */
  readonly tableName: string | undefined;
  readonly acls: readonly AclDef[];
  readonly rules: readonly Rule[];
  readonly stickRules: readonly StickRule[];
  readonly servers: readonly ServerLine[];
  readonly useBackends: readonly UseBackend[];
  readonly defaultBackend: string | undefined;
  /** `tcp-request inspect-delay` in ms, if set. */
  readonly inspectDelayMs: number | undefined;
  readonly lines: readonly KeptLine[];
}

export interface OtherSection {
  readonly keyword: string;
  readonly name: string;
  readonly line: number;
  readonly lines: readonly KeptLine[];
}

export interface Config {
  readonly file: string;
  readonly version: TargetVersion;
  readonly global: GlobalSection;
  readonly peersSections: readonly PeersSection[];
  /** frontend / backend / listen, in file order. */
  readonly proxies: readonly Proxy[];
  readonly defaults: readonly Proxy[];
  /**
   * Every stick table (proxy and peers-section form) in declaration order, with the implicit
   * server_id/server_key of stick rules added and `peersSection` cleared when the referenced
   * section is disabled. Local-peer resolution (local-peer.ts) may clear it further.
   */
  readonly tables: readonly TableSpec[];
  readonly otherSections: readonly OtherSection[];
}

export type ParseConfigResult =
  | { readonly ok: true; readonly config: Config; readonly warnings: readonly ConfigWarning[] }
  | {
      readonly ok: false;
      readonly errors: readonly ConfigError[];
      readonly warnings: readonly ConfigWarning[];
      readonly partial: Config;
    };

export interface ParseConfigOptions {
  /** Name used in messages (file:line:column). */
  readonly file: string;
  /** Target HAProxy version; default '2.6'. */
  readonly version?: TargetVersion;
  /** Environment for `$VAR` / `${VAR}` expansion; default empty (the engine never reads process.env). */
  readonly env?: ReadonlyMap<string, string>;
}
