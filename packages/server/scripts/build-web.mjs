#!/usr/bin/env node
// Bundles the web app (Preact, TypeScript) with esbuild into dist/web: app.js, app.css, index.html.
// Everything the browser loads comes from there: no CDN, no network at run time.
import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

const src = new URL("../src/web/", import.meta.url);
const out = new URL("../dist/web/", import.meta.url);
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL("main.tsx", src).pathname],
  outfile: new URL("app.js", out).pathname,
  bundle: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});
for (const file of ["index.html", "app.css"]) copyFileSync(new URL(file, src), new URL(file, out));
