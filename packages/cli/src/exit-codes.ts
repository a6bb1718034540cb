/** wsops exit codes; docs/cli.md lists them. */
export const ExitCode = {
  /** Everything checked out. */
  ok: 0,
  /** Problems found: an invalid payload, a denial. */
  problems: 1,
  /** A usage error, an unreadable input, or an internal error. */
  usage: 2,
  /** The store cannot be opened or refused to work (unreachable, busy, a damaged audit log, a newer schema). */
  storeUnavailable: 69,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
