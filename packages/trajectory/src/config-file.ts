// Reading a JSON configuration file (a reward table, a redaction configuration) against a zod schema:
// every mistake is a TrajectoryError naming the file and the JSON pointer of what is wrong.
import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { TrajectoryError } from "./errors.js";

const pointerOf = (path: readonly PropertyKey[]) =>
  path.map((key) => `/${String(key).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

/** Checks an already parsed value; `file` names it in errors. */
export function checkConfig<T extends z.ZodType>(schema: T, value: unknown, file: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown key is named in the pointer itself, so the message says where it is.
  const unknown = issue?.code === "unrecognized_keys" ? [issue.keys[0] ?? ""] : [];
  const pointer = pointerOf([...(issue?.path ?? []), ...unknown]);
  throw new TrajectoryError(
    "config_invalid",
    `${file}${pointer ? ` at ${pointer}` : ""}: ${issue?.message ?? "invalid"}`,
    pointer,
    file,
  );
}

/** Reads and checks a JSON file. */
export async function readConfig<T extends z.ZodType>(schema: T, file: string): Promise<z.infer<T>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new TrajectoryError(
      "config_unreadable",
      `cannot read ${file}: ${(error as Error).message}`,
      "",
      file,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrajectoryError("config_invalid", `${file} is not JSON: ${(error as Error).message}`, "", file);
  }
  return checkConfig(schema, value, file);
}
