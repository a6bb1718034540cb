// Failures of an export that stop it: a bad configuration file, an unreadable store, a --strict export
// that met a bad record. Values with codes; the CLI prints them without a stack.

export type TrajectoryErrorCode =
  | "config_unreadable"
  | "config_invalid"
  | "store_missing"
  | "strict_violation"
  | "output_unwritable";

export class TrajectoryError extends Error {
  override readonly name = "TrajectoryError";
  constructor(
    readonly code: TrajectoryErrorCode,
    message: string,
    /** JSON pointer into the file or record concerned ("" for the whole). */
    readonly pointer = "",
    /** The file concerned, when there is one. */
    readonly file?: string,
  ) {
    super(message);
  }
}

export const isTrajectoryError = (error: unknown): error is TrajectoryError =>
  error instanceof TrajectoryError;
