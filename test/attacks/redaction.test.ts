// Attack: get a secret into the records — the audit trail, a session's streams, the events and the
// results are what people read later, export as training data, or send elsewhere. The command prints
// planted tokens, the agent puts them in argv and in MCP arguments, and the profile passes a secret
// environment variable that the command prints. In every mode, each planted value is found nowhere in
// the state directory's files, the audit export, the events file or the result; the caller's own live
// output is the command's, untouched. What no rule recognises is stored as printed (documented).
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ToolExecutionResult } from "@workspace-ops/contracts";
import { bubblewrapAvailable } from "@workspace-ops/executor";
import { afterAll, describe, expect, it } from "vitest";
import {
  ATTACKER,
  foundUnder,
  grant,
  type Place,
  place,
  removePlaces,
  requestFile,
  useProfile,
  wsops,
} from "./support.js";

afterAll(removePlaces);

/** Planted values, one per rule family, each appearing nowhere else. */
const PLANTED = {
  github: `ghp_${"Plant3dGh7x".repeat(4)}`,
  aws: ["AKIA", "PLANTED7EXAMPLE9"].join(""),
  openai: `sk-proj-${"Pl4nt3dK3y".repeat(3)}`,
  jwt: ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJwbGFudGVkIn0", "cGxhbnRlZC1zaWduYXR1cmU"].join("."),
  password: "hunter2-planted-4f1a",
  pem: "MIIEplantedPEMbody0c3e",
};
const SECRETS_FILE = [
  `GITHUB_TOKEN=${PLANTED.github}`,
  `aws_access_key_id = ${PLANTED.aws}`,
  `export OPENAI_API_KEY="${PLANTED.openai}"`,
  `Authorization: Bearer ${PLANTED.jwt}`,
  `db_password=${PLANTED.password}`,
  "-----BEGIN RSA PRIVATE KEY-----",
  PLANTED.pem,
  "-----END RSA PRIVATE KEY-----",
  "",
].join("\n");

/** Where a planted value could end up, and whether it did. */
function leaks(at: Place, values: readonly string[], extra: Record<string, string> = {}) {
  const exported = wsops(at, ["audit", "export"]).stdout;
  const places: Record<string, string> = { export: exported, ...extra };
  return values.flatMap((value) => [
    ...foundUnder(at.stateDir, value).map((path) => `${value} in ${path}`),
    ...Object.entries(places)
      .filter(([, text]) => text.includes(value))
      .map(([where]) => `${value} in ${where}`),
  ]);
}

function execIn(at: Place, mode: string, argv: string[], sandbox: string) {
  const events = join(at.home, `events-${randomUUID()}.jsonl`);
  const ran = wsops(at, [
    "exec",
    "--json",
    "--mode",
    mode,
    "--sandbox",
    sandbox,
    "--actor",
    ATTACKER,
    "--events",
    events,
    "--",
    ...argv,
  ]);
  const eventsText = (() => {
    try {
      return readFileSync(events, "utf8");
    } catch {
      return "";
    }
  })();
  return {
    code: ran.code,
    stdout: ran.stdout,
    result: JSON.parse(ran.stdout) as ToolExecutionResult,
    events: eventsText,
  };
}

const modes: [string, string][] = [
  ["governed", bubblewrapAvailable() ? "bubblewrap" : "process"],
  ["observe", "process"],
  ["disabled", "process"],
];

