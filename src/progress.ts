/** Progress reporting: every stage takes a Progress so the CLI and the Action can choose how it shows. */
export interface Progress {
  /** Starts a counted phase, e.g. ("decode", 10000). */
  start(phase: string, total: number): void;
  /** Marks `done` of the phase's total as finished. */
  tick(done: number): void;
  end(): void;
  /** A one-line note (stderr in the CLI, core.info in the Action). */
  info(message: string): void;
  warn(message: string): void;
}

export const silentProgress: Progress = {
  start() {},
  tick() {},
  end() {},
  info() {},
  warn() {},
};
