/**
 * The HTML report in a real browser: Debian's headless Chromium opens the generated file:// page
 * over the DevTools protocol (--remote-debugging-pipe, no extra package). Checks that every plot
 * rendered (SVG elements with plotted marks, a non-blank screenshot of each kind of plot) and that
 * the page made no network request (Network.requestWillBeSent for anything but the page itself).
 * Installs nothing: without chromium it fails saying how to install it, unless
 * STICKSIM_SKIP_BROWSER=1 (then it is skipped with the reason printed).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../reports/html/page.ts';
import { fixtureInput, fixtureRuns } from '../unit/reports/report-fixture.ts';

const BROWSER_NAMES = ['chromium', 'chromium-browser'];
const COMMAND_TIMEOUT_MS = 20_000;
const MESSAGES_MAX = 100_000;

function findChromium(): string | undefined {
  for (const name of BROWSER_NAMES) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  return undefined;
}

const chromium = findChromium();
const skipBrowser = chromium === undefined && process.env['STICKSIM_SKIP_BROWSER'] === '1';
if (skipBrowser) console.warn('html-report e2e skipped: no chromium on PATH and STICKSIM_SKIP_BROWSER=1');

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** A DevTools-protocol client over Chromium's pipe (fd 3 in, fd 4 out, NUL-separated JSON). */
class CdpPipe {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, { resolve: (m: CdpMessage) => void; reject: (e: Error) => void }>();
  readonly events: CdpMessage[] = [];
  private readonly waiters: Array<{ method: string; resolve: (m: CdpMessage) => void }> = [];

