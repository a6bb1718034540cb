import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { hostBuiltinNames, hostBuiltins, parseRfc3339Ns } from "./host-builtins.js";

describe("time.parse_rfc3339_ns", () => {
  // Expected values printed by the pinned OPA: opa eval -f raw 'time.parse_rfc3339_ns("…")'.
  it.each([
    ["2026-11-21T12:00:00Z", 1795262400000000000],
    // OPA gives 1795262400123456789 exactly; a JavaScript number holds it to within 256 ns.
    ["2026-11-21T12:00:00.123456789Z", 1795262400 * 1e9 + 123456789],
    ["2026-11-21T13:30:00+01:30", 1795262400000000000],
    ["1970-01-01T00:00:00.5Z", 500000000],
  ])("parses %s like OPA", (text, ns) => {
    expect(parseRfc3339Ns(text)).toBe(ns);
  });

  it.each([
    "2026-02-30T00:00:00Z",
    "2026-11-21 12:00:00Z",
    "2026-11-21T12:00:00z",
    "2026-11-21T24:00:00Z",
    "",
    42,
  ])("is undefined for %j, where OPA errors", (text) => {
    expect(parseRfc3339Ns(text)).toBeUndefined();
  });
});

describe("host builtins", () => {
  it("are exactly the ones policies/capabilities.json declares beyond the SDK's", () => {
    const capabilities = JSON.parse(
      readFileSync(new URL("../capabilities.json", import.meta.url), "utf8"),
    ) as { builtins: { name: string }[] };
    const sdkEntry = createRequire(import.meta.url).resolve("@open-policy-agent/opa-wasm");
    const sdk = JSON.parse(
      readFileSync(join(dirname(sdkEntry), "..", "capabilities.json"), "utf8"),
    ) as typeof capabilities;
    const declared = capabilities.builtins.map((b) => b.name).sort();
    const compileTime = ["rego.metadata.chain", "rego.metadata.rule"];
    expect(declared).toEqual(
      [...sdk.builtins.map((b) => b.name), ...hostBuiltinNames, ...compileTime].sort(),
    );
    expect(Object.keys(hostBuiltins())).toEqual([...hostBuiltinNames]);
  });

  it("time.now_ns reads the clock it is given", () => {
    expect(hostBuiltins(() => 1_700_000_000_123)["time.now_ns"]()).toBe(1_700_000_000_123_000_000);
  });
});
