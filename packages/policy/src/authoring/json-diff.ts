// A compact diff of two JSON values for test failures: what only the expected value has ("-") and what
// only the actual one has ("+"), by JSON pointer. Arrays compare as multisets, because Rego sets print
// as arrays and their order carries no meaning.
import { isDeepStrictEqual } from "node:util";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "undefined";
}

const token = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

export function jsonDiff(expected: unknown, actual: unknown, pointer = ""): string[] {
  if (isDeepStrictEqual(expected, actual)) return [];
  const at = pointer === "" ? "" : `${pointer}: `;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const remaining = new Map<string, number>();
    for (const v of actual) remaining.set(canonical(v), (remaining.get(canonical(v)) ?? 0) + 1);
    const lines: string[] = [];
    for (const v of expected) {
      const key = canonical(v);
      const left = remaining.get(key) ?? 0;
      if (left > 0) remaining.set(key, left - 1);
      else lines.push(`- ${at}${JSON.stringify(v)}`);
    }
    for (const v of actual) {
      const key = canonical(v);
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
