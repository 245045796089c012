/**
 * Stick-table data types: HAProxy's ids (the bit numbers used on the wire), storage kinds,
 * arguments and the version that introduced each one (spec §1.4).
 */

/** Storage kind ("std type"): SINT int32, UINT uint32, ULL uint64, FRQP freq counter, DICT string. */
export type StdType = 'sint' | 'uint' | 'ull' | 'frqp' | 'dict';

/** What the type takes in `store`: nothing, a period, an element count, or both. */
export type ArgKind = 'none' | 'period' | 'count' | 'count_period';

import type { HaproxyVersion } from '../version/profile.ts';
export type { HaproxyVersion };

export interface DataTypeInfo {
  readonly id: number;
  readonly name: string;
  readonly std: StdType;
  readonly arg: ArgKind;
  readonly isArray: boolean;
  /** Sent to peers but never applied on receipt (conn_cur). */
  readonly isLocal: boolean;
  readonly since: '2.6' | '3.0';
}

function dt(id: number, name: string, std: StdType, arg: ArgKind, extra: Partial<DataTypeInfo> = {}): DataTypeInfo {
  const isArray = arg === 'count' || arg === 'count_period';
  return { id, name, std, arg, isArray, isLocal: false, since: '2.6', ...extra };
}

export const DATA_TYPES: readonly DataTypeInfo[] = Object.freeze([
  dt(0, 'server_id', 'sint', 'none'),
  dt(1, 'gpt0', 'uint', 'none'),
  dt(2, 'gpc0', 'uint', 'none'),
  dt(3, 'gpc0_rate', 'frqp', 'period'),
  dt(4, 'conn_cnt', 'uint', 'none'),
  dt(5, 'conn_rate', 'frqp', 'period'),
  dt(6, 'conn_cur', 'uint', 'none', { isLocal: true }),
  dt(7, 'sess_cnt', 'uint', 'none'),
  dt(8, 'sess_rate', 'frqp', 'period'),
  dt(9, 'http_req_cnt', 'uint', 'none'),
  dt(10, 'http_req_rate', 'frqp', 'period'),
  dt(11, 'http_err_cnt', 'uint', 'none'),
  dt(12, 'http_err_rate', 'frqp', 'period'),
  dt(13, 'bytes_in_cnt', 'ull', 'none'),
  dt(14, 'bytes_in_rate', 'frqp', 'period'),
  dt(15, 'bytes_out_cnt', 'ull', 'none'),
  dt(16, 'bytes_out_rate', 'frqp', 'period'),
  dt(17, 'gpc1', 'uint', 'none'),
  dt(18, 'gpc1_rate', 'frqp', 'period'),
  dt(19, 'server_key', 'dict', 'none'),
  dt(20, 'http_fail_cnt', 'uint', 'none'),
  dt(21, 'http_fail_rate', 'frqp', 'period'),
  dt(22, 'gpt', 'uint', 'count'),
  dt(23, 'gpc', 'uint', 'count'),
  dt(24, 'gpc_rate', 'frqp', 'count_period'),
  dt(25, 'glitch_cnt', 'uint', 'none', { since: '3.0' }),
  dt(26, 'glitch_rate', 'frqp', 'period', { since: '3.0' }),
]);

export const DATA_TYPE_COUNT_26 = 25;
export const ARRAY_SIZE_MAX = 100;

const BY_NAME = new Map<string, DataTypeInfo>(DATA_TYPES.map((t) => [t.name, t]));

/** Looks a type up by its `store` / `data.<name>` name; `server_name` is an alias of `server_key`. */
export function dataTypeByName(name: string): DataTypeInfo | undefined {
  if (name === 'server_name') return BY_NAME.get('server_key');
  return BY_NAME.get(name);
}

export function dataTypeById(id: number): DataTypeInfo | undefined {
  return DATA_TYPES[id];
}

/** Types a given HAProxy version knows. */
export function isTypeInVersion(info: DataTypeInfo, version: HaproxyVersion): boolean {
  return version !== '2.6' || info.since === '2.6';
}

/** 32-bit storage words one element of a std type occupies. */
export function wordsPerElement(std: StdType): number {
  switch (std) {
    case 'sint':
    case 'uint':
    case 'dict':
      return 1;
    case 'ull':
      return 2;
    case 'frqp':
      return 3;
  }
}
