import { StateError } from "./errors.js";

/**
 * The value exactly as it will read back from disk. Storing the round-tripped value (not the
 * caller's object) means what append returns, what read returns and what gets hashed agree.
 */
export function toJsonValue(data: unknown, what = "data"): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (thrown) {
    throw new StateError("record_invalid", `${what} is not JSON-serializable: ${(thrown as Error).message}`);
  }
  if (text === undefined)
    throw new StateError("record_invalid", `${what} is not JSON-serializable: ${typeof data}`);
  return JSON.parse(text);
}
