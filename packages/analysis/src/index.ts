export {
  type AnalysisLimits,
  type Analyzer,
  analyzerName,
  defaultLimits,
  loadAnalyzer,
  ShellParserNeeded,
} from "./analyze.js";
export type {
  AnalysisUnknown,
  Assignment,
  CommandAnalysis,
  CommandPart,
  CommandRedirect,
  Operator,
  UnknownCode,
  Wrapper,
} from "./types.js";
