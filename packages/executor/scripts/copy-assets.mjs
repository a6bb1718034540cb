// Copies the plain-JavaScript files the package runs by path (not through tsc) into dist.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
for (const file of ["sandbox/network/bridge.mjs"]) {
  mkdirSync(dirname(join(root, "dist", file)), { recursive: true });
  copyFileSync(join(root, "src", file), join(root, "dist", file));
}
