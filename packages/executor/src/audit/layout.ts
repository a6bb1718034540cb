import { join } from "node:path";

/** Where the audit log keeps its files inside its directory. */
export const auditPaths = (dir: string) => ({
  log: join(dir, "audit.jsonl"),
  head: join(dir, "audit.head.json"),
  lock: join(dir, "audit.lock"),
});
