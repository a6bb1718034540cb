import { defineConfig } from "vitest/config";

// Tests here start real processes (git, opa, databases, workers): on a loaded two-core CI machine one
// may take longer than vitest's 5 s default. The timeout is a safety net, never a speed assertion.
export default defineConfig({ test: { include: ["src/**/*.test.ts"], testTimeout: 30_000 } });
