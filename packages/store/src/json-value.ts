import { StateError } from "./errors.js";

/**
 * The value exactly as it will read back, with the JSON text it is stored as. Storing the
 * round-tripped value (not the caller's object) means what commit returns, what reads return and
 * what gets hashed agree.
 */
export function jsonText(data: unknown, what = "data"): { value: unknown; text: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (thrown) {
    throw new StateError("record_invalid", `${what} is not JSON-serializable: ${(thrown as Error).message}`);
  }
  if (text === undefined)
    throw new StateError("record_invalid", `${what} is not JSON-serializable: ${typeof data}`);
  return { value: JSON.parse(text), text };
}
