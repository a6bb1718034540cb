// No secret that was in the records ever reaches an export. Secrets are planted where a governed run
// puts them — argv, environment assignments, command output, MCP arguments, conversation messages —
// through the real executor and real commands; and, because an export must not trust the store to be
// redacted already (an older store, another writer), also written raw into the store. Then every
// format is exported with the real wsops binary and its bytes searched for every secret, its long
// pieces, and its base64 and URL-encoded forms.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Executor } from "@workspace-ops/executor";
import { openSqliteStore } from "@workspace-ops/store";
import { beforeAll, describe, expect, it } from "vitest";
import { request } from "../../packages/trajectory/dist/testing/governed-run.js";
import { wsops } from "../cli/run-cli.js";

// Assembled from pieces, so that no complete credential sits in the source.
const secrets = {
  awsKeyId: ["AKIA", "Q3ZJ5XW7", "RT2LMN6P"].join(""),
  awsSecret: ["h8Kd2PqL", "9zXv4TnR", "6mWb1YsC", "3fGj7UeA", "5oNk0HiQ"].join(""),
  github: ["ghp", "_", "Vb7Nq2Xz9Lm4Kp8Rt3Wy6Hs1Jd5Fg0Ca2Ue4"].join(""),
  githubPat: ["github", "_pat_", "11ABQ7ZQA0", "x9Yk2Lm8Np4Qr6St1Uv3Wx5Yz7Ab9Cd"].join(""),
  gitlab: ["glpat", "-", "Zq4Xm8Kr2Vn6Lp0Tw3Yb"].join(""),
  slack: ["xoxb", "2048817356114", "5201398740127", "Hq7Mz3Kx9Pl2Vt6Rn4Yc8Wd"].join("-"),
  jwt: [
    ["eyJhbGciOiJIUzI1NiIs", "InR5cCI6IkpXVCJ9"].join(""),
    ["eyJzdWIiOiJjb3JwdXMi", "LCJyb2xlIjoiYWRtaW4ifQ"].join(""),
    ["Qm7xR2kP9vL4nT8wY3hZ", "6cJ1fG5dS0aE"].join(""),
  ].join("."),
  privateKeyBody: ["MIIEpQIBAAKCAQEAzq3", "Rk9vLm2Xp7Wn4Tb8Yc1Hd6Jf0Gs"].join(""),
  urlPassword: ["Pr0d", "Db!", "Passw0rd"].join(""),
  bearer: ["sess", "_9Kd3Mz7Qx", "2Lp8Vn4Rb6"].join(""),
  stripe: ["rk", "_live_", "51HxQ2mK8pL3vN7tR9wY"].join(""),
  dbPassword: ["hunter", "2-corpus-", "S3cret"].join(""),
  random: ["q7Rk2VbX9mWz", "4TnLp8sYd3Hf6JcG"].join(""),
  mcpToken: ["ghp", "_", "Mc9Pq2Rs4Tu6Vw8Xy0Za1Bc3De5Fg7Hi9Jk"].join(""),
  mcpPassword: ["mcp-", "pass-", "Xy7Qz"].join(""),
  messageKey: ["sk-proj-", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34"].join(""),
  userName: ["corpus", "user"].join(""),
};

const pem = `-----BEGIN RSA PRIVATE KEY-----\n${secrets.privateKeyBody}\n${secrets.privateKeyBody.split("").reverse().join("")}\n-----END RSA PRIVATE KEY-----`;

/** Text carrying most of the secrets, as a config file or a command's output would. */
const leakyText = [
  `aws_access_key_id = ${secrets.awsKeyId}`,
  `aws_secret_access_key = ${secrets.awsSecret}`,
  `GITHUB_TOKEN=${secrets.github}`,
  `token ${secrets.githubPat}`,
  `gitlab: ${secrets.gitlab}`,
  `slack ${secrets.slack}`,
  `id_token ${secrets.jwt}`,
  `DATABASE_URL=postgres://app:${secrets.urlPassword}@db.internal:5432/app`,
  `Authorization: Bearer ${secrets.bearer}`,
  `STRIPE_KEY=${secrets.stripe}`,
  `DB_PASSWORD=${secrets.dbPassword}`,
  `session ${secrets.random}`,
  `cd /home/${secrets.userName}/src`,
  pem,
].join("\n");

let dir = "";
let stateDir = "";
let out = "";
/** User names are hidden only when named (a redaction configuration): their bare form is a plain word. */
let names = "";

const call = request;
const shell = (argv: string[]) => ({ kind: "shell", name: argv[0], argv });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wsops-corpus-"));
  stateDir = mkdtempSync(join(tmpdir(), "wsops-corpus-state-"));
  out = mkdtempSync(join(tmpdir(), "wsops-corpus-out-"));
  names = join(out, "redaction.json");
  writeFileSync(names, JSON.stringify({ userNames: [secrets.userName] }));
  writeFileSync(join(dir, "settings.env"), `${leakyText}\n`);
  const executor = await Executor.open({
    workspaceRoot: dir,
    stateDir,
    mode: "governed",
    sandbox: { backend: "process" },
  });
  try {
    // argv and output
    await executor.exec(
      call(
        "sess-corpus",
        "t-echo",
        shell(["echo", `--token=${secrets.github}`, `postgres://app:${secrets.urlPassword}@db/x`]),
      ),
    );
    await executor.exec(call("sess-corpus", "t-cat", shell(["cat", "settings.env"])));
    // environment: assignments in argv (parked for approval, approved, run), values in the output
    const env = await executor.exec(
      call(
        "sess-corpus",
        "t-env",
        shell(["env", `STRIPE_KEY=${secrets.stripe}`, `DB_PASSWORD=${secrets.dbPassword}`, "printenv"]),
      ),
    );
    if (env.kind !== "pending") throw new Error(`env was not parked: ${JSON.stringify(env)}`);
    await executor.approve(env.approvalRequestId, { type: "user", id: "alice" });
    await executor.resume("t-env");
    // MCP arguments
    await executor.exec(
      call("sess-corpus", "t-mcp", {
        kind: "mcp",
        server: "github",
        name: "create_issue",
        sanitizedArgs: {
          token: secrets.mcpToken,
          body: `Authorization: Bearer ${secrets.bearer}`,
          nested: { password: secrets.mcpPassword, note: `key ${secrets.awsKeyId}` },
        },
      }),
    );
    // messages (the executor redacts annotations when it records them)
    await executor.annotateSession({
      kind: "SessionAnnotation",
      apiVersion: "workspace-ops.dev/v1",
      sessionId: "sess-corpus",
      messages: [
        {
          role: "user",
          content: `Here is my key ${secrets.messageKey} and ${secrets.jwt}`,
          at: new Date(Date.now() - 60_000).toISOString(),
        },
        {
          role: "assistant",
          content: `I will not use ${secrets.slack}; working in /home/${secrets.userName}.`,
          at: new Date().toISOString(),
        },
      ],
    });
  } finally {
    await executor.close();
  }
  // Raw records, as a store written without commit-time redaction would hold them.
  const store = await openSqliteStore(join(stateDir, "state.db"));
  const raw = call(
    "sess-raw",
    "t-raw",
    shell(["deploy", `--password=${secrets.dbPassword}`, `--aws-key=${secrets.awsKeyId}`]),
  );
  const preview = (text: string) => ({
    bytes: Buffer.byteLength(text),
    digest: `sha256:${"0".repeat(64)}`,
    preview: text,
    truncated: false,
  });
  await store.commit({
    appends: [
      {
        stream: "t-raw",
        records: [
          { type: "request", data: { mode: "governed", request: raw } },
          {
            type: "result",
            data: {
              kind: "ToolExecutionResult",
              apiVersion: "workspace-ops.dev/v1",
              toolExecutionId: "t-raw",
              outcome: "succeeded",
              exitCode: 0,
              mode: "governed",
              traceId: raw.correlation.traceparent.split("-")[1],
              traceparent: raw.correlation.traceparent,
              startedAt: new Date().toISOString(),
              endedAt: new Date().toISOString(),
              durations: { totalMs: 1 },
              output: { stdout: preview(leakyText), stderr: preview(`warning: ${secrets.random}`) },
            },
          },
        ],
        create: { kind: "tool_execution", sessionId: "sess-raw" },
      },
      {
        stream: "wsops.session.raw",
        records: [
          {
            type: "annotation",
            data: {
              annotation: {
                kind: "SessionAnnotation",
                apiVersion: "workspace-ops.dev/v1",
                sessionId: "sess-raw",
                messages: [
                  {
                    role: "user",
                    content: `deploy with ${secrets.messageKey}\n${pem}`,
                    at: new Date(Date.now() - 1000).toISOString(),
                  },
                  {
                    role: "assistant",
                    content: `Using ${secrets.gitlab} as ${secrets.userName}.`,
                    at: new Date().toISOString(),
                  },
                ],
              },
              redaction: {
                redactedAt: new Date().toISOString(),
                redactorVersion: "0",
                rules: [],
                totalRedactions: 0,
              },
            },
          },
        ],
        create: { kind: "reserved", sessionId: "sess-raw" },
      },
    ],
  });
  await store.close();
}, 120_000);

