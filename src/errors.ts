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
