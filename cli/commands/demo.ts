/**
 * `sticksim demo`: a rate limit seen through the real table engine on a virtual clock: an
 * attacker and a normal client hit a `http_req_rate(10s)` limit; every second the table is shown
 * as `show table` prints it, and the requests denied are counted. Writes sticksim-out/demo.txt.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseConfig } from '../../engine/config/parse.ts';
import { OfflineSession } from '../../engine/runtime-api/offline-session.ts';
import { NO_ENTRY } from '../../engine/table/table.ts';
import { countHttpRequest, trackRelease, trackStart } from '../../engine/table/tracking.ts';

export const DEMO_CONFIG = `
frontend fe
    bind 127.0.0.1:8080
    http-request track-sc0 src table st
    http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }

backend st
    stick-table type ip size 100k expire 30s store http_req_cnt,http_req_rate(10s)
`;

const RATE_LIMIT = 20;

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a rate-limit demo on the stick-table engine and print what the table shows')
    .option('--out <dir>', 'where to write demo.txt', 'sticksim-out')
    .action((options: { out: string }) => {
      const text = runDemo();
      process.stdout.write(text);
      mkdirSync(options.out, { recursive: true });
      writeFileSync(`${options.out}/demo.txt`, text);
      process.stdout.write(`\nwritten: ${options.out}/demo.txt\n`);
    });
}

export function runDemo(): string {
  const parsed = parseConfig(DEMO_CONFIG, { file: 'demo.cfg' });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const session = new OfflineSession({ tables: parsed.config.tables });
  const table = session.tables.get('st')!;
  const rate = table.slot(10)!;
  const attacker = 0xc6336401; // 198.51.100.1
  const user = 0xcb007105; // 203.0.113.5
  const denied = new Map<number, number>([[attacker, 0], [user, 0]]);
  let out = `sticksim demo: http-request deny if { sc_http_req_rate(0) gt ${RATE_LIMIT} }, table ${table.spec.name}\n`;
  out += 'attacker 198.51.100.1 sends 50 req/s for 8 s then stops; user 203.0.113.5 sends 2 req/s\n\n';
  for (let second = 0; second < 20; second++) {
    for (let ms = 0; ms < 1000; ms += 20) {
      const clients = [];
      if (second < 8) clients.push(attacker);
      if (ms % 500 === 0) clients.push(user);
      for (const src of clients) {
        const ref = trackStart(table, src, session.now);
        if (ref === NO_ENTRY) continue;
        countHttpRequest(table, ref, session.now);
        if (table.frqpRead(ref, rate, session.now) > RATE_LIMIT) denied.set(src, denied.get(src)! + 1);
        trackRelease(table, ref, session.now);
      }
      session.advance(20);
    }
    if (second % 4 === 3) {
      out += `t=${second + 1}s  > show table st\n` + session.execute('show table st').join('');
    }
  }
  out += `denied: attacker ${denied.get(attacker)}, user ${denied.get(user)}\n`;
  return out;
}
