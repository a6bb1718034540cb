// Steps gathered from several streams and annotations, put in time order (ties keep the order they
// were added in, which is each stream's record order) and numbered.
import type { TrajectoryStep } from "@workspace-ops/contracts";

/** The maximum number of steps a Trajectory holds (its contract's maxItems). */
export const MAX_STEPS = 10_000;

export type Draft = TrajectoryStep extends infer S
  ? S extends TrajectoryStep
    ? Omit<S, "index">
    : never
  : never;

interface Entry {
  ms: number;
  order: number;
  step: Draft;
}

export class StepList {
  readonly #entries: Entry[] = [];

  /** Adds a step (its `at` orders it); returns the draft so that later records can complete it. */
  add<D extends Draft>(step: D): D {
    this.#entries.push({ ms: Date.parse(step.at), order: this.#entries.length, step });
    return step;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The steps in time order, numbered from 0. */
  sorted(): TrajectoryStep[] {
    return this.#entries
      .sort((a, b) => a.ms - b.ms || a.order - b.order)
      .map(({ step }, index) => ({ index, ...step }) as TrajectoryStep);
  }
}
