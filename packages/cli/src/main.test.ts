import { describe, expect, it } from "vitest";
import type { Io } from "./io.js";
import { main, version } from "./main.js";
import { commands } from "./registry.js";

function memoryIo(stdin = "") {
  const out = { stdout: "", stderr: "" };
  const io: Io = {
    stdout: (t) => {
      out.stdout += t;
    },
    stderr: (t) => {
      out.stderr += t;
    },
    readStdin: async () => stdin,
  };
  return { io, out };
}

describe("main", () => {
  it("prints the usage and exits 2 without a command", async () => {
    const { io, out } = memoryIo();
    expect(await main([], io)).toBe(2);
    expect(out.stdout).toMatch(
      /^Usage: wsops <command> \[options\]\n\nCommands:\n {2}validate {5}validate JSON/,
    );
  });

  it("prints the usage and exits 0 for --help", async () => {
    const { io, out } = memoryIo();
    expect(await main(["--help"], io)).toBe(0);
    expect(out.stderr).toBe("");
  });

  it("names an unknown command on stderr and exits 2", async () => {
    const { io, out } = memoryIo();
    expect(await main(["nope"], io)).toBe(2);
    expect(out.stderr.split("\n")[0]).toBe('wsops: unknown command "nope"');
  });

  // The first import of the compiled validators takes seconds on a busy 2-core machine.
  it("prints a command's own help", { timeout: 30_000 }, async () => {
    const { io, out } = memoryIo();
    expect(await main(["validate", "--help"], io)).toBe(0);
    expect(out.stdout.split("\n")[0]).toBe(
      "Usage: wsops validate [--contract NAME] [--json | --format FORMAT] [--max-bytes N] FILE|DIR|GLOB...",
    );
  });

  it("validates standard input and reports it as -", async () => {
    const { io, out } = memoryIo('{"kind": "UsageRecord"}');
    expect(await main(["validate", "-"], io)).toBe(1);
    expect(out.stdout.split("\n")[0]).toBe("invalid  - (UsageRecord)");
    expect(out.stdout).toContain(
      '  -:1:1  /  payload is missing required property "apiVersion" [required]\n',
    );
  });

  it("turns an unexpected failure into one line and exit 2, stack only with WSOPS_DEBUG", async () => {
    const { io, out } = memoryIo();
    io.readStdin = async () => {
      throw new Error("stdin exploded");
    };
    expect(await main(["validate", "-"], io)).toBe(2);
    expect(out.stderr).toBe(
      "wsops validate: internal error: stdin exploded (set WSOPS_DEBUG=1 for details)\n",
    );
  });

  it("prints the version for --version and -V", async () => {
    for (const flag of ["--version", "-V"]) {
      const { io, out } = memoryIo();
      expect(await main([flag], io)).toBe(0);
      expect(out.stdout).toBe(`wsops ${version()}\n`);
      expect(version()).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it.each(Object.keys(commands))(
    "prints %s's own usage for --help and -h, and runs nothing",
    async (name) => {
      for (const flag of ["--help", "-h"]) {
        const { io, out } = memoryIo();
        expect(await main([name, flag], io)).toBe(0);
        expect(out.stdout).toMatch(/^Usage:/);
        expect(out.stdout).toContain(`wsops ${name}`);
        expect(out.stderr).toBe("");
      }
    },
  );

  it("leaves --help after -- to the command being run", async () => {
    const { io, out } = memoryIo();
    // exec with an unknown mode fails on the flag, proving --help after -- was not taken as ours.
    expect(await main(["exec", "--mode", "nope", "--", "ls", "--help"], io)).toBe(2);
    expect(out.stderr.split("\n")[0]).toBe("wsops exec: --mode: must be governed, observe or disabled");
  });
});
