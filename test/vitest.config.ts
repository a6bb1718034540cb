import { defineConfig } from "vitest/config";

// Cross-package and end-to-end tests; they run against the built packages (npm test builds first).
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
