#!/usr/bin/env node
// @ts-check
// Ensures .tools/venv holds the pinned Python packages the cross-language test needs
// (test/python/requirements.txt, from PyPI). Idempotent: a stamp with the requirements' digest
// makes a second run a no-op. Prints the interpreter's path on stdout.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const venv = join(root, ".tools/venv");
const python = join(venv, "bin/python");
const requirements = join(root, "test/python/requirements.txt");
const stamp = join(venv, ".requirements.sha256");

/** @param {string} cmd @param {string[]} args */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.error || r.status !== 0) {
    console.error(`setup: ${cmd} ${args.join(" ")} failed:\n${r.error?.message ?? r.stderr}`);
    process.exit(2);
  }
}

const digest = createHash("sha256").update(readFileSync(requirements)).digest("hex");
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== digest || !existsSync(python)) {
  const base = process.env.PYTHON || "python3";
  console.error(`setup: creating .tools/venv with ${base} and installing test/python/requirements.txt`);
  if (!existsSync(python)) run(base, ["-m", "venv", venv]);
  run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements]);
  writeFileSync(stamp, digest);
}
console.log(python);
