export { migrations } from "./migrations.js";
export { openPostgresStore, type PostgresStoreOptions, parsePostgresUrl } from "./postgres-store.js";
