// Bundles the built CLI (dist/main.js and every workspace package and library it imports) into one
// CommonJS file, dist/wsops.bundle.cjs, which bin/wsops.js runs through a V8 code cache (see
// src/code-cache.ts): a cold command then skips resolving, reading and compiling ~400 ES modules.
//
// Packages that load native addons, locate their own files at run time or are loaded lazily and
// rarely stay outside and are required from node_modules as before. `import.meta.url` in a bundled
// module becomes the URL of the module's own built file (computed from the bundle's location), so
// every `new URL("./x", import.meta.url)` still finds the same file; `import.meta.resolve` resolves
// from the bundle's directory, as the CLI's own modules did.
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cliDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(cliDir, "dist", "wsops.bundle.cjs");

const external = [
  "better-sqlite3", // a native addon, found through `bindings`
  "web-tree-sitter", // finds its WebAssembly beside itself
  "pg",
  "@opentelemetry/*", // loaded only when tracing is on
];

const banner = `"use strict";
const __wsopsUrl = (path) => require("node:url").pathToFileURL(require("node:path").join(__dirname, path)).href;
const __wsopsResolve = (specifier) => require("node:url").pathToFileURL(require.resolve(specifier)).href;`;

await build({
  entryPoints: [join(cliDir, "dist", "main.js")],
  outfile,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // import() of what stays outside becomes require(): a vm.Script on Node 20 has no dynamic import.
  supported: { "dynamic-import": false },
  external,
  banner: { js: banner },
  legalComments: "none",
  // Smaller and ASCII-only (comments go), so reading it is fast; names stay, for readable stacks.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: "ascii",
  logLevel: "warning",
  plugins: [
    {
      name: "import-meta",
      setup(b) {
        b.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
          let source = await readFile(args.path, "utf8");
          if (!source.includes("import.meta")) return { contents: source, loader: "js" };
          // A module's createRequire(import.meta.url) becomes the bundle's own require, so that what
          // it requires (the policy SDK, the CloudEvents SDK, ajv's runtime) is bundled and code-cached
          // too — unless the module also resolves paths with it (the shell parser's grammar file).
          if (!source.includes("require.resolve("))
            source = source
              .replace(/^const require = createRequire\(import\.meta\.url\);$/m, "")
              .replaceAll("createRequire(import.meta.url)(", "require(");
          const own = JSON.stringify(relative(dirname(outfile), args.path));
          const contents = source
            .replaceAll("import.meta.url", `__wsopsUrl(${own})`)
            .replaceAll("import.meta.resolve(", "__wsopsResolve(");
          if (contents.includes("import.meta"))
            throw new Error(`${args.path}: an import.meta use the bundle does not translate`);
          return { contents, loader: "js" };
        });
      },
    },
  ],
});
