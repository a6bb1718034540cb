// @ts-check
// The catalog: which contracts exist, their ids and roles, and the schemas themselves.

/** @param {import("./contracts.mjs").Contract[]} contracts @param {import("./contracts.mjs").Contract} common */
export function emitCatalog(contracts, common) {
  const info = contracts.map((c) => ({
    name: c.name,
    id: c.id,
    family: c.family,
    version: c.version,
    role: c.role,
    title: c.schema.title,
    description: c.schema.description,
    source: c.file,
  }));
  return [
    'import type { ContractInfo, JsonSchema } from "../catalog-types.js";',
    "",
    `export const contractNames = ${JSON.stringify(
      contracts.map((c) => c.name),
      null,
      2,
    )} as const;`,
    "",
    "export type ContractName = (typeof contractNames)[number];",
    "",
    `export const apiVersion = ${JSON.stringify(common.schema.$defs.ApiVersion.const)};`,
    "",
    "export const contracts: { readonly [C in ContractName]: ContractInfo & { readonly name: C } } = {",
    ...info.map((i) => `  ${i.name}: ${JSON.stringify(i)},`),
    "};",
    "",
    "/** Every schema by $id, the shared common schema included, so other tools can resolve $refs. */",
    "export const schemas: Readonly<Record<string, JsonSchema>> = {",
    ...[common, ...contracts].map((c) => `  ${JSON.stringify(c.id)}: ${JSON.stringify(c.schema)},`),
    "};",
    "",
  ].join("\n");
}
