#!/usr/bin/env node
// @ts-check
// Writes tools/policy/input-schemas/<entrypoint>_input.json: the input document of each policy entrypoint,
// built from the contract schemas, for `opa check --strict --schema tools/policy/input-schemas`. OPA cannot
// follow https $refs (and must never fetch them), so every $ref is inlined; conditional keywords,
// which OPA's type checker does not read, are dropped.
//   node tools/policy/input-schemas.mjs [--check]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commonId, loadContracts, repoRoot } from "../codegen/contracts.mjs";

const outDir = join(repoRoot, "tools/policy/input-schemas");
const dropped = new Set([
  "$id",
  "$schema",
  "$defs",
  "if",
  "then",
  "else",
  "examples",
  "x-contract-role",
  "tsType",
  "default",
]);

const { contracts, common, problems } = loadContracts();
if (problems.length) throw new Error(`contracts/ has problems; run npm run codegen:\n${problems.join("\n")}`);
/** @type {Map<string, any>} */
const byId = new Map([common, ...contracts].map((c) => [c.id, c.schema]));

/** @param {string} ref @param {string} base */
function target(ref, base) {
  const [path = "", pointer = ""] = new URL(ref, base).href.split("#");
  const root = byId.get(path);
  if (!root) throw new Error(`unresolvable $ref ${ref} from ${base}`);
  let node = root;
  for (const token of pointer.split("/").slice(1))
    node = node[token.replaceAll("~1", "/").replaceAll("~0", "~")];
  if (node === undefined) throw new Error(`$ref ${ref} points at nothing`);
  return { node, base: path };
}

