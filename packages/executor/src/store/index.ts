export { isStateError, StateError, type StateErrorCode } from "./errors.js";
export { DEFAULT_LOCK_TIMEOUT_MS } from "./file-lock.js";
export { openFileStore } from "./file-store.js";
export type {
  AppendOptions,
  FileStore,
  FileStoreOptions,
  NewRecord,
  Store,
  StoredRecord,
  StreamRecovery,
} from "./types.js";
