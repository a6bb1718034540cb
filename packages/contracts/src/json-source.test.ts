import { describe, expect, it } from "vitest";
import { checkJson, locatePointers, positionsOf } from "./json-source.js";

describe("checkJson", () => {
  it("accepts every kind of JSON value", () => {
    for (const text of [
      '{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"]}',
      "[]",
      "{}",
      ' "s" ',
      "0",
      "\n[\n]\n",
    ]) {
      expect(checkJson(text, 10)).toBeNull();
    }
  });

  it.each([
    ['{"a": 1,}', 1, 9, 'unexpected "}", expected a property name in double quotes'],
    ['{\n  "a": [1, 2,\n  }', 3, 3, 'unexpected "}", expected a value'],
    ['{"a" 1}', 1, 6, 'unexpected "1", expected ":" after a property name'],
    ['{"a": tru}', 1, 7, 'unexpected "t", expected a value'],
    ['{"a": 01}', 1, 8, 'unexpected "1", expected "," or "}"'],
    ['{"a": "x\\q"}', 1, 9, "invalid escape sequence in string"],
    ['{"a": "line\nbreak"}', 1, 12, "character U+000a must be escaped inside a string"],
    ['{"a": "open', 1, 7, "unterminated string"],
    ["[1] [2]", 1, 5, 'unexpected "[" after the JSON value'],
    ["", 1, 1, "unexpected end of input, expected a value"],
    ["{'a': 1}", 1, 2, 'unexpected "\'", expected a property name in double quotes'],
  ])("reports %j at %i:%i", (text, line, column, message) => {
    expect(checkJson(text, 10)).toMatchObject({ code: "json_syntax", line, column, message });
  });

  it("refuses nesting past the limit without recursing, even 100,000 levels deep", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(checkJson(deep, 128)).toEqual({
      code: "json_too_deep",
      message: "nesting deeper than 128 levels (the limit)",
      offset: 128,
      line: 1,
      column: 129,
    });
    expect(checkJson(`${"[".repeat(128)}${"]".repeat(128)}`, 128)).toBeNull();
  });
});

describe("locatePointers", () => {
  const text = ["{", '  "a": { "b/c": [10, {"~k": null}] },', '  "__proto__": "x",', '  "": 5', "}"].join(
    "\n",
  );

  it("finds each pointer's value, escaped keys and arrays included", () => {
    const found = locatePointers(text, [
      "",
      "/a",
      "/a/b~1c",
      "/a/b~1c/0",
      "/a/b~1c/1/~0k",
      "/__proto__",
      "/",
      "/nope",
    ]);
    expect(Object.fromEntries(found)).toEqual({
      "": { line: 1, column: 1 },
      "/a": { line: 2, column: 8 },
      "/a/b~1c": { line: 2, column: 17 },
      "/a/b~1c/0": { line: 2, column: 18 },
      "/a/b~1c/1/~0k": { line: 2, column: 29 },
      "/__proto__": { line: 3, column: 16 },
      "/": { line: 4, column: 7 },
    });
  });
});

describe("positionsOf", () => {
  it("converts offsets in any order", () => {
    expect(positionsOf("ab\ncd\n\nx", [7, 0, 4])).toEqual([
      { line: 4, column: 1 },
      { line: 1, column: 1 },
      { line: 2, column: 2 },
    ]);
  });
});
