/** The shape of one ajv error (compiled with `allErrors` and `verbose`). */
export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
  schema?: unknown;
  parentSchema?: Record<string, unknown>;
}

/** A validator that ajv compiled at build time (standalone code). */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}
