// wsops explain: the analysis of a command and the policy's decision on it, without running anything
// and without reading or writing any state.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { loadAnalyzer } from "@workspace-ops/analysis";
import { validate } from "@workspace-ops/contracts";
import { ExplainError, type Explanation, explainToolCall } from "@workspace-ops/executor";
import { defaultBundleDir, PolicyRuntime } from "@workspace-ops/policy";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { type Io, UsageError } from "../io.js";
import { describeClassification } from "./classification.js";
import { principalSchema } from "./executor-shared.js";
import { EvalExit } from "./policy.js";

export const explainUsage = `Usage: wsops explain [options] -- ARGV...
       wsops explain [options] --shell 'STRING'

Shows what a governed shell call would be: the parse (every simple command, after wrappers, paths and
git's global options are looked through; redirections; operators; what cannot be known statically),
each part's class with the data entry and the word that decided it, and the policy's decision with its
reasons. Nothing runs, and no state is read or written. ARGV is executed without a shell, as the
executor runs it; --shell 'STRING' explains bash -c 'STRING'.

Options:
  --shell STRING   explain the script STRING run by bash -c
  --profile FILE   decide under this AgentMachineProfile (sandbox, obligations, allowedCodeExecution);
                   default: none (the policy's defaults)
  --actor TYPE:ID  who asks (default agent:explain); grants are never consulted
  --bundle DIR     a built policy bundle (default: the one built into @workspace-ops/policy)
  --json           print {analysis, decision} as JSON

Exit codes: 0 allow, 1 deny, 3 approval_required, 4 no decision (bundle refused, trap, undefined or
malformed result), 2 usage error.
`;

export async function explainCommand(argv: string[], io: Io): Promise<number> {
  const dash = argv.indexOf("--");
  const flags = dash === -1 ? argv : argv.slice(0, dash);
  const command = dash === -1 ? [] : argv.slice(dash + 1);
  const { values, positionals } = parseCommand(
    flags,
    {
      shell: { type: "string" },
      profile: { type: "string" },
      actor: { type: "string" },
      bundle: { type: "string" },
      json: { type: "boolean" },
    },
    z.object({
      shell: z.string().optional(),
      profile: z.string().optional(),
      actor: principalSchema.optional(),
      bundle: z.string().optional(),
      json: z.boolean().optional(),
    }),
  );
  if (positionals.length) throw new UsageError(`unexpected ${positionals[0]}: put the command after --`);
  if ((values.shell === undefined) === (command.length === 0))
    throw new UsageError("give either -- ARGV... or --shell 'STRING'");
  const args = values.shell === undefined ? command : ["bash", "-c", values.shell];
  const profile = values.profile ? await readProfile(values.profile) : undefined;

  const loaded = await PolicyRuntime.load(values.bundle ? resolve(values.bundle) : defaultBundleDir);
  if (!loaded.ok) {
    if (values.json) io.stdout(`${JSON.stringify({ ok: false, error: loaded.error }, null, 2)}\n`);
    else io.stderr(`wsops explain: no decision: ${loaded.error.code}: ${loaded.error.message}\n`);
    return EvalExit.noDecision;
  }
  let explanation: Explanation;
  try {
    explanation = explainToolCall({
      argv: args,
      policy: loaded.runtime,
      analyzer: await loadAnalyzer(),
      ...(profile ? { profile } : {}),
      ...(values.actor ? { actor: values.actor } : {}),
    });
  } catch (error) {
    if (error instanceof ExplainError)
      throw new UsageError(`the command is not a valid tool call: ${error.message}`);
    throw error;
  }
  const { analysis, evaluation } = explanation;
  if (values.json) {
    const decided = evaluation.ok ? { decision: evaluation.decision } : { error: evaluation.error };
    io.stdout(`${JSON.stringify({ ok: evaluation.ok, analysis, ...decided }, null, 2)}\n`);
  } else print(io, explanation);
  if (!evaluation.ok) {
    if (!values.json)
      io.stderr(`wsops explain: no decision: ${evaluation.error.code}: ${evaluation.error.message}\n`);
    return EvalExit.noDecision;
  }
  return { allow: EvalExit.allow, deny: EvalExit.deny, approval_required: EvalExit.approvalRequired }[
    evaluation.decision.decision
  ];
}

async function readProfile(file: string) {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(
      `cannot read ${file} as JSON: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const checked = validate("AgentMachineProfile", value);
  if (!checked.ok) {
    const first = checked.errors[0];
    throw new UsageError(
      `${file}: not a valid AgentMachineProfile: ${first?.pointer || "/"} ${first?.message}`,
    );
  }
  return checked.value;
}

const quote = (word: string) =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

function print(io: Io, { request, analysis, evaluation }: Explanation) {
  const out: string[] = [`command: ${(request.tool.argv ?? []).map(quote).join(" ")}`];
  out.push(
    `parse: ${analysis.parts.length} part${analysis.parts.length === 1 ? "" : "s"}${analysis.operators.length ? `, joined by ${analysis.operators.map((o) => (o === "\n" ? "newline" : o)).join(" ")}` : ""}`,
  );
  const classes = evaluation.ok ? evaluation.decision.classification?.parts : undefined;
  for (const part of analysis.parts) {
    const c = classes?.find((x) => x.index === part.index);
    out.push(`  [${part.index}] ${part.argv.length ? part.argv.map(quote).join(" ") : "(no command)"}`);
    if (c) out.push(`      class ${c.class}: ${c.entry}${c.token ? ` (${c.token})` : ""} [${c.source}]`);
    const around = [
      part.path ? `path ${part.path}` : "",
      part.wrappers?.length ? `wrappers ${part.wrappers.map((w) => w.argv.join(" ")).join(" | ")}` : "",
      part.globalOptions?.length ? `git options ${part.globalOptions.join(" ")}` : "",
      part.assignments?.length ? `sets ${part.assignments.map((a) => a.name).join(" ")}` : "",
      part.redirects?.length
        ? `redirects ${part.redirects.map((r) => `${r.fd ?? ""}${r.op}${r.target ?? ""} (${r.kind})`).join(" ")}`
        : "",
      part.via?.length ? `via ${part.via.join(" > ")}` : "",
      part.dynamicArgs?.length || part.dynamicTail ? "arguments not known statically" : "",
    ].filter(Boolean);
    if (around.length) out.push(`      ${around.join("; ")}`);
    for (const u of part.unknown ?? []) out.push(`      cannot know: ${u.code}: ${u.detail}`);
  }
  for (const u of analysis.unknown) out.push(`  cannot know: ${u.code}: ${u.detail}`);
  if (evaluation.ok) {
    const d = evaluation.decision;
    out.push(
      `decision: ${d.decision}${d.classification ? ` (${describeClassification(d.classification)})` : ""}`,
    );
    for (const r of d.reasons) out.push(`  ${r.code}: ${r.message} [${r.policy}]`);
  }
  io.stdout(`${out.join("\n")}\n`);
}
