/**
 * An error the user can fix (bad input, bad config, unreadable file). The CLI exits 2 on these
 * and prints only the message; anything else is a bug and gets a stack trace.
 */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** The process events installCrashGuard listens to (a parameter so a test can hand in its own). */
export interface CrashTarget {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown;
}

/** The line for an error that is not a UserError: a bug, or a failure nothing expected. */
export function internalErrorLine(error: unknown): string {
  return `model-gate: internal error: ${(error as Error | null)?.stack ?? String(error)}`;
}

/**
 * The last step of the one error path: an exception nothing was waiting for (thrown from a
 * library's event handler, such as undici's parser assertion when a server closes a connection,
 * nodejs/undici#5360) or a promise nobody awaited still ends the run through the same door as
 * every other failure, with model-gate's line (the Action's ::error::, the CLI's stderr line),
 * and exit `code`, instead of Node's own crash print.
 */
export function installCrashGuard(fail: (line: string) => void, exit: (code: number) => void, code: number, target: CrashTarget = process): void {
  let failed = false;
  const handle = (error: unknown) => {
    if (failed) return; // one line, even if more follow while we exit
    failed = true;
    fail(internalErrorLine(error));
    exit(code);
  };
  target.on('uncaughtException', handle);
  target.on('unhandledRejection', handle);
}
