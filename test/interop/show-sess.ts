/**
 * Reading `show sess all` of haproxy for the peer streams (issue 14): the streams in message mode
 * (applet st0=7), each as its task expiry, each channel's read expiry (rex) and the stream
 * connector / channel flags.
 */

export interface PeerStreamExpiry {
  /** The stream task's expiry as printed (`<NEVER>`, `4s`, ...). */
  readonly exp: string;
  /** rex of the request then the response channel. */
  readonly rex: readonly string[];
  /** scf, scb, req, res flags (`?` when absent). */
  readonly flags: readonly string[];
}

const FLAG_PATTERNS = [/scf=\S+ flags=(0x[0-9a-f]+)/, /scb=\S+ flags=(0x[0-9a-f]+)/, /req=\S+ \(f=(0x[0-9a-f]+)/, /res=\S+ \(f=(0x[0-9a-f]+)/];

export function peerStreamsInMessageMode(showSess: string): PeerStreamExpiry[] {
  const streams = showSess.split(/\n(?=0x[0-9a-f]+: \[)/).filter((st) => st.includes('mode=peers') && /st0=7 /.test(st));
  return streams.map((st) => ({
    exp: /task=\S+ \(.*?exp=(\S+)/.exec(st)?.[1] ?? '?',
    rex: [...st.matchAll(/rex=(\S+)/g)].map((m) => m[1]!),
    flags: FLAG_PATTERNS.map((re) => re.exec(st)?.[1] ?? '?'),
  }));
}

/** One line per peer stream: `exp=E rex=R/R scf/scb/req/res flags=...`, comma-separated. */
export function peerStreamExpiries(showSess: string): string {
  return peerStreamsInMessageMode(showSess)
    .map((s) => `exp=${s.exp} rex=${s.rex.join('/')} scf/scb/req/res flags=${s.flags.join('/')}`)
    .join(',');
}
