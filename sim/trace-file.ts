/**
 * Trace file I/O: appends each line synchronously (fs.writeSync), so a run that crashes
 * still leaves every line written so far on disk.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { assert } from '../lib/assert.ts';
import { TraceWriter, parseTrace, type ParsedTrace, type TraceHeader } from './trace.ts';

/** sticksim's version from package.json (for the trace header). */
let versionRead: string | undefined;

/** The version in package.json (read once per process: every run's header names it). */
export function sticksimVersion(): string {
  if (versionRead !== undefined) return versionRead;
  const url = new URL('../package.json', import.meta.url);
  const parsed = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  assert(typeof parsed.version === 'string', 'package.json has a version');
  versionRead = parsed.version;
  return versionRead;
}

export interface TraceFile {
  writer: TraceWriter;
  path: string;
  /** Closes the file and returns the trace hash. */
  close(): string;
}

/** Creates (truncates) `path` and writes the header line at once. */
export function openTraceFile(options: { path: string; header: TraceHeader }): TraceFile {
  const fd = openSync(options.path, 'w');
  let open = true;
  const writer = new TraceWriter(options.header, (line) => {
    assert(open, 'trace file is open');
    writeSync(fd, line);
  });
  return {
    writer,
    path: options.path,
    close(): string {
      if (open) {
        closeSync(fd);
        open = false;
      }
      return writer.digest();
    },
  };
}

export function readTraceFile(path: string): ParsedTrace {
  return parseTrace(readFileSync(path, 'utf8'));
}
