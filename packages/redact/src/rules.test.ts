import { describe, expect, it } from "vitest";
import { defaultRules, type RedactionRule, redact, redactText } from "./index.js";

// Fixtures are assembled from pieces so that no complete credential-shaped literal sits in the source.
const ghp = `ghp_${"a1B2c3D4e5".repeat(3)}F6g7H8`; // 36 characters after the prefix
const gho = `gho_${"Z9y8X7w6V5".repeat(4)}`;
const githubPat = `github_pat_11ABCDEFG0${"x1Y2z3".repeat(10)}`;
const awsKeyId = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
const awsSecret = ["wJalrXUtnFEMI/K7MDENG", "/bPxRfiCYEXAMPLEKEY"].join("");
const glpat = `glpat-${"xY9zW8vU7t".repeat(2)}`;
const runnerRegistration = `GR1348941${"aB3dE5fG7hJ9kL1mN3pQ".slice(0, 20)}`;
const slack = ["xoxb", "123456789012", "1234567890123", "AbCdEfGhIjKlMnOpQrStUvWx"].join("-");
const googleKey = `AIza${"SyD-0123456789abcdefghijklmnopqrstu"}`;
const openaiKey = `sk-proj-${"Ab12Cd34Ef56Gh78".repeat(3)}`;
const legacyOpenaiKey = `sk-${"T3BlbkFJ".repeat(6)}`;
const jwt = [
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
  "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
  "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
].join(".");
const pemBody = "MIIEowIBAAKCAQEA7xq3\nc2VjcmV0LWtleS1tYXRlcmlhbA+/=\n";
const pem = (label: string) => `-----BEGIN ${label}-----\n${pemBody}-----END ${label}-----`;

function rule(id: string): RedactionRule {
  const found = defaultRules.find((r) => r.id === id);
  if (!found) throw new Error(`no default rule ${id}`);
  return found;
}

const now = () => new Date("2026-11-21T12:30:00Z");

