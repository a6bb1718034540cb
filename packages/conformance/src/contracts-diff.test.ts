// `contracts diff` on a real git repository built here: one pair of schema versions per rule, each as a
// request and as a record, committed as the base and changed in the working tree (and in a head commit).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type DiffRuleId, diffRuleIds } from "@workspace-ops/contracts/diff";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractsDiff } from "./contracts-diff.js";
import { GitError } from "./git.js";

type Body = Record<string, unknown>;
type Direction = "tightens" | "loosens" | "changes";

interface Pair {
  name: string;
  base: Body;
  head: Body;
  /** Every finding the change must produce: its rule, where, and which way it moves. */
  expected: { rule: DiffRuleId; pointer: string; direction: Direction }[];
}

const str = { type: "string" };
const obj = (properties: Body, extra: Body = {}) => ({ type: "object", properties, ...extra });

const bounds: [string, DiffRuleId, DiffRuleId, number, number][] = [
  ["minimum", "minimum-tightened", "minimum-loosened", 1, 2],
  ["exclusiveMinimum", "exclusive-minimum-tightened", "exclusive-minimum-loosened", 1, 2],
  ["minLength", "min-length-tightened", "min-length-loosened", 1, 2],
  ["minItems", "min-items-tightened", "min-items-loosened", 1, 2],
  ["minProperties", "min-properties-tightened", "min-properties-loosened", 1, 2],
  ["maximum", "maximum-tightened", "maximum-loosened", 9, 8],
  ["exclusiveMaximum", "exclusive-maximum-tightened", "exclusive-maximum-loosened", 9, 8],
  ["maxLength", "max-length-tightened", "max-length-loosened", 9, 8],
  ["maxItems", "max-items-tightened", "max-items-loosened", 9, 8],
  ["maxProperties", "max-properties-tightened", "max-properties-loosened", 9, 8],
];

const constraints: [string, string, unknown, unknown][] = [
  ["const", "const", "a", "b"],
  ["pattern", "pattern", "^a", "^b"],
  ["format", "format", "date-time", "uri"],
  ["multipleOf", "multiple-of", 2, 3],
];

const conditional = (value: string, then: Body) => ({
  if: obj({ k: { const: value } }, { required: ["k"] }),
  then,
});

