// OPA / Regal toolchain installer (Node 20 ESM, builtins only).
//
// Installs the versions pinned in tools/opa/versions.json into <repo>/.tools/bin (git-ignored) with
// `go install` from the Go module proxy only: GOPROXY is the pinned proxy with no `direct`
// fallback, and GOVCS=*:off stops any VCS fetch. Nothing is downloaded by URL.
//
//   node tools/opa/install.mjs          install both if needed (exit 0 even if Regal is unavailable)
//   import { ensureOpa } from "../../tools/opa/install.mjs"
//   const { opa, regal } = await ensureOpa();   // absolute paths; regal is null if unavailable
//
// Idempotent: when .tools/bin/opa (and regal) already report the pinned versions, no go command runs.
// WSOPS_OPA_BIN=/path/to/opa uses that binary instead of installing OPA; its version is still checked.
//
// Regal: the proxy answers 403 for github.com/open-policy-agent/regal/@v/list. `go install
// pkg@version` reads that list to check for deprecation, so it fails. Regal is therefore built from
// a generated wrapper module (.tools/mod/regal/go.mod requiring the pinned version), which needs only
// the version's .info/.mod/.zip files. The build list is still fixed by Regal's go.mod (MVS), and
// checksums are still verified against sum.golang.org. -ldflags sets Regal's version string; plain
// go builds leave it as "unknown".

import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const TOOLS = join(ROOT, ".tools");
const BIN = join(TOOLS, "bin");
const LOCK = join(TOOLS, ".install.lock");

const log = (msg) => process.stderr.write(`tools/opa: ${msg}\n`);

export function readPins() {
  return JSON.parse(readFileSync(join(HERE, "versions.json"), "utf8"));
}

/** Error carrying the exact output of a failed go command. */
export class GoInstallError extends Error {
  constructor(what, args, result) {
    super(`${what}: \`go ${args.join(" ")}\` failed (exit ${result.code})\n${result.stderr}`);
    this.name = "GoInstallError";
    this.what = what;
    this.goArgs = args;
    this.goStderr = result.stderr;
    this.goStdout = result.stdout;
    this.exitCode = typeof result.code === "number" && result.code > 0 ? result.code : 1;
  }
}

function run(file, args, opts = {}) {
  return new Promise((res) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, ...opts }, (err, stdout, stderr) => {
      res({
        code: err ? (typeof err.code === "number" ? err.code : 1) : 0,
        spawnError: err && typeof err.code === "string" ? err : null,
        stdout: String(stdout ?? ""),
        stderr: String(stderr ?? ""),
      });
    });
  });
}

/** Environment for go: module proxy only, no VCS, host binaries into GOBIN. */
export function goEnv(pins) {
  const env = { ...process.env };
  for (const k of ["GOOS", "GOARCH", "GOFLAGS", "GONOPROXY", "GOPRIVATE", "GOINSECURE", "GOEXPERIMENT"])
    delete env[k];
  return {
    ...env,
    GOBIN: BIN,
    GOPROXY: pins.goproxy,
    GOVCS: "*:off",
    GOFLAGS: "-mod=mod",
    GOWORK: "off",
  };
}

const stripV = (v) => String(v).replace(/^v/, "");

/** Version reported by `opa version`, or null if the binary is missing or fails. */
async function opaVersion(bin) {
  if (!isFile(bin)) return null;
  const r = await run(bin, ["version"], { timeout: 15000 });
  if (r.code !== 0) return null;
  const m = /^Version:\s*(\S+)/m.exec(r.stdout);
  return m ? m[1] : null;
}

/** Version reported by `regal version`, or null if the binary is missing or fails. */
async function regalVersion(bin) {
  if (!isFile(bin)) return null;
  const r = await run(bin, ["version", "--format", "json"], { timeout: 15000 });
  if (r.code !== 0) return null;
  try {
    return JSON.parse(r.stdout).version ?? null;
  } catch {
    const m = /^Version:\s*(\S+)/m.exec(r.stdout);
    return m ? m[1] : null;
  }
}

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function whichOnPath(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && isFile(join(dir, name))) return join(dir, name);
  }
  return null;
}

async function goInstall(what, args, opts) {
  const r = await run("go", args, opts);
  if (r.spawnError?.code === "ENOENT") {
    throw new GoInstallError(what, args, {
      code: 127,
      stdout: "",
      stderr: "go: command not found on PATH (need Go >= 1.26, or set WSOPS_OPA_BIN for OPA)\n",
    });
  }
  if (r.code !== 0) throw new GoInstallError(what, args, r);
}

