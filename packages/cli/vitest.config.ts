import { defineConfig } from "vitest/config";

// Loading a command in-process transforms the packages it imports (the contracts' generated
// validators are large); on a busy 2-core machine that alone can pass vitest's 5 s default.
export default defineConfig({ test: { include: ["src/**/*.test.ts"], testTimeout: 30_000 } });
