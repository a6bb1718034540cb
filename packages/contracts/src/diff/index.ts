// Breaking-change detection between two revisions of a set of JSON Schemas (`wsops contracts diff`).
// Pure: the caller reads the files (from git, from disk) and passes their text.
import { Comparer } from "./compare.js";
import { type DiffRuleId, diffRules } from "./rules.js";
import { type ContractRole, loadSchema, type SchemaDoc, SchemaSet, type SchemaSource } from "./schema-set.js";

export {
  type DiffRule,
  type DiffRuleId,
  diffRuleIds,
  diffRules,
  isDiffRuleId,
  type RuleDirection,
} from "./rules.js";
export type { ContractRole, SchemaSource } from "./schema-set.js";

export type DiffSeverity = "error" | "warning" | "note";

export interface DiffFinding {
  /** The contract whose payloads the change affects (its title, else its file). */
  contract: string;
  role: ContractRole;
  ruleId: DiffRuleId;
  /** Breaks the contract's role: a request that accepts less, a record that may carry more. */
  breaking: boolean;
  /** error: breaking without a major version bump; warning: breaking with one; note: not breaking. */
  severity: DiffSeverity;
  message: string;
  /** The file and place of the change (repository-relative; the base file when the head has none). */
  file: string;
  pointer: string;
  line: number;
  column: number;
}

export interface ContractComparison {
  contract: string;
  role: ContractRole;
  status: "added" | "removed" | "changed" | "unchanged";
  baseFile: string | null;
  headFile: string | null;
  baseId: string | null;
  headId: string | null;
  /** The head's $id (or path) names a higher major version than the base's. */
  majorBump: boolean;
}

export interface DiffReport {
  contracts: ContractComparison[];
  findings: DiffFinding[];
}

function isBreaking(ruleId: DiffRuleId, role: ContractRole): boolean {
  const { direction } = diffRules[ruleId];
  if (direction === "changes" || role === "unknown") return true;
  return direction === (role === "request" ? "tightens" : "loosens");
}

function consequence(ruleId: DiffRuleId, role: ContractRole, breaking: boolean): string {
  if (!breaking) return `compatible for a ${role}`;
  if (role === "unknown") return "breaking: the schema declares no x-contract-role, so both directions count";
  if (diffRules[ruleId].direction === "changes") return "breaking both ways";
  return role === "request"
    ? "breaking for a request: a payload that was accepted may now be refused"
    : "breaking for a record: readers may now meet values they did not expect";
}

function load(sources: readonly SchemaSource[], invalid: SchemaSource[]): SchemaSet {
  const docs: SchemaDoc[] = [];
  for (const source of [...sources].sort((a, b) => a.path.localeCompare(b.path))) {
    const loaded = loadSchema(source);
    if (loaded.ok) docs.push(loaded.doc);
    else invalid.push({ path: source.path, text: loaded.message });
  }
  return new SchemaSet(docs);
}

/**
 * Compares every schema of the base with its head: matched by $id, else by title (so a major
 * version bump that moves the file still compares). Each change is a finding; whether it breaks
 * depends on the schema's `x-contract-role`.
 */
