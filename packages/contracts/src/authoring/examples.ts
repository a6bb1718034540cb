// Every example behaves as recorded: examples/<Contract>/valid/*.json pass, invalid/*.json fail with
// exactly the {pointer, keyword} errors that examples/<Contract>/expectations.json records. Works on
// any repository's contracts/ and examples/, compiled at run time.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { checkJson, locatePointers, type SourcePosition } from "../json-source.js";
import { type CompiledSchema, compileSchemas } from "./compile.js";

export interface ExampleProblem {
  /** Repository-relative (to `root`) file the problem is in. */
  file: string;
  line: number;
  column: number;
  pointer: string;
  message: string;
}

export interface ExampleResult {
  contract: string;
  file: string;
  expected: "valid" | "invalid";
  valid: boolean;
  errors: { pointer: string; keyword: string; message: string; line: number; column: number }[];
  problems: ExampleProblem[];
}

export interface ExamplesReport {
  contracts: string[];
  examples: ExampleResult[];
  /** Problems not tied to one example: unreadable schemas, folders naming no contract, stale records. */
  problems: ExampleProblem[];
}

export interface ExamplesOptions {
  contractsDir: string;
  examplesDir: string;
  /** Paths in the report are relative to this (default: the current directory). */
  root?: string;
}

interface Expectations {
  invalid?: Record<string, { errors?: { pointer: string; keyword: string }[] }>;
}

async function listFiles(dir: string, suffix: string): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? listFiles(join(dir, e.name), suffix)
        : e.name.endsWith(suffix)
          ? [join(dir, e.name)]
          : [],
    ),
  );
  return nested.flat().sort();
}

/** Reads the schemas: every *.json file under a folder (recursively), sorted by path. */
export async function readSchemaFiles(dir: string): Promise<{ path: string; text: string }[]> {
  const files = await listFiles(dir, ".json");
  return Promise.all(files.map(async (path) => ({ path, text: await readFile(path, "utf8") })));
}

const at = (file: string, message: string, where: SourcePosition = { line: 1, column: 1 }, pointer = "") => ({
  file,
  pointer,
  message,
  ...where,
});

export async function checkExamples(options: ExamplesOptions): Promise<ExamplesReport> {
  const root = options.root ?? process.cwd();
  const rel = (path: string) => relative(root, path) || ".";
  const problems: ExampleProblem[] = [];
  const report: ExamplesReport = { contracts: [], examples: [], problems };

  const schemas: Record<string, unknown>[] = [];
  const files = await readSchemaFiles(options.contractsDir);
  if (files.length === 0) problems.push(at(rel(options.contractsDir), "no *.json schema files here"));
  for (const { path, text } of files) {
    const syntax = checkJson(text, 512);
    if (syntax) problems.push(at(rel(path), `not JSON: ${syntax.message}`, syntax));
    else schemas.push(JSON.parse(text) as Record<string, unknown>);
  }
  const compiled = compileSchemas(schemas);
  if (!compiled.ok) {
    problems.push(at(rel(options.contractsDir), `the schemas do not compile: ${compiled.error.message}`));
    return report;
  }
  const byName = new Map<string, CompiledSchema>(compiled.schemas.map((s) => [s.name, s]));
  report.contracts = [...byName.keys()].sort();

  let folders: string[];
  try {
    folders = (await readdir(options.examplesDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    problems.push(at(rel(options.examplesDir), "cannot read the examples folder"));
    return report;
  }
  for (const name of folders) {
    const dir = join(options.examplesDir, name);
    const valid = await listFiles(join(dir, "valid"), ".json");
    const invalid = await listFiles(join(dir, "invalid"), ".json");
    if (valid.length === 0 && invalid.length === 0) continue; // not an examples folder (e.g. scenarios/)
    const schema = byName.get(name);
    if (!schema) {
      problems.push(at(rel(dir), `examples/${name} names no contract (no schema has the title ${name})`));
      continue;
    }
    const expectationsFile = join(dir, "expectations.json");
    let expectations: Expectations = {};
    let expectationsText = "";
    if (invalid.length) {
      try {
        expectationsText = await readFile(expectationsFile, "utf8");
        expectations = JSON.parse(expectationsText) as Expectations;
      } catch (error) {
        problems.push(
          at(rel(expectationsFile), `cannot read the recorded errors: ${(error as Error).message}`),
        );
      }
    }
    const recorded = expectations.invalid ?? {};
    const invalidNames = new Set(invalid.map((f) => relative(join(dir, "invalid"), f)));
    for (const stale of Object.keys(recorded).filter((n) => !invalidNames.has(n))) {
      const where = locatePointers(expectationsText, [`/invalid/${stale}`]).get(`/invalid/${stale}`);
      problems.push(at(rel(expectationsFile), `records ${stale}, which is not under invalid/`, where));
    }
    for (const file of [...valid, ...invalid]) {
      const expected = file.startsWith(join(dir, "valid")) ? "valid" : "invalid";
      report.examples.push(
        await checkOne(schema, file, rel(file), expected, recorded, rel(expectationsFile)),
      );
    }
  }
  return report;
}

async function checkOne(
  schema: CompiledSchema,
  path: string,
  file: string,
  expected: "valid" | "invalid",
  recorded: NonNullable<Expectations["invalid"]>,
  expectationsFile: string,
): Promise<ExampleResult> {
  const result: ExampleResult = {
    contract: schema.name,
    file,
    expected,
    valid: false,
    errors: [],
    problems: [],
  };
  const text = await readFile(path, "utf8");
  const syntax = checkJson(text, 512);
  if (syntax) {
    result.problems.push(at(file, `not JSON: ${syntax.message}`, syntax));
    return result;
  }
  const verdict = schema.validate(JSON.parse(text));
  result.valid = verdict.ok;
  const errors = verdict.ok ? [] : verdict.errors;
  const positions = locatePointers(
    text,
    errors.map((e) => e.pointer),
  );
  result.errors = errors.map((e) => ({
    pointer: e.pointer,
    keyword: e.keyword,
    message: e.message,
    ...(positions.get(e.pointer) ?? { line: 1, column: 1 }),
  }));
  const name = path.slice(path.lastIndexOf("/invalid/") + "/invalid/".length);
  if (expected === "valid") {
    for (const e of result.errors)
      result.problems.push(at(file, `a valid example fails: ${e.message} [${e.keyword}]`, e, e.pointer));
  } else if (verdict.ok) {
    result.problems.push(at(file, "an invalid example passes"));
  } else {
    const want = recorded[name]?.errors;
    const got = errors.map(({ pointer, keyword }) => ({ pointer, keyword }));
    if (!want) result.problems.push(at(expectationsFile, `records no errors for invalid/${name}`));
    else if (
      JSON.stringify(want.map(({ pointer, keyword }) => ({ pointer, keyword }))) !== JSON.stringify(got)
    )
      result.problems.push(
        at(
          file,
          `fails differently than recorded in ${expectationsFile}: recorded ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
        ),
      );
  }
  return result;
}
