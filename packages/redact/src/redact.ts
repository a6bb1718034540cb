import { defaultRules, type RedactionRule } from "./rules.js";
import { redactorVersion } from "./version.js";

/** What a redaction pass removed: counts per rule, never the removed values (common.schema.json#/$defs/RedactionReport). */
export interface RedactionReport {
  /** When the redaction ran (RFC 3339, UTC). */
  redactedAt: string;
  /** Version of this package. */
  redactorVersion: string;
  /** Each rule that replaced something, sorted by id, with how many values it replaced. */
  rules: { rule: string; count: number }[];
  /** Sum of the counts. */
  totalRedactions: number;
}

export interface RedactOptions {
  /** Rules to apply, in order (default: `defaultRules`). At most 256, ids unique. */
  rules?: readonly RedactionRule[] | undefined;
  /** Clock for `redactedAt` (default: `new Date()`). */
  now?: (() => Date) | undefined;
}

/** Contract Identifier (common.schema.json#/$defs/Identifier). */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** A marker left by a previous pass; never matched by any rule, which makes redaction idempotent. */
const MARKER = /\[REDACTED:[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\]/g;
const WHOLE_MARKER = /^\[REDACTED:[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\]$/;
/** The contract allows at most 256 entries in `rules`. */
const MAX_RULES = 256;

interface CompiledRule {
  readonly id: string;
  readonly marker: string;
  readonly pattern: RegExp | undefined;
  readonly keys: RegExp | undefined;
}

interface Pass {
  readonly patternRules: readonly (CompiledRule & { pattern: RegExp })[];
  readonly keyRules: readonly (CompiledRule & { keys: RegExp })[];
  readonly counts: Map<string, number>;
}

function withFlags(re: RegExp, add: string, drop: string): RegExp {
  const flags = new Set([...re.flags].filter((flag) => !drop.includes(flag)));
  for (const flag of add) flags.add(flag);
  return new RegExp(re.source, [...flags].join(""));
}

function compile(rules: readonly RedactionRule[]): Pass {
  if (rules.length > MAX_RULES)
    throw new TypeError(`at most ${MAX_RULES} redaction rules, got ${rules.length}`);
  const ids = new Set<string>();
  const patternRules: (CompiledRule & { pattern: RegExp })[] = [];
  const keyRules: (CompiledRule & { keys: RegExp })[] = [];
  for (const rule of rules) {
    const { id } = rule;
    if (typeof id !== "string" || !IDENTIFIER.test(id))
      throw new TypeError(`redaction rule id ${JSON.stringify(id)} is not an Identifier`);
    if (ids.has(id)) throw new TypeError(`duplicate redaction rule id ${JSON.stringify(id)}`);
    ids.add(id);
    if (!rule.pattern && !rule.keys) throw new TypeError(`redaction rule ${id} has neither pattern nor keys`);
    const compiled: CompiledRule = {
      id,
      marker: `[REDACTED:${id}]`,
      // Fresh copies: callers' RegExp objects (and their lastIndex) are never touched.
      pattern: rule.pattern ? withFlags(rule.pattern, "gd", "gdy") : undefined,
      keys: rule.keys ? withFlags(rule.keys, "", "gy") : undefined,
    };
    if (compiled.pattern) patternRules.push({ ...compiled, pattern: compiled.pattern });
    if (compiled.keys) keyRules.push({ ...compiled, keys: compiled.keys });
  }
  return { patternRules, keyRules, counts: new Map() };
}

function count(pass: Pass, id: string, n: number): void {
  if (n > 0) pass.counts.set(id, (pass.counts.get(id) ?? 0) + n);
}

/** Applies one rule to a stretch of text that contains no marker. */
function applyToSegment(segment: string, rule: CompiledRule & { pattern: RegExp }): [string, number] {
  const re = rule.pattern;
  re.lastIndex = 0;
  let out = "";
  let last = 0;
  let n = 0;
  for (let m = re.exec(segment); m !== null; m = re.exec(segment)) {
    const whole = m.indices?.[0];
    if (!whole || whole[0] === whole[1]) {
      // An empty match redacts nothing; step over it so the loop ends.
      re.lastIndex = m.index + 1;
      continue;
    }
    const [start, end] = m.indices?.groups?.secret ?? whole;
    if (start === end) continue;
    out += segment.slice(last, start) + rule.marker;
    last = end;
    n++;
  }
  return n === 0 ? [segment, 0] : [out + segment.slice(last), n];
}

/** Applies one rule to the text between existing markers, so markers are never rewritten. */
function applyRule(text: string, rule: CompiledRule & { pattern: RegExp }, pass: Pass): string {
  if (!text.includes("[REDACTED:")) {
    // No marker to step around (the common case): one scan of the whole text.
    const [segment, found] = applyToSegment(text, rule);
    count(pass, rule.id, found);
    return segment;
  }
  let out = "";
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(MARKER)) {
    const [segment, found] = applyToSegment(text.slice(last, m.index), rule);
    out += segment + m[0];
    n += found;
    last = m.index + m[0].length;
  }
  if (last === 0) {
    const [segment, found] = applyToSegment(text, rule);
    count(pass, rule.id, found);
    return segment;
  }
  const [segment, found] = applyToSegment(text.slice(last), rule);
  count(pass, rule.id, n + found);
  return out + segment;
}

function redactString(text: string, pass: Pass): string {
  let out = text;
  for (const rule of pass.patternRules) out = applyRule(out, rule, pass);
  return out;
}

/** Whether the value under a sensitive key holds anything to remove. */
function isSecretValue(value: unknown): boolean {
  switch (typeof value) {
    case "string":
      return value !== "" && !WHOLE_MARKER.test(value);
    case "number":
    case "bigint":
      return true;
    case "object":
      if (value === null) return false;
      if (Array.isArray(value)) return value.length > 0;
      return Object.keys(value).length > 0 || typeof (value as { toJSON?: unknown }).toJSON === "function";
    default:
      // boolean, undefined, function, symbol: nothing a reader could use.
      return false;
  }
}

function defineData(target: object, key: string, value: unknown): void {
  // defineProperty, not assignment: a "__proto__" key stays an own data property.
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Copies and redacts a JSON-like value iteratively (an explicit work list, no recursion), so nesting
 * depth is limited only by memory. Objects already copied are reused, so shared references and cycles
 * come out shared and cyclic, and each is redacted once.
 */
function walk(root: unknown, pass: Pass): unknown {
  const copies = new Map<object, object>();
  const work: { source: object; target: object }[] = [];

  const visit = (value: unknown, key: string): unknown => {
    if (typeof value === "string") return redactString(value, pass);
    if (typeof value !== "object" || value === null) return value;
    const known = copies.get(value);
    if (known) return known;
    // As JSON.stringify does: an object with toJSON (a Date) is replaced by what toJSON returns.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const json: unknown = toJSON.call(value, key);
      if (typeof json === "string") return redactString(json, pass);
      if (typeof json !== "object" || json === null || json === value) return json;
      const target = Array.isArray(json) ? new Array<unknown>(json.length) : {};
      copies.set(value, target);
      work.push({ source: json, target });
      return target;
    }
    const target = Array.isArray(value) ? new Array<unknown>(value.length) : {};
    copies.set(value, target);
    work.push({ source: value, target });
    return target;
  };

  const result = visit(root, "");
  for (let item = work.pop(); item; item = work.pop()) {
    const { source, target } = item;
    if (Array.isArray(source)) {
      const array = target as unknown[];
      for (let i = 0; i < source.length; i++) if (i in source) array[i] = visit(source[i], String(i));
      continue;
    }
    const record = source as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      const rule = pass.keyRules.find((r) => r.keys.test(key));
      if (rule && isSecretValue(value)) {
        defineData(target, key, rule.marker);
        count(pass, rule.id, 1);
      } else {
        defineData(target, key, visit(value, key));
      }
    }
  }
  return result;
}

