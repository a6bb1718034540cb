// The breaking-change rules of `wsops contracts diff`. Ids are stable: CI configurations ignore them by
// name (docs/ci.md lists each). A rule says which way a change moves the set of accepted payloads; the
// contract's role decides whether that breaks anyone.

/**
 * `tightens`: the schema accepts less than before — breaks a request (producers' payloads may be refused).
 * `loosens`: the schema accepts more — breaks a record (readers may meet what they did not expect).
 * `changes`: neither contains the other — breaks both.
 */
export type RuleDirection = "tightens" | "loosens" | "changes";

export interface DiffRule {
  direction: RuleDirection;
  /** One line for the docs and for SARIF's rule description. */
  summary: string;
}

const rule = (direction: RuleDirection, summary: string): DiffRule => ({ direction, summary });

const bound = <K extends string>(keyword: K, what: string) =>
  ({
    [`${keyword}-tightened`]: rule("tightens", `${what} added, or moved to accept less`),
    [`${keyword}-loosened`]: rule("loosens", `${what} removed, or moved to accept more`),
  }) as Record<`${K}-tightened` | `${K}-loosened`, DiffRule>;

const constraint = <K extends string>(keyword: K, what: string) =>
  ({
    [`${keyword}-tightened`]: rule("tightens", `${what} added where there was none`),
    [`${keyword}-loosened`]: rule("loosens", `${what} removed`),
    [`${keyword}-changed`]: rule("changes", `${what} replaced by a different one`),
  }) as Record<`${K}-tightened` | `${K}-loosened` | `${K}-changed`, DiffRule>;

export const diffRules = {
  "schema-removed": rule("changes", "a schema file of the base is gone (no file with its $id or title)"),
  "schema-invalid": rule("changes", "a schema file is not JSON, or not a JSON object"),
  "id-changed": rule("changes", "the schema's $id changed (a major version bump changes it too)"),
  "def-removed": rule("changes", "a $defs entry is gone (other schemas may reference it by $id)"),
  "ref-unresolved": rule("changes", "a $ref of the head points at nothing"),
  "property-removed": rule("changes", "a property is gone from `properties`"),
  "property-added": rule("loosens", "a property is added to an object that allowed no other properties"),
  "required-added": rule("tightens", "a property is made required"),
  "required-removed": rule("loosens", "a property is no longer required"),
  "type-tightened": rule("tightens", "`type` accepts fewer types"),
  "type-loosened": rule("loosens", "`type` accepts more types"),
  "type-changed": rule("changes", "`type` accepts other types"),
  "enum-value-removed": rule("tightens", "an `enum` value is removed"),
  "enum-value-added": rule("loosens", "an `enum` value is added"),
  "enum-tightened": rule("tightens", "an `enum` is added where any value was accepted"),
  "enum-loosened": rule("loosens", "an `enum` is removed"),
  ...constraint("const", "`const`"),
  ...constraint("pattern", "`pattern`"),
  ...constraint("format", "`format`"),
  ...constraint("multiple-of", "`multipleOf`"),
  ...bound("minimum", "`minimum`"),
  ...bound("exclusive-minimum", "`exclusiveMinimum`"),
  ...bound("maximum", "`maximum`"),
  ...bound("exclusive-maximum", "`exclusiveMaximum`"),
  ...bound("min-length", "`minLength`"),
  ...bound("max-length", "`maxLength`"),
  ...bound("min-items", "`minItems`"),
  ...bound("max-items", "`maxItems`"),
  ...bound("min-properties", "`minProperties`"),
  ...bound("max-properties", "`maxProperties`"),
  "unique-items-tightened": rule("tightens", "`uniqueItems: true` added"),
  "unique-items-loosened": rule("loosens", "`uniqueItems: true` removed"),
  "additional-properties-tightened": rule("tightens", "`additionalProperties` now forbids what it allowed"),
  "additional-properties-loosened": rule("loosens", "`additionalProperties` now allows what it forbade"),
  "unevaluated-properties-tightened": rule("tightens", "`unevaluatedProperties` now forbids what it allowed"),
  "unevaluated-properties-loosened": rule("loosens", "`unevaluatedProperties` now allows what it forbade"),
  "schema-forbidden": rule("tightens", "a subschema becomes `false`: nothing is accepted there any more"),
  "schema-allowed": rule("loosens", "a `false` subschema now accepts values"),
  "conditional-added": rule("tightens", "an `if`/`then`/`else` is added"),
  "conditional-removed": rule("loosens", "an `if`/`then`/`else` is removed"),
  "conditional-changed": rule("changes", "the `if` of a conditional changed"),
  "all-of-entry-added": rule("tightens", "an `allOf` entry is added"),
  "all-of-entry-removed": rule("loosens", "an `allOf` entry is removed"),
  "any-of-option-added": rule("loosens", "an `anyOf` option is added"),
  "any-of-option-removed": rule("tightens", "an `anyOf` option is removed"),
  "one-of-option-added": rule("loosens", "a `oneOf` option is added"),
  "one-of-option-removed": rule("tightens", "a `oneOf` option is removed"),
  "keyword-changed": rule(
    "changes",
    "any other validation keyword (`not`, `patternProperties`, `dependentRequired`, …) changed",
  ),
} satisfies Record<string, DiffRule>;

export type DiffRuleId = keyof typeof diffRules;

export const diffRuleIds = Object.keys(diffRules).sort() as DiffRuleId[];

export function isDiffRuleId(id: string): id is DiffRuleId {
  return Object.hasOwn(diffRules, id);
}
