// What each mode gives a command: the environment it sees and the sandbox its result reports.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Mode } from "./context.js";
import { Executor } from "./executor.js";
import { bubblewrapAvailable } from "./sandbox/index.js";
import { operation, profile, T0, toolCall } from "./testing/payloads.js";

const SECRET = "WSOPS_TEST_PARENT_SECRET";

async function open(mode: Mode, backend: "process" | "bubblewrap" = "process") {
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-modes-"));
  writeFileSync(join(workspaceRoot, "notes.txt"), "hello\n");
  return Executor.open({
    workspaceRoot,
    stateDir: mkdtempSync(join(tmpdir(), "wsops-modes-state-")),
    mode,
    now: () => new Date(T0),
    sandbox: { backend },
  });
}

/** The names of the variables `env` printed in the call's result. */
async function namesSeen(executor: Executor): Promise<string[]> {
  const outcome = await executor.exec(toolCall(["env"]));
  if (outcome.kind !== "finished") throw new Error(`expected finished, got ${outcome.kind}`);
  return (outcome.result.output?.stdout.preview ?? "")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(0, line.indexOf("=")))
    .sort();
}

// Only the names the default allowlist and the trace context allow, of those this test process has.
const defaults = () => ["PATH", "HOME", "LANG", "TERM"].filter((name) => process.env[name] !== undefined);
const withTrace = (names: string[]) => [...names, "TRACE_ID", "traceparent"].sort();

beforeEach(() => {
  process.env[SECRET] = "sk-parent-0123456789";
});
afterEach(() => {
  delete process.env[SECRET];
});

describe("the environment a command sees", () => {
  it.each(["observe", "disabled"] as const)(
    "%s: the default allowlist, never the whole parent environment",
    async (mode) => {
      const executor = await open(mode);
      expect(await namesSeen(executor)).toEqual(withTrace(defaults()));
      await executor.close();
    },
  );

  it.each(["observe", "disabled"] as const)(
    "%s: the active profile's envAllowlist when there is one",
    async (mode) => {
      const executor = await open(mode);
      const created = await executor.submit(
        operation("agent_machine.profile.create", profile({ envAllowlist: ["PATH", SECRET] })),
      );
      expect(created).toMatchObject({ kind: "finished", state: "succeeded" });
      expect(await namesSeen(executor)).toEqual(withTrace(["PATH", SECRET]));
      await executor.close();
    },
  );
});

describe("the sandbox a result reports", () => {
  it("governed on the process backend: isolation none, the host's network, whatever was asked", async () => {
    const executor = await open("governed", "process");
    const outcome = await executor.exec(toolCall(["cat", "notes.txt"]));
    expect(outcome).toMatchObject({
      kind: "finished",
      result: {
        outcome: "succeeded",
        sandbox: { backend: "process", isolation: "none", network: { requested: "none", access: "host" } },
      },
    });
    await executor.close();
  });

  it("observe: the process backend, nothing requested", async () => {
    const executor = await open("observe");
    const outcome = await executor.exec(toolCall(["cat", "notes.txt"]));
    expect(outcome).toMatchObject({
      result: { sandbox: { backend: "process", isolation: "none", network: { access: "host" } } },
    });
    await executor.close();
  });

  it.runIf(bubblewrapAvailable())("governed under bubblewrap: isolated, no network", async () => {
    const executor = await open("governed", "bubblewrap");
    const outcome = await executor.exec(toolCall(["cat", "notes.txt"]));
    expect(outcome).toMatchObject({
      result: {
        outcome: "succeeded",
        sandbox: {
          backend: "bubblewrap",
          isolation: "bubblewrap",
          network: { requested: "none", access: "none" },
        },
      },
    });
    await executor.close();
  });
});
