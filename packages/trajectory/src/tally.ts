// What an export read, wrote and left out, and why. In strict mode the first thing left out stops it.
import { TrajectoryError } from "./errors.js";

/** Why records or a whole trajectory were left out (docs/trajectories.md lists them). */
export type SkipReason =
  /** The store could not read a stream (a record that does not parse). */
  | "unreadable_stream"
  /** A record does not satisfy its contract. */
  | "invalid_record"
  /** The records of a call or operation whose request record is missing or invalid. */
  | "no_valid_request"
  /** A session with no governed records (only annotations): nothing was decided in it. */
  | "no_governed_records"
  /** More steps than a Trajectory holds (10 000). */
  | "too_many_steps"
  /** No trace id: neither the annotation nor any call names one. */
  | "no_trace_id"
  /** The trajectory built does not satisfy its contract (after redaction). */
  | "invalid_trajectory"
  /** SFT: no assistant message or tool call to train on. */
  | "no_assistant_turns"
  /** The line built does not satisfy its contract or the fine-tuning format. */
  | "invalid_output";

export interface SkipCount {
  reason: SkipReason;
  count: number;
  /** The first place it happened: a stream, a session, a trajectory. */
  example: string;
  detail: string;
}

export class Tally {
  records = 0;
  readonly #records = new Map<SkipReason, SkipCount>();
  readonly #trajectories = new Map<SkipReason, SkipCount>();

  /**
   * `clean` redacts what a skip says about a record (a parse error quotes the text it failed on) before
   * the summary or a --strict error repeats it.
   */
  constructor(
    private readonly strict: boolean,
    private readonly clean: (text: string) => string = (text) => text,
  ) {}

  /** Records left out (`count` of them); throws a strict_violation in strict mode. */
  skipRecords(reason: SkipReason, count: number, where: string, detail: string): void {
    this.#add(this.#records, reason, count, where, detail);
  }

  /** A whole trajectory left out; throws a strict_violation in strict mode. */
  skipTrajectory(reason: SkipReason, where: string, detail: string): void {
    this.#add(this.#trajectories, reason, 1, where, detail);
  }

  #add(into: Map<SkipReason, SkipCount>, reason: SkipReason, count: number, place: string, said: string) {
    const where = this.clean(place);
    const detail = this.clean(said);
    if (this.strict)
      throw new TrajectoryError("strict_violation", `${where}: ${reason}: ${detail}`, "", undefined);
    const known = into.get(reason);
    if (known) known.count += count;
    else into.set(reason, { reason, count, example: where, detail });
  }

  /** A tally for a try whose counts are kept only if it is absorbed (the fast path of a trajectory). */
  draft(): Tally {
    return new Tally(this.strict, this.clean);
  }

  absorb(draft: Tally): void {
    this.records += draft.records;
    for (const s of draft.skippedRecords) this.#add(this.#records, s.reason, s.count, s.example, s.detail);
    for (const s of draft.skippedTrajectories)
      this.#add(this.#trajectories, s.reason, s.count, s.example, s.detail);
  }

  get skippedRecords(): SkipCount[] {
    return [...this.#records.values()];
  }

  get skippedTrajectories(): SkipCount[] {
    return [...this.#trajectories.values()];
  }
}
