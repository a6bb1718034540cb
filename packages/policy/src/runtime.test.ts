import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildBundle } from "./authoring/build.js";
import { findOpa } from "./authoring/opa.js";
import { PolicyRuntime } from "./runtime.js";

const here = new URL(".", import.meta.url).pathname;
const capabilities = join(here, "../capabilities.json");
let bundleDir = "";

beforeAll(async () => {
  const opa = findOpa(here);
  if (!opa) throw new Error("no OPA: run node tools/opa/install.mjs");
  bundleDir = join(mkdtempSync(join(tmpdir(), "wsops-runtime-")), "bundle");
  const built = await buildBundle({
    opa,
    policiesDir: join(here, "testdata/policies"),
    outDir: bundleDir,
    entrypoints: ["behaviours/decision", "behaviours/expired"],
    capabilities,
  });
  if (!built.ok) throw new Error(built.error.message);
}, 60_000);

async function runtime(dir = bundleDir, options = {}) {
  const loaded = await PolicyRuntime.load(dir, options);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.runtime;
}

const allow = { decision: "allow", reasons: [], obligations: { timeoutSeconds: 30 } };

describe("PolicyRuntime.evaluate", () => {
  it("returns the parsed decision and a complete decision record", async () => {
    const rt = await runtime();
    const result = rt.evaluate("behaviours/decision", { want: allow });
    expect(result).toMatchObject({ ok: true, decision: allow });
    expect(result.record).toEqual({
      decisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      entrypoint: "behaviours/decision",
      bundleRevision: rt.revision,
      inputDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      evaluatedAt: expect.any(String),
      durationMs: expect.any(Number),
      result: { ok: true, decision: allow },
    });
    expect(rt.entrypoints).toEqual(["behaviours/decision", "behaviours/expired"]);
  });

  it("gives the same input the same digest and every evaluation its own id", async () => {
    const rt = await runtime();
    const a = rt.evaluate("behaviours/decision", { want: allow });
    const b = rt.evaluate("behaviours/decision", { want: allow });
    expect(a.record.inputDigest).toBe(b.record.inputDigest);
    expect(a.record.decisionId).not.toBe(b.record.decisionId);
  });

  it("provides time.parse_rfc3339_ns to the policy", async () => {
    const rt = await runtime();
    const early = rt.evaluate("behaviours/expired", {
      now: "2026-11-21T12:00:00Z",
      expiresAt: "2026-11-21T12:00:00.5+00:00",
    });
    const late = rt.evaluate("behaviours/expired", {
      now: "2026-11-21T13:00:00+01:00",
      expiresAt: "2026-11-21T11:59:59Z",
    });
    expect(early).toMatchObject({ ok: true, decision: { decision: "allow" } });
    expect(late).toMatchObject({ ok: true, decision: { decision: "deny" } });
  });

  it.each([
    [
      "an undefined result",
      { want: undefined },
      "result_undefined",
      "behaviours/decision is undefined for this input",
      "",
    ],
    [
      "a result that is no decision",
      { want: { decision: "maybe", reasons: [], obligations: {} } },
      "decision_malformed",
      'behaviours/decision returned no decision document: /decision Invalid option: expected one of "allow"|"deny"|"approval_required"',
      "/decision",
    ],
    [
      "a deny without reasons",
      { want: { decision: "deny", reasons: [], obligations: {} } },
      "decision_malformed",
      "behaviours/decision returned no decision document: /reasons a deny decision needs at least one reason",
      "/reasons",
    ],
    [
      "a bare-string reason",
      { want: { decision: "deny", reasons: ["no"], obligations: {} } },
      "decision_malformed",
      "behaviours/decision returned no decision document: /reasons/0 Invalid input: expected object, received string",
      "/reasons/0",
    ],
  ])("never turns %s into a decision", async (_what, input, code, message, pointer) => {
    const result = (await runtime()).evaluate("behaviours/decision", input);
    expect(result).toMatchObject({ ok: false, error: { code, message, pointer } });
    expect(result.record.result).toEqual({ ok: false, error: { code, message, pointer } });
  });

  it("reports a trap as evaluation_trap and keeps working afterwards", async () => {
    const rt = await runtime();
    const trapped = rt.evaluate("behaviours/decision", { trap: true });
    expect(trapped).toMatchObject({ ok: false, error: { code: "evaluation_trap" } });
    expect(trapped.ok || trapped.error.message).toMatch(/^behaviours\/decision: /);
    expect(rt.evaluate("behaviours/decision", { want: allow })).toMatchObject({ ok: true });
  });

  it.each([
    [null, "input must be a JSON object"],
    [false, "input must be a JSON object"],
    [0, "input must be a JSON object"],
    ["", "input must be a JSON object"],
    [[1], "input must be a JSON object"],
  ])("refuses the falsy or non-object input %j", async (input, message) => {
    expect((await runtime()).evaluate("behaviours/decision", input)).toMatchObject({
      ok: false,
      error: { code: "input_invalid", message },
    });
  });

  it("refuses an input over the size limit", async () => {
    const rt = await runtime(bundleDir, { maxInputBytes: 100 });
    expect(rt.evaluate("behaviours/decision", { want: "x".repeat(200) })).toMatchObject({
      ok: false,
      error: { code: "input_invalid", message: "input is 211 characters of JSON; the limit is 100" },
    });
  });

  it("names the entrypoints it has when asked for one it lacks", async () => {
    const rt = await runtime();
    expect(rt.evaluate("nope/decision", {})).toMatchObject({
      ok: false,
      error: {
        code: "entrypoint_missing",
        message: `bundle ${rt.revision} has no entrypoint "nope/decision"; it has behaviours/decision, behaviours/expired`,
      },
    });
  });

  it("replaces an instance whose memory grew past the limit, and still decides", async () => {
    const rt = await runtime(bundleDir, { maxMemoryBytes: 2 * 1024 * 1024 });
    const big = { want: allow, padding: "y".repeat(3 * 1024 * 1024) };
    expect(rt.evaluate("behaviours/decision", big)).toMatchObject({ ok: true, decision: allow });
    expect(rt.replacements).toBe(1);
    expect(rt.evaluate("behaviours/decision", { want: allow })).toMatchObject({ ok: true, decision: allow });
  });
});