describe("attack: print planted tokens into the records", () => {
  it.each(modes)(
    "in %s mode, cat of a file of secrets leaves none of them in state, export, events or result",
    (mode, sandbox) => {
      const at = place();
      writeFileSync(join(at.workspace, "secrets.txt"), SECRETS_FILE);
      const { code, stdout, result, events } = execIn(at, mode, ["cat", "secrets.txt"], sandbox);
      expect({ code, outcome: result.outcome, mode: result.mode }).toEqual({
        code: 0,
        outcome: "succeeded",
        mode,
      });
      expect(result.output?.stdout.preview).toBe(
        [
          "GITHUB_TOKEN=[REDACTED:github-token]",
          "aws_access_key_id = [REDACTED:aws-access-key]",
          'export OPENAI_API_KEY="[REDACTED:openai-api-key]"',
          "Authorization: Bearer [REDACTED:jwt]",
          "db_password=[REDACTED:generic-secret]",
          "[REDACTED:private-key]",
          "",
        ].join("\n"),
      );
      expect(events).toMatch(/dev\.workspace-ops\.operation\.completed/);
      expect(leaks(at, Object.values(PLANTED), { events, result: stdout })).toEqual([]);
      // What was replaced is recorded — rule and count, never the value.
      const redaction = JSON.parse(
        wsops(at, ["logs", result.toolExecutionId, "--json"]).stdout.trimEnd().split("\n").at(-1) as string,
      );
      expect(redaction).toMatchObject({
        type: "redaction",
        data: {
          records: [
            {
              type: "result",
              rules: [
                { rule: "aws-access-key", count: 1 },
                { rule: "generic-secret", count: 1 },
                { rule: "github-token", count: 1 },
                { rule: "jwt", count: 1 },
                { rule: "openai-api-key", count: 1 },
                { rule: "private-key", count: 1 },
              ],
            },
          ],
        },
      });
    },
  );

  it("leaves the caller's own live output as the command printed it", () => {
    const at = place();
    writeFileSync(join(at.workspace, "secrets.txt"), SECRETS_FILE);
    const ran = wsops(at, ["exec", "--sandbox", "process", "--", "cat", "secrets.txt"]);
    expect({ code: ran.code, stdout: ran.stdout }).toEqual({ code: 0, stdout: SECRETS_FILE });
    expect(leaks(at, Object.values(PLANTED))).toEqual([]);
  });

  it("puts planted tokens in argv: the stored request, analysis, decision and result carry markers only", () => {
    const at = place();
    const { result } = execIn(
      at,
      "governed",
      ["echo", PLANTED.github, `--password=${PLANTED.password}`],
      "process",
    );
    expect(result.output?.stdout.preview).toBe(
      "[REDACTED:github-token] --password=[REDACTED:generic-secret]\n",
    );
    const request = JSON.parse(
      wsops(at, ["logs", result.toolExecutionId, "--json"]).stdout.split("\n")[0] as string,
    );
    expect(request.data.request.tool.argv).toEqual([
      "echo",
      "[REDACTED:github-token]",
      "--password=[REDACTED:generic-secret]",
    ]);
    expect(leaks(at, [PLANTED.github, PLANTED.password])).toEqual([]);
  });

  it("passes a secret environment variable the command prints: its value is redacted by value, whatever its format", () => {
    const opaque = `opaque-deploy-value-${randomUUID().slice(0, 8)}`;
    const at = place({ DEPLOY_TOKEN: opaque });
    useProfile(at, { backend: "process" }, undefined, { envAllowlist: ["PATH", "HOME", "DEPLOY_TOKEN"] });
    grant(at, "node");
    const { result } = execIn(
      at,
      "governed",
      ["node", "-e", "console.log(process.env.DEPLOY_TOKEN)"],
      "process",
    );
    expect({ outcome: result.outcome, preview: result.output?.stdout.preview }).toEqual({
      outcome: "succeeded",
      preview: "[REDACTED:env-value]\n",
    });
    expect(leaks(at, [opaque])).toEqual([]);
  });

  it("sends planted secrets as MCP arguments: the stored request carries markers only", () => {
    const at = place();
    const { id, file } = requestFile(at, {
      kind: "mcp",
      name: "create_issue",
      server: "github",
      sanitizedArgs: {
        api_key: PLANTED.openai,
        body: `curl -H "Authorization: Bearer ${PLANTED.jwt}" with ${PLANTED.aws}`,
        nested: { token: PLANTED.github },
      },
    });
    const ran = wsops(at, ["exec", "--json", "--no-wait", "--request", file]);
    expect(JSON.parse(ran.stdout).toolExecutionId).toBe(id);
    const request = JSON.parse(wsops(at, ["logs", id, "--json"]).stdout.split("\n")[0] as string);
    expect(request.data.request.tool.sanitizedArgs).toEqual({
      api_key: "[REDACTED:sensitive-key]",
      body: 'curl -H "Authorization: Bearer [REDACTED:jwt]" with [REDACTED:aws-access-key]',
      nested: { token: "[REDACTED:sensitive-key]" },
    });
    expect(
      leaks(at, [PLANTED.openai, PLANTED.jwt, PLANTED.aws, PLANTED.github], { result: ran.stdout }),
    ).toEqual([]);
  });

  it("prints a secret in no format any rule knows: it is stored as printed (documented: redaction finds what it recognises)", () => {
    const at = place();
    const opaque = `zx${randomUUID().replaceAll("-", "")}`;
    writeFileSync(join(at.workspace, "opaque.txt"), `${opaque}\n`);
    const { result } = execIn(at, "governed", ["cat", "opaque.txt"], "process");
    expect(result.output?.stdout.preview).toBe(`${opaque}\n`);
    expect(leaks(at, [opaque]).length).toBeGreaterThan(0);
  });
});
