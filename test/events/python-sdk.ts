// Runs the official CloudEvents Python SDK (test/python/validate_cloudevents.py) over events as JSON and
// as HTTP messages. A missing interpreter or SDK fails the test: a check that does not run proves nothing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../cli/run-cli.js";

export interface PythonVerdict {
  index: number;
  form: "structured" | "http";
  ok: boolean;
  error?: string;
  attributes?: Record<string, unknown>;
  data?: unknown;
}

export function pythonSdk(input: {
  structured?: string[];
  http?: { headers: Record<string, unknown>; body: string }[];
}): { sdk: string; results: PythonVerdict[] } {
  const venv = join(repoRoot, ".tools/venv/bin/python");
  const interpreter = process.env.PYTHON || (existsSync(venv) ? venv : "python3");
  const run = spawnSync(interpreter, [join(repoRoot, "test/python/validate_cloudevents.py")], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error || run.status !== 0)
    throw new Error(
      `${interpreter} test/python/validate_cloudevents.py failed (${run.error?.message ?? run.status}): ${run.stderr}\n` +
        "Install it with: node tools/setup/python.mjs (npm test runs it), or set PYTHON to an interpreter with test/python/requirements.txt",
    );
  return JSON.parse(run.stdout);
}

/** An event's attributes and data as the Python SDK reports them, with `time` as an instant. */
export function asPythonSees(event: Record<string, unknown>) {
  const { data, time, ...attributes } = event;
  return { attributes: { ...attributes, time: Date.parse(String(time)) }, data };
}

/** The SDK's verdicts with `time` as an instant (Python writes microseconds and +00:00). */
export function instants(results: PythonVerdict[]): PythonVerdict[] {
  return results.map((r) =>
    r.attributes ? { ...r, attributes: { ...r.attributes, time: Date.parse(String(r.attributes.time)) } } : r,
  );
}
