import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Tests start real processes and servers: a safety net on a loaded CI machine, not a speed assertion.
    testTimeout: 30_000,
    // A test that forgets its own stateDir must not write into the real ~/.local/state.
    env: { WSOPS_STATE_DIR: "", XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "wsops-test-state-")) },
  },
});