/** @param {any} node @param {string} base @param {number} depth @returns {any} */
function inline(node, base, depth = 0) {
  if (depth > 64) throw new Error(`$ref nesting deeper than 64 at ${base}`);
  if (Array.isArray(node)) return node.map((n) => inline(n, base, depth));
  if (!node || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    const { node: referenced, base: refBase } = target(node.$ref, base);
    const { $ref: _ref, ...siblings } = node;
    return inline({ ...referenced, ...siblings }, refBase, depth + 1);
  }
  /** @type {Record<string, any>} */
  const out = {};
  // A property whose shape the if/then branches choose (the operation's artifact) becomes the union
  // of those shapes, which OPA's type checker reads.
  /** @type {Map<string, any[]>} */
  const chosen = new Map();
  for (const branch of Array.isArray(node.allOf) ? node.allOf : []) {
    for (const [prop, sub] of Object.entries(branch?.then?.properties ?? {})) {
      if (typeof (/** @type {any} */ (sub).$ref) !== "string") continue;
      const shapes = chosen.get(prop) ?? [];
      const ref = new URL(/** @type {any} */ (sub).$ref, base).href;
      if (!shapes.some((s) => s.ref === ref))
        shapes.push({ ref, schema: inline({ $ref: ref }, base, depth + 1) });
      chosen.set(prop, shapes);
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (dropped.has(key)) continue;
    if (key === "allOf" && Array.isArray(value) && value.every((s) => "if" in s)) continue;
    out[key] =
      key === "properties"
        ? Object.fromEntries(
            Object.entries(value).map(([k, v]) => {
              const shapes = chosen.get(k);
              return [
                k,
                shapes
                  ? { description: v.description, anyOf: shapes.map((x) => x.schema) }
                  : inline(v, base, depth),
              ];
            }),
          )
        : inline(value, base, depth);
  }
  return out;
}

const contract = (/** @type {string} */ name) => {
  const c = contracts.find((x) => x.name === name);
  if (!c) throw new Error(`no contract ${name}`);
  return inline(c.schema, c.id);
};
const now = { type: "string", description: "RFC 3339 time of the decision; time.now_ns() when absent." };
const principal = inline({ $ref: `${commonId}#/$defs/Principal` }, commonId);
const state = {
  now,
  profile: contract("AgentMachineProfile"),
  grants: { type: "array", items: contract("ToolGrantRecord") },
  binding: contract("ModelProviderBinding"),
  usage: { type: "array", items: contract("UsageRecord") },
};

const paths = (/** @type {string} */ description) => ({
  type: "array",
  description,
  items: { type: "string" },
});
const machine = {
  type: "object",
  description: "What the executor knows about the machine, for file tools and shell commands.",
  properties: {
    workspaceRoot: { type: "string", description: "Absolute real path of the workspace." },
    home: { type: "string", description: "The invoking user's home: what a profile's '~' means." },
    protectedPaths: paths(
      "The executor's state directories and the approver keys: out of reach whatever a rule says.",
    ),
    hiddenPaths: paths("What bubblewrap hides by default (credential stores, host secrets, daemon sockets)."),
    isolation: {
      type: "string",
      enum: ["bubblewrap", "none"],
      description:
        "Where the call runs once allowed: none when nothing hides the hidden paths from it (an agent runtime runs it itself, or the process backend does).",
    },
  },
};
const toolTarget = {
  type: "object",
  description: "What the executor resolved about a file, web or shell tool's target.",
  properties: {
    paths: {
      type: "array",
      description:
        "Each path of a file tool, or each path a shell command names (arguments and redirection targets, ~ and $HOME expanded, relative ones placed in the working directory and every directory the command changes into), as named (path) and resolved through symlinks (real).",
      items: {
        type: "object",
        properties: {
          path: { type: "string", description: "As the request names it." },
          real: { type: "string", description: "Resolved through symlinks (the part that exists)." },
        },
      },
    },
    url: {
      type: "object",
      description: "A web fetch's URL, parsed.",
      properties: {
        scheme: { type: "string", description: "Without the colon, lowercase." },
        host: { type: "string", description: "Lowercase host name or address." },
        port: { type: "number", description: "The explicit port, else the scheme's default." },
      },
    },
  },
};

/** @type {Record<string, object>} */
const inputs = {
  tool_execution_input: {
    description: "Input of workspace_ops/tool_execution/decision.",
    type: "object",
    required: ["request"],
    properties: {
      request: contract("ToolExecutionRequest"),
      analysis: contract("CommandAnalysis"),
      machine,
      target: toolTarget,
      ...state,
    },
  },
  operation_input: {
    description: "Input of workspace_ops/operation/decision.",
    type: "object",
    required: ["operation", "actor"],
    properties: {
      operation: contract("WorkspaceOperationContract"),
      actor: principal,
      stepAnalysis: {
        type: "array",
        description: "The CommandAnalysis of each step of an execution.start, in step order.",
        items: contract("CommandAnalysis"),
      },
      ...state,
    },
  },
  model_call_input: {
    description: "Input of workspace_ops/model_call/decision.",
    type: "object",
    required: ["request"],
    properties: {
      request: contract("ModelCallRequest"),
      now,
      binding: state.binding,
      usage: state.usage,
      reserved: {
        type: "array",
        description: "What calls in flight have reserved, as UsageRecords stamped now.",
        items: contract("UsageRecord"),
      },
      unavailable: {
        type: "array",
        description: "Entries the runtime saw fail recently.",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["provider", "model"],
          properties: {
            provider: { type: "string", description: "Model provider." },
            model: { type: "string", description: "Model name." },
            reason: { type: "string", description: "What failed, already redacted." },
          },
        },
      },
    },
  },
  approval_input: {
    description: "Input of workspace_ops/approval/decision.",
    type: "object",
    required: ["request", "resolution"],
    properties: { request: contract("ApprovalRequest"), resolution: contract("ApprovalResolution"), now },
  },
};

const check = process.argv.includes("--check");
const stale = [];
if (!check) mkdirSync(outDir, { recursive: true });
for (const [name, schema] of Object.entries(inputs)) {
  const path = join(outDir, `${name}.json`);
  const content = `${JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", ...schema }, null, 2)}\n`;
  if (existsSync(path) && readFileSync(path, "utf8") === content) continue;
  stale.push(name);
  if (!check) writeFileSync(path, content);
}
if (check && stale.length) {
  console.error(
    `tools/policy/input-schemas out of date (${stale.join(", ")}): run node tools/policy/input-schemas.mjs`,
  );
  process.exit(1);
}
console.log(
  `tools/policy/input-schemas: ${stale.length ? (check ? "stale" : `wrote ${stale.join(", ")}`) : "up to date"}`,
);
