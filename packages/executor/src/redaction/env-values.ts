// Secrets the executor knows by value: the values of its environment's secret-named variables
// (GITHUB_TOKEN, OPENAI_API_KEY, DB_PASSWORD, … — named as the sensitive-key rule names them). A
// command that prints one (`printenv DEPLOY_TOKEN`) prints a value no pattern would recognise; this
// rule finds it anywhere in what is written, whatever its format.
import { defaultRules, type RedactionRule } from "@workspace-ops/redact";

/** Shorter values are too likely to be ordinary words or numbers elsewhere in the records. */
const MIN_LENGTH = 8;

const secretName = defaultRules.find((rule) => rule.id === "sensitive-key")?.keys as RegExp;

const literal = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

/** One rule matching each secret-named variable's value literally (longest first); null when there are none. */
export function envValueRule(env: Record<string, string | undefined>): RedactionRule | null {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && value.length >= MIN_LENGTH && secretName.test(name)) values.add(value);
  if (values.size === 0) return null;
  const alternatives = [...values].sort((a, b) => b.length - a.length).map(literal);
  return {
    id: "env-value",
    description: "The value of a secret-named variable of the executor's environment, wherever it appears.",
    pattern: new RegExp(alternatives.join("|"), "g"),
  };
}
