/**
 * The TUI-backed commands' error door: a user's mistake (a bad flag, an unreadable trace) is
 * printed as `sticksim: …` with exit code 2, never a stack trace; anything else is a bug and
 * propagates.
 */
import { UsageError } from '../tui/main.tsx';
import { TraceOpenError } from '../tui/trace-store.ts';

export async function reportingUserErrors(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof TraceOpenError)) throw error;
    process.stderr.write(`sticksim: ${error.message}\n`);
    process.exitCode = 2;
  }
}
