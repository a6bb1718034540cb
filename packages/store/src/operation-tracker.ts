import { StateError } from "./errors.js";

/** Refuses work after close, and lets close wait for the work already started. */
export class OperationTracker {
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;

  constructor(private readonly what: string) {}

  run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new StateError("closed", `${this.what} is closed`));
    const promise = operation();
    this.#pending.add(promise);
    const forget = () => this.#pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#pending]);
  }
}
