// The stores an export reads: state directories (their SQLite file) and store URLs, opened as the
// executor opens them. An export never creates a store: a state directory without one is an error.
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { describeStore, openStore } from "@workspace-ops/executor";
import type { Store } from "@workspace-ops/store";
import { TrajectoryError } from "./errors.js";
import type { ExportSource } from "./export.js";

/** A state directory, or a store URL (sqlite:PATH, postgres://…). */
export type StoreSelection = { stateDir: string } | { url: string };

function sqliteFileOf(selection: StoreSelection): string | undefined {
  if ("stateDir" in selection) return join(resolve(selection.stateDir), "state.db");
  if (!selection.url.startsWith("sqlite:")) return undefined;
  const path = selection.url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
  return isAbsolute(path) ? path : resolve(path);
}

/** Opens every selected store; on a failure closes those already open. */
export async function openSources(
  selections: readonly StoreSelection[],
): Promise<{ sources: ExportSource[]; close: () => Promise<void> }> {
  const opened: ExportSource[] = [];
  const close = async () => {
    await Promise.all(opened.map((s) => s.store.close()));
  };
  try {
    for (const selection of selections) {
      const file = sqliteFileOf(selection);
      if (file !== undefined && !existsSync(file))
        throw new TrajectoryError(
          "store_missing",
          `no store at ${file}: nothing has been recorded there`,
          "",
          file,
        );
      // An export only reads: durability does not matter.
      const target =
        "stateDir" in selection
          ? { stateDir: resolve(selection.stateDir), url: `sqlite:${file}`, durability: "relaxed" as const }
          : { stateDir: process.cwd(), url: selection.url, durability: "relaxed" as const };
      const store: Store = await openStore(target);
      opened.push({ store, location: describeStore(target) });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { sources: opened, close };
}