  constructor(
    private readonly input: Writable,
    output: Readable,
  ) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.receive(chunk));
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\0'); end !== -1; end = this.buffer.indexOf('\0')) {
      const message = JSON.parse(this.buffer.slice(0, end)) as CdpMessage;
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error !== undefined) waiting?.reject(new Error(`CDP error: ${message.error.message}`));
        else waiting?.resolve(message);
        continue;
      }
      if (this.events.length < MESSAGES_MAX) this.events.push(message);
      const index = this.waiters.findIndex((waiter) => waiter.method === message.method);
      if (index !== -1) this.waiters.splice(index, 1)[0]!.resolve(message);
    }
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) });
    return withTimeout(
      new Promise<CdpMessage>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.input.write(`${message}\0`);
      }).then((reply) => reply.result ?? {}),
      `${method}`,
    );
  }

  waitFor(method: string): Promise<CdpMessage> {
    const seen = this.events.find((event) => event.method === method);
    if (seen !== undefined) return Promise.resolve(seen);
    return withTimeout(new Promise((resolve) => this.waiters.push({ method, resolve })), `event ${method}`);
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`chromium did not answer ${what} within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) into RGBA pixels. */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8], 'bit depth').toBe(8);
      colourType = data[9]!;
      expect(data[12], 'interlace').toBe(0);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  expect([2, 6]).toContain(colourType);
  const channels = colourType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels]! : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = pixels[i * channels + c]!;
    rgba[i * 4 + 3] = channels === 4 ? pixels[i * channels + 3]! : 255;
  }
  return { width, height, rgba };
}

function distinctColours(rgba: Uint8Array): number {
  const colours = new Set<number>();
  for (let i = 0; i < rgba.length; i += 4) colours.add((rgba[i]! << 16) | (rgba[i + 1]! << 8) | rgba[i + 2]!);
  return colours.size;
}

interface PlotInfo {
  kind: string;
  marks: number;
  width: number;
  height: number;
  x: number;
  y: number;
}

describe.skipIf(skipBrowser)('HTML report in headless Chromium', () => {
  let browser: ChildProcess | undefined;
  let cdp: CdpPipe;
  let sessionId: string;
  let pageUrl: string;
  let workDir: string;

  beforeAll(async () => {
    if (chromium === undefined) {
      throw new Error('chromium is not installed: run `apt-get install -y chromium` (or set STICKSIM_SKIP_BROWSER=1 to skip this test)');
    }
    workDir = mkdtempSync(join(tmpdir(), 'sticksim-html-'));
    const htmlPath = join(workDir, 'report.html');
    writeFileSync(htmlPath, renderHtmlReport(fixtureInput()));
    pageUrl = pathToFileURL(htmlPath).href;
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      '--no-first-run',
      '--no-default-browser-check',
      '--hide-scrollbars',
      `--user-data-dir=${join(workDir, 'profile')}`,
      '--remote-debugging-pipe',
      'about:blank',
    ];
    browser = spawn(chromium, flags, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    cdp = new CdpPipe(browser.stdio[3] as Writable, browser.stdio[4] as Readable);
    const { targetId } = (await cdp.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    ({ sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string });
    await cdp.send('Network.enable', {}, sessionId);
    await cdp.send('Page.enable', {}, sessionId);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1000, height: 1200, deviceScaleFactor: 1, mobile: false }, sessionId);
    await cdp.send('Page.navigate', { url: pageUrl }, sessionId);
    await cdp.waitFor('Page.loadEventFired');
  });

  afterAll(async () => {
    const started = browser;
    if (started !== undefined && started.exitCode === null && started.signalCode === null) {
      const exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
      await cdp.send('Browser.close').catch(() => undefined);
      await withTimeout(exited, 'exit after Browser.close').catch(() => {
        started.kill('SIGKILL');
        return exited;
      });
    }
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });

  async function evaluate<T>(expression: string): Promise<T> {
    const reply = (await cdp.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result: { value: T } };
    return reply.result.value;
  }

  it('renders every plot: SVG elements with plotted marks and a real size', async () => {
    const plots = await evaluate<PlotInfo[]>(
      `[...document.querySelectorAll('svg')].map((svg) => { const r = svg.getBoundingClientRect();
        return { kind: svg.dataset.plot ?? '', marks: svg.querySelectorAll('.mark').length, width: r.width, height: r.height, x: r.left + scrollX, y: r.top + scrollY }; })`,
    );
    const runs = fixtureRuns().length;
    const count = (kind: string) => plots.filter((plot) => plot.kind === kind).length;
    expect(count('histogram')).toBe(1);
    expect(count('heatmap')).toBe(runs);
    expect(count('timeline')).toBe(runs + 3);
    expect(plots).toHaveLength(1 + runs + runs + 3);
    for (const plot of plots) {
      expect(plot.marks, plot.kind).toBeGreaterThan(0);
      expect(plot.width, plot.kind).toBeGreaterThan(100);
      expect(plot.height, plot.kind).toBeGreaterThan(50);
    }
    const paths = await evaluate<number>(`document.querySelectorAll('svg path.series').length`);
    const cells = await evaluate<number>(`document.querySelectorAll('svg rect.cell').length`);
    expect(paths).toBeGreaterThanOrEqual((runs + 3) * 3);
    expect(cells).toBeGreaterThan(runs * 60);
  });

  it('screenshots are not blank: the whole page and one plot of each kind have many colours', async () => {
    const page = (await cdp.send('Page.captureScreenshot', { format: 'png' }, sessionId)) as { data: string };
    const full = decodePng(Buffer.from(page.data, 'base64'));
    expect(full.width).toBe(1000);
    expect(distinctColours(full.rgba)).toBeGreaterThan(20);
    const plots = await evaluate<PlotInfo[]>(
      `[...document.querySelectorAll('svg')].map((svg) => { const r = svg.getBoundingClientRect();
        return { kind: svg.dataset.plot ?? '', marks: 0, width: r.width, height: r.height, x: r.left + scrollX, y: r.top + scrollY }; })`,
    );
    for (const kind of ['timeline', 'heatmap', 'histogram']) {
      const plot = plots.find((candidate) => candidate.kind === kind)!;
      const clip = { x: plot.x, y: plot.y, width: plot.width, height: plot.height, scale: 1 };
      const shot = (await cdp.send('Page.captureScreenshot', { format: 'png', clip, captureBeyondViewport: true }, sessionId)) as { data: string };
      const png = Buffer.from(shot.data, 'base64');
      expect(png.length, kind).toBeGreaterThan(1000);
      const decoded = decodePng(png);
      expect(decoded.width, kind).toBeGreaterThan(100);
      expect(distinctColours(decoded.rgba), kind).toBeGreaterThan(4);
    }
  });

  it('makes no network request: the page itself is the only resource loaded', async () => {
    const requests = cdp.events
      .filter((event) => event.method === 'Network.requestWillBeSent' && event.sessionId === sessionId)
      .map((event) => (event.params!['request'] as { url: string }).url);
    expect(requests).toContain(pageUrl);
    expect(requests.filter((url) => url !== pageUrl)).toEqual([]);
    const resources = await evaluate<number>(`performance.getEntriesByType('resource').length`);
    expect(resources).toBe(0);
  });
});
