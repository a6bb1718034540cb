// Bindings and model calls for tests, on the real clock: model calls reserve against the store's
// clock, so their operations are delegated around now.
import { randomUUID } from "node:crypto";
import type { ModelProviderBinding } from "@workspace-ops/contracts";
import type { Executor } from "../executor.js";
import { operation, profile, traceparent } from "./payloads.js";

/** The coder's chain: anthropic (no vision, priced), openai (its own budget), ollama (free). */
export function chainBinding(overrides: Partial<ModelProviderBinding> = {}): ModelProviderBinding {
  return {
    kind: "ModelProviderBinding",
    apiVersion: "workspace-ops.dev/v1",
    bindingId: "bind-coder-chain",
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    persona: "coder",
    offeredCapabilities: ["tool_use", "streaming"],
    requiredCapabilities: ["tool_use"],
    pricing: { inputUsdPerMillionTokens: 3, outputUsdPerMillionTokens: 15 },
    fallbackChain: [
      {
        provider: "openai",
        model: "gpt-4.1-mini",
        offeredCapabilities: ["tool_use", "vision", "json_mode", "streaming"],
        pricing: { inputUsdPerMillionTokens: 0.4, outputUsdPerMillionTokens: 1.6 },
        perMinuteBudget: { tokensPerMinute: 5000, costUsdPerMinute: 1, requestsPerMinute: 10 },
        credentialRef: "env://OPENAI_API_KEY",
      },
      {
        provider: "ollama",
        model: "qwen2.5-coder:32b",
        offeredCapabilities: ["tool_use", "vision", "streaming"],
        pricing: { inputUsdPerMillionTokens: 0, outputUsdPerMillionTokens: 0 },
      },
    ],
    perMinuteBudget: { tokensPerMinute: 20000, costUsdPerMinute: 1, requestsPerMinute: 30 },
    credentialRef: "env://ANTHROPIC_API_KEY",
    ...overrides,
  };
}

/** An operation delegated from a minute ago for an hour. */
export function liveOperation(operationType: string, artifact: object) {
  const payload = operation(operationType, artifact);
  const now = Date.now();
  payload.workspaceOperation.requestedAt = new Date(now).toISOString();
  payload.delegation.issuedAt = new Date(now - 60_000).toISOString();
  payload.delegation.expiresAt = new Date(now + 3_600_000).toISOString();
  return payload;
}

/** The operations that create the persona's profile and bind its model, in order. */
export const bindingOperations = (binding: ModelProviderBinding) => [
  liveOperation(
    "agent_machine.profile.create",
    profile({ persona: binding.persona, profileId: `profile-${binding.persona}` }),
  ),
  liveOperation("agent_machine.model_provider.bind", binding),
];

/** Creates the persona's profile and binds its model, as an operator would, through the executor. */
export async function bind(executor: Executor, binding: ModelProviderBinding): Promise<void> {
  for (const payload of bindingOperations(binding)) {
    const outcome = await executor.submit(payload);
    if (outcome.kind !== "finished" || outcome.state !== "succeeded")
      throw new Error(
        `${payload.workspaceOperation.operationType} did not succeed: ${JSON.stringify(outcome)}`,
      );
  }
}

export function modelCall(
  capabilities: string[] = [],
  estimate: { tokensIn: number; tokensOut: number; costUsd?: number } = { tokensIn: 100, tokensOut: 100 },
  extra: object = {},
) {
  return {
    kind: "ModelCallRequest",
    apiVersion: "workspace-ops.dev/v1",
    modelCallId: `mcall-${randomUUID()}`,
    requestedAt: new Date().toISOString(),
    persona: "coder",
    model: "auto",
    requiredCapabilities: capabilities,
    estimate,
    context: {
      sessionId: "sess-model",
      agentRunId: "run-model",
      actor: { type: "agent", id: "agent-coder-1" },
    },
    correlation: { traceparent },
    ...extra,
  };
}
