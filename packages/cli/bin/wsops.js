#!/usr/bin/env node
// Committed launcher: npm links it at install time, before dist/ is built.
// A command runs from the bundle with its V8 code cache (dist/code-cache.js); the main usage, a hook
// that only forwards to its server (a few small modules load faster than the bundle) and any build
// without a bundle, from the modules.
const argv = process.argv.slice(2);
const [command] = argv;
const thin =
  command === undefined ||
  command.startsWith("-") ||
  command === "help" ||
  (command === "hook" && argv.includes("--server"));
const bundled = thin ? null : (await import("../dist/code-cache.js")).loadBundled(command);
const main = bundled ? bundled.main : (await import("../dist/main.js")).main;

process.exitCode = await main(argv);
bundled?.saveCache();
