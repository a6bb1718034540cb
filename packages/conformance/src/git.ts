// Reading files of another revision with git (argv only, no shell): what `contracts diff` compares.
import { execFile } from "node:child_process";
import { relative, resolve, sep } from "node:path";
import { readSchemaFiles } from "@workspace-ops/contracts/authoring";

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function git(cwd: string, args: string[]): Promise<GitRun> {
  return new Promise((done) => {
    execFile(
      "git",
      args,
      { cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
        done({ code, stdout, stderr: stderr || (error && code === 127 ? error.message : "") });
      },
    );
  });
}

export class GitError extends Error {
  readonly code = "git_failed";
}

/** The repository's top folder, or null outside a git work tree. */
export async function repositoryRoot(cwd: string): Promise<string | null> {
  const run = await git(cwd, ["rev-parse", "--show-toplevel"]);
  return run.code === 0 ? run.stdout.trim() : null;
}

/** The commit a ref names; throws GitError naming the ref when it names none. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  if (ref.startsWith("-")) throw new GitError(`${ref} is not a git revision`);
  const run = await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (run.code !== 0) throw new GitError(`${ref} names no commit in ${root}`);
  return run.stdout.trim();
}

export interface RevisionFile {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

const toPosix = (path: string) => path.split(sep).join("/");

/** The *.json files under `dir` at a commit. */
export async function filesAtCommit(root: string, commit: string, dir: string): Promise<RevisionFile[]> {
  const prefix = toPosix(relative(root, resolve(dir)));
  const list = await git(root, [
    "ls-tree",
    "-r",
    "-z",
    "--full-name",
    "--name-only",
    commit,
    "--",
    prefix || ".",
  ]);
  if (list.code !== 0) throw new GitError(`git ls-tree ${commit} failed: ${list.stderr.trim()}`);
  const paths = list.stdout
    .split("\0")
    .filter((p) => p.endsWith(".json"))
    .sort();
  return Promise.all(
    paths.map(async (path) => {
      const show = await git(root, ["cat-file", "blob", `${commit}:${path}`]);
      if (show.code !== 0) throw new GitError(`cannot read ${path} at ${commit}: ${show.stderr.trim()}`);
      return { path, text: show.stdout };
    }),
  );
}

/** The *.json files under `dir` in the working tree, with paths relative to `root`. */
export async function filesOnDisk(root: string, dir: string): Promise<RevisionFile[]> {
  const files = await readSchemaFiles(resolve(dir));
  return files.map(({ path, text }) => ({ path: toPosix(relative(root, path)), text }));
}
