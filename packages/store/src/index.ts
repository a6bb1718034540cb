// Canonical JSON lives in @workspace-ops/contracts (the packages below the store use it too); kept here
// for the store's callers.
export { canonicalJson } from "@workspace-ops/contracts/canonical-json";
export {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportHeader,
  serializeAuditRecord,
  verifyExportFile,
} from "./audit/export-format.js";
export { auditHeadMessage } from "./audit/head-signature.js";
export { GENESIS_HASH, HASH_PATTERN, hashRecord } from "./audit/record-hash.js";
export { type ChainSource, verifyChain } from "./audit/verify-chain.js";
export { ChangeFeed } from "./change-feed.js";
export { thisProcess } from "./claims.js";
export { isStateError, StateError, type StateErrorCode } from "./errors.js";
export { DEFAULT_POLL_MS, openSqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.js";
export { assertStreamName, isStreamName } from "./stream-name.js";
export type * from "./types.js";