/** Every form of a secret that must never appear: itself, its long pieces, base64 and URL-encoded. */
function forms(secret: string): string[] {
  const pieces =
    secret.length > 16
      ? Array.from({ length: secret.length - 15 }, (_, i) => secret.slice(i, i + 16))
      : [secret];
  return [
    ...pieces,
    Buffer.from(secret).toString("base64"),
    Buffer.from(secret).toString("base64url"),
    encodeURIComponent(secret),
  ];
}

describe("the redaction corpus", () => {
  it("plants every secret in the store (the raw records still hold them)", () => {
    const db = readFileSync(join(stateDir, "state.db")).toString("latin1");
    for (const name of [
      "awsKeyId",
      "dbPassword",
      "random",
      "messageKey",
      "gitlab",
      "privateKeyBody",
    ] as const)
      expect(db, name).toContain(secrets[name]);
  });

  it.each([
    ["trajectory", []],
    ["rl", []],
    ["sft", ["--dialect", "openai"]],
    ["sft", ["--dialect", "tinker"]],
  ] as const)("--format %s %j writes none of them, in any form", (format, extra) => {
    const file = join(out, `${format}-${extra.join("-") || "default"}.jsonl`);
    const result = wsops(
      [
        "export",
        "--format",
        format,
        ...extra,
        "--state-dir",
        stateDir,
        "--out",
        file,
        "--json",
        "--redaction",
        names,
      ],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.written).toBe(2);
    const written = [
      readFileSync(file, "utf8"),
      format === "sft" ? readFileSync(file.replace(/\.jsonl$/, ".lineage.jsonl"), "utf8") : "",
      result.stdout,
      result.stderr,
    ].join("\n");
    for (const [name, secret] of Object.entries(secrets))
      for (const form of forms(secret))
        expect(written.includes(form), `${name} (${form}) in the ${format} export`).toBe(false);
    // What replaced them, counted per rule in the summary (never the values).
    const rules = (summary.redactions.rules as { rule: string }[]).map((r) => r.rule);
    for (const rule of [
      "aws-access-key",
      "generic-secret",
      "high-entropy",
      "home-path",
      "openai-api-key",
      "private-key",
      "url-credentials",
      "user-name",
    ])
      expect(rules, rule).toContain(rule);
  });

  it("reports redactions on every line", () => {
    const lines = readFileSync(join(out, "trajectory-default.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const line of lines) {
      expect(line.redaction.redactorVersion).toMatch(/^0\.1\.0\+rules\.[0-9a-f]{12}$/);
      expect(line.redaction.totalRedactions).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, "trajectory-default.jsonl"), "utf8")).toContain("[REDACTED:");
  });
});
