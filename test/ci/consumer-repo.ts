// A repository that is not this monorepo: its own contracts, examples, a small Rego policy with a
// table-driven test and decision fixtures, committed to git — what a team that installed the
// @workspace-ops packages keeps beside them.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "../cli/run-cli.js";

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const id = (path: string) => `https://orders.example.test/${path}`;

export const orderRequestSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: id("orders/v1/OrderRequest.schema.json"),
  title: "OrderRequest",
  description: "An order a client sends.",
  "x-contract-role": "request",
  type: "object",
  additionalProperties: false,
  required: ["kind", "orderId", "size"],
  properties: {
    kind: { const: "OrderRequest", description: "names the contract" },
    orderId: { $ref: id("common/v1/defs.schema.json#/$defs/Id"), description: "the order" },
    size: { enum: ["small", "large"], description: "how big" },
    note: { type: "string", maxLength: 40, description: "free text" },
  },
};

const orderRecordSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: id("orders/v1/OrderRecord.schema.json"),
  title: "OrderRecord",
  description: "An order as the service records it.",
  "x-contract-role": "record",
  type: "object",
  additionalProperties: false,
  required: ["kind", "orderId", "state"],
  properties: {
    kind: { const: "OrderRecord", description: "names the contract" },
    orderId: { $ref: id("common/v1/defs.schema.json#/$defs/Id"), description: "the order" },
    state: { enum: ["open", "closed"], description: "where it is" },
  },
};

const defsSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: id("common/v1/defs.schema.json"),
  title: "Defs",
  description: "Shared definitions.",
  $defs: { Id: { type: "string", pattern: "^ord-[0-9]+(?!\\n)$", description: "an order id" } },
};

const policy = `# METADATA
# title: Orders
package orders

# METADATA
# entrypoint: true
decision := {"decision": "deny", "reasons": deny, "obligations": {}} if count(deny) > 0

decision := {"decision": "allow", "reasons": [], "obligations": {}} if count(deny) == 0

deny contains {"code": "too_large", "message": "large orders need a person", "policy": "orders"} if {
	input.order.size == "large"
}
`;

const policyTest = `package orders_test

import data.orders

_cases := {
	"small is allowed": {"input": {"order": {"size": "small"}}, "deny": set()},
	"large is denied": {
		"input": {"order": {"size": "large"}},
		"deny": {{"code": "too_large", "message": "large orders need a person", "policy": "orders"}},
	},
}

failures[name] := {"expected": case.deny, "actual": actual} if {
	some name, case in _cases
	actual := orders.deny with input as case.input
	actual != case.deny
}

test_cases if count(failures) == 0

test_decision_allow if orders.decision == {"decision": "allow", "reasons": [], "obligations": {}} with input as {"order": {"size": "small"}}

test_decision_deny if orders.decision.decision == "deny" with input as {"order": {"size": "large"}}
`;

export interface ConsumerRepo {
  dir: string;
  write: (path: string, content: string | object) => void;
  git: (...args: string[]) => string;
}

/** Builds the repository in a new temporary folder and commits it on `main`. */
export function consumerRepo(): ConsumerRepo {
  const dir = mkdtempSync(join(tmpdir(), "wsops-consumer-"));
  const write = (path: string, content: string | object) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === "string" ? content : json(content));
  };
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
      cwd: dir,
      encoding: "utf8",
    });
  write("contracts/orders/v1/OrderRequest.schema.json", orderRequestSchema);
  write("contracts/orders/v1/OrderRecord.schema.json", orderRecordSchema);
  write("contracts/common/v1/defs.schema.json", defsSchema);
  write("examples/OrderRequest/valid/small.json", { kind: "OrderRequest", orderId: "ord-1", size: "small" });
  write("examples/OrderRequest/valid/large-with-note.json", {
    kind: "OrderRequest",
    orderId: "ord-2",
    size: "large",
    note: "by friday",
  });
  write("examples/OrderRequest/invalid/bad-id.json", {
    kind: "OrderRequest",
    orderId: "order 3",
    size: "small",
  });
  write("examples/OrderRequest/invalid/no-size.json", { kind: "OrderRequest", orderId: "ord-4" });
  write("examples/OrderRequest/expectations.json", {
    invalid: {
      "bad-id.json": {
        because: "ids are ord-<digits>",
        errors: [{ pointer: "/orderId", keyword: "pattern" }],
      },
      "no-size.json": { because: "size is required", errors: [{ pointer: "", keyword: "required" }] },
    },
  });
  write("examples/OrderRecord/valid/open.json", { kind: "OrderRecord", orderId: "ord-1", state: "open" });
  write("examples/OrderRecord/invalid/unknown-state.json", {
    kind: "OrderRecord",
    orderId: "ord-1",
    state: "lost",
  });
  write("examples/OrderRecord/expectations.json", {
    invalid: {
      "unknown-state.json": { because: "two states", errors: [{ pointer: "/state", keyword: "enum" }] },
    },
  });
  write("policies/orders/orders.rego", policy);
  write("policies/orders/orders_test.rego", policyTest);
  write("policy-fixtures/orders/small.json", {
    description: "A small order is allowed.",
    entrypoint: "orders/decision",
    input: { order: { size: "small" } },
    expected: { decision: "allow", reasons: [], obligations: {} },
  });
  write("policy-fixtures/orders/large.json", {
    description: "A large order is denied.",
    entrypoint: "orders/decision",
    input: { order: { size: "large" } },
    expected: {
      decision: "deny",
      reasons: [{ code: "too_large", message: "large orders need a person", policy: "orders" }],
      obligations: {},
    },
  });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "orders contracts and policy");
  return { dir, write, git };
}

/**
 * The environment of a consumer's CI: OPA on PATH (not the monorepo's .tools lookup, which a temporary
 * folder is outside of), and the Python and Go validators named by their variables.
 */
export function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(repoRoot, ".tools/bin")}:${process.env.PATH ?? ""}`,
    WSOPS_PYTHON: join(repoRoot, ".tools/venv/bin/python"),
    WSOPS_JSONSCHEMA_GO_BIN: join(repoRoot, ".tools/bin/wsops-jsonschema-go"),
  };
  delete env.WSOPS_OPA_BIN;
  return env;
}
