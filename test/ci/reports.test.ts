// The CI formats of every command that has them, from the real binary: SARIF validated against the
// official SARIF 2.1.0 schema (vendored, digest checked), JUnit parsed by a real XML parser, GitHub
// annotations with their escaping.
import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, wsops } from "../cli/run-cli.js";
import { type ConsumerRepo, consumerEnv, consumerRepo, orderRequestSchema } from "./consumer-repo.js";

const schemaFile = join(repoRoot, "test/ci/schemas/sarif-2.1.0-rtm.5.json");
const schemaDigest = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8";

let repo: ConsumerRepo;
let validateSarif: ValidateFunction;
// ajv-draft-04 is CommonJS; its class is the default export.
const AjvDraft04 = (createRequire(import.meta.url)("ajv-draft-04") as typeof import("ajv-draft-04")).default;

beforeAll(() => {
  const bytes = readFileSync(schemaFile);
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(schemaDigest);
  // The schema's language pattern (`…[a-zA-Z]{2}]?$`) is not valid with the u flag: compile patterns without it.
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  validateSarif = ajv.compile(JSON.parse(bytes.toString("utf8")));
  repo = consumerRepo();
  // One breaking change (an error), one compatible change (a note), one accepted by the configuration.
  const changed = structuredClone(orderRequestSchema);
  changed.properties.size.enum = ["small", "large", "huge"];
  changed.properties.note.maxLength = 20;
  changed.required = [...changed.required, "note"];
  repo.write("contracts/orders/v1/OrderRequest.schema.json", changed);
  repo.write("wsops.conformance.json", {
    diff: {
      ignore: [{ contract: "OrderRequest", rules: ["required-added"], reason: "every client sends a note" }],
    },
  });
});
afterAll(() => {
  if (repo) rmSync(repo.dir, { recursive: true, force: true });
});

const inRepo = (...args: string[]) => wsops(args, { cwd: repo.dir, env: consumerEnv() });

interface SarifResult {
  ruleId: string;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
  suppressions?: { justification: string }[];
}
interface SarifLog {
  runs: { tool: { driver: { rules: { id: string }[] } }; results: SarifResult[] }[];
}
interface JUnitCase {
  name: string;
  failure?: { type: string };
}
interface JUnitSuite {
  name: string;
  failures: string;
  testcase: JUnitCase | JUnitCase[];
}

function expectValidSarif(text: string): SarifLog {
  const log = JSON.parse(text);
  const ok = validateSarif(log);
  expect(ok ? [] : validateSarif.errors).toEqual([]);
  return log as SarifLog;
}

describe("--format sarif", () => {
  it("contracts diff: one result per finding, with the changed file and line, suppressions for ignored ones", () => {
    const { code, stdout } = inRepo("contracts", "diff", "--base", "main", "--format", "sarif");
    expect(code).toBe(1);
    const log = expectValidSarif(stdout);
    const run = log.runs[0];
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual([
      "enum-value-added",
      "max-length-tightened",
      "required-added",
    ]);
    expect(
      run?.results.map((r) => ({
        ruleId: r.ruleId,
        level: r.level,
        uri: r.locations[0]?.physicalLocation.artifactLocation.uri,
        line: r.locations[0]?.physicalLocation.region.startLine,
        suppressed: r.suppressions?.[0]?.justification ?? null,
      })),
    ).toEqual([
      {
        ruleId: "required-added",
        level: "error",
        uri: "contracts/orders/v1/OrderRequest.schema.json",
        line: 9,
        suppressed: "every client sends a note",
      },
      {
        ruleId: "enum-value-added",
        level: "note",
        uri: "contracts/orders/v1/OrderRequest.schema.json",
        line: 25,
        suppressed: null,
      },
      {
        ruleId: "max-length-tightened",
        level: "error",
        uri: "contracts/orders/v1/OrderRequest.schema.json",
        line: 34,
        suppressed: null,
      },
    ]);
  });

  it("conformance, validate and policy test print valid SARIF too", () => {
    const conformance = inRepo("conformance", "--base", "main", "--format", "sarif");
    expect(conformance.code).toBe(1);
    expectValidSarif(conformance.stdout);

    const validate = wsops(["validate", "--format", "sarif", "examples/ToolExecutionRequest/invalid"]);
    expect(validate.code).toBe(1);
    const log = expectValidSarif(validate.stdout);
    expect(log.runs[0]?.results.length).toBeGreaterThan(0);
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(
      /^examples\/ToolExecutionRequest\/invalid\/[^/]+\.json$/,
    );

    const policy = inRepo("policy", "test", "--format", "sarif");
    expect(policy.code).toBe(0);
    expect(expectValidSarif(policy.stdout).runs[0]?.results).toEqual([]);
  });
});

describe("--format junit", () => {
  it("is well-formed XML with a suite per check and a failure per failing case", () => {
    const { code, stdout } = inRepo("conformance", "--base", "main", "--format", "junit");
    expect(code).toBe(1);
    expect(XMLValidator.validate(stdout)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(stdout);
    const suites = xml.testsuites.testsuite as JUnitSuite[];
    expect(suites.map((s) => [s.name, s.failures])).toEqual([
      // the new required note: small.json fails, and both invalid examples fail differently than recorded
      ["examples behave as recorded", "3"],
      ["ajv, Python and Go agree", "0"],
      ["policies formatted and compiling", "0"],
      ["policy tests and coverage", "0"],
      ["decision fixtures and WASM parity", "0"],
      ["breaking contract changes", "1"],
    ]);
    expect(xml.testsuites.failures).toBe("4");
    const diff = [suites[5]?.testcase ?? []].flat();
    const failing = diff.find((t) => t.failure);
    expect(failing?.name).toBe("OrderRequest (request, changed)");
    expect(failing?.failure?.type).toBe("max-length-tightened");
  });
});

describe("--format github", () => {
  it("prints one annotation per counted finding, escaping what workflow commands need escaped", () => {
    const { code, stdout } = inRepo("contracts", "diff", "--base", "main", "--format", "github");
    expect(code).toBe(1);
    expect(stdout.split("\n")).toEqual([
      `::notice file=contracts/orders/v1/OrderRequest.schema.json,line=25,col=15,title=wsops enum-value-added::OrderRequest: enum value(s) "huge" added at contracts/orders/v1/OrderRequest.schema.json#/properties/size/enum (enum-value-added; compatible for a request)`,
      `::error file=contracts/orders/v1/OrderRequest.schema.json,line=34,col=20,title=wsops max-length-tightened::OrderRequest: maxLength 40 became 20 at contracts/orders/v1/OrderRequest.schema.json#/properties/note/maxLength (max-length-tightened; breaking for a request: a payload that was accepted may now be refused)`,
      "",
    ]);
  });

  it("escapes newlines and percent signs in messages (a failing policy case spans lines)", () => {
    repo.write("policy-fixtures/orders/large.json", {
      description: "A large order is denied (100% of the time).",
      entrypoint: "orders/decision",
      input: { order: { size: "large" } },
      expected: { decision: "allow", reasons: [], obligations: {} },
    });
    const { code, stdout } = inRepo("policy", "test", "--format", "github");
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^::error file=policy-fixtures\/orders\/large\.json,line=1,title=wsops fixture-mismatch::orders\/large\.json \(expected ≠ go, expected ≠ wasm\): A large order is denied \(100%25 of the time\)\.%0A {2}expected: /,
    );
  });
});
