export { openAuditLog } from "./audit-log.js";
export { canonicalJson } from "./canonical-json.js";
export { GENESIS_HASH, hashRecord } from "./record-hash.js";
export type {
  AuditDefect,
  AuditLog,
  AuditLogOptions,
  AuditRecord,
  AuditRecovery,
  AuditVerification,
  NewAuditRecord,
} from "./types.js";
export { verifyAuditLog } from "./verify.js";
