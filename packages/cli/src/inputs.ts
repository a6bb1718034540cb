// FILE arguments of `wsops validate`: a file, "-" for standard input, a directory (every *.json file
// beneath it), or a glob (quoted, so the shell leaves it to us: 'examples/**/valid/*.json').
import { stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { UsageError } from "./io.js";

export async function expandInputs(args: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    if (arg === "-") {
      files.push(arg);
      continue;
    }
    const info = await stat(arg).catch(() => null);
    if (info?.isDirectory()) {
      const found = await glob(["**/*.json"], { cwd: arg, onlyFiles: true, expandDirectories: false });
      if (found.length === 0) throw new UsageError(`${arg} is a directory with no .json files`);
      files.push(...found.sort().map((f) => join(arg, f)));
    } else if (!info && isDynamicPattern(arg)) {
      const found = await glob([arg], {
        onlyFiles: true,
        expandDirectories: false,
        absolute: isAbsolute(arg),
      });
      if (found.length === 0) throw new UsageError(`no file matches ${arg}`);
      files.push(...found.sort());
    } else files.push(arg); // a file, or a path that validateFile reports as unreadable
  }
  return files;
}
