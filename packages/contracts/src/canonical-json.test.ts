import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth, keeps array order and writes no whitespace", () => {
    const value = { b: [3, { z: 1, a: [true, null] }], a: { y: "s p", x: -0.5 }, "": 0 };
    expect(canonicalJson(value)).toBe('{"":0,"a":{"x":-0.5,"y":"s p"},"b":[3,{"a":[true,null],"z":1}]}');
  });

  it("orders keys by UTF-16 code unit, as RFC 8785 does", () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, "\u{1F600}": 4, "\uFB01": 5 })).toBe(
      '{"Z":3,"z":2,"é":1,"\u{1F600}":4,"\uFB01":5}',
    );
  });

  it("gives the same text for the same value however it was built", () => {
    expect(canonicalJson(JSON.parse('{"b":1,"a":{"d":2,"c":3}}'))).toBe(
      canonicalJson({ a: { c: 3, d: 2 }, b: 1 }),
    );
  });

  it("escapes strings exactly as JSON.stringify does", () => {
    expect(canonicalJson({ "k\n": 'q"\u2028\u0001' })).toBe(
      `{${JSON.stringify("k\n")}:${JSON.stringify('q"\u2028\u0001')}}`,
    );
  });

  it("refuses what is not a JSON value", () => {
    expect(() => canonicalJson(undefined)).toThrow("not a JSON value: undefined");
  });
});
