// What `wsops usage` shows: per persona with a binding, the spend in the current window against each
// of its budgets — the binding's over all of the persona's usage, and each fallback entry's own over
// its usage — split into what was recorded and what calls in flight hold.
import type { ModelProviderBinding, PerMinuteBudget, UsageRecord } from "@workspace-ops/contracts";
import type { LiveReservation, Store, UsageAmounts } from "@workspace-ops/store";
import { readGovernance } from "../governance.js";
import { amountsOf, entryKey, micro, WINDOW_MS } from "./route.js";

export interface Spend {
  /** Recorded usage that occurred in the window. */
  used: number;
  /** Held by calls in flight. */
  reserved: number;
  limit: number;
}

export interface BudgetSpend {
  /** "binding": all of the persona's usage; else the entry ("provider/model") with a budget of its own. */
  scope: string;
  tokens: Spend;
  /** In micro-dollars, as budgets are compared. */
  costMicroUsd: Spend;
  requests: Spend;
}

export interface PersonaUsage {
  persona: string;
  bindingId: string | null;
  budgets: BudgetSpend[];
}

export interface UsageReport {
  at: string;
  windowSeconds: number;
  personas: PersonaUsage[];
}

const sum = (items: UsageAmounts[]): UsageAmounts =>
  items.reduce(
    (a, b) => ({
      tokens: a.tokens + b.tokens,
      costMicroUsd: a.costMicroUsd + b.costMicroUsd,
      requests: a.requests + b.requests,
    }),
    { tokens: 0, costMicroUsd: 0, requests: 0 },
  );

function budgetSpend(
  scope: string,
  budget: PerMinuteBudget,
  used: UsageAmounts,
  reserved: UsageAmounts,
): BudgetSpend {
  return {
    scope,
    tokens: { used: used.tokens, reserved: reserved.tokens, limit: budget.tokensPerMinute },
    costMicroUsd: {
      used: used.costMicroUsd,
      reserved: reserved.costMicroUsd,
      limit: micro(budget.costUsdPerMinute),
    },
    requests: { used: used.requests, reserved: reserved.requests, limit: budget.requestsPerMinute },
  };
}

async function personaUsage(
  store: Store,
  persona: string,
  binding: ModelProviderBinding | undefined,
  now: Date,
): Promise<PersonaUsage> {
  if (!binding) return { persona, bindingId: null, budgets: [] };
  const since = now.getTime() - WINDOW_MS;
  const [records, reservations] = await Promise.all([
    store.usageSince(persona, new Date(since)) as Promise<UsageRecord[]>,
    store.reservations(persona, now),
  ]);
  // As the policy counts: strictly inside the window, records stamped later included.
  const recent = records.filter((u) => Date.parse(u.occurredAt) > since);
  const spentOn = (entry: string | null) => ({
    used: sum(recent.filter((u) => entry === null || entryKey(u) === entry).map(amountsOf)),
    reserved: sum(
      reservations.filter((r: LiveReservation) => entry === null || r.entry === entry).map((r) => r.amounts),
    ),
  });
  const all = spentOn(null);
  const budgets = [budgetSpend("binding", binding.perMinuteBudget, all.used, all.reserved)];
  for (const fallback of binding.fallbackChain) {
    if (!fallback.perMinuteBudget) continue;
    const scope = entryKey(fallback);
    const own = spentOn(scope);
    budgets.push(budgetSpend(scope, fallback.perMinuteBudget, own.used, own.reserved));
  }
  return { persona, bindingId: binding.bindingId, budgets };
}

/** Spend in the window that ends at `now`, for `persona` or every persona with a binding. */
export async function usageReport(
  store: Store,
  options: { persona?: string; now?: Date } = {},
): Promise<UsageReport> {
  const now = options.now ?? new Date();
  const { bindings } = await readGovernance(store);
  const personas = options.persona ? [options.persona] : [...bindings.keys()].sort();
  return {
    at: now.toISOString(),
    windowSeconds: WINDOW_MS / 1000,
    personas: await Promise.all(personas.map((p) => personaUsage(store, p, bindings.get(p), now))),
  };
}
