import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseCommand } from "./args.js";
import { UsageError } from "./io.js";

const schema = z.object({
  count: z.coerce.number().int().positive().optional(),
  json: z.boolean().optional(),
});
const options = { count: { type: "string" as const }, json: { type: "boolean" as const } };

describe("parseCommand", () => {
  it("returns checked values and positionals", () => {
    expect(parseCommand(["--count", "3", "a", "--json", "b"], options, schema)).toEqual({
      values: { count: 3, json: true },
      positionals: ["a", "b"],
    });
  });

  it("reports an unknown option as a usage error, without parseArgs' advice", () => {
    expect(() => parseCommand(["--nope"], options, schema)).toThrow(
      new UsageError("Unknown option '--nope'"),
    );
  });

  it("names the flag whose value is wrong", () => {
    expect(() => parseCommand(["--count", "0"], options, schema)).toThrow(UsageError);
    expect(() => parseCommand(["--count", "0"], options, schema)).toThrow(/^--count: /);
  });
});
