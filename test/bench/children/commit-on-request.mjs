// @ts-check
// Another process resolving approvals: on each message i it commits the resolution of approval i (the
// approvals row, a record on the call's stream, an audit record, as `wsops approve` does) and answers
// with the times its commit started and was acknowledged. argv: <sqlite path | postgres URL>
import { openSqliteStore } from "@workspace-ops/store";

const [where = ""] = process.argv.slice(2);
const store = where.startsWith("postgres")
  ? await (await import("@workspace-ops/store-postgres")).openPostgresStore(where)
  : await openSqliteStore(where);
const requests = Array.from({ length: 1000 }, (_, i) => ({
  op: /** @type {const} */ ("request"),
  approvalRequestId: `apr-${i}`,
  stream: "call",
  requestedBy: "agent:bench",
  expiresAt: "2099-01-01T00:00:00.000Z",
}));
await store.commit({
  appends: [{ stream: "call", records: [{ type: "request", data: {} }], create: { kind: "tool_execution" } }],
  approvals: requests,
});
const send = /** @type {(message: unknown) => void} */ (process.send?.bind(process));
process.on("message", async (i) => {
  const started = performance.timeOrigin + performance.now();
  await store.commit({
    appends: [{ stream: "call", records: [{ type: "approval_resolution", data: { i } }] }],
    approvals: [
      { op: "resolve", approvalRequestId: `apr-${i}`, state: "approved", resolvedBy: "user:bench" },
    ],
    audit: [{ type: "approval_resolution", subject: "call", data: { i } }],
  });
  send({ started, at: performance.timeOrigin + performance.now() });
});
process.on("disconnect", () => void store.close());
send("ready");
