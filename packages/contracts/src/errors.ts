import type { AjvError } from "./compiled-validator.js";

/** One reason a payload does not satisfy its contract. */
export interface ContractError {
  /** JSON pointer (RFC 6901) of the offending value; "" is the whole payload. */
  pointer: string;
  /** The JSON Schema keyword that failed (required, const, pattern, ...). */
  keyword: string;
  /** A sentence for a person, naming the value by its path. */
  message: string;
  /** Where in the schema the rule lives. */
  schemaPath: string;
}

/** "/artifact/steps/0/cwd" → "artifact.steps[0].cwd"; "" → "payload". */
export function pathOf(pointer: string): string {
  if (pointer === "") return "payload";
  let out = "";
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (/^(0|[1-9][0-9]*)$/.test(token)) out += `[${token}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(token)) out += out === "" ? token : `.${token}`;
    else out += `[${JSON.stringify(token)}]`;
  }
  return out;
}

const quote = (value: unknown): string => JSON.stringify(value);

const plural = (n: unknown, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Reads an `if` schema back as a condition: `workspaceOperation.operationType is "…"`. */
function describeCondition(schema: unknown, at: string): string {
  const parts: string[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (!node || typeof node !== "object") return;
    const s = node as Record<string, unknown>;
    if ("const" in s) parts.push(`${pathOf(pointer)} is ${quote(s.const)}`);
    else if (Array.isArray(s.enum)) parts.push(`${pathOf(pointer)} is one of ${s.enum.map(quote).join(", ")}`);
    const properties = s.properties as Record<string, unknown> | undefined;
    if (properties) for (const [key, sub] of Object.entries(properties)) visit(sub, `${pointer}/${key}`);
  };
  visit(schema, at);
  return parts.join(" and ");
}

function messageFor(e: AjvError): string {
  const where = pathOf(e.instancePath);
  const p = e.params;
  switch (e.keyword) {
    case "required":
      return `${where} is missing required property ${quote(p.missingProperty)}`;
    case "additionalProperties": {
      const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const hint = known.length > 0 && known.length <= 16 ? ` (allowed: ${known.join(", ")})` : "";
      return `${where} has unknown property ${quote(p.additionalProperty)}${hint}`;
    }
    case "const":
      return `${where} must be ${quote(p.allowedValue)}`;
    case "enum":
      return `${where} must be one of ${(p.allowedValues as unknown[]).map(quote).join(", ")}`;
    case "type":
      return `${where} must be ${Array.isArray(p.type) ? p.type.join(" or ") : String(p.type)}`;
    case "pattern": {
      // A described rule reads better than its regular expression, which stays in schemaPath.
      const about = e.parentSchema?.description;
      if (typeof about === "string") return `${where} does not have the expected form: ${about.replace(/\.$/, "")}`;
      return `${where} must match the pattern ${quote(p.pattern)}`;
    }
    case "format":
      return `${where} must be a valid ${String(p.format)}`;
    case "minLength":
    case "maxLength":
      return `${where} must be ${e.keyword === "minLength" ? "at least" : "at most"} ${plural(p.limit, "character")} long`;
    case "minItems":
    case "maxItems":
      return `${where} must have ${e.keyword === "minItems" ? "at least" : "at most"} ${plural(p.limit, "item")}`;
    case "minProperties":
    case "maxProperties":
      return `${where} must have ${e.keyword === "minProperties" ? "at least" : "at most"} ${plural(p.limit, "property", "properties")}`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `${where} must be ${String(p.comparison)} ${String(p.limit)}`;
    case "uniqueItems":
      return `${where} must not repeat items (items ${p.j} and ${p.i} are equal)`;
    case "propertyNames":
      return `${where} has an invalid property name ${quote(p.propertyName)}`;
    default:
      return `${where} ${e.message ?? `fails ${e.keyword}`}`;
  }
}

/**
 * Turns raw ajv errors into the errors a person needs:
 * - a failed `then` is reported as its real cause plus the condition that required it
 *   ("artifact.kind must be "X" when workspaceOperation.operationType is "Y"), never as "must match then";
 * - the same failure reached twice (a `then` re-checking a $ref'd rule) is reported once;
 * - when an object's `kind` is wrong, the rest of that object is not checked against the wrong schema
 *   in the report: the kind is the one thing to fix.
 */
export function explainErrors(raw: readonly AjvError[]): ContractError[] {
  const conditions = new Map<number, string>();
  raw.forEach((e, k) => {
    if (e.keyword !== "if") return;
    const branch = e.params.failingKeyword === "else" ? "else" : "then";
    const prefix = `${e.schemaPath.slice(0, -"/if".length)}/${branch}/`;
    const condition = describeCondition(e.schema, e.instancePath);
    const text = branch === "then" ? `when ${condition}` : `unless ${condition}`;
    // ajv reports a branch's errors just before the `if` that chose the branch; the nearest `if` owns them.
    for (let j = k - 1; j >= 0; j--) {
      const cause = raw[j] as AjvError;
      if (conditions.has(j) || !cause.schemaPath.startsWith(prefix)) continue;
      if (cause.instancePath === e.instancePath || cause.instancePath.startsWith(`${e.instancePath}/`))
        conditions.set(j, text);
    }
  });

  const kept: { e: AjvError; condition: string | undefined }[] = [];
  const byKey = new Map<string, number>();
  raw.forEach((e, k) => {
    if (e.keyword === "if") return;
    // propertyNames reports each inner failure too; the propertyNames error says it all.
    if (e.propertyName !== undefined && e.keyword !== "propertyNames") return;
    const key = `${e.instancePath}\u0000${e.keyword}\u0000${JSON.stringify(e.params)}`;
    const condition = conditions.get(k);
    const seen = byKey.get(key);
    if (seen === undefined) {
      byKey.set(key, kept.length);
      kept.push({ e, condition });
    } else if (condition && !kept[seen]?.condition) {
      kept[seen] = { e, condition };
    }
  });

  const wrongKinds = kept
    .filter(({ e }) => e.keyword === "const" && e.instancePath.endsWith("/kind"))
    .map(({ e }) => e.instancePath.slice(0, -"/kind".length));
  const noise = (pointer: string): boolean =>
    wrongKinds.some((p) => pointer !== `${p}/kind` && (pointer === p || pointer.startsWith(`${p}/`)));

  return kept
    .filter(({ e }) => !noise(e.instancePath))
    .map(({ e, condition }) => ({
      pointer: e.instancePath,
      keyword: e.keyword,
      message: condition ? `${messageFor(e)} ${condition}` : messageFor(e),
      schemaPath: e.schemaPath,
    }));
}
