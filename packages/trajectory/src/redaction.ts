// What the export redacts: the default rules of @workspace-ops/redact, random-looking tokens, the user
// names of home directory paths, and what a configuration file adds (user names, rules of its own).
// Everything written passes through one pass over the whole trajectory, before any serializer sees it.
import { createHash } from "node:crypto";
import {
  createRedactor,
  defaultRules,
  highEntropyRule,
  homePathRule,
  type RedactionReport,
  type RedactionRule,
  redactorVersion,
  userNameRule,
} from "@workspace-ops/redact";
import { z } from "zod";
import { readConfig } from "./config-file.js";
import { TrajectoryError } from "./errors.js";

const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, {
  error: "must be an identifier (letters, digits and . _ : -, at most 128 characters)",
});

const redactionConfigSchema = z.strictObject({
  /** Replace the user name of /home/NAME and /Users/NAME paths (default true). */
  homePaths: z.boolean().optional(),
  /** Replace random-looking tokens (default true). */
  highEntropy: z.boolean().optional(),
  /** User names to replace wherever they stand as a word. */
  userNames: z.array(z.string().min(1).max(256)).max(256).optional(),
  /** Rules of your own, applied before the defaults (so they report under their own id). */
  rules: z
    .array(
      z
        .strictObject({
          id: identifier,
          description: z.string().min(1).max(4096),
          pattern: z.string().min(1).max(4096).optional(),
          flags: z
            .string()
            .regex(/^[imsu]*$/, { error: "flags may only hold i, m, s and u (g is always added)" })
            .optional(),
          keys: z.string().min(1).max(4096).optional(),
        })
        .refine((rule) => rule.pattern !== undefined || rule.keys !== undefined, {
          error: "a rule needs a pattern, keys, or both",
        }),
    )
    .max(128)
    .optional(),
});

export type RedactionConfig = z.infer<typeof redactionConfigSchema>;

/** The rules an export applies, and the version it reports (the redactor's, plus a digest of the rules). */
export interface ExportRedaction {
  rules: readonly RedactionRule[];
  /** `<redactor version>+rules.<12 hex of the rule set's digest>`: two reports with the same version used the same rules. */
  version: string;
}

function compile(source: string, flags: string, file: string, pointer: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new TrajectoryError(
      "config_invalid",
      `${file} at ${pointer}: not a regular expression: ${(error as Error).message}`,
      pointer,
      file,
    );
  }
}

/** The export's rules from a configuration (already read); `file` names it in errors. */
export function exportRedaction(
  config: RedactionConfig = {},
  file = "the redaction configuration",
): ExportRedaction {
  const custom: RedactionRule[] = (config.rules ?? []).map((rule, i) => ({
    id: rule.id,
    description: rule.description,
    ...(rule.pattern !== undefined
      ? { pattern: compile(rule.pattern, `${rule.flags ?? ""}g`, file, `/rules/${i}/pattern`) }
      : {}),
    ...(rule.keys !== undefined
      ? { keys: compile(rule.keys, rule.flags ?? "", file, `/rules/${i}/keys`) }
      : {}),
  }));
  const rules = [
    ...custom,
    ...defaultRules,
    ...(config.homePaths === false ? [] : [homePathRule]),
    ...(config.userNames?.length ? [userNameRule(config.userNames)] : []),
    ...(config.highEntropy === false ? [] : [highEntropyRule]),
  ];
  const first = new Map<string, number>();
  for (const [i, rule] of rules.entries()) {
    const taken = first.get(rule.id);
    if (taken !== undefined)
      throw new TrajectoryError(
        "config_invalid",
        `${file}: rule id ${JSON.stringify(rule.id)} is taken (by a default rule or an earlier one)`,
        taken < custom.length ? `/rules/${taken}/id` : "",
        file,
      );
    first.set(rule.id, i);
  }
  const described = rules.map((r) => [
    r.id,
    r.pattern?.source ?? "",
    r.pattern?.flags ?? "",
    r.keys?.source ?? "",
  ]);
  const digest = createHash("sha256").update(JSON.stringify(described)).digest("hex").slice(0, 12);
  return { rules, version: `${redactorVersion}+rules.${digest}` };
}

export async function loadExportRedaction(file: string): Promise<ExportRedaction> {
  return exportRedaction(await readConfig(redactionConfigSchema, file), file);
}

/**
 * The export's redactor (its rules compiled once, for every trajectory): each value's report carries
 * the export's rules version.
 */
export function exportRedactor(
  redaction: ExportRedaction,
  now: () => Date,
): {
  redact: <T>(value: T) => { value: T; report: RedactionReport };
  text: (text: string) => string;
} {
  const redactor = createRedactor({ rules: redaction.rules, now });
  return {
    redact: (value) => {
      const { value: redacted, report } = redactor.redact(value);
      return { value: redacted, report: { ...report, redactorVersion: redaction.version } };
    },
    text: (text) => redactor.redactText(text).text,
  };
}
