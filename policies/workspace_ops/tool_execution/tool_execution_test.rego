# METADATA
# title: Tests of workspace_ops.tool_execution
# description: >-
#   Table-driven tests of workspace_ops.tool_execution.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.tool_execution_test
#   severity: info
package workspace_ops.tool_execution_test

import data.workspace_ops.testdata_test as td
import data.workspace_ops.tool_execution

_offline := {
	"timeoutSeconds": 1800,
	"envAllowlist": ["PATH", "HOME", "LANG", "TERM"],
	"sandbox": {"network": "none", "filesystem": "workspace-write", "backend": "bubblewrap"},
	"maxOutputBytes": 1048576,
}

_defaults := {
	"timeoutSeconds": 300,
	"envAllowlist": ["PATH", "HOME", "LANG", "TERM"],
	"sandbox": {"network": "none", "filesystem": "workspace-write"},
	"maxOutputBytes": 1048576,
}

_rm_rf := {
	"class": "destructive",
	"rule": "destructive_needs_approval",
	"part": 0,
	"parts": [{"index": 0, "program": "rm", "class": "destructive", "source": "program", "entry": "programs.rm", "token": ""}],
}

_cases := {
	"read-only call is allowed with the profile's obligations": {
		"input": object.union(td.shell_input(["git", "status"]), {"profile": td.coder_profile}),
		"expected": {"decision": "allow", "reasons": [], "obligations": _offline, "classification": {
			"class": "read_only",
			"rule": "read_only",
			"part": 0,
			"parts": [{"index": 0, "program": "git", "class": "read_only", "source": "program", "entry": "programs.git.subcommands.status", "token": "status"}],
		}},
	},
	"an MCP call has no classification": {
		"input": {"request": td.mcp_request("github", "create_issue"), "grants": [td.mcp_grant]},
		"expected": {"decision": "allow", "reasons": [], "obligations": _defaults},
	},
	"destructive call needs approval": {
		"input": object.union(td.shell_input(["rm", "-rf", "build"]), {"profile": td.coder_profile}),
		"expected": {
			"decision": "approval_required",
			"reasons": [{
				"code": "destructive_needs_approval",
				"message": "rm -rf build is destructive and needs approval",
				"policy": "workspace_ops.rules.tool_risk",
			}],
			"obligations": _offline,
			"classification": _rm_rf,
		},
	},
	"a budget deny beats the approval": {
		"input": {
			"request": object.union(td.shell_request(["rm", "-rf", "build"]), {"estimate": {"tokens": 20000}}),
			"analysis": td.argv_analysis(["rm", "-rf", "build"]),
			"profile": td.coder_profile,
			"binding": td.binding,
		},
		"expected": {
			"decision": "deny",
			"reasons": [{
				"code": "budget_tokens_exceeded",
				"message": "persona coder: 0 tokens used in the last minute + 20000 estimated exceed 10000 tokens per minute",
				"policy": "workspace_ops.rules.budgets",
			}],
			"obligations": _offline,
			"classification": _rm_rf,
		},
	},
	"reasons are sorted by code": {
		"input": object.union(td.shell_input(["git", "commit", "-m", "wip"]), {"binding": object.union(td.binding, {"requiredCapabilities": ["computer_use"]})}),
		"expected": {
			"decision": "deny",
			"reasons": [
				{
					"code": "capability_unmet",
					"message": "binding bind-coder-primary (anthropic/claude-sonnet-4-5) requires capability computer_use, which the model does not offer",
					"policy": "workspace_ops.rules.budgets",
				},
				{
					"code": "grant_missing",
					"message": "agent agent-coder-1 holds no grant for git commit -m wip",
					"policy": "workspace_ops.rules.tool_risk",
				},
			],
			"obligations": _defaults,
			"classification": {
				"class": "mutating",
				"rule": "grant_missing",
				"part": 0,
				"parts": [{"index": 0, "program": "git", "class": "mutating", "source": "program", "entry": "programs.git.subcommands.commit", "token": "commit"}],
			},
		},
	},
	"malformed input is denied": {
		"input": {"request": {"kind": "ToolExecutionRequest"}},
		"expected": {
			"decision": "deny",
			"reasons": [
				{
					"code": "input_invalid",
					"message": "the tool_execution input needs request.context.actor",
					"policy": "workspace_ops.rules.inputs",
				},
				{
					"code": "input_invalid",
					"message": "the tool_execution input needs request.tool of kind shell with argv, mcp with server, file with paths, or web with url or query",
					"policy": "workspace_ops.rules.inputs",
				},
			],
			"obligations": _defaults,
		},
	},
}

failures[name] := {"expected": case.expected, "actual": actual} if {
	some name, case in _cases
	actual := tool_execution.decision with input as object.union(case.input, {"now": td.now})
	actual != case.expected
}

test_cases if count(failures) == 0

test_unreadable_now_is_denied if {
	tool_execution.decision.decision == "deny" with input as object.union(td.shell_input(["ls"]), {"now": "soon"})
	tool_execution.decision.reasons == [{
		"code": "now_invalid",
		"message": "input.now is not an RFC 3339 timestamp with a time zone",
		"policy": "workspace_ops.rules.inputs",
	}] with input as object.union(td.shell_input(["ls"]), {"now": "soon"})
}
