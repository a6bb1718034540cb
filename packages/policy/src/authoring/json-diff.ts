// A compact diff of two JSON values for test failures: what only the expected value has ("-") and what
// only the actual one has ("+"), by JSON pointer. Arrays compare as multisets, because Rego sets print
// as arrays and their order carries no meaning.
import { isDeepStrictEqual } from "node:util";
import { canonicalJson } from "@workspace-ops/contracts/canonical-json";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const token = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

export function jsonDiff(expected: unknown, actual: unknown, pointer = ""): string[] {
  if (isDeepStrictEqual(expected, actual)) return [];
  const at = pointer === "" ? "" : `${pointer}: `;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const remaining = new Map<string, number>();
    for (const v of actual) remaining.set(canonicalJson(v), (remaining.get(canonicalJson(v)) ?? 0) + 1);
    const lines: string[] = [];
    for (const v of expected) {
      const key = canonicalJson(v);
      const left = remaining.get(key) ?? 0;
      if (left > 0) remaining.set(key, left - 1);
      else lines.push(`- ${at}${JSON.stringify(v)}`);
    }
    for (const v of actual) {
      const key = canonicalJson(v);
      const left = remaining.get(key) ?? 0;
      if (left > 0) {
        remaining.set(key, left - 1);
        lines.push(`+ ${at}${JSON.stringify(v)}`);
      }
    }
    return lines;
  }
  if (isObject(expected) && isObject(actual)) {
    const lines: string[] = [];
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const here = `${pointer}/${token(key)}`;
      if (!(key in actual)) lines.push(`- ${here}: ${JSON.stringify(expected[key])}`);
      else if (!(key in expected)) lines.push(`+ ${here}: ${JSON.stringify(actual[key])}`);
      else lines.push(...jsonDiff(expected[key], actual[key], here));
    }
    return lines;
  }
  return [`- ${at}${JSON.stringify(expected)}`, `+ ${at}${JSON.stringify(actual)}`];
}