async function installOpa(pins) {
  const { module, version } = pins.opa;
  const args = ["install", `${module}@${version}`];
  log(`installing opa ${version} (go ${args.join(" ")})`);
  const t0 = Date.now();
  await goInstall("opa", args, { cwd: TOOLS, env: goEnv(pins) });
  log(`opa built in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

async function installRegal(pins) {
  const { module, version, tags = [] } = pins.regal;
  const modDir = join(TOOLS, "mod", "regal");
  mkdirSync(modDir, { recursive: true });
  // Regenerated from the pin on every install; go (-mod=mod) completes it and writes go.sum.
  writeFileSync(
    join(modDir, "go.mod"),
    `// Generated by tools/opa/install.mjs; do not edit.\nmodule wsops.local/tools/regal\n\ngo 1.25\n\nrequire ${module} ${version}\n`,
  );
  rmSync(join(modDir, "go.sum"), { force: true });
  const args = ["install"];
  if (tags.length) args.push("-tags", tags.join(","));
  args.push("-ldflags", `-X ${module}/pkg/version.Version=${version}`, module);
  log(`installing regal ${version} (go ${args.join(" ")}, in .tools/mod/regal)`);
  const t0 = Date.now();
  await goInstall("regal", args, { cwd: modDir, env: goEnv(pins) });
  log(`regal built in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

// Cross-process lock so parallel build/test scripts don't run go install twice.
export async function withLock(fn) {
  mkdirSync(TOOLS, { recursive: true });
  const deadline = Date.now() + 20 * 60 * 1000;
  let waited = false;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(LOCK, "pid"), "utf8"));
      } catch {}
      let alive = false;
      if (owner > 0) {
        try {
          process.kill(owner, 0);
          alive = true;
        } catch (err) {
          alive = err.code === "EPERM";
        }
      } else {
        // pid not written yet, or lock left by a crash: young locks count as held.
        try {
          alive = Date.now() - statSync(LOCK).mtimeMs < 30000;
        } catch {}
      }
      if (!alive) {
        rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK} (held by pid ${owner})`);
      if (!waited) log(`waiting for another install (pid ${owner})`);
      waited = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

async function ensureOpaBinary(pins) {
  const want = stripV(pins.opa.version);
  const override = process.env.WSOPS_OPA_BIN;
  if (override) {
    const bin = override.includes("/") || isAbsolute(override) ? resolve(override) : whichOnPath(override);
    const got = bin ? await opaVersion(bin) : null;
    if (got === null)
      throw new Error(`WSOPS_OPA_BIN=${override}: not an opa binary, or \`opa version\` failed`);
    if (got !== want) throw new Error(`WSOPS_OPA_BIN=${override}: reports opa ${got}, pinned ${want}`);
    return { bin, ok: true };
  }
  const bin = join(BIN, "opa");
  if ((await opaVersion(bin)) === want) return { bin, ok: true };
  return { bin, ok: false };
}

async function verifyOpa(bin, pins) {
  const got = await opaVersion(bin);
  const want = stripV(pins.opa.version);
  if (got !== want)
    throw new Error(`after install, ${bin} reports opa ${got ?? "(no version)"}, pinned ${want}`);
}

/**
 * Make sure the pinned OPA (and Regal, when it can be installed) are available.
 * @returns {Promise<{opa: string, regal: string|null}>} absolute paths; regal is null if unavailable.
 * Throws a GoInstallError (with the exact go output) if installing OPA fails.
 */
export async function ensureOpa() {
  const pins = readPins();
  const regalPin = pins.regal?.version ?? null;
  const regalBin = join(BIN, "regal");

  if (regalPin === null)
    log("WARNING: regal is not pinned (versions.json regal.version is null); Rego lint unavailable");

  let opa = await ensureOpaBinary(pins);
  const regalOk = regalPin === null || (await regalVersion(regalBin)) === regalPin;
  if (opa.ok && regalOk) {
    return { opa: opa.bin, regal: regalPin === null ? null : regalBin };
  }

  return withLock(async () => {
    // Another process may have finished the install while we waited.
    opa = await ensureOpaBinary(pins);
    if (!opa.ok) {
      await installOpa(pins);
      await verifyOpa(opa.bin, pins);
      log(`opa ${stripV(pins.opa.version)} ready: ${opa.bin}`);
    }

    if (regalPin === null) return { opa: opa.bin, regal: null };
    if ((await regalVersion(regalBin)) === regalPin) return { opa: opa.bin, regal: regalBin };
    try {
      await installRegal(pins);
      const got = await regalVersion(regalBin);
      if (got !== regalPin)
        throw new Error(
          `after install, ${regalBin} reports regal ${got ?? "(no version)"}, pinned ${regalPin}`,
        );
      log(`regal ${regalPin} ready: ${regalBin}`);
      return { opa: opa.bin, regal: regalBin };
    } catch (e) {
      log(`WARNING: regal ${regalPin} is unavailable; Rego lint will be skipped.`);
      process.stderr.write(e instanceof GoInstallError ? e.goStderr : `${e.message}\n`);
      return { opa: opa.bin, regal: null };
    }
  });
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const t0 = Date.now();
  try {
    const { opa, regal } = await ensureOpa();
    const ms = Date.now() - t0;
    log(
      `ok in ${ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`}: opa=${opa} regal=${regal ?? "UNAVAILABLE"}`,
    );
  } catch (e) {
    if (e instanceof GoInstallError) {
      log(`go install of ${e.what} failed:`);
      process.stderr.write(e.goStderr);
      process.exit(e.exitCode);
    }
    log(`error: ${e.message}`);
    process.exit(1);
  }
}
