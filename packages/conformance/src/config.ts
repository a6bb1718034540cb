// wsops.conformance.json: where a repository keeps its contracts, examples and policies, which extra
// commands CI runs, and which diff findings it accepts (per contract and rule, with a reason).
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { isDiffRuleId } from "@workspace-ops/contracts/diff";
import { z } from "zod";

export const configFileName = "wsops.conformance.json";

const path = z.string().min(1);

const ignoreSchema = z
  .object({
    contract: z.string().min(1),
    rules: z
      .array(
        z.string().refine(isDiffRuleId, {
          error: (i) => `${JSON.stringify(i.input)} is not a diff rule id (docs/ci.md lists them)`,
        }),
      )
      .min(1),
    reason: z.string().min(1, { error: "say why the change is accepted" }),
  })
  .strict();

export type DiffIgnore = z.infer<typeof ignoreSchema>;

const configSchema = z
  .object({
    $schema: z.string().optional(),
    contracts: path.optional(),
    examples: path.optional(),
    policies: path.optional(),
    policyFixtures: path.optional(),
    policy: z
      .object({
        threshold: z.number().min(0).max(100).optional(),
        inputSchemas: path.optional(),
        capabilities: path.optional(),
        entrypoints: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .optional(),
    crossLanguage: z
      .object({
        python: z
          .object({ required: z.boolean().optional(), interpreter: path.optional() })
          .strict()
          .optional(),
        go: z.object({ required: z.boolean().optional(), binary: path.optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    commands: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: "a lowercase id: letters, digits, -" }),
            title: z.string().min(1).optional(),
            argv: z.array(z.string()).min(1),
          })
          .strict(),
      )
      .optional(),
    diff: z
      .object({ ignore: z.array(ignoreSchema).optional() })
      .strict()
      .optional(),
  })
  .strict();

export type ConformanceConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = "config_invalid";
  constructor(
    message: string,
    readonly pointer = "",
  ) {
    super(message);
  }
}

/** Folders and settings, resolved against the folder of the configuration (or the working directory). */
export interface ResolvedConfig {
  /** The folder paths are relative to. */
  root: string;
  file: string | null;
  contracts: { dir: string; configured: boolean };
  examples: { dir: string; configured: boolean };
  policies: { dir: string; configured: boolean };
  policyFixtures: { dir: string; configured: boolean };
  policy: NonNullable<ConformanceConfig["policy"]>;
  crossLanguage: NonNullable<ConformanceConfig["crossLanguage"]>;
  commands: NonNullable<ConformanceConfig["commands"]>;
  diffIgnore: DiffIgnore[];
}

/**
 * Reads the configuration: `file` when given (it must exist), else wsops.conformance.json in `cwd`
 * when there is one, else the defaults (contracts/, examples/, policies/, policy-fixtures/).
 */
export async function loadConfig(cwd: string, file?: string): Promise<ResolvedConfig> {
  const candidate = resolve(cwd, file ?? configFileName);
  let text: string | null = null;
  try {
    text = await readFile(candidate, "utf8");
  } catch (error) {
    if (file || (error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new ConfigError(
        `cannot read ${candidate}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
  }
  let config: ConformanceConfig = {};
  if (text !== null) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${candidate} is not JSON: ${(error as Error).message}`);
    }
    const parsed = configSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const pointer = issue ? `/${issue.path.join("/")}` : "";
      throw new ConfigError(`${candidate}${pointer}: ${issue?.message ?? "invalid"}`, pointer);
    }
    config = parsed.data;
  }
  const root = text === null ? resolve(cwd) : dirname(candidate);
  const folder = (value: string | undefined, fallback: string) => ({
    dir: resolve(root, value ?? fallback),
    configured: value !== undefined,
  });
  const policy = { ...config.policy };
  for (const key of ["inputSchemas", "capabilities"] as const)
    if (policy[key]) policy[key] = resolve(root, policy[key]);
  return {
    root,
    file: text === null ? null : candidate,
    contracts: folder(config.contracts, "contracts"),
    examples: folder(config.examples, "examples"),
    policies: folder(config.policies, "policies"),
    policyFixtures: folder(config.policyFixtures, "policy-fixtures"),
    policy,
    crossLanguage: config.crossLanguage ?? {},
    commands: config.commands ?? [],
    diffIgnore: config.diff?.ignore ?? [],
  };
}
