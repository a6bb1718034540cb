import type { Store } from "./types.js";

/**
 * The store's change notifications, buffered so that none is missed between two looks: subscribe
 * first, then read, then wait with next() — a change that came while reading wakes it at once.
 */
export class ChangeFeed {
  #changed = false;
  #wake: (() => void) | null = null;
  readonly #stop: () => void;

  constructor(store: Store) {
    this.#stop = store.watch(() => {
      this.#changed = true;
      this.#wake?.();
    });
  }

  /**
   * Resolves true at the first change since the previous call (at once if one came meanwhile), false
   * once `timeoutMs` passed or `signal` aborted.
   */
  next(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#changed || signal?.aborted || timeoutMs <= 0) {
      const changed = this.#changed;
      this.#changed = false;
      return Promise.resolve(changed);
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", finish);
        this.#wake = null;
        const changed = this.#changed;
        this.#changed = false;
        resolve(changed);
      };
      const timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener("abort", finish, { once: true });
      this.#wake = finish;
    });
  }

  close(): void {
    this.#stop();
    this.#wake?.();
  }
}
