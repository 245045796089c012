/**
 * The shapes `handleRequest` takes and returns: one client connection carrying one HTTP request
 * (mode http) or one TCP connection (mode tcp), evaluated against a frontend's rules and the
 * process's stick tables at one instant (`now`).
 */
import type { Proxy } from '../config/types.ts';
import type { TableSet } from '../table/table-set.ts';
import type { Tick } from '../ticks.ts';

/** What a client sends. */
export interface ClientRequest {
  /** The client's source address: IPv4 dotted quad or IPv6 text. */
  readonly srcAddress: string;
  /**
   * The same IPv4 address as a number (uint32), when the caller has it already (the simulator's
   * clients are made from numbers): the text is then not parsed again. It must be `srcAddress`
   * in dotted-quad form; absent for IPv6 or when the caller has only the text.
   */
  readonly srcIpv4?: number | undefined;
  /** The Host header (fetches `hdr(host)` / `req.hdr(host)`); absent means no Host header. */
  readonly targetHost?: string;
  /** The backend server's HTTP status (default 200). */
  readonly serverStatus?: number;
  /** Request bytes received from the client (bytes_in_*), default 0. */
  readonly bytesIn?: number;
  /** Response bytes sent to the client (bytes_out_*), default 0. */
  readonly bytesOut?: number;
}

export interface RequestContext {
  /** The proxy that accepted the connection (a frontend or a listen section). */
  readonly frontend: Proxy;
  /** The backend / listen proxies `use_backend` and `default_backend` may name. */
  readonly backends: readonly Proxy[];
  readonly tables: TableSet;
  /** The instant of the whole exchange (a request is evaluated at one tick). */
  readonly now: Tick;
  /**
   * Round-robin cursor per backend name, kept by the caller between requests (`balance
   * roundrobin`, equal weights). Without it the first server is always chosen.
   */
  readonly roundRobin?: Map<string, number>;
}

/** Where the exchange ended. */
export type RequestStage =
  | 'tcp-request connection'
  | 'tcp-request session'
  | 'tcp-request content'
  | 'http-request'
  | 'backend'
  | 'http-response'
  | 'done';

/**
 * - allowed:  passed every rule set (the server, or HAProxy's 503 when no server, answered);
 * - denied:   `http-request deny|tarpit` or `http-response deny` answered with `status`;
 * - rejected: a `reject` closed the connection without an HTTP answer (status 0);
 * - returned: `http-request return` answered with `status` in place of a server.
 */
export type RequestAction = 'allowed' | 'denied' | 'rejected' | 'returned';

export interface TrackedKey {
  readonly slot: number;
  readonly level: 'session' | 'stream';
  /** Internal table name. */
  readonly table: string;
  /** The key as `show table` renders it. */
  readonly key: string;
  /** Line of the track-sc rule. */
  readonly ruleLine: number;
}

export interface RequestResult {
  readonly action: RequestAction;
  /** HTTP status sent to the client; 0 when none was (reject, or any mode tcp exchange). */
  readonly status: number;
  /** Every tracker attached during the exchange (all released again before returning). */
  readonly trackedKeys: readonly TrackedKey[];
  /** Line of the deny / tarpit / reject rule that stopped the exchange. */
  readonly denyRuleLine?: number;
  /** Line of the `http-request return` rule that answered. */
  readonly returnRuleLine?: number;
  readonly stage: RequestStage;
  /** The backend the request went to, if it got that far. */
  readonly backend?: string;
  /** The server chosen, if any. */
  readonly server?: { readonly name: string; readonly id: number };
  /** True when a `stick match|on` rule chose the server. */
  readonly stuck?: boolean;
}
