// The analysis' output is the CommandAnalysis contract; these are its parts, named for this package.
import type { CommandAnalysis } from "@workspace-ops/contracts";

export type { CommandAnalysis };
export type CommandPart = CommandAnalysis["parts"][number];
export type CommandRedirect = NonNullable<CommandPart["redirects"]>[number];
export type AnalysisUnknown = CommandAnalysis["unknown"][number];
export type UnknownCode = AnalysisUnknown["code"];
export type Operator = CommandAnalysis["operators"][number];
export type Assignment = NonNullable<CommandPart["assignments"]>[number];
export type Wrapper = NonNullable<CommandPart["wrappers"]>[number];

/** One word of a command: its value when static, else its text as written. */
export interface Word {
  value: string;
  /** Not known statically: an expansion, a glob, brace or tilde expansion. */
  dynamic: boolean;
  /** What cannot be known at all (a substitution runs a command). */
  unknown: AnalysisUnknown[];
}

export const unknownOf = (code: UnknownCode, text: string): AnalysisUnknown => ({
  code,
  detail: text.length > 200 ? `${text.slice(0, 197)}...` : text,
});
