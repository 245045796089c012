/**
 * `<addr>:<port>` as peer, server and bind lines write it (a subset of `str2sa_range`):
 * IPv4, `[IPv6]`, bare IPv6 (last colon = port), `*` / empty = any, host names (not resolved
 * here), optional `ipv4@` / `ipv6@` / `tcp@` / `tcp4@` / `tcp6@` prefixes, `$VAR` / `${VAR}`
 * environment references (expanded like HAProxy's env_expand).
 */
import type { PeerAddress } from './types.ts';

export type AddressResult =
  | { readonly ok: true; readonly address: PeerAddress | undefined }
  | { readonly ok: false; readonly detail: string };

/** Expands `$NAME` and `${NAME}` from env (unknown names expand to nothing). */
export function envExpand(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string | undefined, b: string | undefined) => env.get(a ?? b ?? '') ?? '');
}

/**
 * Parses an address. `portRequired`: a missing port is an error (peer lines); `portZeroOk`:
 * whether port 0 is accepted (remote peers yes, bind no).
 */
export function parseAddress(
  raw: string,
  env: ReadonlyMap<string, string>,
  opts: { readonly portRequired: boolean; readonly portZeroOk: boolean },
): AddressResult {
  const text = envExpand(raw, env).replace(/^(ipv4|ipv6|tcp|tcp4|tcp6)@/, '');
  let host: string;
  let portText: string | undefined;
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracket !== null) {
    host = bracket[1]!;
    portText = bracket[2];
  } else {
    const colon = text.lastIndexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? undefined : text.slice(colon + 1);
  }
  if (portText === undefined || portText === '') {
    if (opts.portRequired) return { ok: false, detail: `missing port specification in '${raw}'` };
    return { ok: true, address: undefined };
  }
  if (/^[0-9]+-[0-9]+$/.test(portText)) return { ok: false, detail: `port range not permitted here in '${raw}'` };
  const first = portText[0]!;
  if (!/[0-9]/.test(first)) {
    return { ok: false, detail: `invalid character '${first}' in port number '${portText}' in '${raw}'` };
  }
  const port = Number(/^[0-9]+/.exec(portText)![0].slice(0, 9));
  if (port > 65535 || (port === 0 && !opts.portZeroOk)) return { ok: false, detail: `invalid port '${port}'` };
  return { ok: true, address: { host: host === '*' ? '' : host, port } };
}
