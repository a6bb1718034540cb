export { isTrajectoryError, TrajectoryError, type TrajectoryErrorCode } from "./errors.js";
export {
  type ExportedLine,
  type ExportFormat,
  type ExportOptions,
  type ExportProgress,
  type ExportSource,
  type ExportSummary,
  exportTrajectories,
  inCohort,
} from "./export.js";
export { lineageFileOf, writeLines } from "./output.js";
export {
  type ExportRedaction,
  exportRedaction,
  loadExportRedaction,
  type RedactionConfig,
} from "./redaction.js";
export {
  creditSignals,
  defaultRewardTable,
  loadRewardTable,
  type RewardSignal,
  type RewardTable,
  rewardSignals,
  rlTrajectory,
} from "./rewards.js";
export {
  type ChatMessage,
  type ChatTool,
  type ChatToolCall,
  type SftDialect,
  type SftExample,
  sftExample,
} from "./sft.js";
export { checkSftExample, type SftProblem } from "./sft-check.js";
export { openSources, type StoreSelection } from "./sources.js";
export type { SkipCount, SkipReason } from "./tally.js";
