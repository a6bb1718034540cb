#!/usr/bin/env node
// Builds the Go validator of the cross-language check (main.go beside this file) into
// .tools/bin/wsops-jsonschema-go, with its dependencies from the Go module proxy only (the pinned
// proxy with no `direct` fallback, GOVCS=*:off, -mod=mod against the committed go.mod and go.sum).
//
//   node tools/go-validator/install.mjs     build when the sources or the Go version changed; print the path
//
// Idempotent: a stamp holding the digest of main.go, go.mod, go.sum and `go version` makes a second
// run a no-op.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { goEnv, readPins, withLock } from "../opa/install.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const bin = join(root, ".tools/bin/wsops-jsonschema-go");
const stamp = `${bin}.sha256`;

const run = (file, args, options = {}) =>
  new Promise((done) =>
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, ...options }, (error, stdout, stderr) =>
      done({
        code: error ? (typeof error.code === "number" ? error.code : 127) : 0,
        stdout,
        stderr: stderr || error?.message || "",
      }),
    ),
  );

const goVersion = await run("go", ["version"]);
if (goVersion.code !== 0) {
  console.error(`tools/go-validator: go is not on PATH (need Go >= 1.26): ${goVersion.stderr.trim()}`);
  process.exit(2);
}
const digest = createHash("sha256");
for (const name of ["main.go", "go.mod", "go.sum"])
  digest.update(name).update(readFileSync(join(here, name)));
digest.update(goVersion.stdout);
const want = digest.digest("hex");

const fresh = () => existsSync(bin) && existsSync(stamp) && readFileSync(stamp, "utf8") === want;
if (!fresh()) {
  await withLock(async () => {
    if (fresh()) return;
    mkdirSync(dirname(bin), { recursive: true });
    const started = Date.now();
    const build = await run("go", ["build", "-trimpath", "-o", bin, "."], {
      cwd: here,
      env: goEnv(readPins()),
    });
    if (build.code !== 0) {
      console.error(`tools/go-validator: go build failed:\n${build.stderr}`);
      process.exit(1);
    }
    writeFileSync(stamp, want);
    console.error(`tools/go-validator: built ${bin} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  });
}
console.log(bin);
