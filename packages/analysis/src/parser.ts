// The shell parser: tree-sitter-bash through web-tree-sitter, both pinned. Loading is async (two
// WebAssembly modules) and happens once per process; parsing is synchronous and bounded in time.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Tree } from "web-tree-sitter";

const require = createRequire(import.meta.url);

/** The grammar's version, for CommandAnalysis.analyzer. */
export const grammarVersion: string = (require("tree-sitter-bash/package.json") as { version: string })
  .version;

export interface ShellParser {
  /** The syntax tree, or null when parsing took longer than `deadlineMs` (the parser is reset). */
  parse(script: string, deadlineMs: number): Tree | null;
}

let loading: Promise<ShellParser> | undefined;

/** Loads web-tree-sitter and the bash grammar once; later calls share the same parser. */
export function loadShellParser(): Promise<ShellParser> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined; // a failed load may be retried
    throw error;
  });
  return loading;
}

async function load(): Promise<ShellParser> {
  // Imported here, not above: a process that analyses no script never loads tree-sitter.
  const { Language, Parser } = await import("web-tree-sitter");
  await Parser.init();
  const wasm = await readFile(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
  const bash = await Language.load(new Uint8Array(wasm));
  const parser = new Parser();
  parser.setLanguage(bash);
  return {
    parse(script, deadlineMs) {
      const deadline = performance.now() + deadlineMs;
      // The callback returning true cancels the parse (web-tree-sitter's typings say void).
      const progressCallback = (() => performance.now() > deadline) as unknown as () => void;
      const tree = parser.parse(script, null, { progressCallback });
      if (!tree) parser.reset();
      return tree;
    },
  };
}
