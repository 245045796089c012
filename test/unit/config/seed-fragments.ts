/**
 * Pulls haproxy.cfg fragments out of the seed articles (../shared/seeds/*.txt, beside the
 * repository): a fragment starts at a line whose first word is a section keyword (or `localpeer`,
 * or a proxy keyword such as `stick-table` quoted alone) and continues while lines are
 * config-like or indented deeper than its first line. Fragments that lack their section header get one added.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isGlobalKeyword, isProxyKeyword, OTHER_SECTIONS, PROXY_SECTIONS } from '../../../engine/config/keywords.ts';

export interface SeedFragment {
  readonly seedFile: string;
  /** 1-based line in the article where the fragment starts. */
  readonly startLine: number;
  /** The fragment as it appears in the article. */
  readonly raw: string;
  /** The text to parse (a header line added for orphan lines, every line ends with LF). */
  readonly text: string;
}

const PEERS_WORDS = new Set(['peer', 'server', 'bind', 'table', 'default-server', 'disabled', 'enabled', 'log', 'shards']);
const SECTION_WORDS = new Set(['global', 'peers', ...PROXY_SECTIONS, ...OTHER_SECTIONS]);

const firstWord = (line: string): string => line.trim().split(/\s+/)[0] ?? '';
const indentOf = (line: string): number => line.length - line.trimStart().length;

function isConfigLike(line: string): boolean {
  const w = firstWord(line);
  if (w.startsWith('#')) return true;
  return SECTION_WORDS.has(w) || PEERS_WORDS.has(w) || isProxyKeyword(w) || (isGlobalKeyword(w) && !w.includes('.'));
}

function isStart(line: string): boolean {
  const w = firstWord(line);
  return SECTION_WORDS.has(w) || w === 'localpeer' || w === 'stick-table';
}

/** Every fragment of one article text. */
export function extractFragments(seedFile: string, article: string): SeedFragment[] {
  const lines = article.split('\n');
  const out: SeedFragment[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!isStart(lines[i]!)) {
      i++;
      continue;
    }
    const start = i;
    const baseIndent = indentOf(lines[i]!);
    let end = i + 1; // exclusive
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.trim() === '') continue;
      if ((indentOf(l) > baseIndent && /^[a-z]/.test(l.trim())) || isConfigLike(l)) {
        end = j + 1;
        continue;
      }
      break;
    }
    const body = lines.slice(start, end);
    const dedented = body.map((l) => l.slice(Math.min(baseIndent, indentOf(l))));
    const raw = dedented.join('\n');
    out.push({ seedFile, startLine: start + 1, raw, text: withHeader(raw) });
    i = end;
  }
  return out;
}

function withHeader(raw: string): string {
  const w = firstWord(raw);
  const text = `${raw.replace(/\s+$/, '')}\n`;
  if (SECTION_WORDS.has(w)) return text;
  if (w === 'localpeer') return `global\n${text}`;
  return `backend fragment\n${text}`;
}

/** Reads the seeds folder; throws a clear error if it is missing. */
export function loadSeedFragments(seedsDir: string): SeedFragment[] {
  let names: string[];
  try {
    names = readdirSync(seedsDir).filter((n) => n.endsWith('.txt')).sort();
  } catch {
    throw new Error(`seed articles not found: expected the folder ${seedsDir} (../shared/seeds relative to the repo root)`);
  }
  if (names.length === 0) throw new Error(`no seed articles (*.txt) in ${seedsDir}`);
  return names.flatMap((n) => extractFragments(n, readFileSync(path.join(seedsDir, n), 'utf8')));
}
