import { describe, expect, it } from "vitest";
import { traceIdOf } from "./traceparent.js";

const id = "4bf92f3577b34da6a3ce929d0e0e4736";

describe("traceIdOf", () => {
  it.each([
    [`00-${id}-00f067aa0ba902b7-01`, id],
    [`01-${id}-00f067aa0ba902b7-00`, id], // a later version with the same layout
    [`00-${id.toUpperCase()}-00f067aa0ba902b7-01`, null],
    [`ff-${id}-00f067aa0ba902b7-01`, null],
    [`00-${"0".repeat(32)}-00f067aa0ba902b7-01`, null],
    [`00-${id}-${"0".repeat(16)}-01`, null],
    [`00-${id}-00f067aa0ba902b7`, null],
    [`00-${id}-00f067aa0ba902b7-01\n`, null],
    ["", null],
  ])("%j → %j", (traceparent, expected) => {
    expect(traceIdOf(traceparent)).toBe(expected);
  });
});
