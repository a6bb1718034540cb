// `wsops conformance` in a repository that is not this monorepo: its own contracts, examples and
// policy beside the installed packages, run end to end with the real binary, then broken on purpose.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wsops } from "../cli/run-cli.js";
import { type ConsumerRepo, consumerEnv, consumerRepo, orderRequestSchema } from "./consumer-repo.js";

let repo: ConsumerRepo;
beforeAll(() => {
  repo = consumerRepo();
});
afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));

const run = (...args: string[]) => wsops(args, { cwd: repo.dir, env: consumerEnv() });

describe("wsops conformance in a consumer repository", () => {
  it("runs every check on the repository's own folders and passes", () => {
    const { code, stdout } = run("conformance", "--base", "main", "--json");
    const report = JSON.parse(stdout);
    expect(report.checks.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      ["examples", "passed"],
      ["cross-language", "passed"],
      ["policy-lint", "passed"],
      ["policy-tests", "passed"],
      ["policy-fixtures", "passed"],
      ["contracts-diff", "passed"],
    ]);
    expect(code).toBe(0);
    const summary = Object.fromEntries(
      report.checks.map((c: { id: string; summary: string }) => [c.id, c.summary]),
    );
    expect(summary).toMatchObject({
      examples: "6 example(s) of 3 schema(s) in examples: 6 as recorded, 0 not",
      "policy-fixtures": "2 of 2 fixture(s) agree (expected = Go = WASM)",
      "contracts-diff":
        "3 schema(s) against main: 0 breaking without a major version bump, 0 breaking with one, 0 compatible",
    });
    expect(summary["policy-tests"]).toMatch(
      /^opa test: 3 passed, 0 failed; coverage (9\d|100)\.\d% \(threshold 90%\)$/,
    );
    expect(summary["cross-language"]).toMatch(
      /^6 example\(s\), ajv vs python \(jsonschema .*\) and go \(santhosh-tekuri\/jsonschema v6\.0\.2 .*\): 0 disagreement\(s\)$/,
    );
  });

  it("fails naming the finding when a request schema drops an enum value, with its file and line", () => {
    const broken = structuredClone(orderRequestSchema);
    broken.properties.size.enum = ["small"];
    repo.write("contracts/orders/v1/OrderRequest.schema.json", broken);
    repo.write("examples/OrderRequest/valid/large-with-note.json", {
      kind: "OrderRequest",
      orderId: "ord-2",
      size: "small",
    });
    const { code, stdout } = run("conformance", "--base", "main");
    expect(code).toBe(1);
    expect(stdout).toContain(
      "contracts-diff: FAILED: 3 schema(s) against main: 1 breaking without a major version bump, 0 breaking with one, 0 compatible\n" +
        '  error [enum-value-removed] OrderRequest: enum value(s) "large" removed at contracts/orders/v1/OrderRequest.schema.json#/properties/size/enum (enum-value-removed; breaking for a request: a payload that was accepted may now be refused)\n',
    );
    expect(stdout).toMatch(
      /\nconformance: FAILED \(6 checks: 5 passed, 1 failed, 0 could not run, 0 skipped\)\n$/,
    );

    const annotations = run("conformance", "--base", "main", "--format", "github");
    expect(annotations.code).toBe(1);
    expect(annotations.stdout).toBe(
      "::error file=contracts/orders/v1/OrderRequest.schema.json,line=24,col=15,title=wsops enum-value-removed::" +
        'OrderRequest: enum value(s) "large" removed at contracts/orders/v1/OrderRequest.schema.json#/properties/size/enum (enum-value-removed; breaking for a request: a payload that was accepted may now be refused)\n',
    );
  });

  it("passes again when the configuration accepts the change, and says why in the JSON", () => {
    repo.write("wsops.conformance.json", {
      diff: {
        ignore: [
          { contract: "OrderRequest", rules: ["enum-value-removed"], reason: "large orders moved to v2" },
        ],
      },
    });
    const { code, stdout } = run("contracts", "diff", "--base", "main", "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout).findings).toMatchObject([
      {
        contract: "OrderRequest",
        ruleId: "enum-value-removed",
        severity: "error",
        ignored: { reason: "large orders moved to v2" },
      },
    ]);
  });

  it("reports a failing table case with its input and a compact diff, and still runs the fixtures", () => {
    repo.write(
      "policies/orders/orders.rego",
      `package orders

decision := {"decision": "deny", "reasons": deny, "obligations": {}} if count(deny) > 0

decision := {"decision": "allow", "reasons": [], "obligations": {}} if count(deny) == 0

deny contains {"code": "too_large", "message": "large orders need two people", "policy": "orders"} if {
	input.order.size == "large"
}
`,
    );
    const { code, stdout } = run("policy", "test");
    expect(code).toBe(1);
    expect(stdout).toContain(
      'opa test: 2 passed, 1 failed; coverage not measured (tests fail) (threshold 90%)\n  FAIL data.orders_test.test_cases policies/orders/orders_test.rego:19\n    case "large is denied"\n      input: {"order":{"size":"large"}}\n' +
        '      - {"code":"too_large","message":"large orders need a person","policy":"orders"}\n' +
        '      + {"code":"too_large","message":"large orders need two people","policy":"orders"}\n',
    );
    expect(stdout).toContain(
      "fixtures: 1 of 2 agree (expected = Go = WASM)\n  FAIL orders/large.json (expected ≠ go, expected ≠ wasm)",
    );
  });

  it("refuses an invalid configuration, naming the field", () => {
    repo.write("wsops.conformance.json", {
      diff: { ignore: [{ contract: "OrderRequest", rules: ["no-such-rule"], reason: "x" }] },
    });
    const { code, stderr } = run("conformance");
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(
      `wsops conformance: ${repo.dir}/wsops.conformance.json/diff/ignore/0/rules/0: "no-such-rule" is not a diff rule id (docs/ci.md lists them)`,
    );
  });
});