describe("PolicyRuntime.load", () => {
  const copy = () => {
    const dir = join(mkdtempSync(join(tmpdir(), "wsops-bundle-")), "b");
    cpSync(bundleDir, dir, { recursive: true });
    return dir;
  };

  it("refuses a tampered policy.wasm", async () => {
    const dir = copy();
    const wasm = readFileSync(join(dir, "policy.wasm"));
    wasm.writeUInt8(wasm.readUInt8(wasm.length - 1) ^ 0xff, wasm.length - 1);
    writeFileSync(join(dir, "policy.wasm"), wasm);
    const loaded = await PolicyRuntime.load(dir);
    expect(loaded).toMatchObject({
      ok: false,
      error: { code: "bundle_tampered", pointer: "/files/policy.wasm" },
    });
    expect(loaded.ok || loaded.error.message).toMatch(
      /policy\.wasm has digest sha256:[0-9a-f]{64}, the manifest says sha256:/,
    );
  });

  it("refuses tampered data", async () => {
    const dir = copy();
    writeFileSync(join(dir, "data.json"), '{"workspace_ops": {"config": {"destructive": "allow"}}}');
    expect(await PolicyRuntime.load(dir)).toMatchObject({
      ok: false,
      error: { code: "bundle_tampered", pointer: "/files/data.json" },
    });
  });

  it("refuses a missing file and a bad manifest", async () => {
    expect(await PolicyRuntime.load(join(tmpdir(), "no-such-bundle"))).toMatchObject({
      ok: false,
      error: { code: "bundle_missing" },
    });
    const dir = copy();
    writeFileSync(
      join(dir, "manifest.json"),
      JSON.stringify({ revision: "r", opaVersion: "1", entrypoints: [], files: {} }),
    );
    expect(await PolicyRuntime.load(dir)).toMatchObject({
      ok: false,
      error: { code: "bundle_invalid", pointer: "/entrypoints" },
    });
  });
});
