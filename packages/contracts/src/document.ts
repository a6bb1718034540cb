// Validation of JSON text (a file's content), with line:column for every error.

import type { ContractName } from "./generated/catalog.js";
import { checkJson, locatePointers, type SourcePosition } from "./json-source.js";
import { detectContract, validate } from "./validate.js";

/** Nesting deeper than this is refused before parsing; no contract comes near it. */
export const defaultMaxDepth = 128;

export interface DocumentError extends SourcePosition {
  pointer: string;
  /**
   * The JSON Schema keyword that failed, or what went wrong before schema validation:
   * `json` (not JSON), `maxDepth` (nested too deep), `kind` (the contract cannot be told),
   * `apiVersion` (a version this package does not validate).
   */
  keyword: string;
  message: string;
}

export interface DocumentResult {
  /** The contract the text was checked against; null when it could not be told. */
  contract: ContractName | null;
  valid: boolean;
  errors: DocumentError[];
}

export interface DocumentOptions {
  /** Validate against this contract instead of the one the payload's kind names. */
  contract?: ContractName;
  maxDepth?: number;
}

export function validateDocument(source: string, options: DocumentOptions = {}): DocumentResult {
  // A UTF-8 byte-order mark is not JSON, but editors write it; columns stay true to the file.
  const bom = source.charCodeAt(0) === 0xfeff;
  const text = bom ? source.slice(1) : source;
  const fixColumn = ({ line, column }: SourcePosition): SourcePosition => ({
    line,
    column: bom && line === 1 ? column + 1 : column,
  });
  const given = options.contract ?? null;

  const syntax = checkJson(text, options.maxDepth ?? defaultMaxDepth);
  if (syntax) {
    const keyword = syntax.code === "json_too_deep" ? "maxDepth" : "json";
    const message = syntax.code === "json_too_deep" ? syntax.message : `not valid JSON: ${syntax.message}`;
    return {
      contract: given,
      valid: false,
      errors: [{ pointer: "", keyword, message, ...fixColumn(syntax) }],
    };
  }
  const value: unknown = JSON.parse(text);

  let contract = given;
  if (contract === null) {
    const detected = detectContract(value);
    if (!detected.ok) {
      const { pointer, message, code } = detected.error;
      const keyword = code === "unsupported_api_version" ? "apiVersion" : "kind";
      const [where] = locate(text, [pointer]);
      return {
        contract: null,
        valid: false,
        errors: [{ pointer, keyword, message, ...fixColumn(where as SourcePosition) }],
      };
    }
    contract = detected.contract;
  }

  const result = validate(contract, value);
  if (result.ok) return { contract, valid: true, errors: [] };
  const positions = locate(
    text,
    result.errors.map((e) => e.pointer),
  );
  const errors = result.errors.map((e, i) => ({
    pointer: e.pointer,
    keyword: e.keyword,
    message: e.message,
    ...fixColumn(positions[i] as SourcePosition),
  }));
  // In the order a reader meets them in the file.
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { contract, valid: false, errors };
}

function locate(text: string, pointers: string[]): SourcePosition[] {
  const found = locatePointers(text, pointers);
  return pointers.map((p) => found.get(p) ?? { line: 1, column: 1 });
}
