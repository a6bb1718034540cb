// One side of a comparison: the schema files of one revision, indexed by $id, with $ref resolution
// and source positions.
import { checkJson, escapePointerToken, locatePointers, type SourcePosition } from "../json-source.js";

/** A schema file as read from one revision: its path (repository-relative) and its text. */
export interface SchemaSource {
  path: string;
  text: string;
}

export type ContractRole = "request" | "record" | "unknown";

export interface SchemaDoc {
  path: string;
  text: string;
  schema: Record<string, unknown>;
  id: string | null;
  /** The contract's name: its title, else its path. */
  name: string;
  role: ContractRole;
  /** The major version in its $id (…/v2/…), else in its path; null when neither has one. */
  major: number | null;
}

/** A place in a schema file. */
export interface SchemaNode {
  value: unknown;
  doc: SchemaDoc;
  pointer: string;
}

const majorOf = (text: string | null): number | null => {
  const match = text ? /\/v(\d+)(?:\/|$)/.exec(text) : null;
  return match ? Number(match[1]) : null;
};

export type Loaded = { ok: true; doc: SchemaDoc } | { ok: false; path: string; message: string };

export function loadSchema(source: SchemaSource): Loaded {
  const syntax = checkJson(source.text, 512);
  if (syntax)
    return {
      ok: false,
      path: source.path,
      message: `not JSON at ${syntax.line}:${syntax.column}: ${syntax.message}`,
    };
  const schema: unknown = JSON.parse(source.text);
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    return { ok: false, path: source.path, message: "a schema file must hold a JSON object" };
  const s = schema as Record<string, unknown>;
  const id = typeof s.$id === "string" ? s.$id : null;
  const role = s["x-contract-role"];
  return {
    ok: true,
    doc: {
      path: source.path,
      text: source.text,
      schema: s,
      id,
      name: typeof s.title === "string" && s.title !== "" ? s.title : source.path,
      role: role === "request" || role === "record" ? role : "unknown",
      major: majorOf(id) ?? majorOf(source.path),
    },
  };
}

const withoutFragment = (uri: string) => uri.split("#")[0] ?? uri;

export class SchemaSet {
  readonly docs: SchemaDoc[];
  readonly #byId = new Map<string, SchemaDoc>();
  readonly #positions = new Map<SchemaDoc, Map<string, SourcePosition>>();

  constructor(docs: SchemaDoc[]) {
    this.docs = docs;
    for (const doc of docs) if (doc.id) this.#byId.set(withoutFragment(doc.id), doc);
  }

  byId(id: string): SchemaDoc | undefined {
    return this.#byId.get(withoutFragment(id));
  }

  /** The node a `$ref` found at `from` points at, or null when it points at nothing. */
  resolve(ref: string, from: SchemaDoc): SchemaNode | null {
    let doc: SchemaDoc | undefined = from;
    let fragment = "";
    if (ref.startsWith("#")) fragment = ref.slice(1);
    else {
      let target: URL;
      try {
        target = new URL(ref, from.id ?? undefined);
      } catch {
        return null;
      }
      fragment = target.hash.slice(1);
      target.hash = "";
      doc = this.#byId.get(target.href);
    }
    if (!doc) return null;
    if (fragment !== "" && !fragment.startsWith("/")) return null; // $anchor names are not followed
    const pointer = fragment.startsWith("/") ? decodeURIComponent(fragment) : "";
    let value: unknown = doc.schema;
    for (const raw of pointer === "" ? [] : pointer.slice(1).split("/")) {
      const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      if (typeof value !== "object" || value === null || !Object.hasOwn(value, token)) return null;
      value = (value as Record<string, unknown>)[token];
    }
    return { value, doc, pointer };
  }

  /** line:column of a pointer of one of this set's files; the nearest existing parent when it is gone. */
  position(doc: SchemaDoc, pointer: string): SourcePosition {
    let cache = this.#positions.get(doc);
    if (!cache) {
      cache = locatePointers(doc.text, allPointers(doc.schema, ""));
      this.#positions.set(doc, cache);
    }
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
      const found = cache.get(p);
      if (found) return found;
      if (p === "") return { line: 1, column: 1 };
    }
  }
}

function allPointers(value: unknown, pointer: string, out: string[] = []): string[] {
  out.push(pointer);
  if (typeof value === "object" && value !== null)
    for (const [key, child] of Object.entries(value))
      allPointers(child, `${pointer}/${escapePointerToken(key)}`, out);
  return out;
}

export const child = (node: SchemaNode, ...tokens: string[]): SchemaNode => {
  let value = node.value;
  for (const token of tokens)
    value =
      typeof value === "object" && value !== null ? (value as Record<string, unknown>)[token] : undefined;
  return {
    value,
    doc: node.doc,
    pointer: `${node.pointer}${tokens.map((t) => `/${escapePointerToken(t)}`).join("")}`,
  };
};
