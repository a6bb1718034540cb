import { type ParseArgsConfig, parseArgs } from "node:util";
import type { z } from "zod";
import { UsageError } from "./io.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses a command's arguments with node's parseArgs, then checks the values with a zod schema.
 * Every mistake becomes a UsageError whose message names the flag.
 */
export function parseCommand<T extends z.ZodType>(
  argv: string[],
  options: Options,
  schema: T,
): { values: z.infer<T>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs appends advice about "--" to unknown options; the usage printed after it says more.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const issue = result.error.issues[0];
    const flag = issue?.path.length ? `--${issue.path.join(".")}` : "arguments";
    throw new UsageError(`${flag}: ${issue?.message ?? "invalid"}`);
  }
  return { values: result.data, positionals: parsed.positionals };
}
