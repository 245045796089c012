/** Mutable builders the section parsers fill while one file is read (internal to engine/config). */
import type { HaproxyVersion } from '../table/data-types.ts';
import type { Diagnostics } from './diagnostics.ts';
import type { TableDecl } from './stick-table.ts';
import type {
  AclDef,
  KeptLine,
  LocalPeerSetting,
  OtherSection,
  PeerEntry,
  PeersBind,
  ProxyKind,
  Rule,
  ServerLine,
  StickRule,
  Token,
  UseBackend,
} from './types.ts';

export interface PeersBuilder {
  readonly name: string;
  readonly line: number;
  readonly column: number;
  disabled: boolean;
  readonly entries: PeerEntry[];
  bind: PeersBind | undefined;
  defaultServerOptions: string[] | undefined;
  readonly tableNames: string[];
  shards: { count: number; line: number } | undefined;
  needsNewerThan26: boolean;
  readonly lines: KeptLine[];
  sawPeerLine: boolean;
  sawBindLine: boolean;
}

export interface ServerDraft {
  readonly name: string;
  readonly address: string;
  readonly explicitId: number | undefined;
  readonly options: string[];
  readonly token: Token;
}

export interface ProxyBuilder {
  readonly kind: ProxyKind;
  readonly name: string;
  readonly line: number;
  readonly column: number;
  /** `from <defaults>` name, if given. */
  readonly from: string | undefined;
  ownMode: string | undefined;
  /** Mode inherited from the defaults section in force when the proxy started. */
  readonly inheritedMode: string | undefined;
  table: TableDecl | undefined;
  readonly acls: AclDef[];
  readonly aclNames: Set<string>;
  readonly rules: Rule[];
  readonly stickRules: StickRule[];
  readonly servers: ServerDraft[];
  readonly useBackends: UseBackend[];
  defaultBackend: string | undefined;
  inspectDelayMs: number | undefined;
  readonly lines: KeptLine[];
  /** False when the header line was invalid: the proxy is kept out of the model. */
  readonly valid: boolean;
}

export interface TableEntry {
  readonly decl: TableDecl;
  /** 'frontend' | 'backend' | 'listen' | 'peers' (HAProxy's wording in conflict messages). */
  readonly ownerKind: string;
  readonly ownerName: string;
}

export type Section =
  | { readonly kind: 'none' }
  | { readonly kind: 'global' }
  | { readonly kind: 'peers'; readonly peers: PeersBuilder | undefined }
  | { readonly kind: 'proxy'; readonly proxy: ProxyBuilder }
  | { readonly kind: 'other'; readonly other: OtherSection & { lines: KeptLine[] } };

export interface ParseState {
  readonly file: string;
  readonly version: HaproxyVersion;
  readonly env: ReadonlyMap<string, string>;
  readonly diag: Diagnostics;
  section: Section;
  /** Name of the current section for `.SECTION`. */
  sectionName: string;
  readonly localpeerLines: LocalPeerSetting[];
  readonly globalLines: KeptLine[];
  readonly peers: PeersBuilder[];
  readonly proxies: ProxyBuilder[];
  readonly defaults: ProxyBuilder[];
  readonly others: (OtherSection & { lines: KeptLine[] })[];
  /** Tables by internal name, in declaration order. */
  readonly tables: Map<string, TableEntry>;
  /** The defaults section in force (last one seen). */
  lastDefaults: ProxyBuilder | undefined;
}

export function keptLine(words: readonly Token[]): KeptLine {
  const first = words[0]!;
  return { line: first.line, column: first.column, words: words.map((w) => w.text) };
}
