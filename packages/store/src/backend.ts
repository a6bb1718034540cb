// Building blocks for a Store backend (@workspace-ops/store-postgres uses them): what a commit writes,
// how audit rows are read back, checked and exported — the same for every database.
export { type AuditRow, auditFromRow, type ParsedAudit, parseAuditRow } from "./audit/audit-fields.js";
export { assertChainEnd } from "./audit/chain-end.js";
export { needsSignedRecord, parseHeadSignature } from "./audit/head-signature.js";
export { type AuditSnapshot, exportSnapshot, verifySnapshot } from "./audit/snapshot.js";
export { ownerIsGone } from "./claims.js";
export {
  type CommitPlan,
  type CommitState,
  type ExistingReservation,
  type PreparedBatch,
  planCommit,
  prepareBatch,
  type UsageScope,
  usageScopes,
} from "./commit-plan.js";
export { OperationTracker } from "./operation-tracker.js";
export {
  type ApprovalRowIn,
  approvalFromRow,
  approvalListing,
  pageLimit,
  type RecordRowIn,
  type ReservationRowIn,
  recordFromRow,
  reservationFromRow,
  type SessionRowIn,
  type StreamRowIn,
  sessionFromRow,
  sessionListing,
  streamFromRow,
  streamListing,
} from "./rows.js";
