/**
 * The TUI-backed commands' error door: a user's mistake (a bad flag, an unreadable trace) is
 * printed as `sticksim: …` with exit code 2, never a stack trace; anything else is a bug and
 * propagates.
 */
import { TraceSourceError } from './trace-source.ts';

export async function reportingUserErrors(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    // Loaded here, not at start: the commands that can throw these have loaded the TUI already.
    const { UsageError } = await import('../tui/main.tsx');
    const { TraceOpenError } = await import('../tui/trace-store.ts');
    if (!(error instanceof UsageError || error instanceof TraceOpenError || error instanceof TraceSourceError)) throw error;
    process.stderr.write(`sticksim: ${error.message}\n`);
    process.exitCode = 2;
  }
}
