import { z } from "zod";

// The policy decision document every entrypoint returns. It is the policies' output, not a contract:
// the executor wraps it into a ToolExecutionDecision record and validates that against its contract.
const reason = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]*$/, "must be a snake_case code"),
    message: z.string().min(1),
    policy: z.string().min(1),
  })
  .strict();

const riskClass = z.enum(["read_only", "mutating", "code_execution", "network", "unknown", "destructive"]);

/** Decision provenance of an analysed shell call (workspace_ops.rules.tool_risk.classification). */
const classification = z
  .object({
    class: riskClass,
    part: z.number().int().min(0).optional(),
    rule: z.string().regex(/^[a-z][a-z0-9_]*$/, "must be a snake_case code"),
    parts: z.array(
      z
        .object({
          index: z.number().int().min(0),
          program: z.string().optional(),
          class: riskClass,
          source: z.string().min(1),
          entry: z.string(),
          token: z.string(),
        })
        .strict(),
    ),
  })
  .strict();

/** A model call's entry of the persona's chain (workspace_ops.rules.routing.route). */
const route = z
  .object({
    entry: z.number().int().min(0),
    provider: z.string().min(1),
    model: z.string().min(1),
    bindingId: z.string().min(1),
  })
  .strict();

/** An entry a model call's walk passed over, and why (workspace_ops.rules.routing.skipped). */
const skippedEntry = z
  .object({ entry: z.number().int().min(0), provider: z.string(), model: z.string(), reason })
  .strict();

export const decisionSchema = z
  .object({
    decision: z.enum(["allow", "deny", "approval_required"]),
    reasons: z.array(reason),
    obligations: z.record(z.string(), z.unknown()),
    classification: classification.optional(),
    route: route.optional(),
    skipped: z.array(skippedEntry).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.decision !== "allow" && d.reasons.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["reasons"],
        message: `a ${d.decision} decision needs at least one reason`,
      });
    }
  });

export type Decision = z.infer<typeof decisionSchema>;
export type DecisionReason = Decision["reasons"][number];
export type DecisionClassification = NonNullable<Decision["classification"]>;
export type DecisionRoute = NonNullable<Decision["route"]>;
export type DecisionSkippedEntry = NonNullable<Decision["skipped"]>[number];
