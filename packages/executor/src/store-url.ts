// Which store an executor uses: --store URL, else $WSOPS_STORE_URL, else SQLite at <stateDir>/state.db.
// PostgreSQL is loaded (with its driver) only for a postgres:// URL, so the SQLite path never loads pg.
import { isAbsolute, join, resolve } from "node:path";
import { type Durability, openSqliteStore, StateError, type Store } from "@workspace-ops/store";

export interface StoreSelection {
  /** `sqlite:PATH`, `postgres://…` or `postgresql://…`; default $WSOPS_STORE_URL, else SQLite in the state directory. */
  url?: string | undefined;
  stateDir: string;
  durability: Durability;
}

/** The store a selection names, without opening it: for messages. */
export function describeStore(selection: StoreSelection): string {
  const url = selection.url || process.env.WSOPS_STORE_URL || "";
  if (url === "") return `sqlite:${join(selection.stateDir, "state.db")}`;
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

export async function openStore(selection: StoreSelection): Promise<Store> {
  const url = selection.url || process.env.WSOPS_STORE_URL || "";
  const { durability } = selection;
  if (url === "") return openSqliteStore(join(selection.stateDir, "state.db"), { durability });
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "")
      throw new StateError("unavailable", "sqlite: needs a path, as in sqlite:/var/lib/wsops/state.db");
    return openSqliteStore(isAbsolute(path) ? path : resolve(path), { durability });
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    let postgres: typeof import("@workspace-ops/store-postgres");
    try {
      postgres = await import("@workspace-ops/store-postgres");
    } catch (error) {
      throw new StateError(
        "unavailable",
        `a postgres:// store needs @workspace-ops/store-postgres (npm install @workspace-ops/store-postgres): ${(error as Error).message}`,
      );
    }
    return postgres.openPostgresStore(url, { durability });
  }
  throw new StateError(
    "unavailable",
    `unknown store URL ${describeStore(selection)}: use sqlite:PATH or postgres://…`,
  );
}
