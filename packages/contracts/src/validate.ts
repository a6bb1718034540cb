import { type ContractError, explainErrors } from "./errors.js";
import { apiVersion, type ContractName, contractNames, contracts } from "./generated/catalog.js";
import type { ContractTypes } from "./generated/types.js";
import { validators } from "./generated/validators.js";

/** A verdict; on failure, every error explained (use `isContract` when only the verdict matters). */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ContractError[] };

/** Why a value's contract could not be told from its `kind` and `apiVersion`. */
export interface DetectionError {
  code: "not_an_object" | "missing_kind" | "unknown_kind" | "unsupported_api_version";
  message: string;
  pointer: string;
}

export type Detection = { ok: true; contract: ContractName } | { ok: false; error: DetectionError };

export function isContractName(name: unknown): name is ContractName {
  return typeof name === "string" && Object.hasOwn(contracts, name);
}

function validatorOf(contract: ContractName) {
  const validator = isContractName(contract) ? validators[contract] : undefined;
  if (!validator)
    throw new TypeError(`unknown contract ${JSON.stringify(contract)}; known: ${contractNames.join(", ")}`);
  return validator;
}

/**
 * Validates a payload against a contract.
 * Throws TypeError only for a contract name that does not exist (a programming error).
 */
export function validate<C extends ContractName>(
  contract: C,
  value: unknown,
): ValidationResult<ContractTypes[C]> {
  const validator = validatorOf(contract);
  if (validator(value)) return { ok: true, value: value as ContractTypes[C] };
  return { ok: false, errors: explainErrors(validator.errors ?? []) };
}

/** Type guard: true when the value satisfies the contract. The verdict alone, at raw ajv speed. */
export function isContract<C extends ContractName>(contract: C, value: unknown): value is ContractTypes[C] {
  return validatorOf(contract)(value);
}

/** Contracts by `$id`: a CloudEvent names its contract with `dataschema` (that id and a fragment). */
const byId = new Map<string, ContractName>(contractNames.map((name) => [contracts[name].id, name]));

/** The contract a CloudEvent's `dataschema` names, at this package's major version or another. */
function detectCloudEvent(dataschema: unknown): Detection {
  if (typeof dataschema !== "string")
    return {
      ok: false,
      error: {
        code: "missing_kind",
        message: "a CloudEvent without a dataschema names no contract",
        pointer: "",
      },
    };
  const id = dataschema.split("#")[0] ?? "";
  const contract = byId.get(id);
  if (contract) return { ok: true, contract };
  const title = /\/v\d+\/([A-Za-z][A-Za-z0-9]*)\.schema\.json$/.exec(id)?.[1];
  if (isContractName(title) && contracts[title].id.startsWith(id.slice(0, id.lastIndexOf("/v"))))
    return {
      ok: false,
      error: {
        code: "unsupported_api_version",
        message: `dataschema ${JSON.stringify(dataschema)} names another major version of ${title}; this package validates ${contracts[title].id}`,
        pointer: "/dataschema",
      },
    };
  return {
    ok: false,
    error: {
      code: "unknown_kind",
      message: `dataschema ${JSON.stringify(dataschema)} names no contract`,
      pointer: "/dataschema",
    },
  };
}

/**
 * Tells which contract a payload claims to be, from its `kind` and `apiVersion` — or, for a CloudEvent
 * (a `specversion` and no `kind`), from its `dataschema`.
 */
export function detectContract(value: unknown): Detection {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      error: { code: "not_an_object", message: "payload must be a JSON object with a kind", pointer: "" },
    };
  }
  const { kind, apiVersion: version } = value as { kind?: unknown; apiVersion?: unknown };
  if (kind === undefined && "specversion" in value)
    return detectCloudEvent((value as { dataschema?: unknown }).dataschema);
  if (kind === undefined) {
    return {
      ok: false,
      error: {
        code: "missing_kind",
        message: "payload has no kind, so its contract is unknown",
        pointer: "",
      },
    };
  }
  if (!isContractName(kind)) {
    return {
      ok: false,
      error: {
        code: "unknown_kind",
        message: `kind ${JSON.stringify(kind)} names no contract; known kinds: ${contractNames.join(", ")}`,
        pointer: "/kind",
      },
    };
  }
  if (version !== undefined && version !== apiVersion) {
    return {
      ok: false,
      error: {
        code: "unsupported_api_version",
        message: `apiVersion ${JSON.stringify(version)} is not supported; this package validates ${apiVersion}`,
        pointer: "/apiVersion",
      },
    };
  }
  return { ok: true, contract: kind };
}