const pairs: Pair[] = [
  {
    name: "PropertyRemoved",
    base: obj({ a: str, b: str }, { additionalProperties: false }),
    head: obj({ a: str }, { additionalProperties: false }),
    expected: [{ rule: "property-removed", pointer: "/properties", direction: "changes" }],
  },
  {
    name: "PropertyAdded",
    base: obj({ a: str }, { additionalProperties: false }),
    head: obj({ a: str, b: str }, { additionalProperties: false }),
    expected: [{ rule: "property-added", pointer: "/properties/b", direction: "loosens" }],
  },
  {
    name: "RequiredAdded",
    base: obj({ a: str }),
    head: obj({ a: str }, { required: ["a"] }),
    expected: [{ rule: "required-added", pointer: "/required", direction: "tightens" }],
  },
  {
    name: "RequiredRemoved",
    base: obj({ a: str }, { required: ["a"] }),
    head: obj({ a: str }),
    expected: [{ rule: "required-removed", pointer: "", direction: "loosens" }],
  },
  {
    name: "TypeTightened",
    base: { type: ["string", "null"] },
    head: { type: "string" },
    expected: [{ rule: "type-tightened", pointer: "/type", direction: "tightens" }],
  },
  {
    name: "TypeNumberToInteger",
    base: { type: "number" },
    head: { type: "integer" },
    expected: [{ rule: "type-tightened", pointer: "/type", direction: "tightens" }],
  },
  {
    name: "TypeLoosened",
    base: { type: "string" },
    head: { type: ["string", "null"] },
    expected: [{ rule: "type-loosened", pointer: "/type", direction: "loosens" }],
  },
  {
    name: "TypeChanged",
    base: { type: "string" },
    head: { type: "integer" },
    expected: [{ rule: "type-changed", pointer: "/type", direction: "changes" }],
  },
  {
    name: "EnumValueRemoved",
    base: { enum: ["a", "b"] },
    head: { enum: ["a"] },
    expected: [{ rule: "enum-value-removed", pointer: "/enum", direction: "tightens" }],
  },
  {
    name: "EnumValueAdded",
    base: { enum: ["a"] },
    head: { enum: ["a", "b"] },
    expected: [{ rule: "enum-value-added", pointer: "/enum", direction: "loosens" }],
  },
  {
    name: "EnumTightened",
    base: str,
    head: { ...str, enum: ["a"] },
    expected: [{ rule: "enum-tightened", pointer: "/enum", direction: "tightens" }],
  },
  {
    name: "EnumLoosened",
    base: { ...str, enum: ["a"] },
    head: str,
    expected: [{ rule: "enum-loosened", pointer: "", direction: "loosens" }],
  },
  ...constraints.flatMap(([keyword, id, a, b]): Pair[] => [
    {
      name: `${keyword}Added`,
      base: {},
      head: { [keyword]: a },
      expected: [{ rule: `${id}-tightened` as DiffRuleId, pointer: `/${keyword}`, direction: "tightens" }],
    },
    {
      name: `${keyword}Removed`,
      base: { [keyword]: a },
      head: {},
      expected: [{ rule: `${id}-loosened` as DiffRuleId, pointer: "", direction: "loosens" }],
    },
    {
      name: `${keyword}Changed`,
      base: { [keyword]: a },
      head: { [keyword]: b },
      expected: [{ rule: `${id}-changed` as DiffRuleId, pointer: `/${keyword}`, direction: "changes" }],
    },
  ]),
  ...bounds.flatMap(([keyword, tightened, loosened, loose, tight]): Pair[] => [
    {
      name: `${keyword}Tightened`,
      base: { [keyword]: loose },
      head: { [keyword]: tight },
      expected: [{ rule: tightened, pointer: `/${keyword}`, direction: "tightens" }],
    },
    {
      name: `${keyword}Loosened`,
      base: { [keyword]: tight },
      head: {},
      expected: [{ rule: loosened, pointer: "", direction: "loosens" }],
    },
  ]),
  {
    name: "UniqueItemsTightened",
    base: { type: "array" },
    head: { type: "array", uniqueItems: true },
    expected: [{ rule: "unique-items-tightened", pointer: "/uniqueItems", direction: "tightens" }],
  },
  {
    name: "UniqueItemsLoosened",
    base: { type: "array", uniqueItems: true },
    head: { type: "array", uniqueItems: false },
    expected: [{ rule: "unique-items-loosened", pointer: "/uniqueItems", direction: "loosens" }],
  },
  {
    name: "AdditionalPropertiesTightened",
    base: obj({ a: str }),
    head: obj({ a: str }, { additionalProperties: false }),
    expected: [
      { rule: "additional-properties-tightened", pointer: "/additionalProperties", direction: "tightens" },
    ],
  },
  {
    name: "AdditionalPropertiesLoosened",
    base: obj({ a: str }, { additionalProperties: false }),
    head: obj({ a: str }),
    expected: [{ rule: "additional-properties-loosened", pointer: "", direction: "loosens" }],
  },
  {
    name: "AdditionalPropertiesSchemaTightened",
    base: obj({}, { additionalProperties: str }),
    head: obj({}, { additionalProperties: { ...str, maxLength: 3 } }),
    expected: [
      { rule: "max-length-tightened", pointer: "/additionalProperties/maxLength", direction: "tightens" },
    ],
  },
  {
    name: "UnevaluatedPropertiesTightened",
    base: obj({ a: str }),
    head: obj({ a: str }, { unevaluatedProperties: false }),
    expected: [
      { rule: "unevaluated-properties-tightened", pointer: "/unevaluatedProperties", direction: "tightens" },
    ],
  },
  {
    name: "UnevaluatedPropertiesLoosened",
    base: obj({ a: str }, { unevaluatedProperties: false }),
    head: obj({ a: str }),
    expected: [{ rule: "unevaluated-properties-loosened", pointer: "", direction: "loosens" }],
  },
  {
    name: "ItemsTightened",
    base: { type: "array", items: str },
    head: { type: "array", items: { ...str, pattern: "^x" } },
    expected: [{ rule: "pattern-tightened", pointer: "/items/pattern", direction: "tightens" }],
  },
  {
    name: "SchemaForbidden",
    base: obj({ a: str }),
    head: obj({ a: false }),
    expected: [{ rule: "schema-forbidden", pointer: "/properties/a", direction: "tightens" }],
  },
  {
    name: "SchemaAllowed",
    base: obj({ a: false }),
    head: obj({ a: str }),
    expected: [{ rule: "schema-allowed", pointer: "/properties/a", direction: "loosens" }],
  },
  {
    name: "ConditionalAdded",
    base: obj({ k: str, a: str }),
    head: obj({ k: str, a: str }, { allOf: [conditional("x", { required: ["a"] })] }),
    expected: [{ rule: "conditional-added", pointer: "/allOf/0/if", direction: "tightens" }],
  },
  {
    name: "ConditionalRemoved",
    base: obj({ k: str, a: str }, { allOf: [conditional("x", { required: ["a"] })] }),
    head: obj({ k: str, a: str }),
    expected: [{ rule: "conditional-removed", pointer: "", direction: "loosens" }],
  },
  {
    name: "ConditionalChanged",
    base: obj({ k: str, a: str }, { allOf: [conditional("x", { required: ["a"] })] }),
    head: obj({ k: str, a: str }, { allOf: [conditional("y", { required: ["a"] })] }),
    expected: [{ rule: "conditional-changed", pointer: "/allOf/0/if", direction: "changes" }],
  },
  {
    name: "ThenTightened",
    base: obj({ k: str, a: str, b: str }, { allOf: [conditional("x", { required: ["a"] })] }),
    head: obj({ k: str, a: str, b: str }, { allOf: [conditional("x", { required: ["a", "b"] })] }),
    expected: [{ rule: "required-added", pointer: "/allOf/0/then/required", direction: "tightens" }],
  },
  {
    name: "AllOfEntryAdded",
    base: { allOf: [str] },
    head: { allOf: [str, { minLength: 1 }] },
    expected: [{ rule: "all-of-entry-added", pointer: "/allOf/1", direction: "tightens" }],
  },
  {
    name: "AllOfEntryRemoved",
    base: { allOf: [str, { minLength: 1 }] },
    head: { allOf: [str] },
    expected: [{ rule: "all-of-entry-removed", pointer: "/allOf", direction: "loosens" }],
  },
  ...(["anyOf", "oneOf"] as const).flatMap((keyword): Pair[] => {
    const id = keyword === "anyOf" ? "any-of" : "one-of";
    return [
      {
        name: `${keyword}OptionAdded`,
        base: { [keyword]: [str, { type: "null" }] },
        head: { [keyword]: [str, { type: "null" }, { type: "integer" }] },
        expected: [
          { rule: `${id}-option-added` as DiffRuleId, pointer: `/${keyword}/2`, direction: "loosens" },
        ],
      },
      {
        name: `${keyword}OptionRemoved`,
        base: { [keyword]: [str, { type: "null" }, { type: "integer" }] },
        head: { [keyword]: [str, { type: "null" }] },
        expected: [
          { rule: `${id}-option-removed` as DiffRuleId, pointer: `/${keyword}`, direction: "tightens" },
        ],
      },
    ];
  }),
  {
    name: "KeywordChanged",
    base: str,
    head: { ...str, not: { const: "" } },
    expected: [{ rule: "keyword-changed", pointer: "/not", direction: "changes" }],
  },
  {
    name: "RefUnresolved",
    base: obj({ a: { $ref: "#/$defs/Name" } }, { $defs: { Name: str } }),
    head: obj({ a: { $ref: "#/$defs/Missing" } }, { $defs: { Name: str } }),
    expected: [{ rule: "ref-unresolved", pointer: "/properties/a/$ref", direction: "changes" }],
  },
  {
    name: "DefRemoved",
    base: obj({ a: { $ref: "#/$defs/Name" } }, { $defs: { Name: str, Old: str } }),
    head: obj({ a: { $ref: "#/$defs/Name" } }, { $defs: { Name: str } }),
    expected: [{ rule: "def-removed", pointer: "/$defs", direction: "changes" }],
  },
  {
    name: "DefChangedThroughRef",
    base: obj(
      { a: { $ref: "#/$defs/Name", description: "the name" } },
      { $defs: { Name: { ...str, maxLength: 9 } } },
    ),
    head: obj(
      { a: { $ref: "#/$defs/Name", description: "the name" } },
      { $defs: { Name: { ...str, maxLength: 8 } } },
    ),
    expected: [{ rule: "max-length-tightened", pointer: "/$defs/Name/maxLength", direction: "tightens" }],
  },
];

