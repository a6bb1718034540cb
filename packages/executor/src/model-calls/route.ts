// A persona's chain as the meter sees it: which entry a route names, what it costs, the limits its
// reservations are held against. The policy decides the route; this only reads the binding.
import type { ModelProviderBinding, Pricing, UsageRecord } from "@workspace-ops/contracts";
import type { LiveReservation, UsageAmounts, UsageLimit } from "@workspace-ops/store";

/** The per-minute budgets' window (the policy's config.limits.usageWindowSeconds). */
export const WINDOW_MS = 60_000;

/** An entry of the chain: 0 the bound model, n the n-th fallback. */
export interface RouteTarget {
  entry: number;
  provider: string;
  model: string;
  bindingId: string;
  /** Resolved at call time by a CredentialResolver; never the secret. */
  credentialRef?: string;
  pricing?: Pricing;
}

export function chainEntry(binding: ModelProviderBinding, entry: number): RouteTarget | undefined {
  const source = entry === 0 ? binding : binding.fallbackChain[entry - 1];
  if (source === undefined) return undefined;
  return {
    entry,
    provider: source.provider,
    model: source.model,
    bindingId: binding.bindingId,
    ...(source.credentialRef ? { credentialRef: source.credentialRef } : {}),
    ...(source.pricing ? { pricing: source.pricing } : {}),
  };
}

/** How usage rows and reservations name an entry. */
export const entryKey = (target: { provider: string; model: string }): string =>
  `${target.provider}/${target.model}`;

export const micro = (usd: number): number => Math.round(usd * 1_000_000);

/**
 * Micro-dollars for tokens at an entry's price (dollars per million tokens are micro-dollars per
 * token); without a price, what the request estimated.
 */
export function costMicroUsd(
  pricing: Pricing | undefined,
  tokensIn: number,
  tokensOut: number,
  estimatedUsd = 0,
): number {
  if (!pricing) return micro(estimatedUsd);
  return Math.round(
    tokensIn * pricing.inputUsdPerMillionTokens + tokensOut * pricing.outputUsdPerMillionTokens,
  );
}

/** The binding's budget over all of the persona's usage, and an entry's own over its usage. */
export function limitsFor(binding: ModelProviderBinding, entry: number): UsageLimit[] {
  const limit = (budget: ModelProviderBinding["perMinuteBudget"]) => ({
    tokens: budget.tokensPerMinute,
    costMicroUsd: micro(budget.costUsdPerMinute),
    requests: budget.requestsPerMinute,
  });
  const own = entry > 0 ? binding.fallbackChain[entry - 1]?.perMinuteBudget : undefined;
  const target = chainEntry(binding, entry);
  return [
    limit(binding.perMinuteBudget),
    ...(own && target ? [{ entry: entryKey(target), ...limit(own) }] : []),
  ];
}

export const amountsOf = (usage: UsageRecord): UsageAmounts => ({
  tokens: usage.tokensIn + usage.tokensOut,
  costMicroUsd: micro(usage.costUsd),
  requests: usage.requests ?? 1,
});

/** A live reservation as the policy's input.reserved wants it: a UsageRecord stamped now (its requests may be 0). */
export function reservedAsUsage(reservation: LiveReservation, now: Date): UsageRecord {
  const slash = reservation.entry.indexOf("/");
  return {
    kind: "UsageRecord",
    apiVersion: "workspace-ops.dev/v1",
    usageId: reservation.reservationId,
    persona: reservation.persona,
    provider: reservation.entry.slice(0, slash),
    model: reservation.entry.slice(slash + 1),
    tokensIn: reservation.amounts.tokens,
    tokensOut: 0,
    costUsd: reservation.amounts.costMicroUsd / 1_000_000,
    requests: reservation.amounts.requests,
    occurredAt: now.toISOString(),
  };
}

/**
 * The usage of the window as the policy sums it, one UsageRecord per entry: what the records of an
 * entry add up to (cost summed in whole micro-dollars, as the policy compares it), stamped with the
 * latest of them. The policy's work then stays the same however many calls the minute held.
 */
export function windowUsage(records: readonly UsageRecord[], sinceMs: number): UsageRecord[] {
  const byEntry = new Map<string, UsageRecord & { micro: number }>();
  for (const u of records) {
    if (!(Date.parse(u.occurredAt) > sinceMs)) continue;
    const key = entryKey(u);
    const sum = byEntry.get(key);
    if (!sum) {
      byEntry.set(key, {
        kind: "UsageRecord",
        apiVersion: "workspace-ops.dev/v1",
        usageId: `window:${byEntry.size + 1}`,
        persona: u.persona,
        provider: u.provider,
        model: u.model,
        tokensIn: u.tokensIn,
        tokensOut: u.tokensOut,
        costUsd: 0,
        requests: u.requests ?? 1,
        occurredAt: u.occurredAt,
        micro: micro(u.costUsd),
      });
      continue;
    }
    sum.tokensIn += u.tokensIn;
    sum.tokensOut += u.tokensOut;
    sum.requests = (sum.requests ?? 1) + (u.requests ?? 1);
    sum.micro += micro(u.costUsd);
    if (Date.parse(u.occurredAt) > Date.parse(sum.occurredAt)) sum.occurredAt = u.occurredAt;
  }
  return [...byEntry.values()].map(({ micro: total, ...u }) => ({ ...u, costUsd: total / 1_000_000 }));
}
