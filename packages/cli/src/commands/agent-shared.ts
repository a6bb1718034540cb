// Flags of the commands agent runtimes call (hook, decide, mcp proxy). Parsed with node's parseArgs
// and checked here by hand rather than with zod: a hook runs before every tool call of an agent, and
// loading zod alone costs it tens of milliseconds (docs/performance.md).
import { resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import type { Principal } from "@workspace-ops/contracts";
import type { ExecutorOptions, Mode } from "@workspace-ops/executor";
import { UsageError } from "../io.js";

export const agentOptions = {
  workspace: { type: "string" },
  "state-dir": { type: "string" },
  store: { type: "string" },
  durability: { type: "string" },
  mode: { type: "string" },
  actor: { type: "string" },
  profile: { type: "string" },
  bundle: { type: "string" },
  json: { type: "boolean" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export const agentHelp = `  --workspace DIR      the workspace root (default: the runtime's project folder, else its cwd)
  --mode MODE          governed (default): fail closed; observe: record, never block
  --actor TYPE:ID      who the agent is, for grants and approvals (default agent:<runtime>)
  --profile ID         the AgentMachineProfile to decide under (default: the workspace's active one)
  --state-dir DIR      local state (default: $WSOPS_STATE_DIR, else ~/.local/state/wsops/<id>-<hash>)
  --store URL          sqlite:PATH or postgres://… (default: $WSOPS_STORE_URL, else SQLite in the state dir)
  --durability MODE    full (default) or relaxed
  --bundle DIR         a built policy bundle (default: the one inside @workspace-ops/policy)
  --json               accepted for uniformity: the output is JSON already`;

export interface AgentFlags {
  workspace?: string;
  stateDir?: string;
  store?: string;
  durability: "full" | "relaxed";
  mode: Mode;
  actor?: Principal;
  profile?: string;
  bundle?: string;
  json: boolean;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Parses the flags; extra options are the command's own. Mistakes are UsageErrors naming the flag. */
export function parseAgentFlags(
  argv: string[],
  extra: NonNullable<ParseArgsConfig["options"]> = {},
): { flags: AgentFlags; values: Values; positionals: string[] } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...agentOptions, ...extra },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const v = parsed.values;
  const str = (name: string) => (typeof v[name] === "string" ? (v[name] as string) : undefined);
  const mode = str("mode") ?? "governed";
  if (!["governed", "observe", "disabled"].includes(mode))
    throw new UsageError("--mode: must be governed, observe or disabled");
  const durability = str("durability") ?? "full";
  if (durability !== "full" && durability !== "relaxed")
    throw new UsageError("--durability: must be full or relaxed");
  const store = str("store");
  if (store !== undefined && !/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(store))
    throw new UsageError("--store: must be sqlite:PATH, postgres://… or postgresql://…");
  const actor = str("actor");
  const flags: AgentFlags = {
    durability,
    mode: mode as Mode,
    json: v.json === true,
    ...(str("workspace") ? { workspace: resolve(str("workspace") as string) } : {}),
    ...(str("state-dir") ? { stateDir: resolve(str("state-dir") as string) } : {}),
    ...(store ? { store } : {}),
    ...(actor !== undefined ? { actor: principalOf(actor, "--actor") } : {}),
    ...(str("profile") ? { profile: str("profile") as string } : {}),
    ...(str("bundle") ? { bundle: resolve(str("bundle") as string) } : {}),
  };
  return { flags, values: v, positionals: parsed.positionals };
}

/** "TYPE:ID" as a Principal, or a UsageError naming the flag. */
export function principalOf(text: string, flag: string): Principal {
  const match = /^(user|agent|service):([A-Za-z0-9][A-Za-z0-9._:-]{0,127})$/.exec(text);
  if (!match) throw new UsageError(`${flag}: must be TYPE:ID with TYPE user, agent or service`);
  return { type: match[1] as Principal["type"], id: match[2] as string };
}

/** The executor's options for a workspace, from the flags. */
export function executorOptionsOf(flags: AgentFlags, workspaceRoot: string): ExecutorOptions {
  return {
    workspaceRoot,
    mode: flags.mode,
    durability: flags.durability,
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
    ...(flags.store ? { store: flags.store } : {}),
    ...(flags.bundle ? { bundleDir: flags.bundle } : {}),
  };
}

/**
 * The flags that make `wsops approve` find this workspace's state, as shown to an agent: never a
 * password (a store URL with one is left out; the person's own $WSOPS_STORE_URL then applies).
 */
export function approveFlagsOf(flags: AgentFlags, workspaceRoot: string): string[] {
  return stateFlagsOf({ workspace: workspaceRoot, "state-dir": flags.stateDir, store: flags.store });
}

/** The same, from the flags of the other executor commands (the workspace defaults to the cwd). */
export function stateFlagsOf(values: {
  workspace?: string | undefined;
  "state-dir"?: string | undefined;
  store?: string | undefined;
}): string[] {
  const out = ["--workspace", quoted(resolve(values.workspace ?? process.cwd()))];
  if (values["state-dir"]) out.push("--state-dir", quoted(resolve(values["state-dir"])));
  if (values.store && !/\/\/[^/@]*:[^/@]*@/.test(values.store)) out.push("--store", quoted(values.store));
  return out;
}

const quoted = (word: string) =>
  /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;

/**
 * For a process that makes one decision and exits (a hook, decide, exec): WebAssembly (the policy,
 * the shell parser) is compiled by the baseline compiler only. Otherwise V8 recompiles hot functions in the background,
 * and node waits for those compilations before it exits: measured, 0.5 to 1 s more for a hook on a
 * Bash command, for code that would never run again. A long-lived process (a hook server, decide
 * --jsonl) keeps the optimizing compiler. Set before any WebAssembly is compiled.
 */
export function decideOnceAndExit(): void {
  setFlagsFromString("--liftoff-only");
}
