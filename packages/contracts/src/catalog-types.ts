/** A JSON Schema document, as published. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** What the catalog says about one contract. */
export interface ContractInfo {
  readonly name: string;
  /** The schema's https `$id`; it mirrors the source path and carries the major version. */
  readonly id: string;
  readonly family: string;
  readonly version: string;
  /** `request`: consumed by workspace-ops. `record`: produced by it. */
  readonly role: "request" | "record";
  readonly title: string;
  readonly description: string;
  /** Path of the source schema in the workspace-ops repository. */
  readonly source: string;
}
