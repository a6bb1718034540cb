import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

// Cross-package and end-to-end tests; they run against the built packages (npm test builds first).
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // A test that forgets its own state directory must not write into the real ~/.local/state,
    // nor read or write keys in the real ~/.config/wsops/keys.
    env: {
      WSOPS_STATE_DIR: "",
      XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "wsops-test-state-")),
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "wsops-test-config-")),
    },
  },
});