/** [rule id, input, expected output]: each fires once with the rule alone and with all default rules. */
const positives: [string, string, string][] = [
  ["private-key", `key:\n${pem("RSA PRIVATE KEY")}\ndone`, "key:\n[REDACTED:private-key]\ndone"],
  ["private-key", pem("OPENSSH PRIVATE KEY"), "[REDACTED:private-key]"],
  ["private-key", pem("PGP PRIVATE KEY BLOCK"), "[REDACTED:private-key]"],
  [
    "private-key",
    `{"key":"${pem("PRIVATE KEY").replaceAll("\n", "\\n")}"}`,
    '{"key":"[REDACTED:private-key]"}',
  ],
  ["jwt", `id_token ${jwt} end`, "id_token [REDACTED:jwt] end"],
  [
    "url-credentials",
    "DATABASE_URL=postgres://app:s3cr3t-pw@db.internal:5432/app",
    "DATABASE_URL=postgres://[REDACTED:url-credentials]@db.internal:5432/app",
  ],
  [
    "url-credentials",
    "git clone https://deploy:abc%40123@git.example.com/org/repo.git",
    "git clone https://[REDACTED:url-credentials]@git.example.com/org/repo.git",
  ],
  ["aws-access-key", `aws_access_key_id = ${awsKeyId}`, "aws_access_key_id = [REDACTED:aws-access-key]"],
  ["aws-secret", `aws_secret_access_key = ${awsSecret}`, "aws_secret_access_key = [REDACTED:aws-secret]"],
  ["aws-secret", `AWS_SECRET_ACCESS_KEY="${awsSecret}"`, 'AWS_SECRET_ACCESS_KEY="[REDACTED:aws-secret]"'],
  ["aws-secret", `{"SecretAccessKey": "${awsSecret}"}`, '{"SecretAccessKey": "[REDACTED:aws-secret]"}'],
  ["github-token", `GITHUB_TOKEN=${ghp}`, "GITHUB_TOKEN=[REDACTED:github-token]"],
  [
    "github-token",
    `git push https://${gho}@github.com/o/r`,
    "git push https://[REDACTED:github-token]@github.com/o/r",
  ],
  ["github-token", `token ${githubPat}.`, "token [REDACTED:github-token]."],
  ["gitlab-token", `GITLAB_TOKEN=${glpat}`, "GITLAB_TOKEN=[REDACTED:gitlab-token]"],
  [
    "gitlab-token",
    `--registration-token ${runnerRegistration}`,
    "--registration-token [REDACTED:gitlab-token]",
  ],
  ["slack-token", `SLACK_BOT=${slack}`, "SLACK_BOT=[REDACTED:slack-token]"],
  ["google-api-key", `maps?key=${googleKey}&z=3`, "maps?key=[REDACTED:google-api-key]&z=3"],
  ["openai-api-key", `OPENAI_API_KEY=${openaiKey}`, "OPENAI_API_KEY=[REDACTED:openai-api-key]"],
  ["openai-api-key", `client(${legacyOpenaiKey})`, "client([REDACTED:openai-api-key])"],
  [
    "bearer-token",
    "Authorization: Bearer abc123DEF456ghi789",
    "Authorization: Bearer [REDACTED:bearer-token]",
  ],
  [
    "bearer-token",
    'curl -H "authorization: bearer 0123456789abcdef" https://api.example.com',
    'curl -H "authorization: bearer [REDACTED:bearer-token]" https://api.example.com',
  ],
  ["basic-auth", "Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [REDACTED:basic-auth]"],
  [
    "basic-auth",
    "Proxy-Authorization: basic YWxhZGRpbjpvcGVu",
    "Proxy-Authorization: basic [REDACTED:basic-auth]",
  ],
  ["cookie-header", "Cookie: session=abc123; csrftoken=xyz", "Cookie: [REDACTED:cookie-header]"],
  [
    "cookie-header",
    "Set-Cookie: id=a3fWa; Path=/; HttpOnly\nnext line",
    "Set-Cookie: [REDACTED:cookie-header]\nnext line",
  ],
  ["generic-secret", "DB_PASSWORD=hunter2", "DB_PASSWORD=[REDACTED:generic-secret]"],
  ["generic-secret", "password = correct-horse", "password = [REDACTED:generic-secret]"],
  ["generic-secret", "secret: 'correct horse battery'", "secret: '[REDACTED:generic-secret]'"],
  [
    "generic-secret",
    "mysql --password hunter2 --host db",
    "mysql --password [REDACTED:generic-secret] --host db",
  ],
  ["generic-secret", "wsops login --api-key=k-123abc", "wsops login --api-key=[REDACTED:generic-secret]"],
  [
    "generic-secret",
    "GET /v1/items?access_token=abc123&page=2",
    "GET /v1/items?access_token=[REDACTED:generic-secret]&page=2",
  ],
  [
    "generic-secret",
    '{"mode":"governed","apiKey":"k-123"}',
    '{"mode":"governed","apiKey":"[REDACTED:generic-secret]"}',
  ],
  [
    "generic-secret",
    '{"clientSecret": "a \\"quoted\\" value", "n": 1}',
    '{"clientSecret": "[REDACTED:generic-secret]", "n": 1}',
  ],
  [
    "generic-secret",
    String.raw`{\"password\":\"hunter2\",\"user\":\"bob\"}`,
    String.raw`{\"password\":\"[REDACTED:generic-secret]\",\"user\":\"bob\"}`,
  ],
  [
    "generic-secret",
    "Creds{user=bob, passphrase=opensesame}",
    "Creds{user=bob, passphrase=[REDACTED:generic-secret]}",
  ],
  [
    "secret-env",
    "env STRIPE_KEY=rk_live_51Hx STRIPE_PUBLIC_KEY=pk_live_1 node app.js",
    "env STRIPE_KEY=[REDACTED:secret-env] STRIPE_PUBLIC_KEY=pk_live_1 node app.js",
  ],
  [
    "secret-env",
    'export SENTRY_DSN="https://k@o1.ingest.sentry.io/5"',
    'export SENTRY_DSN="[REDACTED:secret-env]"',
  ],
  ["secret-env", "NPM_AUTH=Zm9vOmJhcg DEBUG=1", "NPM_AUTH=[REDACTED:secret-env] DEBUG=1"],
];

