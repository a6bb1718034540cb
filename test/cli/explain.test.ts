// wsops explain end to end: the real binary, the shipped bundle, the real parser; nothing runs.
import { cpSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultBundleDir } from "@workspace-ops/policy";
import { describe, expect, it } from "vitest";
import { repoRoot, wsops } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "wsops-cli-explain-"));

describe("wsops explain", () => {
  it("prints the parse, each part's class and the decision, and exits by decision", () => {
    const { code, stdout, stderr } = wsops(["explain", "--shell", "ls && git -C pkg diff --output=x.patch"]);
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        "command: bash -c 'ls && git -C pkg diff --output=x.patch'",
        "parse: 2 parts, joined by &&",
        "  [0] ls",
        "      class read_only: programs.ls [program]",
        "      via bash -c",
        "  [1] git diff --output=x.patch",
        "      class mutating: programs.git.subcommands.diff.flags.--output (--output=x.patch) [flag]",
        "      git options -C pkg; via bash -c",
        "decision: deny (class mutating; grant_missing; decided by part 1 git: programs.git.subcommands.diff.flags.--output (--output=x.patch))",
        "  grant_missing: agent explain holds no grant for git diff --output=x.patch [workspace_ops.rules.tool_risk]",
        "",
      ].join("\n"),
    );
  });

  it("takes an argv after --, executed without a shell: a literal $(…) is read-only", () => {
    const { code, stdout } = wsops(["explain", "--json", "--", "echo", "$(whoami)"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      analysis: { source: "argv", argv: ["echo", "$(whoami)"], parts: [{ program: "echo" }], unknown: [] },
      decision: { decision: "allow", classification: { class: "read_only", rule: "read_only", part: 0 } },
    });
  });

  it("exits 3 when a person must decide, and says what cannot be known", () => {
    const { code, stdout } = wsops(["explain", "--shell", "echo $(whoami)"]);
    expect(code).toBe(3);
    expect(stdout).toContain("      cannot know: command_substitution: $(whoami)\n");
    expect(stdout).toContain(
      "  unknown_command: echo $(whoami) is not classified (command_substitution: $(whoami)); a person must decide [workspace_ops.rules.tool_risk]\n",
    );
  });

  it("decides under a profile: its allowedCodeExecution lets npm test through", () => {
    const without = wsops(["explain", "--", "npm", "test"]);
    expect(without.code).toBe(3);
    const profile = join(repoRoot, "examples/AgentMachineProfile/valid/coder-allows-tests.json");
    const withProfile = wsops(["explain", "--profile", profile, "--", "npm", "test"]);
    expect(withProfile.code).toBe(0);
    expect(withProfile.stdout).toContain("decision: allow (class code_execution; code_execution_allowed;");
  });

  it("touches no state: no .wsops folder appears where it runs", () => {
    const cwd = mkdtempSync(join(tmpdir(), "wsops-explain-cwd-"));
    expect(wsops(["explain", "--", "rm", "-rf", "/"], { cwd }).code).toBe(3);
    expect(existsSync(join(cwd, ".wsops"))).toBe(false);
  });

  it.each([
    [[], "wsops explain: give either -- ARGV... or --shell 'STRING'"],
    [["--shell", "ls", "--", "ls"], "wsops explain: give either -- ARGV... or --shell 'STRING'"],
    [["ls"], "wsops explain: unexpected ls: put the command after --"],
    [
      ["--actor", "robot", "--", "ls"],
      "wsops explain: --actor: must be TYPE:ID with TYPE user, agent or service",
    ],
  ])("exits 2 on a usage error: %j", (args, message) => {
    const { code, stderr } = wsops(["explain", ...args]);
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(message);
  });

  it("exits 2 naming the file and pointer of a profile that is not one", () => {
    const bad = join(dir, "profile.json");
    writeFileSync(bad, JSON.stringify({ kind: "AgentMachineProfile" }));
    const { code, stderr } = wsops(["explain", "--profile", bad, "--", "ls"]);
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(
      `wsops explain: ${bad}: not a valid AgentMachineProfile: / payload is missing required property "apiVersion"`,
    );
  });

  it("exits 4 with no decision for a tampered bundle", () => {
    const bundle = join(dir, "tampered");
    cpSync(defaultBundleDir, bundle, { recursive: true });
    writeFileSync(join(bundle, "data.json"), "{}");
    const { code, stderr } = wsops(["explain", "--bundle", bundle, "--", "ls"]);
    expect(code).toBe(4);
    expect(stderr).toMatch(/^wsops explain: no decision: bundle_tampered: /);
  });
});
