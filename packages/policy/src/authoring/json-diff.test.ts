import { describe, expect, it } from "vitest";
import { jsonDiff } from "./json-diff.js";

describe("jsonDiff", () => {
  it("compares arrays as multisets: order does not matter, duplicates do", () => {
    expect(jsonDiff([{ a: 1 }, { b: 2 }], [{ b: 2 }, { a: 1 }])).toEqual([]);
    expect(jsonDiff([1, 1, 2], [1, 2, 3])).toEqual(["- 1", "+ 3"]);
  });

  it("walks objects by JSON pointer and shows scalars that differ", () => {
    expect(jsonDiff({ a: { "b/c": 1, d: 2 }, e: 3 }, { a: { "b/c": 5 }, f: 4 })).toEqual([
      "- /a/b~1c: 1",
      "+ /a/b~1c: 5",
      "- /a/d: 2",
      "- /e: 3",
      "+ /f: 4",
    ]);
  });

  it("shows a change of kind whole", () => {
    expect(jsonDiff([], {})).toEqual(["- []", "+ {}"]);
  });
});