/** Changes that never break: annotations, and widening a request. */
const compatible: Pair[] = [
  {
    name: "DescriptionChanged",
    base: obj({ a: { ...str, description: "before" } }, { description: "before" }),
    head: obj({ a: { ...str, description: "after", examples: ["x"] } }, { description: "after" }),
    expected: [],
  },
];

const roles = ["request", "record"] as const;
const contractName = (pair: string, role: string) =>
  `${pair[0]?.toUpperCase()}${pair.slice(1)}${role === "request" ? "Request" : "Record"}`;
const idOf = (name: string, version = 1) =>
  `https://example.test/contracts/test/v${version}/${name}.schema.json`;
const fileOf = (name: string, version = 1) => `contracts/test/v${version}/${name}.schema.json`;

const schemaText = (name: string, role: string | null, body: Body, version = 1) =>
  `${JSON.stringify(
    {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: idOf(name, version),
      title: name,
      description: `the ${name} test contract`,
      ...(role ? { "x-contract-role": role } : {}),
      ...body,
    },
    null,
    2,
  )}\n`;

let repo: string;
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
    cwd: repo,
    encoding: "utf8",
  });

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "wsops-diff-repo-"));
  git("init", "-q", "-b", "main");
  for (const pair of [...pairs, ...compatible])
    for (const role of roles)
      write(
        fileOf(contractName(pair.name, role)),
        schemaText(contractName(pair.name, role), role, pair.base),
      );
  write(fileOf("Removed"), schemaText("Removed", "request", str));
  write(fileOf("Renamed"), schemaText("Renamed", "request", str));
  write(fileOf("NoRole"), schemaText("NoRole", null, { enum: ["a"] }));
  write(fileOf("Bumped"), schemaText("Bumped", "request", { enum: ["a", "b"] }));
  write(fileOf("Broken"), schemaText("Broken", "request", str));
  git("add", "-A");
  git("commit", "-q", "-m", "base");

  for (const pair of [...pairs, ...compatible])
    for (const role of roles)
      write(
        fileOf(contractName(pair.name, role)),
        schemaText(contractName(pair.name, role), role, pair.head),
      );
  rmSync(join(repo, fileOf("Removed")));
  write(
    fileOf("Renamed"),
    schemaText("Renamed", "request", str).replace(
      idOf("Renamed"),
      "https://example.test/elsewhere/Renamed.json",
    ),
  );
  write(fileOf("NoRole"), schemaText("NoRole", null, { enum: ["a", "b"] }));
  rmSync(join(repo, fileOf("Bumped")));
  write(fileOf("Bumped", 2), schemaText("Bumped", "request", { enum: ["a"] }, 2));
  write(fileOf("Broken"), "{ not json");
  write(fileOf("Added"), schemaText("Added", "record", str));
}, 60_000);

