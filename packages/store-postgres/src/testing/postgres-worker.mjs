// A conformance worker process on a PostgreSQL store: argv <url> <durability> <mode> [args…] (see worker-loop.ts).
import { openPostgresStore } from "../postgres-store.ts";

const { runWorker } = await import(
  new URL("../../../store/dist/testing/worker-loop.js", import.meta.url).href
);
const [url, durability, mode, ...args] = process.argv.slice(2);
await runWorker(await openPostgresStore(url, { durability }), mode, args);
