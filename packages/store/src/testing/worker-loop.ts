// What a conformance worker process does once its backend opened the store (see run-worker.mjs for
// how the tests start and release workers). Modes:
//   burst <count>:  wait for "go", make <count> commits, print the acknowledged commits as one JSON array, exit.
//   loop:           wait for "go", commit forever, printing each acknowledged commit on its own line.
//   notify:         wait for messages; on each, make one commit and send back when it was acknowledged.
//   reserve <count>: wait for "go", try <count> reservations of 10 tokens from one budget of 1000 tokens
//                    shared by every worker, print {held, refused}, exit.
// Every commit appends 3 records to stream "shared" and 1 to "own-<pid>", and 2 audit records.
import type { Store } from "../types.js";

export interface Acknowledged {
  pid: number;
  i: number;
  /** The seqs the commit got in "shared". */
  shared: number[];
  /** The seqs its audit records got. */
  audit: number[];
}

export const commitOf = (i: number, pad = "") => ({
  appends: [
    {
      stream: "shared",
      records: [0, 1, 2].map((j) => ({ type: "tick", data: { pid: process.pid, i, j, pad } })),
      create: { kind: "reserved" as const },
    },
    {
      stream: `own-${process.pid}`,
      records: [{ type: "tick", data: { i } }],
      create: { kind: "tool_execution" as const, sessionId: "workers" },
    },
  ],
  audit: [0, 1].map((j) => ({ type: "tick", subject: "shared", data: { pid: process.pid, i, j } })),
});

export async function runWorker(store: Store, mode: string, args: string[]): Promise<void> {
  const send = (message: unknown) => (process.send as (m: unknown) => void)(message);
  send("ready");
  if (mode === "notify") {
    process.on("message", async (i) => {
      const committed = await store.commit(commitOf(Number(i)));
      send({ i, at: performance.timeOrigin + performance.now(), seq: committed.audit.at(-1)?.seq });
    });
    process.on("disconnect", () => void store.close());
    return;
  }
  await new Promise((resolve) => process.once("message", resolve));
  const ack = (i: number, committed: Awaited<ReturnType<Store["commit"]>>): Acknowledged => ({
    pid: process.pid,
    i,
    shared: committed.appends[0]?.map((r) => r.seq) ?? [],
    audit: committed.audit.map((r) => r.seq),
  });
  if (mode === "reserve") {
    const tally = { held: 0, refused: 0 };
    for (let i = 0; i < Number(args[0]); i++) {
      try {
        await store.commit({
          reserve: [
            {
              reservationId: `w${process.pid}-${i}`,
              persona: "shared-budget",
              entry: "p/m",
              amounts: { tokens: 10, costMicroUsd: 0, requests: 0 },
              windowMs: 60_000,
              limits: [{ tokens: 1000 }],
              expiresAt: new Date(Date.now() + 600_000).toISOString(),
            },
          ],
        });
        tally.held++;
      } catch (error) {
        if ((error as { code?: string }).code !== "limit_exceeded") throw error;
        tally.refused++;
      }
    }
    await store.close();
    process.stdout.write(`${JSON.stringify(tally)}\n`);
    process.disconnect();
    return;
  }
  if (mode === "burst") {
    const acks: Acknowledged[] = [];
    for (let i = 0; i < Number(args[0]); i++) acks.push(ack(i, await store.commit(commitOf(i))));
    await store.close();
    process.stdout.write(`${JSON.stringify(acks)}\n`);
    process.disconnect();
    return;
  }
  // stdout is a pipe, and pipe writes are synchronous on Linux: a printed commit was acknowledged.
  for (let i = 0; ; i++) {
    process.stdout.write(`${JSON.stringify(ack(i, await store.commit(commitOf(i, "x".repeat(i % 300)))))}\n`);
  }
}