function report(pass: Pass, redactedAt: Date): RedactionReport {
  const rules = [...pass.counts]
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rule, n]) => ({ rule, count: n }));
  return {
    redactedAt: redactedAt.toISOString(),
    redactorVersion,
    rules,
    totalRedactions: rules.reduce((sum, r) => sum + r.count, 0),
  };
}

function clock(options: RedactOptions): () => Date {
  return options.now ?? (() => new Date());
}

/** Rules compiled once, for redacting many values (the executor's write boundary redacts every record). */
export interface Redactor {
  /** As `redact`, with the redactor's rules and clock. */
  redact<T>(value: T): { value: T; report: RedactionReport };
  /** As `redactText`, with the redactor's rules and clock. */
  redactText(text: string): { text: string; report: RedactionReport };
}

/** Compiles the rules (throwing as `redact` does for bad ones) into a Redactor; each call counts afresh. */
export function createRedactor(options: RedactOptions = {}): Redactor {
  const compiled = compile(options.rules ?? defaultRules);
  const now = clock(options);
  const pass = (): Pass => ({ ...compiled, counts: new Map() });
  return {
    redact<T>(value: T) {
      const redactedAt = now();
      const current = pass();
      const result = walk(value, current) as T;
      return { value: result, report: report(current, redactedAt) };
    },
    redactText(text: string) {
      if (typeof text !== "string") throw new TypeError(`redactText expects a string, got ${typeof text}`);
      const redactedAt = now();
      const current = pass();
      return { text: redactString(text, current), report: report(current, redactedAt) };
    },
  };
}

/**
 * Redacts a JSON-like value: strings are matched against every rule's `pattern`, and the whole value
 * of an object key matching a rule's `keys` is replaced by `[REDACTED:<rule id>]` (unless it is null,
 * a boolean, empty, or already a marker). Returns a new value; the input is never mutated. Other
 * primitives are kept; an object with `toJSON` is replaced by its result, as JSON.stringify does.
 * Object keys themselves are not rewritten.
 */
export function redact<T>(value: T, options: RedactOptions = {}): { value: T; report: RedactionReport } {
  return createRedactor(options).redact(value);
}

/** Redacts free text with every rule's `pattern` (rules with only `keys` do not apply to text). */
export function redactText(
  text: string,
  options: RedactOptions = {},
): { text: string; report: RedactionReport } {
  if (typeof text !== "string") throw new TypeError(`redactText expects a string, got ${typeof text}`);
  return createRedactor(options).redactText(text);
}
