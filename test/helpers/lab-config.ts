/**
 * The common haproxy.cfg of the team's lab (test/fixtures/lab-common.cfg, the template every lab
 * experiment's nodes were started from with haproxy 2.6.12) made concrete for node N: hapN,
 * 127.0.0.1N, gid 100N. `<tmpdir>` becomes a relative `lab-run` (the tests only parse the config).
 */
import { readFileSync } from 'node:fs';
import { fixture } from './shared.ts';

export const LAB_COMMON_FIXTURE = 'lab-common.cfg';

export function labCommonTemplate(): string {
  return readFileSync(fixture(LAB_COMMON_FIXTURE), 'utf8');
}

export function labNodeConfig(n: number): string {
  return labCommonTemplate().replaceAll('hapN', `hap${n}`).replaceAll('127.0.0.1N', `127.0.0.1${n}`).replaceAll('100N', `100${n}`).replaceAll('<tmpdir>', 'lab-run');
}
