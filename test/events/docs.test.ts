// docs/events.md names every span and span attribute the executor sets, and every event type.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { schemas } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";

const doc = readFileSync(new URL("../../docs/events.md", import.meta.url), "utf8");
const src = new URL("../../packages/executor/src/", import.meta.url).pathname;

/** The executor's source files that make spans. */
const tracingSources = [
  "executor.ts",
  "decide.ts",
  "approvals.ts",
  "tool-call.ts",
  "operations.ts",
  ...readdirSync(join(src, "tracing"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => `tracing/${f}`),
];

describe("docs/events.md", () => {
  it("names every span and attribute the executor sets", () => {
    const names = new Set(
      tracingSources.flatMap((f) =>
        [...readFileSync(join(src, f), "utf8").matchAll(/"(wsops\.[a-z_.]+)"/g)].map((m) => m[1]),
      ),
    );
    expect(names.size).toBeGreaterThan(20);
    for (const name of names) expect(doc, name).toContain(`\`${name}\``);
  });

  it("lists every lifecycle event type", () => {
    const schema = Object.values(schemas).find(
      (s) => (s as { title?: string }).title === "OperationLifecycleEvent",
    ) as {
      properties: { type: { enum: string[] } };
    };
    for (const type of schema.properties.type.enum) expect(doc).toContain(`| \`${type.split(".").pop()}\` |`);
  });
});
