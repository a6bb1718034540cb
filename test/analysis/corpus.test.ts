// The command corpus end to end: the real analysis and the compiled policy bundle decide every command.
// Both directions: every plainly read-only command is allowed; every other one has its class and is not.
import { beforeAll, describe, expect, it } from "vitest";
import { type Classified, classifier } from "./classify.js";
import { type Command, classified, readOnly } from "./corpus.js";

let classify: (command: Command) => Classified;
beforeAll(async () => {
  classify = await classifier();
}, 60_000);

const label = (command: Command) => (typeof command === "string" ? command : JSON.stringify(command));

describe("the command corpus", () => {
  it("has at least 400 cases, in every class", () => {
    expect(readOnly.length + classified.length).toBeGreaterThanOrEqual(400);
    expect(new Set(classified.map(([, c]) => c))).toEqual(
      new Set(["mutating", "code_execution", "network", "unknown", "destructive", "read_only"]),
    );
  });

  it.each(readOnly.map((c) => [label(c), c] as const))("allows the read-only %s", (_, command) => {
    expect(classify(command)).toMatchObject({ class: "read_only", decision: "allow", codes: [] });
  });

  it.each(classified.map(([c, cls]) => [label(c), cls, c] as const))(
    "classifies %s as %s",
    (_, cls, command) => {
      const got = classify(command);
      expect(got.class).toBe(cls);
      // Without a grant, an approval or the profile's allowance nothing but read-only runs.
      if (cls !== "read_only") expect(got.decision).not.toBe("allow");
    },
  );
});
