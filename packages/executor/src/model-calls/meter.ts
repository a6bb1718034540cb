// The meter of one governed model call. Deciding reserves the call's estimate in the store, in the
// commit that records the decision; as tokens stream, charge() counts them against that reservation
// and grows it a block at a time, each growth a conditional reservation checked against the persona's
// budgets in one transaction — so concurrent calls of a persona share one budget, on one machine or
// many. When a budget cannot give what was charged, charge() says which one is exhausted and the
// caller cuts the stream. finish() records the call's UsageRecord and releases its reservation in
// one commit. A provider failure moves the call to the next entry of the chain (failed()).
import { randomUUID } from "node:crypto";
import {
  type ContractError,
  type ModelCallDecision,
  type ModelCallRequest,
  type ModelProviderBinding,
  type UsageRecord,
  validate,
} from "@workspace-ops/contracts";
import { redactText } from "@workspace-ops/redact";
import { type Batch, isStateError, type NewAuditRecord, type UsageAmounts } from "@workspace-ops/store";
import type { ExecutorContext } from "../context.js";
import { newId } from "../ids.js";
import { decideAttempt, type Refusal } from "./decide.js";
import type { ProviderHealth } from "./provider-health.js";
import { costMicroUsd, entryKey, limitsFor, type RouteTarget, WINDOW_MS } from "./route.js";

export interface MeterOptions {
  /** Tokens a reservation grows by at a time once the estimate is spent (default 256). */
  blockTokens?: number;
  /** How long a reservation counts without being renewed, should its holder die (default 120 s). */
  leaseMs?: number;
}

export type Exhausted = "tokens" | "cost" | "requests";

export type ChargeResult = { ok: true } | { ok: false; exhausted: Exhausted; message: string };

/** What a caller learned from the provider: tokens, as the provider counted them, win over the meter's. */
export interface Reported {
  tokensIn?: number;
  tokensOut?: number;
}

export type CallOutcome = "completed" | "cut" | "failed" | "cancelled";

export interface AttemptSummary {
  attempt: number;
  decisionId: string;
  provider: string;
  model: string;
  entry: number;
  /** The provider failure that ended the attempt, redacted. */
  failure?: { code: string; message: string };
  usageId: string;
}

/** The audit record ("model_call") that closes a call: its ids, attempts and outcome. */
export interface ModelCallSummary {
  modelCallId: string;
  persona: string;
  outcome: CallOutcome | "refused";
  /** The budget that ran out, when the call was cut. */
  exhausted?: Exhausted;
  attempts: AttemptSummary[];
  /** The decision that refused a failover, when nothing was left. */
  refusal?: Refusal & { decisionId?: string };
  traceparent: string;
  sessionId?: string;
  agentRunId?: string;
  agentRunStepId?: string;
  operationId?: string;
}

export type ModelCallStart =
  | { ok: true; call: MeteredCall }
  | { ok: false; refusal: Refusal; decision?: ModelCallDecision; errors?: ContractError[] };

const DIMENSION: Record<string, Exhausted> = { tokens: "tokens", costMicroUsd: "cost", requests: "requests" };
const MAX_ATTEMPTS = 9; // the bound model and at most 8 fallbacks
const MAX_RACES = 3;

/** Validates the request, decides, and reserves the estimate: a call to meter, or why there is none. */
export async function startModelCall(
  ctx: ExecutorContext,
  payload: unknown,
  health: ProviderHealth,
  options: MeterOptions = {},
): Promise<ModelCallStart> {
  const checked = validate("ModelCallRequest", payload);
  if (!checked.ok)
    return {
      ok: false,
      refusal: {
        code: "request_invalid",
        message: checked.errors.map((e) => `${e.pointer || "/"} ${e.message}`).join("; "),
      },
      errors: checked.errors,
    };
  const call = new MeteredCall(ctx, checked.value, health, options);
  const opened = await call.open();
  return opened.ok ? { ok: true, call } : opened;
}

