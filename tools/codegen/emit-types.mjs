// @ts-check
// TypeScript types of every contract, in one file so each shared $defs type is declared once.
import { compile } from "json-schema-to-typescript";

/**
 * json-schema-to-typescript mints a new alias for every `$ref` that has siblings (description,
 * examples), and turns if/then into index signatures. Types need neither: the validator enforces them.
 * @param {any} node @returns {any}
 */
function forTypes(node) {
  if (Array.isArray(node)) return node.map(forTypes);
  if (!node || typeof node !== "object") return node;
  if (typeof node.$ref === "string") return { $ref: node.$ref };
  /** @type {Record<string, any>} */
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "if" || key === "then" || key === "else" || key === "examples") continue;
    if (key === "allOf") {
      const kept = value.filter((/** @type {any} */ s) => !("if" in s));
      if (kept.length) out.allOf = kept.map(forTypes);
      continue;
    }
    out[key] = forTypes(value);
  }
  return out;
}

/** @param {import("./contracts.mjs").Contract[]} contracts @param {import("./contracts.mjs").Contract} common */
export async function emitTypes(contracts, common) {
  /** @type {Record<string, any>} */
  const byId = {};
  for (const c of [common, ...contracts]) byId[c.id] = forTypes(c.schema);
  const rootName = "WorkspaceOpsContractsRoot";
  const root = {
    title: rootName,
    type: "object",
    additionalProperties: false,
    required: contracts.map((c) => c.name),
    properties: Object.fromEntries(contracts.map((c) => [c.name, { $ref: c.id }])),
  };
  const ts = await compile(root, rootName, {
    bannerComment: "",
    declareExternallyReferenced: true,
    unreachableDefinitions: true,
    ignoreMinAndMaxItems: true,
    unknownAny: true,
    strictIndexSignatures: true,
    format: true,
    style: { printWidth: 110 },
    $refOptions: {
      resolve: {
        http: false,
        file: false,
        // Every $ref is one of our own https ids: resolve it from contracts/, never the network.
        contracts: {
          order: 1,
          canRead: /^https:\/\/workspace-ops\.dev\//,
          read: (/** @type {{ url: string }} */ file) => {
            const schema = byId[file.url.split("#")[0] ?? ""];
            if (!schema) throw new Error(`unknown $ref target ${file.url}`);
            return JSON.stringify(schema);
          },
        },
      },
    },
  });
  // The root only gathers the contracts; a ContractTypes map is the useful form of it.
  const rootDecl = new RegExp(`export interface ${rootName} \\{[\\s\\S]*?\\n\\}\\n`);
  if (!rootDecl.test(ts))
    throw new Error("json-schema-to-typescript output changed shape: root interface not found");
  const types = ts.replace(rootDecl, "");
  // json-schema-to-typescript numbers a second declaration of the same name (ModelName1): a shared
  // type must be declared once, in one schema's $defs, and referenced everywhere else.
  const declared = new Set([...types.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]));
  for (const name of declared) {
    const base = name?.replace(/\d+$/, "");
    if (base && base !== name && declared.has(base))
      throw new Error(`${name} duplicates ${base}: declare the shared type once and $ref it`);
  }
  for (const c of contracts) {
    if (!new RegExp(`export (interface|type) ${c.name}\\b`).test(types))
      throw new Error(`no type named ${c.name} was generated`);
  }
  return [
    types.trimEnd(),
    "",
    "/** Each contract's name and the type of a payload that passed its validator. */",
    "export interface ContractTypes {",
    ...contracts.map((c) => `  ${c.name}: ${c.name};`),
    "}",
    "",
  ].join("\n");
}
