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

export type RecordCheck = <C extends ContractName>(contract: C, value: unknown) => Checked<ContractTypes[C]>;

/**
 * The fast path's check: an object is taken as what it claims to be. The trajectory built from such
 * records is checked against its own contract as a whole; only when that fails are its records checked
 * one by one (`checkContract`), so that a bad record costs only itself.
 */
export const assumeContract: RecordCheck = <C extends ContractName>(_contract: C, value: unknown) =>
  typeof value === "object" && value !== null
    ? { ok: true as const, value: value as ContractTypes[C] }
    : { ok: false as const, detail: "not an object" };

/** The object under `key` of a record's data ({ mode, request }, { annotation, redaction }, …). */
export function field(data: unknown, key: string): unknown {
  return typeof data === "object" && data !== null ? (data as Record<string, unknown>)[key] : undefined;
}