export class MeteredCall {
  readonly #ctx: ExecutorContext;
  readonly #request: ModelCallRequest;
  readonly #health: ProviderHealth;
  readonly #blockTokens: number;
  readonly #leaseMs: number;
  readonly #attempts: AttemptSummary[] = [];
  #binding: ModelProviderBinding | undefined;
  #decision: ModelCallDecision | undefined;
  #target: RouteTarget | undefined;
  #reservationId = "";
  /** What the store holds for this attempt. */
  #held: UsageAmounts = { tokens: 0, costMicroUsd: 0, requests: 0 };
  #leaseUntilMs = 0;
  #charged = { tokensIn: 0, tokensOut: 0 };
  #exhausted: Cut | undefined;
  #finished = false;
  /** Store work of this call, one at a time, in order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    ctx: ExecutorContext,
    request: ModelCallRequest,
    health: ProviderHealth,
    options: MeterOptions,
  ) {
    this.#ctx = ctx;
    this.#request = request;
    this.#health = health;
    this.#blockTokens = options.blockTokens ?? 256;
    this.#leaseMs = options.leaseMs ?? 120_000;
  }

  get modelCallId(): string {
    return this.#request.modelCallId;
  }

  /** The entry the call goes to now. */
  get route(): RouteTarget {
    if (!this.#target) throw new Error("the call has no route");
    return this.#target;
  }

  /** The decision of the current attempt. */
  get decision(): ModelCallDecision {
    if (!this.#decision) throw new Error("the call has no decision");
    return this.#decision;
  }

  /** Decides attempt 1 and reserves its estimate. */
  open(): Promise<{ ok: true } | { ok: false; refusal: Refusal; decision?: ModelCallDecision }> {
    return this.#decideAndReserve([]);
  }

  /**
   * Counts tokens the provider produced (deltas; input tokens once known). Resolves at once while the
   * reservation covers them; else grows it in the store. `ok: false` names the exhausted budget: cut
   * the stream now (what was charged stays charged and is recorded by finish()).
   */
  charge(delta: Reported): Promise<ChargeResult> {
    if (this.#finished) throw new Error(`model call ${this.modelCallId} is finished`);
    for (const n of [delta.tokensIn ?? 0, delta.tokensOut ?? 0])
      if (!Number.isSafeInteger(n) || n < 0)
        throw new TypeError("charged tokens are whole non-negative numbers");
    this.#charged.tokensIn += delta.tokensIn ?? 0;
    this.#charged.tokensOut += delta.tokensOut ?? 0;
    if (this.#exhausted) return Promise.resolve(this.#cut());
    const need = this.#need();
    const covered =
      need.tokens <= this.#held.tokens &&
      need.costMicroUsd <= this.#held.costMicroUsd &&
      this.#leaseUntilMs - Date.now() > this.#leaseMs / 2;
    if (covered) return Promise.resolve({ ok: true });
    return this.#serial(() => this.#grow());
  }

  /**
   * The provider failed (before it answered, or mid-way): that entry is marked unavailable, what the
   * attempt spent is recorded, and the call is decided again, moving to the next entry of its chain.
   * `ok: false` when nothing is left: the call is then finished.
   */
  failed(failure: {
    code: string;
    message: string;
  }): Promise<{ ok: true; route: RouteTarget } | { ok: false; refusal: Refusal }> {
    if (this.#finished) throw new Error(`model call ${this.modelCallId} is finished`);
    return this.#serial(async () => {
      const redacted = { code: failure.code, message: redactText(failure.message).text.slice(0, 1024) };
      const { provider, model } = this.route;
      this.#health.failed(
        { provider, model, reason: `${redacted.code}: ${redacted.message}` },
        this.#ctx.now(),
      );
      const spent = this.#closeAttempt(redacted);
      if (this.#attempts.length >= MAX_ATTEMPTS) {
        const refusal = { code: "no_provider", message: `${this.#attempts.length} attempts failed` };
        await this.#end("refused", spent, refusal);
        return { ok: false as const, refusal };
      }
      const next = await this.#decideAndReserve([spent]);
      if (!next.ok) return next;
      return { ok: true as const, route: this.route };
    });
  }

  /**
   * Records the call's UsageRecord — the provider's counts when reported, else what was charged (and
   * at least the estimated input) — releases its reservation, and closes it with a "model_call" audit
   * record, in one commit.
   */
  finish(options: { outcome?: CallOutcome; reported?: Reported } = {}): Promise<{
    usage: UsageRecord;
    summary: ModelCallSummary;
  }> {
    if (this.#finished) throw new Error(`model call ${this.modelCallId} is finished`);
    return this.#serial(async () => {
      const spent = this.#closeAttempt(undefined, options.reported);
      const outcome = options.outcome ?? (this.#exhausted ? "cut" : "completed");
      const summary = await this.#end(outcome, spent);
      return { usage: spent.usage as UsageRecord, summary };
    });
  }

  /** Decides the next attempt; on allow, reserves its estimate in the commit that records it. */
  async #decideAndReserve(
    spent: AuditedUsage[],
  ): Promise<{ ok: true } | { ok: false; refusal: Refusal; decision?: ModelCallDecision }> {
    const attempt = this.#attempts.length + 1;
    for (let race = 0; ; race++) {
      const decided = await decideAttempt(this.#ctx, this.#request, attempt, this.#health);
      if (!decided.ok) {
        const refusal = {
          ...decided.refusal,
          ...(decided.decision ? { decisionId: decided.decision.decisionId } : {}),
        };
        await this.#end("refused", spent, refusal, decided.decision);
        return decided;
      }
      const { estimate } = this.#request;
      const reservationId = `${this.modelCallId}:${attempt}`;
      const initial = {
        tokens: estimate.tokensIn + estimate.tokensOut,
        costMicroUsd: costMicroUsd(
          decided.target.pricing,
          estimate.tokensIn,
          estimate.tokensOut,
          estimate.costUsd,
        ),
        requests: 1,
      };
      try {
        await this.#ctx.store.commit({
          ...this.#spentBatch(spent),
          reserve: [this.#reservation(reservationId, decided.binding, decided.target, initial)],
          audit: [...spent.flatMap((s) => s.audit), this.#decisionAudit(decided.decision)],
        });
      } catch (error) {
        if (!isStateError(error, "limit_exceeded")) throw error;
        // Another call of the persona reserved between the decision and this commit: decide again.
        if (race < MAX_RACES) continue;
        const refusal = { code: "budget_exhausted", message: error.message };
        await this.#end("refused", spent, refusal);
        return { ok: false, refusal };
      }
      this.#binding = decided.binding;
      this.#decision = decided.decision;
      this.#target = decided.target;
      this.#reservationId = reservationId;
      this.#held = initial;
      this.#charged = { tokensIn: 0, tokensOut: 0 };
      this.#exhausted = undefined;
      return { ok: true };
    }
  }

  /** What the attempt needs held: at least the estimated input (spent as soon as the call is made). */
  #need(): UsageAmounts {
    const { estimate } = this.#request;
    const tokensIn = Math.max(this.#charged.tokensIn, estimate.tokensIn);
    return {
      tokens: tokensIn + this.#charged.tokensOut,
      costMicroUsd: costMicroUsd(this.route.pricing, tokensIn, this.#charged.tokensOut, estimate.costUsd),
      requests: 1,
    };
  }

  /** Grows the reservation to cover what was charged: a block, else exactly what is missing. */
  async #grow(): Promise<ChargeResult> {
    if (this.#exhausted) return this.#cut();
    const need = this.#need();
    const missing = {
      tokens: Math.max(0, need.tokens - this.#held.tokens),
      costMicroUsd: Math.max(0, need.costMicroUsd - this.#held.costMicroUsd),
      requests: 0,
    };
    const pricing = this.route.pricing;
    const block = {
      tokens: missing.tokens > 0 ? Math.max(missing.tokens, this.#blockTokens) : 0,
      costMicroUsd:
        missing.costMicroUsd > 0
          ? Math.max(missing.costMicroUsd, costMicroUsd(pricing, 0, this.#blockTokens))
          : 0,
      requests: 0,
    };
    const attempts =
      block.tokens === missing.tokens && block.costMicroUsd === missing.costMicroUsd
        ? [block]
        : [block, missing];
    for (const amounts of attempts) {
      try {
        await this.#ctx.store.commit({
          reserve: [
            this.#reservation(
              this.#reservationId,
              this.#binding as ModelProviderBinding,
              this.route,
              amounts,
            ),
          ],
        });
        this.#held = {
          tokens: this.#held.tokens + amounts.tokens,
          costMicroUsd: this.#held.costMicroUsd + amounts.costMicroUsd,
          requests: this.#held.requests,
        };
        return { ok: true };
      } catch (error) {
        if (!isStateError(error, "limit_exceeded")) throw error;
        if (amounts === missing || attempts.length === 1) {
          const dimension = DIMENSION[String(error.details.dimension)] ?? "tokens";
          this.#exhausted = { dimension, message: error.message };
          return this.#cut();
        }
      }
    }
    return this.#cut();
  }

  #cut(): ChargeResult {
    const exhausted = this.#exhausted as Cut;
    return { ok: false, exhausted: exhausted.dimension, message: exhausted.message };
  }

  #reservation(
    reservationId: string,
    binding: ModelProviderBinding,
    target: RouteTarget,
    amounts: UsageAmounts,
  ) {
    this.#leaseUntilMs = Date.now() + this.#leaseMs;
    return {
      reservationId,
      persona: this.#request.persona,
      entry: entryKey(target),
      amounts,
      windowMs: WINDOW_MS,
      limits: limitsFor(binding, target.entry),
      expiresAt: new Date(this.#leaseUntilMs).toISOString(),
    };
  }

  /**
   * Ends the current attempt: its UsageRecord (with its audit records), and its place in the summary.
   * A failed attempt spent what was charged; a finished one at least its estimated input.
   */
  #closeAttempt(failure?: { code: string; message: string }, reported: Reported = {}): AuditedUsage {
    const target = this.route;
    const decision = this.decision;
    const { estimate } = this.#request;
    const tokensIn =
      reported.tokensIn ??
      (failure ? this.#charged.tokensIn : Math.max(this.#charged.tokensIn, estimate.tokensIn));
    const tokensOut = reported.tokensOut ?? this.#charged.tokensOut;
    const cost = costMicroUsd(target.pricing, tokensIn, tokensOut, estimate.costUsd);
    const context = this.#request.context ?? {};
    const usage: UsageRecord = {
      kind: "UsageRecord",
      apiVersion: "workspace-ops.dev/v1",
      usageId: newId("use"),
      persona: this.#request.persona,
      provider: target.provider,
      model: target.model,
      tokensIn,
      tokensOut,
      costUsd: cost / 1_000_000,
      requests: 1,
      occurredAt: this.#ctx.now().toISOString(),
      ...(this.#request.requiredCapabilities.length
        ? { capabilitiesUsed: this.#request.requiredCapabilities }
        : {}),
      ...(context.sessionId ? { sessionId: context.sessionId } : {}),
      ...(context.operationId ? { operationId: context.operationId } : {}),
    };
    const checked = validate("UsageRecord", usage);
    if (!checked.ok) throw new Error(`the meter built an invalid UsageRecord: ${checked.errors[0]?.message}`);
    this.#attempts.push({
      attempt: decision.attempt,
      decisionId: decision.decisionId,
      provider: target.provider,
      model: target.model,
      entry: target.entry,
      ...(failure ? { failure } : {}),
      usageId: usage.usageId,
    });
    const audit: NewAuditRecord[] = [{ type: "usage", subject: usage.persona, data: usage }];
    if (failure)
      audit.unshift({
        type: "model_call_failover",
        subject: this.modelCallId,
        data: {
          modelCallId: this.modelCallId,
          attempt: decision.attempt,
          provider: target.provider,
          model: target.model,
          ...failure,
        },
      });
    return { usage, entry: entryKey(target), reservationId: this.#reservationId, audit };
  }

  /** The usage of ended attempts, and the release of their reservations. */
  #spentBatch(spent: AuditedUsage[]): Pick<Batch, "usage" | "release"> {
    return {
      usage: spent.map(({ usage, entry }) => ({
        persona: usage.persona,
        occurredAt: usage.occurredAt,
        data: usage,
        entry,
        amounts: {
          tokens: usage.tokensIn + usage.tokensOut,
          costMicroUsd: Math.round(usage.costUsd * 1_000_000),
          requests: 1,
        },
      })),
      release: spent.map((s) => s.reservationId),
    };
  }

  #decisionAudit(decision: ModelCallDecision): NewAuditRecord {
    return { type: "model_call_decision", subject: this.modelCallId, data: decision };
  }

  /** The commit that closes the call: what was spent, a refusing decision if any, and the summary. */
  async #end(
    outcome: ModelCallSummary["outcome"],
    spent: AuditedUsage | AuditedUsage[],
    refusal?: Refusal & { decisionId?: string },
    decision?: ModelCallDecision,
  ): Promise<ModelCallSummary> {
    const ended = Array.isArray(spent) ? spent : [spent];
    const context = this.#request.context ?? {};
    const summary: ModelCallSummary = {
      modelCallId: this.modelCallId,
      persona: this.#request.persona,
      outcome,
      ...(this.#exhausted && outcome === "cut" ? { exhausted: this.#exhausted.dimension } : {}),
      attempts: this.#attempts,
      ...(refusal ? { refusal } : {}),
      traceparent: this.#request.correlation.traceparent,
      ...(context.sessionId ? { sessionId: context.sessionId } : {}),
      ...(context.agentRunId ? { agentRunId: context.agentRunId } : {}),
      ...(context.agentRunStepId ? { agentRunStepId: context.agentRunStepId } : {}),
      ...(context.operationId ? { operationId: context.operationId } : {}),
    };
    this.#finished = true;
    await this.#ctx.store.commit({
      ...this.#spentBatch(ended),
      audit: [
        ...ended.flatMap((s) => s.audit),
        ...(decision ? [this.#decisionAudit(decision)] : []),
        { type: "model_call", subject: this.modelCallId, data: summary },
      ],
    });
    return summary;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** The budget that ran out, and the store's words for it. */
interface Cut {
  dimension: Exhausted;
  message: string;
}

/** An ended attempt's UsageRecord, the entry it was spent on, its reservation and audit records. */
interface AuditedUsage {
  usage: UsageRecord;
  entry: string;
  reservationId: string;
  audit: NewAuditRecord[];
}

export const newModelCallId = (): string => `mcall-${randomUUID()}`;
