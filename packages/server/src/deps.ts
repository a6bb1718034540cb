import type { Executor } from "@workspace-ops/executor";
import type { Access } from "./auth/guard.js";

/** What the routes share. */
export interface Deps {
  executor: Executor;
  access: Access;
  /** The server package's version. */
  version: string;
  /** The flags that make `wsops approve` find this store, shown in decide's answers. */
  approveFlags: readonly string[];
  /** Ends the live event streams when the server closes. */
  closing: AbortSignal;
  /** Where failures of the server itself are told (stderr). */
  log: (line: string) => void;
}
