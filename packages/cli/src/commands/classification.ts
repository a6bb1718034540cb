// One line for a decision's provenance (ToolExecutionDecision.classification): explain, logs, status.

/** The fields read here, as both the contract and the policy's decision type have them. */
interface Classification {
  class: string;
  rule: string;
  part?: number | undefined;
  parts: { index: number; program?: string | undefined; entry: string; token: string }[];
}

export function describeClassification(c: Classification): string {
  const part = c.part === undefined ? undefined : c.parts.find((p) => p.index === c.part);
  const decidedBy = part
    ? `part ${part.index}${part.program ? ` ${part.program}` : ""}: ${part.entry}${part.token ? ` (${part.token})` : ""}`
    : "the call as a whole";
  return `class ${c.class}; ${c.rule}; decided by ${decidedBy}`;
}
