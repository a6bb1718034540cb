// @ts-check
// A local OTLP/HTTP trace receiver in its own process (as a collector would be): answers every export
// with 200 and counts the spans it got. Sends { port } once listening and { spans } when asked.
import { createServer } from "node:http";

let spans = 0;
const server = createServer((req, res) => {
  const chunks = /** @type {Buffer[]} */ ([]);
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      for (const rs of body.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? []) spans += (ss.spans ?? []).length;
    } catch {
      // not JSON: counted as nothing
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
});
const send = /** @type {(message: unknown) => void} */ (process.send?.bind(process));
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  send({ port: typeof address === "object" && address ? address.port : 0 });
});
process.on("message", () => send({ spans }));
process.on("disconnect", () => server.close(() => process.exit(0)));
