// Every wsops command, loaded only when it runs: `wsops --help` imports none of them, and a command
// imports only what it needs (the validators, the policy runtime and the executor are heavy).
import type { Io } from "./io.js";

/** What a command module provides once loaded. */
export interface LoadedCommand {
  run: (argv: string[], io: Io) => Promise<number>;
  usage: string;
}

export interface CommandEntry {
  summary: string;
  load: () => Promise<LoadedCommand>;
}

const executorCommand = (name: string) => async (): Promise<LoadedCommand> => {
  const m = await import("./commands/operations.js");
  return { run: (argv, io) => m.operationsCommand(name, argv, io), usage: m.operationsUsage };
};

export const commands: Record<string, CommandEntry> = {
  validate: {
    summary: "validate JSON payloads against the contracts",
    load: async () => {
      const m = await import("./commands/validate.js");
      return { run: m.validateCommand, usage: m.validateUsage };
    },
  },
  policy: {
    summary: "build, test and evaluate the Rego policies",
    load: async () => {
      const m = await import("./commands/policy.js");
      return { run: m.policyCommand, usage: m.policyUsage };
    },
  },
  explain: {
    summary: "show how a command is parsed, classified and decided, without running it",
    load: async () => {
      const m = await import("./commands/explain.js");
      return { run: m.explainCommand, usage: m.explainUsage };
    },
  },
  exec: {
    summary: "run one governed tool call (a pre-tool-use hook)",
    load: async () => {
      const m = await import("./commands/exec.js");
      return { run: m.execCommand, usage: m.execUsage };
    },
  },
  submit: { summary: "run a WorkspaceOperationContract", load: executorCommand("submit") },
  status: { summary: "state of a tool execution or operation", load: executorCommand("status") },
  logs: { summary: "records of a tool execution or operation (--follow)", load: executorCommand("logs") },
  approve: { summary: "approve a pending approval request", load: executorCommand("approve") },
  deny: { summary: "deny a pending approval request", load: executorCommand("deny") },
  resume: { summary: "run an approved call that nobody was waiting for", load: executorCommand("resume") },
  cancel: { summary: "cancel a running or pending call or operation", load: executorCommand("cancel") },
  keys: {
    summary: "keys create | list: approvers' signing keys and the audit key that signs the audit head",
    load: async () => {
      const m = await import("./commands/keys.js");
      return { run: m.keysCommand, usage: m.keysUsage };
    },
  },
  audit: {
    summary: "audit verify | export: check the hash-chained audit log, or export a copy that verifies",
    load: async () => {
      const m = await import("./commands/audit.js");
      return { run: m.auditCommand, usage: m.auditUsage };
    },
  },
  contracts: {
    summary: "contracts diff: breaking changes since a git revision",
    load: async () => {
      const m = await import("./commands/contracts.js");
      return { run: m.contractsCommand, usage: m.contractsUsage };
    },
  },
  conformance: {
    summary: "every CI check in one run (examples, policies, parity, diff)",
    load: async () => {
      const m = await import("./commands/conformance.js");
      return { run: m.conformanceCommand, usage: m.conformanceUsage };
    },
  },
};