afterAll(() => rmSync(repo, { recursive: true, force: true }));

const breaks = (direction: Direction, role: string) =>
  direction === "changes" || direction === (role === "request" ? "tightens" : "loosens");

describe("contracts diff against a git base", () => {
  it("covers every rule id with at least one pair of schema versions", () => {
    const covered = new Set<string>([
      ...pairs.flatMap((p) => p.expected.map((e) => e.rule)),
      "schema-removed",
      "schema-invalid",
      "id-changed",
    ]);
    expect([...covered].sort()).toEqual([...diffRuleIds].sort());
  });

  it("reports exactly the expected findings for each pair, breaking by the role", async () => {
    const result = await contractsDiff({ cwd: repo, contractsDir: join(repo, "contracts"), base: "main" });
    for (const pair of [...pairs, ...compatible])
      for (const role of roles) {
        const name = contractName(pair.name, role);
        const got = result.findings
          .filter((f) => f.contract === name)
          .map(({ ruleId, pointer, breaking, severity, file, role: r }) => ({
            ruleId,
            pointer,
            breaking,
            severity,
            file,
            role: r,
          }));
        const want = pair.expected.map((e) => ({
          ruleId: e.rule,
          pointer: e.pointer,
          breaking: breaks(e.direction, role),
          severity: breaks(e.direction, role) ? "error" : "note",
          file: fileOf(name),
          role,
        }));
        expect({ name, findings: got }).toEqual({ name, findings: want });
      }
  });

  it("reports a new optional property, a new enum value in a request and a description change as not breaking", async () => {
    const result = await contractsDiff({ cwd: repo, contractsDir: join(repo, "contracts"), base: "main" });
    const of = (name: string) =>
      result.findings.filter((f) => f.contract === name).map((f) => [f.ruleId, f.breaking]);
    expect(of("PropertyAddedRequest")).toEqual([["property-added", false]]);
    expect(of("EnumValueAddedRequest")).toEqual([["enum-value-added", false]]);
    expect(of("DescriptionChangedRequest")).toEqual([]);
    expect(of("DescriptionChangedRecord")).toEqual([]);
  });

  it("reports removed, renamed, role-less, version-bumped and unreadable schemas", async () => {
    const result = await contractsDiff({ cwd: repo, contractsDir: join(repo, "contracts"), base: "main" });
    const pick = (...names: string[]) =>
      result.findings
        .filter((f) => names.includes(f.contract))
        .map(({ contract, ruleId, severity, file, pointer, line }) => ({
          contract,
          ruleId,
          severity,
          file,
          pointer,
          line,
        }));
    expect(pick("Removed", "Renamed", "NoRole", "Bumped", fileOf("Broken"))).toEqual([
      {
        contract: "Bumped",
        ruleId: "id-changed",
        severity: "warning",
        file: fileOf("Bumped", 2),
        pointer: "/$id",
        line: 3,
      },
      {
        contract: "Bumped",
        ruleId: "enum-value-removed",
        severity: "warning",
        file: fileOf("Bumped", 2),
        pointer: "/enum",
        line: 7,
      },
      {
        contract: fileOf("Broken"),
        ruleId: "schema-invalid",
        severity: "error",
        file: fileOf("Broken"),
        pointer: "",
        line: 1,
      },
      {
        contract: "NoRole",
        ruleId: "enum-value-added",
        severity: "error",
        file: fileOf("NoRole"),
        pointer: "/enum",
        line: 6,
      },
      {
        contract: "Removed",
        ruleId: "schema-removed",
        severity: "error",
        file: fileOf("Removed"),
        pointer: "",
        line: 1,
      },
      {
        contract: "Renamed",
        ruleId: "id-changed",
        severity: "error",
        file: fileOf("Renamed"),
        pointer: "/$id",
        line: 3,
      },
    ]);
    expect(result.contracts.find((c) => c.contract === "Bumped")).toMatchObject({
      majorBump: true,
      status: "changed",
    });
    expect(result.contracts.find((c) => c.contract === "Added")).toMatchObject({
      status: "added",
      headFile: fileOf("Added"),
    });
    const message = result.findings.find((f) => f.contract === "EnumValueRemovedRequest")?.message;
    expect(message).toBe(
      `EnumValueRemovedRequest: enum value(s) "b" removed at ${fileOf("EnumValueRemovedRequest")}#/enum (enum-value-removed; breaking for a request: a payload that was accepted may now be refused)`,
    );
  });

  it("compares two commits with --head, and marks what the configuration ignores", async () => {
    git("add", "-A");
    git("commit", "-q", "-m", "head");
    const result = await contractsDiff({
      cwd: join(repo, "contracts"),
      contractsDir: join(repo, "contracts"),
      base: "main~1",
      head: "main",
      ignore: [
        { contract: "EnumValueRemovedRequest", rules: ["enum-value-removed"], reason: "no producer sends b" },
      ],
    });
    expect(result.head.commit).toMatch(/^[0-9a-f]{40}$/);
    const finding = result.findings.find((f) => f.contract === "EnumValueRemovedRequest");
    expect(finding).toMatchObject({
      ruleId: "enum-value-removed",
      ignored: { reason: "no producer sends b" },
    });
    const reported = result.check.cases
      .flatMap((c) => c.findings)
      .find((f) => f.properties?.contract === "EnumValueRemovedRequest");
    expect(reported?.ignored).toEqual({ reason: "no producer sends b" });
    git("reset", "-q", "--soft", "main~1");
  });

  it("refuses a revision git does not know, naming it", async () => {
    await expect(
      contractsDiff({ cwd: repo, contractsDir: join(repo, "contracts"), base: "no-such-branch" }),
    ).rejects.toThrow(new GitError(`no-such-branch names no commit in ${repo}`));
  });
});
