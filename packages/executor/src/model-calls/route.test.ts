// The window's usage as the model_call policy gets it: one record per entry, the same sums.
import type { UsageRecord } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";
import { costMicroUsd, windowUsage } from "./route.js";

const usage = (
  id: string,
  model: string,
  tokensIn: number,
  costUsd: number,
  occurredAt: string,
  requests?: number,
): UsageRecord => ({
  kind: "UsageRecord",
  apiVersion: "workspace-ops.dev/v1",
  usageId: id,
  persona: "coder",
  provider: "openai",
  model,
  tokensIn,
  tokensOut: 1,
  costUsd,
  occurredAt,
  ...(requests ? { requests } : {}),
});

describe("windowUsage", () => {
  it("sums each entry's records after the window's start, cost in whole micro-dollars", () => {
    const since = Date.parse("2026-11-21T12:00:00Z");
    expect(
      windowUsage(
        [
          usage("a", "m1", 10, 0.0000014, "2026-11-21T12:00:10Z"),
          usage("b", "m1", 20, 0.0000014, "2026-11-21T12:00:30Z", 3),
          usage("c", "m2", 5, 0.5, "2026-11-21T12:00:20Z"),
          usage("d", "m1", 999, 9, "2026-11-21T12:00:00Z"),
        ],
        since,
      ),
    ).toEqual([
      { ...usage("window:1", "m1", 30, 0.000002, "2026-11-21T12:00:30Z", 4), tokensOut: 2 },
      { ...usage("window:2", "m2", 5, 0.5, "2026-11-21T12:00:20Z", 1) },
    ]);
  });

  it("prices tokens per million as micro-dollars per token, else the estimate", () => {
    expect(costMicroUsd({ inputUsdPerMillionTokens: 0.4, outputUsdPerMillionTokens: 1.6 }, 1000, 500)).toBe(
      1200,
    );
    expect(costMicroUsd(undefined, 1000, 500, 0.25)).toBe(250000);
  });
});