/** [rule id, input]: near misses that the rule must leave alone (alone, and within the default rules). */
const negatives: [string, string][] = [
  ["private-key", pem("PUBLIC KEY")],
  ["private-key", pem("CERTIFICATE")],
  ["private-key", `-----BEGIN PRIVATE KEY-----\n${pemBody}(truncated)`],
  ["jwt", "header only eyJhbGciOiJIUzI1NiJ9 and eyJhbGciOiJIUzI1NiJ9.not-a-payload"],
  ["url-credentials", "see https://example.com:8443/path?q=a@b and git@github.com:org/repo.git"],
  ["url-credentials", "https://user@example.com/ and mailto:someone@example.com"],
  ["aws-access-key", `AKIA${"IOSFODNN7EXAMP"} ${awsKeyId.toLowerCase()} X${awsKeyId}`],
  ["aws-secret", `value ${awsSecret} without a key`],
  ["aws-secret", `aws_secret_access_key=${awsSecret.slice(1)}`],
  ["github-token", "ghp_short123 and ghx_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa and github_pat_short"],
  ["gitlab-token", "glpat-short and xglpat-abcdefghijklmnopqrstuvwxyz and GR1348941short"],
  ["slack-token", "xoxz-123456789012-abcdefgh and xoxb-short"],
  ["google-api-key", `${googleKey.slice(0, -1)} and ${googleKey}X`],
  [
    "openai-api-key",
    "pip install scikit-learn; sk-learn; sk-central-production-cluster-name; task-0123456789abcdefghij",
  ],
  ["bearer-token", "uses the Bearer authentication scheme; Bearer abc1"],
  ["basic-auth", 'WWW-Authenticate: Basic realm="api"'],
  ["cookie-header", "cookie policy: strict; 3 cookies: set"],
  ["generic-secret", "password_policy=strict max_tokens=4096 tokens=12 tokenizer=bpe"],
  ["generic-secret", "mysql --password-file /run/secrets/db; Error: token expired; password:"],
  ["generic-secret", '{"token": 42, "password": null, "secret": true, "apiKey": ""}'],
  ["secret-env", "STRIPE_PUBLIC_KEY=pk_1 stripe_key=lower SORT_KEYS=1 PRIMARY_KEY"],
  [
    "generic-secret",
    "cat: /home/me/.aws/credentials: No such file or directory; ls: ./password: Permission denied",
  ],
];

describe("default rules", () => {
  it("have contract Identifier ids, descriptions, unique ids, and at least one of pattern/keys", () => {
    const ids = defaultRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of defaultRules) {
      expect(r.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.pattern !== undefined || r.keys !== undefined).toBe(true);
    }
    expect(ids).toEqual([
      "private-key",
      "jwt",
      "url-credentials",
      "aws-access-key",
      "aws-secret",
      "github-token",
      "gitlab-token",
      "slack-token",
      "google-api-key",
      "openai-api-key",
      "bearer-token",
      "basic-auth",
      "cookie-header",
      "generic-secret",
      "secret-env",
      "sensitive-key",
      "secret-env-key",
    ]);
  });

  it("are frozen", () => {
    expect(Object.isFrozen(defaultRules)).toBe(true);
    for (const r of defaultRules) expect(Object.isFrozen(r)).toBe(true);
  });

  it("every pattern rule has a positive and a negative case", () => {
    for (const r of defaultRules.filter((x) => x.pattern)) {
      expect(positives.some(([id]) => id === r.id)).toBe(true);
      expect(negatives.some(([id]) => id === r.id)).toBe(true);
    }
  });

  it.each(positives)("%s redacts %j", (id, input, expected) => {
    const report = { redactedAt: "2026-11-21T12:30:00.000Z", redactorVersion: "0.1.0" };
    const expectedReport = { ...report, rules: [{ rule: id, count: 1 }], totalRedactions: 1 };
    expect(redactText(input, { rules: [rule(id)], now })).toEqual({ text: expected, report: expectedReport });
    expect(redactText(input, { now })).toEqual({ text: expected, report: expectedReport });
    // Idempotent: a second pass finds nothing.
    expect(redactText(expected, { now })).toEqual({
      text: expected,
      report: { ...report, rules: [], totalRedactions: 0 },
    });
  });

  it.each(negatives)("%s leaves %j alone", (id, input) => {
    const empty = {
      redactedAt: "2026-11-21T12:30:00.000Z",
      redactorVersion: "0.1.0",
      rules: [],
      totalRedactions: 0,
    };
    expect(redactText(input, { rules: [rule(id)], now })).toEqual({ text: input, report: empty });
    expect(redactText(input, { now }).report.rules.map((r) => r.rule)).not.toContain(id);
  });

  it("leave ordinary diagnostics text alone", () => {
    const text = [
      "2026-11-21T12:00:01Z INFO executor started mode=governed pid=4242",
      "usage tokensIn=1200 tokensOut=340 max_tokens=4096 cost=0.0123",
      "fetch https://registry.npmjs.org/@workspace-ops%2fcontracts -> 200 (sha512-AbCdEf0123456789+/==)",
      "Error: token expired at 2026-11-21T12:00:00Z; see docs/executor.md#tokens",
      "digest sha256:5203175f8fa60d45b5e0e6da52b6af0cd83ceb89a5d152f0b7febaf7bbe1dc51",
      "pip install scikit-learn; the Bearer authentication scheme; cookie policy: strict",
      '{"mode":"governed","credentialRef":"vault://providers/openai","maxTokens":4096,"password":null}',
    ].join("\n");
    expect(redactText(text, { now })).toEqual({
      text,
      report: {
        redactedAt: "2026-11-21T12:30:00.000Z",
        redactorVersion: "0.1.0",
        rules: [],
        totalRedactions: 0,
      },
    });
  });
});

