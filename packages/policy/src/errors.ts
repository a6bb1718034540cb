/** Why a policy could not give a decision. None of these is ever treated as "allow". */
export type PolicyErrorCode =
  /** The bundle directory or one of its files is missing or unreadable. */
  | "bundle_missing"
  /** manifest.json is not a bundle manifest. */
  | "bundle_invalid"
  /** A file's sha256 differs from the manifest: the bundle was changed after it was built. */
  | "bundle_tampered"
  /** data.json is not a JSON object. */
  | "data_invalid"
  /** The WebAssembly module could not be instantiated. */
  | "wasm_load_failed"
  /** The bundle has no such entrypoint. */
  | "entrypoint_missing"
  /** The input is not a JSON object, or is larger than the limit. */
  | "input_invalid"
  /** Evaluation aborted: a WebAssembly trap, a builtin error, an out-of-memory. */
  | "evaluation_trap"
  /** The entrypoint produced no result for this input. */
  | "result_undefined"
  /** The result is not a decision document. */
  | "decision_malformed";

export interface PolicyError {
  code: PolicyErrorCode;
  message: string;
  /** JSON pointer into the offending document (the manifest, the result), when there is one. */
  pointer: string;
}

export const policyError = (code: PolicyErrorCode, message: string, pointer = ""): PolicyError => ({
  code,
  message,
  pointer,
});

/** The opa-wasm SDK throws strings, plain objects and Errors; make each a sentence. */
export function describeThrown(thrown: unknown): string {
  if (typeof thrown === "string") return thrown;
  if (thrown instanceof Error) return thrown.message;
  if (thrown && typeof thrown === "object" && "message" in thrown) return String(thrown.message);
  return String(thrown);
}
