// The web app: three files built by esbuild into dist/web (scripts/build-web.mjs), read once and
// served from memory. Nothing is loaded from anywhere else (the CSP says so too).
import { readFileSync } from "node:fs";
import { Hono } from "hono";
import { problemResponse } from "./problem.js";
import type { ServerEnv } from "./server-env.js";

const files: Record<string, { name: string; type: string }> = {
  "/": { name: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { name: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { name: "app.css", type: "text/css; charset=utf-8" },
};

export function staticRoutes(webDir: URL): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const loaded = new Map<string, { body: string; type: string }>();
  for (const [path, file] of Object.entries(files)) {
    try {
      loaded.set(path, { body: readFileSync(new URL(file.name, webDir), "utf8"), type: file.type });
    } catch {}
  }
  for (const path of Object.keys(files))
    app.get(path, (c) => {
      const file = loaded.get(path);
      if (!file)
        return problemResponse(
          c,
          503,
          "web_app_missing",
          "the web app was not built (npm run build in packages/server)",
        );
      return c.body(file.body, 200, { "content-type": file.type, "cache-control": "no-cache" });
    });
  return app;
}
