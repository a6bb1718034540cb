// A conformance worker process on a SQLite store: argv <path> <durability> <mode> [args…] (see worker-loop.ts).
import { openSqliteStore } from "../sqlite/sqlite-store.ts";
import { runWorker } from "./worker-loop.ts";

const [path, durability, mode, ...args] = process.argv.slice(2);
await runWorker(await openSqliteStore(path, { durability }), mode, args);
