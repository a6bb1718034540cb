export { bubblewrapAvailable } from "./bubblewrap-probe.js";
export { runSandboxed } from "./run.js";
export type {
  Backend,
  CompletedRun,
  RunOutcome,
  RunResult,
  RunSpec,
  StreamCapture,
  UnavailableCode,
  UnavailableReason,
  UnavailableRun,
} from "./types.js";
