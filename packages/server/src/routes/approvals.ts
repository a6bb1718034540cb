// The inbox's API: approval requests with the calls they wait on, and resolving one as the signed-in
// approver — signed by the session key, with the approver's delegation, recorded with where it came from.

import { getConnInfo } from "@hono/node-server/conninfo";
import type { ApprovalRequest, ApprovalResolution } from "@workspace-ops/contracts";
import { type ApprovalListing, signResolution } from "@workspace-ops/executor";
import type { ApprovalState } from "@workspace-ops/store";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { requireApprover } from "../auth/guard.js";
import type { Deps } from "../deps.js";
import { ApiError } from "../problem.js";
import { intParam, jsonBody, originOf } from "../request-body.js";
import type { ServerEnv } from "../server-env.js";
import { timelineEntry } from "../timeline.js";
import { checkBody } from "../validation.js";

const states = new Set<string>(["pending", "approved", "denied", "expired"]);

/** How the executor's refusals of a resolution answer over HTTP. */
const statusOf: Record<string, ContentfulStatusCode> = {
  not_found: 404,
  approval_not_pending: 409,
  request_changed: 409,
  request_invalid: 400,
  approval_refused: 403,
  approval_unsigned: 403,
  approval_bad_signature: 403,
  approver_not_listed: 403,
  delegation_invalid: 403,
};

export function approvalRoutes(deps: Deps): Hono<ServerEnv> {
  const { executor, access } = deps;
  const store = executor.context.store;
  const app = new Hono<ServerEnv>();
  app.use("/api/v1/approvals/*", requireApprover(access));
  app.use("/api/v1/approvals", requireApprover(access));

  /** A listing with the call it waits on, read from the call's own stream. */
  const withCall = async (listing: ApprovalListing) => {
    const info = await store.stream(listing.subjectId);
    if (!info) throw new ApiError(404, "not_found", `no call ${listing.subjectId}`);
    return { ...listing, call: timelineEntry(info, await store.read(listing.subjectId)) };
  };

  app.get("/api/v1/approvals", async (c) => {
    const state = c.req.query("state");
    if (state !== undefined && !states.has(state))
      throw new ApiError(400, "request_invalid", "?state= must be pending, approved, denied or expired", {
        pointer: "/query/state",
      });
    const limit = intParam(c, "limit", 100, 1, 1000);
    const listed = await executor.approvals({ pending: state === "pending", limit });
    const chosen = state ? listed.filter((a) => a.state === (state as ApprovalState)) : listed;
    return c.json({ items: await Promise.all(chosen.map(withCall)) });
  });

  app.get("/api/v1/approvals/:id", async (c) => c.json(await withCall(await listingOf(c.req.param("id")))));

  app.post("/api/v1/approvals/:id/resolution", async (c) => {
    const body = checkBody<{ resolution: "approved" | "denied"; comment?: string }>(
      "ResolveRequest",
      await jsonBody(c),
    );
    const { session } = c.get("credential");
    const listing = await listingOf(c.req.param("id"));
    const records = await store.read(listing.subjectId);
    const asked = records.findLast(
      (r) =>
        r.type === "approval_request" &&
        (r.data as ApprovalRequest).approvalRequestId === listing.approvalRequestId,
    )?.data as ApprovalRequest | undefined;
    if (!asked?.requestDigest)
      throw new ApiError(
        409,
        "request_changed",
        "the approval request carries no digest to sign (an older executor asked for it)",
      );
    const unsigned: ApprovalResolution = {
      kind: "ApprovalResolution",
      apiVersion: "workspace-ops.dev/v1",
      approvalRequestId: listing.approvalRequestId,
      resolution: body.resolution,
      resolvedBy: session.principal,
      resolvedAt: new Date().toISOString(),
      requestDigest: asked.requestDigest,
      ...(body.comment ? { comment: body.comment } : {}),
    };
    const resolution = { ...signResolution(unsigned, session.sessionKey), delegation: session.delegation };
    const remote = getConnInfo(c).remote.address;
    const userAgent = c.req.header("user-agent");
    const outcome = await executor.resolve(resolution, {
      through: `wsops serve ${originOf(c, access.secure)}`,
      ...(remote ? { remoteAddress: remote } : {}),
      ...(userAgent ? { userAgent: userAgent.slice(0, 512) } : {}),
    });
    if (!outcome.ok)
      throw new ApiError(statusOf[outcome.error.code] ?? 409, outcome.error.code, outcome.error.message, {
        ...(outcome.reasons ? { reasons: outcome.reasons } : {}),
      });
    return c.json({
      resolution: outcome.resolution,
      toolExecutionId: outcome.toolExecutionId,
      signed: outcome.signed,
      ...(outcome.result ? { result: outcome.result } : {}),
    });
  });

  async function listingOf(approvalRequestId: string): Promise<ApprovalListing> {
    const info = await store.approval(approvalRequestId);
    const listing = info
      ? (await executor.approvals({ stream: info.stream, limit: 1000 })).find(
          (a) => a.approvalRequestId === approvalRequestId,
        )
      : undefined;
    if (!listing) throw new ApiError(404, "not_found", `no approval request ${approvalRequestId}`);
    return listing;
  }

  return app;
}
