// The executor's records, checked against their contracts before anything is built from them: a record
// that does not hold what its type promises is left out and counted, never guessed at.
import { type ContractName, type ContractTypes, isContract, validate } from "@workspace-ops/contracts";

export type Checked<T> = { ok: true; value: T } | { ok: false; detail: string };

/** A value against a contract: the verdict at ajv speed, the errors only when it fails. */
export function checkContract<C extends ContractName>(
  contract: C,
  value: unknown,
): Checked<ContractTypes[C]> {
  if (isContract(contract, value)) return { ok: true, value };
  const result = validate(contract, value);
  const first = result.ok ? undefined : result.errors[0];
  return {
    ok: false,
    detail: `not a valid ${contract}${first ? `: ${first.pointer || "/"} ${first.message}` : ""}`,
  };
}

/** The object under `key` of a record's data ({ mode, request }, { annotation, redaction }, …). */
export function field(data: unknown, key: string): unknown {
  return typeof data === "object" && data !== null ? (data as Record<string, unknown>)[key] : undefined;
}
