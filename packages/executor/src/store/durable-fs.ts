import { mkdir, open, rename } from "node:fs/promises";
import { dirname } from "node:path";

/** A new or renamed directory entry is durable only once its directory is fsynced. */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** mkdir -p, fsyncing the parent of every directory it had to create. */
export async function ensureDirectory(path: string, fsync: boolean): Promise<void> {
  const firstCreated = await mkdir(path, { recursive: true });
  if (!fsync || firstCreated === undefined) return;
  const parents: string[] = [];
  for (let created = path; ; created = dirname(created)) {
    parents.push(dirname(created));
    if (created === firstCreated || dirname(created) === created) break;
  }
  for (const parent of parents) await fsyncDirectory(parent);
}

export interface ReplaceOptions {
  /** fsync the new content before the rename, so the name never points at a half-written file. */
  fsyncContent: boolean;
  /** fsync the directory after the rename, so the new version survives a power loss. */
  fsyncDirectory: boolean;
}

/**
 * Replace a small file so a reader sees either the old or the new content, never a mix. Writers
 * must be serialized (the audit log holds its lock): they share one temporary name, so a crash
 * leaves at most one stray temporary file, which the next write overwrites.
 */
export async function replaceFileAtomically(
  path: string,
  text: string,
  options: ReplaceOptions,
): Promise<void> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, "w");
  try {
    await handle.writeFile(text);
    if (options.fsyncContent) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  if (options.fsyncDirectory) await fsyncDirectory(dirname(path));
}
