/**
 * A redaction rule. `id` names the rule in markers (`[REDACTED:<id>]`) and in the report, so it must be a
 * contract Identifier (`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`).
 *
 * - `pattern` is matched inside strings (it is always run as global; `g` and `d` are added, `y` dropped).
 *   If it has a named group `secret` that took part in the match, only that group is replaced and the
 *   rest of the match (a key, `Bearer `, quotes) is kept; otherwise the whole match is replaced.
 * - `keys` is tested against object keys: the whole value of a matching key is replaced (its `g`/`y`
 *   flags are dropped, so it is stateless).
 *
 * Write patterns with bounded quantifiers only (`{0,4096}`, never `*` or `+` over a class that the
 * next token can also match), so that no input can make them backtrack catastrophically.
 */
export interface RedactionRule {
  readonly id: string;
  readonly description: string;
  readonly pattern?: RegExp | undefined;
  readonly keys?: RegExp | undefined;
  /**
   * For `pattern` rules: a match is replaced only when this returns true for the text it would replace
   * (the `secret` group, else the whole match). Lets a rule say what a regular expression cannot, such
   * as "looks random" (highEntropyRule).
   */
  readonly accept?: ((candidate: string) => boolean) | undefined;
}

/** Key names that make a `key=value` / `key: value` / `--key value` assignment secret in text. */
const TEXT_KEYS =
  "(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?|cookie)";

/** Between a key and its value: optional closing quote (possibly JSON-escaped), `=`, `:` or `=>`. */
const ASSIGN = String.raw`\\?["']?[ \t]{0,8}(?:=>|[=:])[ \t]{0,8}(?:\\?["'])?`;

/**
 * A value: inside escaped quotes (JSON in a JSON string), inside quotes (escapes kept whole), or bare
 * (up to a space, quote, separator or bracket). The quotes themselves are kept. A bare value right
 * after a quoted key (`"token": 42`) or a bare null/true/false is left alone, so JSON stays JSON.
 */
const BARE = String.raw`(?<!["'])(?<!"[ \t]{0,8}(?:=>|[=:])[ \t]{0,8})(?!(?:null|true|false)\b)[^\s"'${"`"},;&|<>(){}[\]\\]{1,4096}`;
const VALUE = String.raw`(?<secret>(?<=\\")[^"\\\r\n]{1,4096}|(?<=")(?:[^"\\\r\n]|\\.){1,4096}|(?<=')(?:[^'\\\r\n]|\\.){1,4096}|${BARE})`;

/** Name endings that make an upper-case environment variable secret (beyond TEXT_KEYS). */
const ENV_SUFFIXES = "(?:KEY|PAT|PASS|PASSWD|PWD|AUTH|CREDENTIALS?|SIGNATURE|SALT|SEED|DSN)";

const PEM_LABEL = "(?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY(?: BLOCK)?";

/**
 * The default rules, in the order they are applied: specific formats first, so that a token inside
 * `token=…` is reported as `github-token`, not `generic-secret`; then generic assignments; then keys.
 */
