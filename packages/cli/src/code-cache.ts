// Loads the CLI from its bundle (dist/wsops.bundle.cjs, made by scripts/bundle.mjs) with a V8 code
// cache, as v8-compile-cache does: Node 20 has no module compile cache, and a cold command otherwise
// spends most of its start resolving, reading and compiling its modules. The cache is V8's bytecode of
// what a command ran, one file per command (each compiles different functions), named after the
// bundle's identity (size, mtime, inode) and node's version, so a rebuilt bundle or another node never
// reads a cache made for another. It is code this process runs, so it lives in the executor's state
// root (code-cache/), which no governed tool may read or write and bubblewrap hides, not in
// ~/.cache where any command could plant one. Any failure — no bundle, no directory, a rejected cache —
// falls back to compiling, never to failing the command.
import { createHash } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";
import { stateRoot } from "@workspace-ops/executor/state-dir";

type Main = (argv: string[]) => Promise<number>;

export interface LoadedCli {
  main: Main;
  /** Writes the code cache when there was none (or V8 rejected it); call once the command is done. */
  saveCache(): void;
}

const bundleFile = fileURLToPath(new URL("./wsops.bundle.cjs", import.meta.url));

/** `${XDG_STATE_HOME:-~/.local/state}/wsops/code-cache`. */
const cacheDir = (): string => join(stateRoot(), "code-cache");

/** The code cache of an empty script: it differs only where V8's flags (their hash) differ. */
const flagsNow = () => new Script("0", { filename: "wsops-v8-flags" }).createCachedData();

/** The bundle with its code cache, or null when there is no bundle or WSOPS_CODE_CACHE=0. */
export function loadBundled(command: string | undefined): LoadedCli | null {
  if (process.env.WSOPS_CODE_CACHE === "0") return null;
  let source: string;
  let identity: string;
  try {
    const stat = statSync(bundleFile);
    identity = `${stat.size.toString(36)}-${Math.trunc(stat.mtimeMs).toString(36)}-${stat.ino.toString(36)}`;
    source = readFileSync(bundleFile, "utf8");
  } catch {
    return null;
  }
  // One file per command; anything else (a typo, a path) shares one.
  const name = command && /^[a-z][a-z-]{0,30}$/.test(command) ? command : "other";
  // Named after this bundle's path too, so that two installs never remove each other's caches.
  const place = createHash("sha256").update(bundleFile).digest("hex").slice(0, 12);
  const prefix = `bundle-${place}-${process.version}-${process.arch}-`;
  const cacheFile = join(cacheDir(), `${prefix}${identity}-${name}.v8`);
  const flagsAtLoad = flagsNow();
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundleFile,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as { main: Main } };
  script.runInThisContext()(
    module.exports,
    createRequire(bundleFile),
    module,
    bundleFile,
    dirname(bundleFile),
  );
  return {
    main: module.exports.main,
    saveCache: () => {
      if (cachedData && !script.cachedDataRejected) return;
      try {
        mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
        // Caches of this install's earlier builds are dead weight.
        for (const old of readdirSync(cacheDir()))
          if (old.startsWith(prefix) && !old.startsWith(`${prefix}${identity}-`))
            unlinkSync(join(cacheDir(), old));
        // V8 rejects a cache made under other flags than the loading process's. The one flag a command
        // changes as it runs is --liftoff-only, with what it implies (decideOnceAndExit in
        // commands/agent-shared.ts); the command is done, so they are set back to what the next
        // process starts with — and if the flags still differ, no cache is written.
        if (!flagsNow().equals(flagsAtLoad)) {
          setFlagsFromString("--no-liftoff-only");
          setFlagsFromString("--wasm-tier-up");
          setFlagsFromString("--wasm-dynamic-tiering");
          if (!flagsNow().equals(flagsAtLoad)) return;
        }
        const partial = `${cacheFile}.${process.pid}`;
        writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
        renameSync(partial, cacheFile);
      } catch {
        // a read-only or full cache directory: the next start compiles again
      }
    },
  };
}
