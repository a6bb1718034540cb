import { defineConfig } from "vitest/config";

export default defineConfig({
  // A safety net on a loaded CI machine, not a speed assertion.
  test: { include: ["src/**/*.test.ts"], testTimeout: 30_000 },
});
