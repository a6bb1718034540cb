# METADATA
# title: Test data
# description: >-
#   Valid contract payloads shared by the table-driven tests. Tests derive their cases from these
#   with object.union (which merges objects and replaces arrays). The evaluation time is always
#   now, 2026-11-21T12:10:00Z.
# custom:
#   id: workspace_ops.testdata_test
#   severity: info
package workspace_ops.testdata_test

now := "2026-11-21T12:10:00Z"

actor := {"type": "agent", "id": "agent-coder-1"}

traceparent := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

# METADATA
# description: A ToolExecutionRequest for argv, from agent-coder-1.
shell_request(argv) := {
	"kind": "ToolExecutionRequest",
	"apiVersion": "workspace-ops.dev/v1",
	"toolExecutionId": "texec-20261121-0101",
	"requestedAt": "2026-11-21T12:09:59Z",
	"context": {
		"organizationId": "org-acme",
		"workspaceId": "ws-demo",
		"sessionId": "sess-7f3a9c",
		"agentRunId": "run-0042",
		"agentRunStepId": "run-0042-step-03",
		"actor": {"type": "agent", "id": "agent-coder-1"},
		"surface": "ide",
		"cwd": ".",
	},
	"tool": {"kind": "shell", "name": argv[0], "argv": argv},
	"correlation": {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
}

# METADATA
# description: A ToolExecutionRequest for an MCP tool, from agent-coder-1.
mcp_request(server, name) := object.union(shell_request(["x"]), {"tool": {
	"kind": "mcp",
	"name": name,
	"server": server,
	"sanitizedArgs": {},
}})

coder_profile := {
	"kind": "AgentMachineProfile",
	"apiVersion": "workspace-ops.dev/v1",
	"profileId": "profile-coder-dev",
	"persona": "coder",
	"allowedOperationTypes": [
		"agent_machine.execution.start",
		"agent_machine.execution.cancel",
		"agent_machine.tool_grant.apply",
		"agent_machine.tool_grant.revoke",
		"agent_machine.container.run",
		"agent_machine.model_provider.bind",
		"agent_machine.diagnostics.export_redacted",
	],
	"sandbox": {"network": "none", "filesystem": "workspace-write", "backend": "bubblewrap"},
	"envAllowlist": ["PATH", "HOME", "LANG", "TERM"],
	"defaultBudget": {
		"maxWallClockSeconds": 1800,
		"maxSteps": 50,
		"maxTokens": 400000,
		"maxCostUsd": 10,
		"maxOutputBytes": 1048576,
	},
}

builder_profile := {
	"kind": "AgentMachineProfile",
	"apiVersion": "workspace-ops.dev/v1",
	"profileId": "profile-builder",
	"persona": "builder",
	"allowedOperationTypes": ["agent_machine.execution.start", "agent_machine.container.run"],
	"sandbox": {
		"network": "allowlist",
		"allowlist": ["registry.npmjs.org", "*.githubusercontent.com", "ghcr.io:443"],
		"filesystem": "workspace-write",
		"backend": "auto",
	},
	"envAllowlist": ["PATH", "HOME", "npm_config_cache", "CI"],
	"defaultBudget": {"maxWallClockSeconds": 7200, "maxSteps": 20},
}

# METADATA
# description: A live shell grant of git commit -m <message> to agent-coder-1.
commit_grant := {
	"kind": "ToolGrantRecord",
	"apiVersion": "workspace-ops.dev/v1",
	"grantId": "grant-git-commit-0001",
	"tool": {"kind": "shell", "name": "git", "argvPattern": ["commit", "-m", "*"]},
	"grantee": {"type": "agent", "id": "agent-coder-1"},
	"grantor": {"type": "user", "id": "alice"},
	"grantedAt": "2026-11-21T12:00:00Z",
	"expiresAt": "2026-11-21T20:00:00Z",
}

# METADATA
# description: A live shell grant of npm install [args...] to agent-coder-1.
npm_install_grant := {
	"kind": "ToolGrantRecord",
	"apiVersion": "workspace-ops.dev/v1",
	"grantId": "grant-npm-install-0003",
	"tool": {"kind": "shell", "name": "npm", "argvPattern": ["install"], "allowExtraArgs": true},
	"grantee": {"type": "agent", "id": "agent-coder-1"},
	"grantor": {"type": "user", "id": "alice"},
	"grantedAt": "2026-11-20T08:00:00Z",
	"expiresAt": "2026-11-27T08:00:00Z",
}

# METADATA
# description: A live MCP grant of github/create_issue to agent-coder-1.
mcp_grant := {
	"kind": "ToolGrantRecord",
	"apiVersion": "workspace-ops.dev/v1",
	"grantId": "grant-mcp-gh-issue-7",
	"tool": {"kind": "mcp", "name": "github/create_issue"},
	"grantee": {"type": "agent", "id": "agent-coder-1"},
	"grantor": {"type": "service", "id": "grant-broker"},
	"grantedAt": "2026-11-21T09:30:00+01:00",
	"expiresAt": "2026-11-22T09:30:00+01:00",
}

revoked := {"revokedAt": "2026-11-21T12:05:00Z", "revocationReason": "Revoked pending review."}

expired := {"expiresAt": "2026-11-21T12:00:00Z"}

binding := {
	"kind": "ModelProviderBinding",
	"apiVersion": "workspace-ops.dev/v1",
	"bindingId": "bind-coder-primary",
	"provider": "anthropic",
	"model": "claude-sonnet-4-5",
	"persona": "coder",
	"offeredCapabilities": ["tool_use", "vision", "long_context", "json_mode"],
	"requiredCapabilities": ["tool_use", "long_context"],
	"fallbackChain": [],
	"perMinuteBudget": {"tokensPerMinute": 10000, "costUsdPerMinute": 0.5, "requestsPerMinute": 5},
	"credentialRef": "secretref://vault/kv/agents/anthropic#api_key",
}

# METADATA
# description: >-
#   The coder's binding with a chain: anthropic (priced, no vision), openai (priced, its own
#   budget), ollama (free, no json_mode).
chain_binding := object.union(binding, {
	"offeredCapabilities": ["tool_use", "long_context", "streaming"],
	"requiredCapabilities": ["tool_use"],
	"pricing": {"inputUsdPerMillionTokens": 3, "outputUsdPerMillionTokens": 15},
	"fallbackChain": [
		{
			"provider": "openai",
			"model": "gpt-4.1-mini",
			"offeredCapabilities": ["tool_use", "vision", "json_mode", "streaming"],
			"pricing": {"inputUsdPerMillionTokens": 0.4, "outputUsdPerMillionTokens": 1.6},
			"perMinuteBudget": {"tokensPerMinute": 4000, "costUsdPerMinute": 0.1, "requestsPerMinute": 2},
			"credentialRef": "env://OPENAI_API_KEY",
		},
		{
			"provider": "ollama",
			"model": "qwen2.5-coder:32b",
			"offeredCapabilities": ["tool_use", "vision", "streaming"],
			"pricing": {"inputUsdPerMillionTokens": 0, "outputUsdPerMillionTokens": 0},
		},
	],
})

# METADATA
# description: A ModelCallRequest of the coder for any model, needing capabilities, estimating tokens in and out.
model_call(capabilities, tokens_in, tokens_out) := {
	"kind": "ModelCallRequest",
	"apiVersion": "workspace-ops.dev/v1",
	"modelCallId": "mcall-20261121-0001",
	"requestedAt": now,
	"persona": "coder",
	"model": "auto",
	"requiredCapabilities": capabilities,
	"estimate": {"tokensIn": tokens_in, "tokensOut": tokens_out},
	"correlation": {"traceparent": traceparent},
}

# METADATA
# description: A UsageRecord of the coder on provider/model at occurredAt.
usage_on(id, provider, model, tokens, cost, occurred_at) := object.union(
	usage(id, "coder", tokens, 0, cost, occurred_at),
	{"provider": provider, "model": model},
)

# METADATA
# description: A UsageRecord of persona at occurredAt.
usage(id, persona, tokens_in, tokens_out, cost, occurred_at) := {
	"kind": "UsageRecord",
	"apiVersion": "workspace-ops.dev/v1",
	"usageId": id,
	"persona": persona,
	"provider": "anthropic",
	"model": "claude-sonnet-4-5",
	"tokensIn": tokens_in,
	"tokensOut": tokens_out,
	"costUsd": cost,
	"occurredAt": occurred_at,
}

# METADATA
# description: >-
#   A valid WorkspaceOperationContract of operation_type carrying artifact, delegated by alice to
#   agent-coder-1.
operation(operation_type, artifact) := {
	"kind": "WorkspaceOperationContract",
	"apiVersion": "workspace-ops.dev/v1",
	"workspaceOperation": {
		"operationId": "op-20261121-0101",
		"operationType": operation_type,
		"commandRef": "cmd://agent-runtime/plan/21#step-3",
		"requestedAt": "2026-11-21T12:09:00Z",
		"workspace": {"organizationId": "org-acme", "workspaceId": "ws-demo", "root": "/home/dev/projects/demo"},
	},
	"operationTask": {"taskId": "task-0101", "state": "pending"},
	"delegation": {
		"delegator": {"type": "user", "id": "alice"},
		"delegate": {"type": "agent", "id": "agent-coder-1"},
		"scopes": [operation_type],
		"issuedAt": "2026-11-21T11:55:00Z",
		"expiresAt": "2026-11-21T13:55:00Z",
	},
	"controls": {
		"delegatedAuthorityRequired": true,
		"ambientAuthority": false,
		"durableWorkspaceState": {"mode": "operation-contract-only", "externalWrites": false},
	},
	"budget": {"maxWallClockSeconds": 600, "maxSteps": 5, "maxOutputBytes": 524288},
	"artifact": artifact,
	"lifecycle": {"emits": ["dev.workspace-ops.operation.started", "dev.workspace-ops.operation.completed"]},
	"audit": {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-4fc82b26aecb47d2-01"},
}

# METADATA
# description: A LocalAgentExecution owned by alice in environment with steps.
execution(environment, steps) := {
	"kind": "LocalAgentExecution",
	"apiVersion": "workspace-ops.dev/v1",
	"executionId": "exec-0101",
	"owner": {"type": "user", "id": "alice"},
	"environment": environment,
	"steps": steps,
}

# METADATA
# description: An execution step.
step(name, argv, timeout, destructive) := {
	"name": name,
	"argv": argv,
	"cwd": ".",
	"timeoutSeconds": timeout,
	"destructive": destructive,
}

container := {
	"kind": "ContainerExecutionRecord",
	"apiVersion": "workspace-ops.dev/v1",
	"containerExecutionId": "ctr-20261121-0101",
	"image": "docker.io/library/node:20-bookworm@sha256:bd950dc1a6e6a4cf4c4cc68e651de697da43ce5dfedbfbe46693bad1593334c1",
	"argv": ["npm", "test"],
	"workdir": "/workspace",
	"mounts": [
		{"source": ".", "target": "/workspace", "readOnly": false},
		{"source": "fixtures", "target": "/fixtures", "readOnly": true},
	],
	"network": "none",
	"privileged": false,
	"resources": {"cpus": 2, "memoryMb": 2048, "pidsLimit": 256},
}

# METADATA
# description: A redacted AgentMachineDiagnosticBundle with one entry of content.
bundle(content) := {
	"kind": "AgentMachineDiagnosticBundle",
	"apiVersion": "workspace-ops.dev/v1",
	"bundleId": "diag-20261121-0101",
	"createdAt": "2026-11-21T12:08:00Z",
	"workspaceId": "ws-demo",
	"entries": [{
		"path": "logs/executor.log",
		"contentType": "text/plain; charset=utf-8",
		"content": content,
		"digest": "sha256:5203175f8fa60d45b5e0e6da52b6af0cd83ceb89a5d152f0b7febaf7bbe1dc51",
	}],
	"redaction": {
		"redactedAt": "2026-11-21T12:07:59Z",
		"redactorVersion": "1.0.0",
		"rules": [{"rule": "github-token", "count": 1}],
		"totalRedactions": 1,
	},
	"redacted": true,
}

approval_request := {
	"kind": "ApprovalRequest",
	"apiVersion": "workspace-ops.dev/v1",
	"approvalRequestId": "apr-20261121-0001",
	"toolExecutionId": "texec-20261121-0005",
	"decisionId": "dec-20261121-0005",
	"requestedBy": {"type": "agent", "id": "agent-coder-1"},
	"requestedAt": "2026-11-21T12:00:00Z",
	"expiresAt": "2026-11-21T12:30:00Z",
	"reasons": [{
		"code": "destructive_needs_approval",
		"message": "rm -rf build is destructive and needs approval",
		"policy": "workspace_ops.rules.tool_risk",
	}],
	"summary": {"tool": {"kind": "shell", "name": "rm", "argv": ["rm", "-rf", "build"]}, "cwd": "."},
	"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
}

# METADATA
# description: An ApprovalResolution of apr-20261121-0001 by resolver (null for none).
resolution(outcome, resolver) := object.union(
	{
		"kind": "ApprovalResolution",
		"apiVersion": "workspace-ops.dev/v1",
		"approvalRequestId": "apr-20261121-0001",
		"resolution": outcome,
		"resolvedAt": "2026-11-21T12:09:30Z",
	},
	{name: value | some name, value in {"resolvedBy": resolver}; value != null},
)

# METADATA
# description: >-
#   A CommandAnalysis of args with the given parts, as @workspace-ops/analysis writes it (the
#   tests build parts by hand; the corpus under test/ runs the real analysis).
analysis(args, parts) := {
	"kind": "CommandAnalysis",
	"apiVersion": "workspace-ops.dev/v1",
	"analyzer": "policy tests",
	"source": "argv",
	"argv": args,
	"parts": parts,
	"operators": [],
	"unknown": [],
}

# METADATA
# description: The one part of a plain argv (no shell, no wrapper), its program as a base name.
argv_part(i, args) := object.union(
	{"index": i, "program": base, "argv": array.concat([base], array.slice(args, 1, count(args)))},
	{"path": args[0] | base != args[0]},
) if {
	segments := split(args[0], "/")
	base := segments[count(segments) - 1]
}

# METADATA
# description: The analysis of a plain argv.
argv_analysis(args) := analysis(args, [argv_part(0, args)])

# METADATA
# description: A tool_execution input for a plain argv, with its analysis.
shell_input(args) := {"request": shell_request(args), "analysis": argv_analysis(args)}

# METADATA
# description: The stepAnalysis the executor sends with an operation (one analysis per step of its execution).
step_analysis(operation) := [argv_analysis(step.argv) | some step in object.get(operation, ["artifact", "steps"], [])]

# METADATA
# description: What the executor knows about the machine (input.machine), for file tools.
machine := {
	"workspaceRoot": "/home/dev/demo",
	"home": "/home/dev",
	"protectedPaths": [
		"/home/dev/.local/state/wsops/demo-0123456789ab",
		"/home/dev/.local/state/wsops",
		"/home/dev/.config/wsops/keys",
	],
	"hiddenPaths": ["/home/dev/.ssh", "/home/dev/.aws", "/home/dev/.config/gh", "/etc/shadow", "/run"],
}

# METADATA
# description: A ToolExecutionRequest for an agent runtime's file tool, from agent-coder-1.
file_request(name, access, paths) := object.union(object.remove(shell_request(["x"]), ["tool"]), {"tool": {
	"kind": "file",
	"name": name,
	"access": access,
	"paths": paths,
}})

# METADATA
# description: A tool_execution input for a file tool whose paths resolve to themselves.
file_input(name, access, paths) := {
	"request": file_request(name, access, paths),
	"machine": machine,
	"target": {"paths": [{"path": p, "real": p} | some p in paths]},
}

# METADATA
# description: A ToolExecutionRequest for an agent runtime's web tool (access fetch with a URL, or search with a query).
web_request(name, access, what) := object.union(object.remove(shell_request(["x"]), ["tool"]), {"tool": object.union(
	{"kind": "web", "name": name, "access": access},
	{field: what | field := {"fetch": "url", "search": "query"}[access]},
)})
