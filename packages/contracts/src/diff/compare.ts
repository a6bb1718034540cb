// Walks a base schema and its head side by side and names every change that moves the set of
// accepted payloads. $refs are followed on both sides (a $defs entry changed in a shared schema is a
// change of every contract that reaches it); each pair of places is visited once, so cycles end.
import { isDeepStrictEqual } from "node:util";
import { canonicalJson } from "../canonical-json.js";
import type { DiffRuleId } from "./rules.js";
import { child, type SchemaNode, type SchemaSet } from "./schema-set.js";

/** What the walker reports; the caller adds the contract, the role and the verdict. */
export interface Change {
  ruleId: DiffRuleId;
  /** Where the change is: a place in the head (the nearest one that exists when something was removed). */
  at: SchemaNode;
  detail: string;
}

/** Keywords that annotate and never change what validates. */
const annotations = new Set([
  "$schema",
  "$id",
  "$anchor",
  "$dynamicAnchor",
  "$comment",
  "$defs",
  "definitions",
  "title",
  "description",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "contentMediaType",
  "contentEncoding",
  "tsType",
]);

/** Keywords this walker understands; every other validation keyword falls to keyword-changed. */
const handled = new Set([
  "$ref",
  "type",
  "enum",
  "const",
  "pattern",
  "format",
  "multipleOf",
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "uniqueItems",
  "items",
  "properties",
  "required",
  "additionalProperties",
  "unevaluatedProperties",
  "allOf",
  "anyOf",
  "oneOf",
  "if",
  "then",
  "else",
]);

const lowerBounds = {
  minimum: "minimum",
  exclusiveMinimum: "exclusive-minimum",
  minLength: "min-length",
  minItems: "min-items",
  minProperties: "min-properties",
} as const;
const upperBounds = {
  maximum: "maximum",
  exclusiveMaximum: "exclusive-maximum",
  maxLength: "max-length",
  maxItems: "max-items",
  maxProperties: "max-properties",
} as const;
const constraints = {
  const: "const",
  pattern: "pattern",
  format: "format",
  multipleOf: "multiple-of",
} as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v);

/** The instance kinds a `type` accepts; "number" is integers and fractions, so integer ⊂ number. */
function kindsOf(type: unknown): Set<string> {
  const all = ["null", "boolean", "object", "array", "string", "integer", "fraction"];
  if (type === undefined) return new Set(all);
  const kinds = new Set<string>();
  for (const t of Array.isArray(type) ? type : [type]) {
    if (t === "number") kinds.add("integer").add("fraction");
    else kinds.add(String(t));
  }
  return kinds;
}

const typesText = (kinds: Iterable<string>) =>
  [...kinds].map((k) => (k === "fraction" ? "non-integer number" : k)).join(", ");

export class Comparer {
  readonly changes: Change[] = [];
  readonly #visited = new Set<string>();

  constructor(
    readonly base: SchemaSet,
    readonly head: SchemaSet,
  ) {}

