// Decision fixtures: policy-fixtures/<entrypoint>/<case>.json = { description, entrypoint, input, expected }.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { z } from "zod";
import type { AuthoringError } from "./opa.js";

const fixtureSchema = z
  .object({
    description: z.string().min(1),
    // A path under data (workspace_ops/tool_execution/decision): the library's, or a repository's own.
    entrypoint: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/, {
      error: "must be a path like pkg/rule",
    }),
    input: z.record(z.string(), z.unknown()),
    expected: z.record(z.string(), z.unknown()),
  })
  .strict();

export interface Fixture extends z.infer<typeof fixtureSchema> {
  /** Path relative to the fixtures folder, e.g. tool_execution/read-only-allowed.json. */
  name: string;
}

async function jsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? jsonFiles(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : [],
    ),
  );
  return nested.flat().sort();
}

export async function loadFixtures(
  dir: string,
): Promise<{ ok: true; fixtures: Fixture[] } | { ok: false; error: AuthoringError }> {
  const fixtures: Fixture[] = [];
  let files: string[];
  try {
    files = await jsonFiles(dir);
  } catch {
    return {
      ok: false,
      error: { code: "fixture_invalid", message: `cannot read the fixtures folder ${dir}`, pointer: "" },
    };
  }
  for (const file of files) {
    const name = relative(dir, file);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      return {
        ok: false,
        error: {
          code: "fixture_invalid",
          message: `${name}: not JSON (${(error as Error).message})`,
          pointer: "",
        },
      };
    }
    const parsed = fixtureSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const pointer = issue ? `/${issue.path.join("/")}` : "";
      return {
        ok: false,
        error: { code: "fixture_invalid", message: `${name}${pointer}: ${issue?.message}`, pointer },
      };
    }
    fixtures.push({ name, ...parsed.data });
  }
  return { ok: true, fixtures };
}
