import { describe, expect, it } from "vitest";
import { validateDocument } from "./document.js";

const usage = {
  kind: "UsageRecord",
  apiVersion: "workspace-ops.dev/v1",
  usageId: "use-1",
  persona: "coder",
  provider: "openai",
  model: "gpt-5",
  tokensIn: 10,
  tokensOut: 5,
  costUsd: 0.01,
  occurredAt: "2026-11-21T12:00:00Z",
};

describe("validateDocument", () => {
  it("detects the contract from kind and accepts a valid payload", () => {
    expect(validateDocument(JSON.stringify(usage, null, 2))).toEqual({
      contract: "UsageRecord",
      valid: true,
      errors: [],
    });
  });

  it("gives each error the line and column of its value, in file order", () => {
    const text = JSON.stringify({ ...usage, tokensOut: -1, tokensIn: "ten" }, null, 2);
    expect(validateDocument(text)).toEqual({
      contract: "UsageRecord",
      valid: false,
      errors: [
        { pointer: "/tokensIn", keyword: "type", message: "tokensIn must be integer", line: 8, column: 15 },
        { pointer: "/tokensOut", keyword: "minimum", message: "tokensOut must be >= 0", line: 9, column: 16 },
      ],
    });
  });

  it("reports a syntax error with its position and no contract", () => {
    expect(validateDocument('{\n  "kind": "UsageRecord",\n  "tokensIn": 1,\n}')).toEqual({
      contract: null,
      valid: false,
      errors: [
        {
          pointer: "",
          keyword: "json",
          message: 'not valid JSON: unexpected "}", expected a property name in double quotes',
          line: 4,
          column: 1,
        },
      ],
    });
  });

  it("reports a kind that names no contract at the kind", () => {
    expect(validateDocument('{\n  "kind": "Bogus"\n}').errors).toEqual([
      expect.objectContaining({ pointer: "/kind", keyword: "kind", line: 2, column: 11 }),
    ]);
  });

  it("uses the named contract over the payload's kind", () => {
    expect(validateDocument(JSON.stringify(usage), { contract: "Trajectory" })).toMatchObject({
      contract: "Trajectory",
      valid: false,
      errors: [{ pointer: "/kind", keyword: "const", message: 'kind must be "Trajectory"' }],
    });
  });

  it("keeps columns true to the file after a byte-order mark", () => {
    const result = validateDocument(`\ufeff{"kind": "Bogus"}`);
    expect(result.errors[0]).toMatchObject({ line: 1, column: 11 });
  });

  it("refuses 100,000 levels of nesting with a clear error, quickly and without a stack overflow", () => {
    const result = validateDocument(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(result).toEqual({
      contract: null,
      valid: false,
      errors: [
        {
          pointer: "",
          keyword: "maxDepth",
          message: "nesting deeper than 128 levels (the limit)",
          line: 1,
          column: 129,
        },
      ],
    });
  });
});