  #emit(ruleId: DiffRuleId, at: SchemaNode, detail: string): void {
    this.changes.push({ ruleId, at, detail });
  }

  /** The head location of a keyword: the keyword when the head has it, else its schema object. */
  #where(h: SchemaNode, keyword: string): SchemaNode {
    return isObject(h.value) && keyword in h.value ? child(h, keyword) : h;
  }

  compare(b: SchemaNode, h: SchemaNode): void {
    const key = `${b.doc.path}#${b.pointer}\u0000${h.doc.path}#${h.pointer}`;
    if (this.#visited.has(key)) return;
    this.#visited.add(key);

    const bv = b.value === undefined ? true : b.value;
    const hv = h.value === undefined ? true : h.value;
    if (hv === false) {
      if (bv !== false) this.#emit("schema-forbidden", h, "now false: nothing is accepted here");
      return;
    }
    if (bv === false) {
      this.#emit("schema-allowed", h, "was false, now accepts values");
      return;
    }
    const bs: Json = isObject(bv) ? bv : {};
    const hs: Json = isObject(hv) ? hv : {};

    if (typeof bs.$ref === "string" || typeof hs.$ref === "string") {
      const bt = typeof bs.$ref === "string" ? this.base.resolve(bs.$ref, b.doc) : b;
      const ht = typeof hs.$ref === "string" ? this.head.resolve(hs.$ref, h.doc) : h;
      if (!ht) {
        this.#emit("ref-unresolved", child(h, "$ref"), `$ref ${show(hs.$ref)} resolves to nothing`);
        return;
      }
      if (!bt) return; // the base was broken here; nothing to compare against
      this.compare(bt, ht);
      if (typeof bs.$ref === "string" && typeof hs.$ref === "string") this.#keywords(b, h, bs, hs);
      return;
    }
    this.#keywords(b, h, bs, hs);
  }

  #keywords(b: SchemaNode, h: SchemaNode, bs: Json, hs: Json): void {
    this.#type(h, bs, hs);
    this.#enum(h, bs, hs);
    for (const [keyword, id] of Object.entries(constraints)) {
      const [was, now] = [bs[keyword], hs[keyword]];
      if (was === undefined && now === undefined) continue;
      if (was === undefined)
        this.#emit(`${id}-tightened`, child(h, keyword), `${keyword} ${show(now)} added`);
      else if (now === undefined) this.#emit(`${id}-loosened`, h, `${keyword} ${show(was)} removed`);
      else if (!isDeepStrictEqual(was, now))
        this.#emit(`${id}-changed`, child(h, keyword), `${keyword} ${show(was)} became ${show(now)}`);
    }
    for (const [keyword, id] of Object.entries(lowerBounds)) this.#bound(h, bs, hs, keyword, id, 1);
    for (const [keyword, id] of Object.entries(upperBounds)) this.#bound(h, bs, hs, keyword, id, -1);
    if ((bs.uniqueItems === true) !== (hs.uniqueItems === true))
      this.#emit(
        hs.uniqueItems === true ? "unique-items-tightened" : "unique-items-loosened",
        this.#where(h, "uniqueItems"),
        hs.uniqueItems === true ? "uniqueItems added" : "uniqueItems removed",
      );
    if ("items" in bs || "items" in hs) this.compare(child(b, "items"), child(h, "items"));
    this.#properties(b, h, bs, hs);
    this.#required(h, bs, hs);
    this.#closed(b, h, bs, hs, "additionalProperties", "additional-properties");
    this.#closed(b, h, bs, hs, "unevaluatedProperties", "unevaluated-properties");
    this.#allOf(b, h, bs, hs);
    this.#options(b, h, bs, hs, "anyOf", "any-of");
    this.#options(b, h, bs, hs, "oneOf", "one-of");
    for (const keyword of new Set([...Object.keys(bs), ...Object.keys(hs)])) {
      if (handled.has(keyword) || annotations.has(keyword) || keyword.startsWith("x-")) continue;
      if (!isDeepStrictEqual(bs[keyword], hs[keyword]))
        this.#emit(
          "keyword-changed",
          this.#where(h, keyword),
          `${keyword} ${bs[keyword] === undefined ? "added" : hs[keyword] === undefined ? "removed" : "changed"}`,
        );
    }
  }

  #type(h: SchemaNode, bs: Json, hs: Json): void {
    const [was, now] = [kindsOf(bs.type), kindsOf(hs.type)];
    const lost = [...was].filter((k) => !now.has(k));
    const gained = [...now].filter((k) => !was.has(k));
    if (!lost.length && !gained.length) return;
    const detail = `type ${show(bs.type ?? "any")} became ${show(hs.type ?? "any")}`;
    const where = this.#where(h, "type");
    if (lost.length && gained.length)
      this.#emit("type-changed", where, `${detail} (no longer ${typesText(lost)}; now ${typesText(gained)})`);
    else if (lost.length) this.#emit("type-tightened", where, `${detail} (no longer ${typesText(lost)})`);
    else this.#emit("type-loosened", where, `${detail} (now also ${typesText(gained)})`);
  }

  #enum(h: SchemaNode, bs: Json, hs: Json): void {
    const [was, now] = [bs.enum, hs.enum];
    if (!Array.isArray(was) && !Array.isArray(now)) return;
    if (!Array.isArray(was)) {
      this.#emit("enum-tightened", child(h, "enum"), `enum ${show(now)} added`);
      return;
    }
    if (!Array.isArray(now)) {
      this.#emit("enum-loosened", h, `enum ${show(was)} removed`);
      return;
    }
    const wasKeys = new Set(was.map((v) => canonicalJson(v)));
    const nowKeys = new Set(now.map((v) => canonicalJson(v)));
    const removed = was.filter((v) => !nowKeys.has(canonicalJson(v)));
    const added = now.filter((v) => !wasKeys.has(canonicalJson(v)));
    if (removed.length)
      this.#emit(
        "enum-value-removed",
        child(h, "enum"),
        `enum value(s) ${removed.map(show).join(", ")} removed`,
      );
    if (added.length)
      this.#emit("enum-value-added", child(h, "enum"), `enum value(s) ${added.map(show).join(", ")} added`);
  }

  /** sign 1: a lower bound (raising it tightens); -1: an upper bound (lowering it tightens). */
  #bound(h: SchemaNode, bs: Json, hs: Json, keyword: string, id: string, sign: 1 | -1): void {
    const [was, now] = [bs[keyword], hs[keyword]];
    if (was === now) return;
    const none = sign * Number.NEGATIVE_INFINITY;
    const [a, c] = [typeof was === "number" ? was : none, typeof now === "number" ? now : none];
    if (a === c) return;
    const tighter = sign * (c - a) > 0;
    const text = `${keyword} ${was === undefined ? "(none)" : show(was)} became ${now === undefined ? "(none)" : show(now)}`;
    this.#emit(`${id}-${tighter ? "tightened" : "loosened"}` as DiffRuleId, this.#where(h, keyword), text);
  }

  #properties(b: SchemaNode, h: SchemaNode, bs: Json, hs: Json): void {
    const was = isObject(bs.properties) ? bs.properties : {};
    const now = isObject(hs.properties) ? hs.properties : {};
    for (const name of Object.keys(was)) {
      if (Object.hasOwn(now, name)) this.compare(child(b, "properties", name), child(h, "properties", name));
      else this.#emit("property-removed", this.#where(h, "properties"), `property ${show(name)} removed`);
    }
    for (const name of Object.keys(now)) {
      if (Object.hasOwn(was, name)) continue;
      // Before, the name fell to additionalProperties (or was forbidden by it, or by unevaluatedProperties).
      const closed =
        bs.additionalProperties === false ||
        (bs.additionalProperties === undefined && bs.unevaluatedProperties === false);
      if (closed) this.#emit("property-added", child(h, "properties", name), `property ${show(name)} added`);
      else this.compare(child(b, "additionalProperties"), child(h, "properties", name));
    }
  }

  #required(h: SchemaNode, bs: Json, hs: Json): void {
    const was = new Set(Array.isArray(bs.required) ? bs.required.map(String) : []);
    const now = new Set(Array.isArray(hs.required) ? hs.required.map(String) : []);
    const added = [...now].filter((n) => !was.has(n));
    const removed = [...was].filter((n) => !now.has(n));
    if (added.length)
      this.#emit("required-added", child(h, "required"), `now required: ${added.map(show).join(", ")}`);
    if (removed.length)
      this.#emit(
        "required-removed",
        this.#where(h, "required"),
        `no longer required: ${removed.map(show).join(", ")}`,
      );
  }

  #closed(b: SchemaNode, h: SchemaNode, bs: Json, hs: Json, keyword: string, id: string): void {
    const [was, now] = [bs[keyword] ?? true, hs[keyword] ?? true];
    if (was === now) return;
    if (now === false)
      this.#emit(`${id}-tightened` as DiffRuleId, child(h, keyword), `${keyword} became false`);
    else if (was === false)
      this.#emit(`${id}-loosened` as DiffRuleId, this.#where(h, keyword), `${keyword} is no longer false`);
    else this.compare(child(b, keyword), child(h, keyword));
  }

  /** allOf entries and if/then/else: conditionals are matched by an equal `if`, the rest by position. */
  #allOf(b: SchemaNode, h: SchemaNode, bs: Json, hs: Json): void {
    const entries = (node: SchemaNode, s: Json) => {
      const list = Array.isArray(s.allOf) ? s.allOf.map((_, i) => child(node, "allOf", String(i))) : [];
      const conditionals = list.filter((e) => isObject(e.value) && "if" in e.value);
      if ("if" in s) conditionals.unshift(node);
      return { plain: list.filter((e) => !(isObject(e.value) && "if" in e.value)), conditionals };
    };
    const was = entries(b, bs);
    const now = entries(h, hs);

    for (let i = 0; i < Math.max(was.plain.length, now.plain.length); i++) {
      const [x, y] = [was.plain[i], now.plain[i]];
      if (x && y) this.compare(x, y);
      else if (y) this.#emit("all-of-entry-added", y, "allOf entry added");
      else if (x) this.#emit("all-of-entry-removed", this.#where(h, "allOf"), "allOf entry removed");
    }

    const ifOf = (n: SchemaNode) => (n.value as Json).if;
    const unmatched = [...now.conditionals];
    const leftover: SchemaNode[] = [];
    for (const x of was.conditionals) {
      const at = unmatched.findIndex((y) => isDeepStrictEqual(ifOf(x), ifOf(y)));
      const y = at === -1 ? undefined : unmatched.splice(at, 1)[0];
      if (!y) {
        leftover.push(x);
        continue;
      }
      this.compare(child(x, "then"), child(y, "then"));
      this.compare(child(x, "else"), child(y, "else"));
    }
    for (const [i, x] of leftover.entries()) {
      const y = unmatched[i];
      if (y) this.#emit("conditional-changed", child(y, "if"), `if ${show(ifOf(x))} became ${show(ifOf(y))}`);
      else this.#emit("conditional-removed", h, `conditional on ${show(ifOf(x))} removed`);
    }
    for (const y of unmatched.slice(leftover.length))
      this.#emit("conditional-added", child(y, "if"), `conditional on ${show(ifOf(y))} added`);
  }

  /** anyOf/oneOf: equal options match, the rest pair by position; the surplus was added or removed. */
  #options(b: SchemaNode, h: SchemaNode, bs: Json, hs: Json, keyword: "anyOf" | "oneOf", id: string): void {
    if (!Array.isArray(bs[keyword]) && !Array.isArray(hs[keyword])) return;
    const list = (node: SchemaNode, s: Json) =>
      Array.isArray(s[keyword])
        ? (s[keyword] as unknown[]).map((_, i) => child(node, keyword, String(i)))
        : [];
    const was = list(b, bs);
    const unmatchedNow = list(h, hs);
    const unmatchedWas: SchemaNode[] = [];
    for (const x of was) {
      const at = unmatchedNow.findIndex((y) => isDeepStrictEqual(x.value, y.value));
      const y = at === -1 ? undefined : unmatchedNow.splice(at, 1)[0];
      // An equal option may still $ref a definition that changed.
      if (y) this.compare(x, y);
      else unmatchedWas.push(x);
    }
    for (let i = 0; i < Math.max(unmatchedWas.length, unmatchedNow.length); i++) {
      const [x, y] = [unmatchedWas[i], unmatchedNow[i]];
      if (x && y) this.compare(x, y);
      else if (y) this.#emit(`${id}-option-added` as DiffRuleId, y, `${keyword} option added`);
      else if (x)
        this.#emit(
          `${id}-option-removed` as DiffRuleId,
          this.#where(h, keyword),
          `${keyword} option removed`,
        );
    }
  }
}
