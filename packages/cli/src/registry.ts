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
  decide: {
    summary: "decide a ToolExecutionRequest for an agent runtime, without running it (--jsonl)",
    load: async () => {
      const m = await import("./commands/decide.js");
      return { run: m.decideCommand, usage: m.decideUsage };
    },
  },
  hook: {
    summary: "hook claude-code | gemini-cli: an agent runtime's tool hook",
    load: async () => {
      const m = await import("./commands/hook.js");
      return { run: m.hookCommand, usage: m.hookUsage };
    },
  },
  mcp: {
    summary: "mcp proxy -- SERVER...: a governed stdio MCP proxy",
    load: async () => {
      const m = await import("./commands/mcp.js");
      return { run: m.mcpCommand, usage: m.mcpUsage };
    },
  },
  submit: { summary: "run a WorkspaceOperationContract", load: executorCommand("submit") },
  status: { summary: "state of a tool execution or operation", load: executorCommand("status") },
  logs: { summary: "records of a tool execution or operation (--follow)", load: executorCommand("logs") },
  approvals: {
    summary: "list approval requests (--pending) with what they are for and how to resolve them",
    load: async () => {
      const m = await import("./commands/approvals.js");
      return { run: m.approvalsCommand, usage: m.approvalsUsage };
    },
  },
  approve: { summary: "approve a pending approval request", load: executorCommand("approve") },
  deny: { summary: "deny a pending approval request", load: executorCommand("deny") },
  resume: { summary: "run an approved call that nobody was waiting for", load: executorCommand("resume") },
  cancel: { summary: "cancel a running or pending call or operation", load: executorCommand("cancel") },
  grant: {
    summary: "grant a tool (a program and its arguments, or an MCP tool) to an agent",
    load: async () => {
      const m = await import("./commands/grants.js");
      return { run: m.grantCommand, usage: m.grantUsage };
    },
  },
  revoke: {
    summary: "revoke a grant",
    load: async () => {
      const m = await import("./commands/grants.js");
      return { run: m.revokeCommand, usage: m.revokeUsage };
    },
  },
  annotate: {
    summary: "attach a session's conversation, cohort and evaluation (a SessionAnnotation)",
    load: async () => {
      const m = await import("./commands/annotate.js");
      return { run: m.annotateCommand, usage: m.annotateUsage };
    },
  },
  export: {
    summary: "export governed runs as redacted training data (sft, rl, trajectory JSONL)",
    load: async () => {
      const m = await import("./commands/export.js");
      return { run: m.exportCommand, usage: m.exportUsage };
    },
  },
  serve: {
    summary: "serve the HTTP API and the web app (approval inbox, session timeline)",
    load: async () => {
      const m = await import("./commands/serve.js");
      return { run: m.serveCommand, usage: m.serveUsage };
    },
  },
  login: {
    summary: "sign in to a wsops serve as an approver, with your key",
    load: async () => {
      const m = await import("./commands/login.js");
      return { run: m.loginCommand, usage: m.loginUsage };
    },
  },
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
  gateway: {
    summary: "an OpenAI-compatible endpoint that routes, meters and cuts a persona's model calls",
    load: async () => {
      const m = await import("./commands/gateway.js");
      return { run: m.gatewayCommand, usage: m.gatewayUsage };
    },
  },
  usage: {
    summary: "model spend in the current minute against each persona's budgets",
    load: async () => {
      const m = await import("./commands/usage.js");
      return { run: m.usageCommand, usage: m.usageUsage };
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