describe("secret-env-key", () => {
  it("replaces the value of env-style secret names and keeps public keys and other names", () => {
    const env = {
      STRIPE_KEY: "rk_1",
      SENTRY_DSN: "https://k@sentry",
      DB_PASS: "p",
      STRIPE_PUBLIC_KEY: "pk",
      HOME: "/h",
    };
    expect(redact({ env }, { now })).toEqual({
      value: {
        env: {
          STRIPE_KEY: "[REDACTED:secret-env-key]",
          SENTRY_DSN: "[REDACTED:secret-env-key]",
          DB_PASS: "[REDACTED:secret-env-key]",
          STRIPE_PUBLIC_KEY: "pk",
          HOME: "/h",
        },
      },
      report: {
        redactedAt: "2026-11-21T12:30:00.000Z",
        redactorVersion: "0.1.0",
        rules: [{ rule: "secret-env-key", count: 3 }],
        totalRedactions: 3,
      },
    });
  });
});

describe("name/value pairs", () => {
  it("judge the value by the name, as a key would be judged", () => {
    const input = {
      env: [
        { name: "DB_PASSWORD", value: "hunter2" },
        { name: "STRIPE_KEY", value: "rk_1" },
        { name: "HOME", value: "/home/x" },
      ],
      header: { key: "Authorization", value: "Basic Zm9vOmJhcg==" },
      plain: { name: "password", description: "the field, not a secret" },
    };
    expect(redact(input, { now }).value).toEqual({
      env: [
        { name: "DB_PASSWORD", value: "[REDACTED:sensitive-key]" },
        { name: "STRIPE_KEY", value: "[REDACTED:secret-env-key]" },
        { name: "HOME", value: "/home/x" },
      ],
      header: { key: "Authorization", value: "[REDACTED:sensitive-key]" },
      plain: { name: "password", description: "the field, not a secret" },
    });
  });
});

describe("sensitive-key", () => {
  const keyed = (key: string) => redact({ [key]: "v4lue", other: "plain" }, { now }).value;

  it.each([
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apiKey",
    "api_key",
    "x-api-key",
    "authorization",
    "Cookie",
    "Set-Cookie",
    "privateKey",
    "private_key",
    "clientSecret",
    "accessKey",
    "secretAccessKey",
    "secret_key",
    "credentials",
    "GITHUB_TOKEN",
    "db_password",
    "refreshToken",
  ])("replaces the value of %s", (key) => {
    expect(keyed(key)).toEqual({ [key]: "[REDACTED:sensitive-key]", other: "plain" });
  });

  it.each([
    "tokens",
    "tokensIn",
    "tokensOut",
    "maxTokens",
    "tokensPerMinute",
    "tokenizer",
    "credentialRef",
    "secretRef",
    "accessKeyId",
    "passwordPolicy",
    "ambientAuthority",
    "publicKey",
    "key",
  ])("keeps the value of %s (a contract field or a near miss)", (key) => {
    expect(keyed(key)).toEqual({ [key]: "v4lue", other: "plain" });
  });

  it("replaces numbers, arrays and objects whole; keeps null, booleans, empty values and markers", () => {
    const input = {
      token: 12345,
      secrets: ["a", "b"],
      credentials: { user: "u", pass: "p" },
      password: null,
      secret: true,
      apiKey: "",
      cookies: [],
      authorization: {},
      privateKey: "[REDACTED:private-key]",
    };
    const { value, report } = redact(input, { now });
    expect(value).toEqual({
      token: "[REDACTED:sensitive-key]",
      secrets: "[REDACTED:sensitive-key]",
      credentials: "[REDACTED:sensitive-key]",
      password: null,
      secret: true,
      apiKey: "",
      cookies: [],
      authorization: {},
      privateKey: "[REDACTED:private-key]",
    });
    expect(report.rules).toEqual([{ rule: "sensitive-key", count: 3 }]);
  });
});
