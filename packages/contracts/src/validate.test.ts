import { describe, expect, it } from "vitest";
import { contractNames } from "./generated/catalog.js";
import { detectContract, isContract, isContractName, validate } from "./validate.js";

const request = () => ({
  kind: "ToolExecutionRequest",
  apiVersion: "workspace-ops.dev/v1",
  toolExecutionId: "texec-1",
  requestedAt: "2026-11-21T12:00:00Z",
  context: {
    organizationId: "org-acme",
    workspaceId: "ws-demo",
    sessionId: "sess-1",
    agentRunId: "run-1",
    agentRunStepId: "run-1-step-1",
    actor: { type: "agent", id: "agent-coder-1" },
    surface: "cli",
    cwd: ".",
  },
  tool: { kind: "shell", name: "ls", argv: ["ls", "-la"] } as Record<string, unknown>,
  correlation: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
});

describe("validate", () => {
  it("returns the very value when it is valid", () => {
    const value = request();
    const result = validate("ToolExecutionRequest", value);
    expect(result).toEqual({ ok: true, value });
    expect(result.ok && result.value).toBe(value);
  });

  it("explains a failed if/then by its cause and the condition", () => {
    const value = request();
    value.tool = { kind: "shell", name: "ls" };
    expect(validate("ToolExecutionRequest", value)).toEqual({
      ok: false,
      errors: [
        {
          pointer: "/tool",
          keyword: "required",
          message: 'tool is missing required property "argv" when tool.kind is "shell"',
          schemaPath: "#/allOf/0/then/required",
        },
      ],
    });
  });

  it("reports a forbidden property under the condition that forbids it", () => {
    const value = request();
    value.tool = { kind: "mcp", name: "read_file", server: "fs", sanitizedArgs: {}, argv: ["x"] };
    expect(validate("ToolExecutionRequest", value)).toEqual({
      ok: false,
      errors: [
        {
          pointer: "/tool/argv",
          keyword: "false schema",
          message: 'tool.argv is not allowed when tool.kind is "mcp"',
          schemaPath: "#/allOf/1/then/properties/argv/false schema",
        },
      ],
    });
  });

  it("names the wrong kind alone instead of every rule of the wrong schema", () => {
    expect(validate("ToolExecutionRequest", { kind: "UsageRecord", anything: 1 })).toEqual({
      ok: false,
      errors: [
        {
          pointer: "/kind",
          keyword: "const",
          message: 'kind must be "ToolExecutionRequest"',
          schemaPath: "#/properties/kind/const",
        },
      ],
    });
  });

  it("reports every independent error once, with readable paths", () => {
    const value = { ...request(), extra: true, requestedAt: "yesterday" };
    value.context = { ...value.context, cwd: "../../etc" };
    const result = validate("ToolExecutionRequest", value);
    expect(result.ok).toBe(false);
    expect(
      !result.ok && result.errors.map(({ pointer, keyword, message }) => ({ pointer, keyword, message })),
    ).toEqual([
      {
        pointer: "",
        keyword: "additionalProperties",
        message:
          'payload has unknown property "extra" (allowed: kind, apiVersion, toolExecutionId, requestedAt, context, tool, correlation, estimate, profileId)',
      },
      { pointer: "/requestedAt", keyword: "format", message: "requestedAt must be a valid date-time" },
      {
        pointer: "/context/cwd",
        keyword: "pattern",
        message:
          "context.cwd does not have the expected form: A relative path inside the workspace: not absolute, no '..' segment, no NUL",
      },
    ]);
  });

  it("treats an own __proto__ key as data, never as a prototype", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "kind": "UsageRecord"}');
    const result = validate("UsageRecord", value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.find((e) => e.keyword === "additionalProperties")?.message).toMatch(
      /^payload has unknown property "__proto__"/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("throws a TypeError for a contract that does not exist", () => {
    expect(() => validate("Nope" as never, {})).toThrow(
      new TypeError(`unknown contract "Nope"; known: ${contractNames.join(", ")}`),
    );
  });
});

describe("isContract", () => {
  it("narrows to the contract's type", () => {
    const value: unknown = request();
    expect(isContract("ToolExecutionRequest", value)).toBe(true);
    expect(isContract("UsageRecord", value)).toBe(false);
  });
});

describe("detectContract", () => {
  it.each([
    [request(), { ok: true, contract: "ToolExecutionRequest" }],
    [
      [],
      {
        ok: false,
        error: { code: "not_an_object", message: "payload must be a JSON object with a kind", pointer: "" },
      },
    ],
    [
      {},
      {
        ok: false,
        error: {
          code: "missing_kind",
          message: "payload has no kind, so its contract is unknown",
          pointer: "",
        },
      },
    ],
    [
      { kind: "Nope" },
      {
        ok: false,
        error: {
          code: "unknown_kind",
          message: `kind "Nope" names no contract; known kinds: ${contractNames.join(", ")}`,
          pointer: "/kind",
        },
      },
    ],
    [
      { kind: "UsageRecord", apiVersion: "workspace-ops.dev/v2" },
      {
        ok: false,
        error: {
          code: "unsupported_api_version",
          message:
            'apiVersion "workspace-ops.dev/v2" is not supported; this package validates workspace-ops.dev/v1',
          pointer: "/apiVersion",
        },
      },
    ],
    [
      {
        specversion: "1.0",
        dataschema:
          "https://workspace-ops.dev/contracts/workspace-operation/v2/OperationLifecycleEvent.schema.json#/$defs/Data",
      },
      { ok: true, contract: "OperationLifecycleEvent" },
    ],
    [
      {
        kind: "OperationLifecycleEvent",
        apiVersion: "workspace-ops.dev/v1",
        specversion: "1.0",
        dataschema:
          "https://workspace-ops.dev/contracts/workspace-operation/v1/OperationLifecycleEvent.schema.json#/$defs/Data",
      },
      { ok: true, contract: "OperationLifecycleEvent" },
    ],
    [
      {
        specversion: "1.0",
        dataschema:
          "https://workspace-ops.dev/contracts/workspace-operation/v1/OperationLifecycleEvent.schema.json#/$defs/Data",
      },
      {
        ok: false,
        error: {
          code: "unsupported_api_version",
          message:
            'dataschema "https://workspace-ops.dev/contracts/workspace-operation/v1/OperationLifecycleEvent.schema.json#/$defs/Data" names another major version of OperationLifecycleEvent; this package validates https://workspace-ops.dev/contracts/workspace-operation/v2/OperationLifecycleEvent.schema.json',
          pointer: "/dataschema",
        },
      },
    ],
    [
      { specversion: "1.0", dataschema: "https://example.com/schemas/order.json" },
      {
        ok: false,
        error: {
          code: "unknown_kind",
          message: 'dataschema "https://example.com/schemas/order.json" names no contract',
          pointer: "/dataschema",
        },
      },
    ],
    [
      { specversion: "1.0", type: "com.example.order" },
      {
        ok: false,
        error: {
          code: "missing_kind",
          message: "a CloudEvent without a dataschema names no contract",
          pointer: "",
        },
      },
    ],
  ])("detects %j", (value, expected) => {
    expect(detectContract(value)).toEqual(expected);
  });

  it("does not take inherited names for contracts", () => {
    expect(isContractName("toString")).toBe(false);
    expect(detectContract({ kind: "constructor" })).toMatchObject({
      ok: false,
      error: { code: "unknown_kind" },
    });
  });
});
