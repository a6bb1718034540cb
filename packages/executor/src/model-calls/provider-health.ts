// Recent provider failures, as this process saw them: an entry that failed is unavailable to the
// model_call policy for a cool-down, so the next calls go to the next entry of their chain at once.

export interface Unavailable {
  provider: string;
  model: string;
  /** What failed, already redacted. */
  reason: string;
}

export class ProviderHealth {
  readonly #down = new Map<string, Unavailable & { untilMs: number }>();

  constructor(private readonly coolDownMs = 30_000) {}

  failed(entry: Unavailable, now: Date): void {
    this.#down.set(`${entry.provider}/${entry.model}`, {
      ...entry,
      untilMs: now.getTime() + this.coolDownMs,
    });
  }

  /** The entries still cooling down at `now`. */
  unavailable(now: Date): Unavailable[] {
    const down: Unavailable[] = [];
    for (const [key, { untilMs, ...entry }] of this.#down) {
      if (untilMs <= now.getTime()) this.#down.delete(key);
      else down.push(entry);
    }
    return down;
  }
}