export const defaultRules: readonly RedactionRule[] = Object.freeze(
  [
    {
      id: "private-key",
      description:
        "PEM / OpenSSH / PGP private key blocks, from -----BEGIN … PRIVATE KEY----- to -----END … -----.",
      pattern: new RegExp(
        `-----BEGIN ${PEM_LABEL}-----(?:[^-]|-(?!----)){0,65536}-----END ${PEM_LABEL}-----`,
        "g",
      ),
    },
    {
      id: "jwt",
      description: "JSON Web Tokens: eyJ<header>.eyJ<payload>.<signature>, base64url.",
      pattern:
        /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,4096}\.eyJ[A-Za-z0-9_-]{5,16384}\.[A-Za-z0-9_-]{0,4096}/g,
    },
    {
      id: "url-credentials",
      description: "user:password in a URL (scheme://user:password@host); the host is kept.",
      pattern:
        /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/(?<secret>[^\s:/?#@[\]"'<>\\]{1,256}:[^\s/?#@[\]"'<>\\]{1,256})@/g,
    },
    {
      id: "aws-access-key",
      description: "AWS access key ids (AKIA…, ASIA…, ABIA…, ACCA… followed by 16 characters).",
      pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    },
    {
      id: "aws-secret",
      description: "AWS secret access keys (40 characters) assigned to aws_secret_access_key and similar.",
      pattern: new RegExp(
        `(?<![A-Za-z0-9])(?:aws[_.-]?)?secret[_.-]?(?:access[_.-]?)?key${ASSIGN}(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
        "gi",
      ),
    },
    {
      id: "github-token",
      description: "GitHub tokens: ghp_, gho_, ghu_, ghs_, ghr_ and fine-grained github_pat_.",
      pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g,
    },
    {
      id: "gitlab-token",
      description:
        "GitLab tokens: personal/project/group access (glpat-), OAuth app secrets (gloas-), deploy (gldt-), runner " +
        "(glrt-, and GR1348941 registration tokens), CI job (glcbt-), pipeline trigger (glptt-), feed, incoming mail, " +
        "agent and SCIM tokens.",
      pattern:
        /(?<![A-Za-z0-9_-])(?:(?:glpat|gloas|gldt|glrt|glcbt|glptt|glft|glimt|glagent|glsoat|glffct)-[A-Za-z0-9_-]{20,255}|GR1348941[A-Za-z0-9_-]{20,255})(?![A-Za-z0-9_-])/g,
    },
    {
      id: "slack-token",
      description: "Slack tokens: xoxa-, xoxb-, xoxp-, xoxo-, xoxs-, xoxr-.",
      pattern: /(?<![A-Za-z0-9_-])xox[abposr]-[A-Za-z0-9-]{10,255}/g,
    },
    {
      id: "google-api-key",
      description: "Google API keys: AIza followed by 35 characters.",
      pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    },
    {
      id: "openai-api-key",
      description:
        "OpenAI-style secret keys: sk- (sk-proj-, sk-ant-, …) followed by 20+ characters with a digit.",
      pattern: /(?<![A-Za-z0-9_-])sk-(?=[A-Za-z0-9_-]{0,512}?[0-9])[A-Za-z0-9_-]{20,512}/g,
    },
    {
      id: "bearer-token",
      description: "Bearer tokens (Authorization: Bearer …): 8+ token characters including a digit.",
      pattern:
        /(?<![A-Za-z0-9_-])bearer[ \t]{1,8}(?<secret>(?=[A-Za-z0-9._~+/-]{0,4096}?[0-9])[A-Za-z0-9._~+/-]{8,4096}={0,2})/gi,
    },
    {
      id: "basic-auth",
      description: "HTTP Basic credentials (Authorization: Basic <base64>).",
      pattern: new RegExp(
        String.raw`(?<![A-Za-z0-9_])authorization${ASSIGN}basic[ \t]{1,8}(?<secret>[A-Za-z0-9+/]{4,4096}={0,2})`,
        "gi",
      ),
    },
    {
      id: "cookie-header",
      description: "Cookie and Set-Cookie header values, to the end of the line.",
      pattern: /(?<![A-Za-z0-9_])cookie[ \t]{0,8}:[ \t]{0,8}(?<secret>[^\s"'\\][^\r\n"'\\]{0,8191})/gi,
    },
    {
      id: "generic-secret",
      description:
        "Secret assignments in env, ini, CLI, YAML-ish and JSON-in-text form: password=, secret:, token=, api_key=, " +
        '--password value, "apiKey": "…" (the key and quotes are kept). A key that ends a path (…/credentials: No such file) is not one.',
      pattern: new RegExp(
        String.raw`(?:(?<![A-Za-z0-9_./-])[A-Za-z0-9_.-]{0,64}?${TEXT_KEYS}${ASSIGN}|(?<![A-Za-z0-9_.-])--[A-Za-z0-9_.-]{0,64}?${TEXT_KEYS}[ \t]{1,8}(?![-\s])["']?)${VALUE}`,
        "gi",
      ),
    },
    {
      id: "secret-env",
      description:
        "Values of environment variables whose names look secret but escape generic-secret: NAME=value where NAME " +
        "is upper case and ends in _KEY (not _PUBLIC_KEY), _PAT, _PASS, _PASSWD, _PWD, _AUTH, _CREDENTIAL(S), " +
        "_SIGNATURE, _SALT, _SEED or _DSN (STRIPE_KEY=…, SENTRY_DSN=…, in env files, `env` argv and shell exports).",
      pattern: new RegExp(
        `(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]{0,63}(?<!PUBLIC)_${ENV_SUFFIXES}${ASSIGN}${VALUE}`,
        "g",
      ),
    },
    {
      id: "sensitive-key",
      description:
        "Object keys whose whole value is secret: password, passwd, passphrase, secret, token, apiKey/api_key, " +
        "accessKey, secretKey, privateKey, clientSecret, authorization, cookie, credentials (also as a suffix: " +
        "db_password, GITHUB_TOKEN, x-api-key, Set-Cookie).",
      keys: /(?:passwords?|passwd|passphrase|secrets?|token|api[_-]?keys?|access[_-]?keys?|secret[_-]?keys?|private[_-]?keys?|authorization|cookies?|credentials?)$/i,
    },
    {
      id: "secret-env-key",
      description:
        "Object keys named like secret environment variables that sensitive-key does not cover (an env map's " +
        "STRIPE_KEY, SENTRY_DSN, NPM_AUTH, DB_PASS): upper case, ending as in secret-env.",
      keys: new RegExp(`^[A-Z][A-Z0-9_]{0,63}(?<!PUBLIC)_${ENV_SUFFIXES}$`),
    },
  ].map((rule) => Object.freeze(rule)),
);
