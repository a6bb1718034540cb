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

/** Contract errors in one line, "POINTER MESSAGE; …": for an exception or an error value's message. */
export const errorsInOneLine = (errors: readonly ContractError[]): string =>
  errors.map((e) => `${e.pointer} ${e.message}`).join("; ");

const isIndex = /^(?:0|[1-9][0-9]*)$/;
const isName = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** "/artifact/steps/0/cwd" → "artifact.steps[0].cwd"; "" → "payload". */
export function pathOf(pointer: string): string {
  if (pointer === "") return "payload";
  let out = "";
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.includes("~") ? raw.replaceAll("~1", "/").replaceAll("~0", "~") : raw;
    if (isIndex.test(token)) out += `[${token}]`;
    else if (isName.test(token)) out += out === "" ? token : `.${token}`;
    else out += `[${JSON.stringify(token)}]`;
  }
  return out;
}

const quote = (value: unknown): string => JSON.stringify(value);

const plural = (n: unknown, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

// An `if` schema is one object for the life of the process; read it back once per place it applies.
const conditionCache = new WeakMap<object, Map<string, string>>();

function describeCondition(schema: unknown, at: string): string {
  if (!schema || typeof schema !== "object") return readCondition(schema, at);
  let byPlace = conditionCache.get(schema);
  if (!byPlace) {
    byPlace = new Map();
    conditionCache.set(schema, byPlace);
  }
  let text = byPlace.get(at);
  if (text === undefined) {
    text = readCondition(schema, at);
    byPlace.set(at, text);
  }
  return text;
}

/** Reads an `if` schema back as a condition: `workspaceOperation.operationType is "…"`. */
function readCondition(schema: unknown, at: string): string {
  const parts: string[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (!node || typeof node !== "object") return;
    const s = node as Record<string, unknown>;
    if ("const" in s) parts.push(`${pathOf(pointer)} is ${quote(s.const)}`);
    else if (Array.isArray(s.enum))
      parts.push(`${pathOf(pointer)} is one of ${s.enum.map(quote).join(", ")}`);
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
      if (typeof about === "string")
        return `${where} does not have the expected form: ${about.replace(/\.$/, "")}`;
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
    case "false schema":
      return `${where} is not allowed`;
    case "propertyNames":
      return `${where} has an invalid property name ${quote(p.propertyName)}`;
    default:
      return `${where} ${e.message ?? `fails ${e.keyword}`}`;
  }
}

/** What makes two ajv errors the same failure, without serialising every error's params. */
function sameFailureKey(e: AjvError): string {
  const p = e.params;
  let detail: unknown;
  switch (e.keyword) {
    case "required":
      detail = p.missingProperty;
      break;
    case "additionalProperties":
      detail = p.additionalProperty;
      break;
    case "const":
      detail = typeof p.allowedValue === "object" ? JSON.stringify(p.allowedValue) : p.allowedValue;
      break;
    case "type":
    case "pattern":
    case "format":
    case "false schema":
      detail = p.type ?? p.pattern ?? p.format ?? "";
      break;
    default:
      detail = JSON.stringify(p);
  }
  return `${e.instancePath}\u0000${e.keyword}\u0000${String(detail)}`;
}

/**
 * Turns raw ajv errors into the errors a person needs (kept cheap: it runs on every invalid payload):
 * - when an object's `kind` is wrong, the rest of that object is not reported against the wrong
 *   schema: the kind is the one thing to fix;
 * - a failed `then` is reported as its real cause plus the condition that required it
 *   ("artifact.kind must be "X" when workspaceOperation.operationType is "Y"), never as "must match then";
 * - the same failure reached twice (a `then` re-checking a $ref'd rule) is reported once.
 */
export function explainErrors(raw: readonly AjvError[]): ContractError[] {
  let wrongKinds: string[] | undefined;
  for (const e of raw) {
    if (e.keyword === "const" && e.instancePath.endsWith("/kind")) {
      wrongKinds ??= [];
      wrongKinds.push(e.instancePath.slice(0, -"/kind".length));
    }
  }
  const isNoise = (pointer: string): boolean =>
    wrongKinds?.some((p) => pointer !== `${p}/kind` && (pointer === p || pointer.startsWith(`${p}/`))) ===
    true;

  let conditions: Map<number, string> | undefined;
  for (let k = 0; k < raw.length; k++) {
    const e = raw[k] as AjvError;
    if (e.keyword !== "if") continue;
    const branch = e.params.failingKeyword === "else" ? "else" : "then";
    const prefix = `${e.schemaPath.slice(0, -"/if".length)}/${branch}/`;
    let text: string | undefined;
    // ajv reports a branch's errors just before the `if` that chose the branch; the nearest `if` owns them.
    for (let j = k - 1; j >= 0; j--) {
      const cause = raw[j] as AjvError;
      if (conditions?.has(j) || !cause.schemaPath.startsWith(prefix)) continue;
      if (cause.instancePath !== e.instancePath && !cause.instancePath.startsWith(`${e.instancePath}/`))
        continue;
      text ??= `${branch === "then" ? "when" : "unless"} ${describeCondition(e.schema, e.instancePath)}`;
      conditions ??= new Map();
      conditions.set(j, text);
    }
  }

  const kept: { e: AjvError; condition: string | undefined }[] = [];
  const byKey = new Map<string, number>();
  for (let k = 0; k < raw.length; k++) {
    const e = raw[k] as AjvError;
    if (e.keyword === "if" || isNoise(e.instancePath)) continue;
    // propertyNames reports each inner failure too; the propertyNames error says it all.
    if (e.propertyName !== undefined && e.keyword !== "propertyNames") continue;
    const key = sameFailureKey(e);
    const condition = conditions?.get(k);
    const seen = byKey.get(key);
    if (seen === undefined) {
      byKey.set(key, kept.length);
      kept.push({ e, condition });
    } else if (condition && !kept[seen]?.condition) {
      kept[seen] = { e, condition };
    }
  }

  return kept.map(({ e, condition }) => ({
    pointer: e.instancePath,
    keyword: e.keyword,
    message: condition ? `${messageFor(e)} ${condition}` : messageFor(e),
    schemaPath: e.schemaPath,
  }));
}
