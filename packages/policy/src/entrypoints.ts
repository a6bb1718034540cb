/** The entrypoints the policy library exposes; the build compiles exactly these. */
export const entrypoints = [
  "workspace_ops/tool_execution/decision",
  "workspace_ops/operation/decision",
  "workspace_ops/approval/decision",
  "workspace_ops/model_call/decision",
] as const;

export type Entrypoint = (typeof entrypoints)[number];
