/**
 * Child processes of the interop tests (haproxy, `sticksim peer`): every one is killed when the
 * test process exits or is terminated, and its recent output is kept for error messages.
 */
import type { ChildProcess } from 'node:child_process';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const LIVE_CHILDREN = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const child of LIVE_CHILDREN) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  // A terminating signal skips 'exit': kill the children, then die of the same signal. (Ctrl-C
  // reaches them by itself: they are in our process group.)
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/**
 * Registers a child: killed at our exit; its last `keepBytes` of stdout+stderr readable through
 * `output()`; `exited` resolves with its status.
 */
export function watchChild(child: ChildProcess, keepBytes: number): { output: () => string; exited: Promise<ExitStatus> } {
  installExitHook();
  LIVE_CHILDREN.add(child);
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-keepBytes);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      LIVE_CHILDREN.delete(child);
      resolve({ code, signal });
    });
  });
  return { output: () => text, exited };
}