export function diffSchemas(input: {
  base: readonly SchemaSource[];
  head: readonly SchemaSource[];
}): DiffReport {
  const badBase: SchemaSource[] = [];
  const badHead: SchemaSource[] = [];
  const base = load(input.base, badBase);
  const head = load(input.head, badHead);
  const findings: DiffFinding[] = [];
  const contracts: ContractComparison[] = [];
  const seen = new Set<string>();

  const add = (
    doc: SchemaDoc,
    majorBump: boolean,
    ruleId: DiffRuleId,
    file: string,
    pointer: string,
    position: { line: number; column: number },
    detail: string,
  ) => {
    const breaking = isBreaking(ruleId, doc.role);
    const severity: DiffSeverity = !breaking ? "note" : majorBump ? "warning" : "error";
    const where = pointer === "" ? file : `${file}#${pointer}`;
    const message = `${doc.name}: ${detail} at ${where} (${ruleId}; ${consequence(ruleId, doc.role, breaking)}${breaking && majorBump ? "; the major version was bumped" : ""})`;
    const key = `${doc.name}\u0000${ruleId}\u0000${file}\u0000${pointer}\u0000${detail}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({
      contract: doc.name,
      role: doc.role,
      ruleId,
      breaking,
      severity,
      message,
      file,
      pointer,
      ...position,
    });
  };

  for (const bad of badHead) {
    const doc = { name: bad.path, role: "unknown" } as SchemaDoc;
    add(doc, false, "schema-invalid", bad.path, "", { line: 1, column: 1 }, bad.text);
  }

  const unmatchedHead = new Set(head.docs);
  const pairs: [SchemaDoc, SchemaDoc][] = [];
  const removed: SchemaDoc[] = [];
  for (const b of base.docs) {
    const byId = b.id ? head.byId(b.id) : undefined;
    const h = byId && unmatchedHead.has(byId) ? byId : [...unmatchedHead].find((d) => d.name === b.name);
    if (h) {
      unmatchedHead.delete(h);
      pairs.push([b, h]);
    } else removed.push(b);
  }

  for (const b of removed) {
    contracts.push({
      contract: b.name,
      role: b.role,
      status: "removed",
      baseFile: b.path,
      headFile: null,
      baseId: b.id,
      headId: null,
      majorBump: false,
    });
    add(b, false, "schema-removed", b.path, "", { line: 1, column: 1 }, "schema removed");
  }

  for (const [b, h] of pairs) {
    const majorBump = b.major !== null && h.major !== null && h.major > b.major;
    const before = findings.length;
    const comparer = new Comparer(base, head);
    comparer.compare({ value: b.schema, doc: b, pointer: "" }, { value: h.schema, doc: h, pointer: "" });
    // The role that counts is the head's (what the contract is now), else the base's.
    const subject: SchemaDoc = h.role === "unknown" && b.role !== "unknown" ? { ...h, role: b.role } : h;
    if (b.id !== h.id)
      add(
        subject,
        majorBump,
        "id-changed",
        h.path,
        "/$id",
        head.position(h, "/$id"),
        `$id ${JSON.stringify(b.id)} became ${JSON.stringify(h.id)}`,
      );
    const baseDefs = (b.schema.$defs ?? {}) as Record<string, unknown>;
    const headDefs = (h.schema.$defs ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(baseDefs))
      if (!Object.hasOwn(headDefs, name))
        add(
          subject,
          majorBump,
          "def-removed",
          h.path,
          "$defs" in h.schema ? "/$defs" : "",
          head.position(h, "/$defs"),
          `$defs entry ${JSON.stringify(name)} removed`,
        );
    for (const change of comparer.changes)
      add(
        subject,
        majorBump,
        change.ruleId,
        change.at.doc.path,
        change.at.pointer,
        head.position(change.at.doc, change.at.pointer),
        change.detail,
      );
    contracts.push({
      contract: subject.name,
      role: subject.role,
      status: findings.length > before ? "changed" : "unchanged",
      baseFile: b.path,
      headFile: h.path,
      baseId: b.id,
      headId: h.id,
      majorBump,
    });
  }

  for (const h of unmatchedHead)
    contracts.push({
      contract: h.name,
      role: h.role,
      status: "added",
      baseFile: null,
      headFile: h.path,
      baseId: null,
      headId: h.id,
      majorBump: false,
    });

  contracts.sort((x, y) => x.contract.localeCompare(y.contract));
  findings.sort(
    (x, y) =>
      x.contract.localeCompare(y.contract) ||
      x.file.localeCompare(y.file) ||
      x.line - y.line ||
      x.column - y.column ||
      x.ruleId.localeCompare(y.ruleId),
  );
  return { contracts, findings };
}
