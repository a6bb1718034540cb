# METADATA
# title: Tests of workspace_ops.rules.inputs
# description: >-
#   Table-driven tests of workspace_ops.rules.inputs.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.inputs_test
#   severity: info
package workspace_ops.rules.inputs_test

import data.workspace_ops.rules.inputs
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.inputs"}

_tool_part := "request.tool of kind shell with argv, mcp with server, file with paths, or web with url or query"

_cases := {
	"complete tool execution input": {
		"input": {"request": td.shell_request(["ls"]), "now": td.now},
		"rule": "deny_tool_execution",
		"expected": set(),
	},
	"complete mcp input": {
		"input": {"request": td.mcp_request("github", "create_issue"), "now": td.now},
		"rule": "deny_tool_execution",
		"expected": set(),
	},
	"empty tool execution input": {
		"input": {},
		"rule": "deny_tool_execution",
		"expected": {
			_reason("input_invalid", "the tool_execution input needs request"),
			_reason("input_invalid", "the tool_execution input needs request.context.actor"),
			_reason("input_invalid", sprintf("the tool_execution input needs %s", [_tool_part])),
		},
	},
	"shell tool without argv": {
		"input": {"request": object.union(td.shell_request(["ls"]), {"tool": {"argv": []}})},
		"rule": "deny_tool_execution",
		"expected": {_reason("input_invalid", sprintf("the tool_execution input needs %s", [_tool_part]))},
	},
	"complete operation input": {
		"input": {"operation": td.operation("agent_machine.execution.start", {"kind": "LocalAgentExecution"}), "actor": td.actor},
		"rule": "deny_operation",
		"expected": set(),
	},
	"empty operation input": {
		"input": {},
		"rule": "deny_operation",
		"expected": {
			_reason("input_invalid", "the operation input needs operation"),
			_reason("input_invalid", "the operation input needs operation.workspaceOperation.operationType"),
			_reason("input_invalid", "the operation input needs operation.artifact"),
			_reason("input_invalid", "the operation input needs actor"),
		},
	},
	"complete model call input": {
		"input": {"request": td.model_call([], 10, 10)},
		"rule": "deny_model_call",
		"expected": set(),
	},
	"empty model call input": {
		"input": {},
		"rule": "deny_model_call",
		"expected": {
			_reason("input_invalid", "the model_call input needs request"),
			_reason("input_invalid", "the model_call input needs request.persona"),
			_reason("input_invalid", "the model_call input needs request.model"),
			_reason("input_invalid", "the model_call input needs request.requiredCapabilities"),
			_reason("input_invalid", "the model_call input needs request.estimate with tokensIn and tokensOut"),
		},
	},
	"model call estimate without tokensOut": {
		"input": {"request": object.union(td.model_call([], 10, 10), {"estimate": {"tokensOut": "many"}})},
		"rule": "deny_model_call",
		"expected": {_reason("input_invalid", "the model_call input needs request.estimate with tokensIn and tokensOut")},
	},
	"complete approval input": {
		"input": {"request": td.approval_request, "resolution": td.resolution("expired", null)},
		"rule": "deny_approval",
		"expected": set(),
	},
	"empty approval input": {
		"input": {},
		"rule": "deny_approval",
		"expected": {
			_reason("input_invalid", "the approval input needs request"),
			_reason("input_invalid", "the approval input needs resolution"),
		},
	},
	"readable now": {
		"input": {"now": "2026-11-21T12:10:00+01:00"},
		"rule": "deny",
		"expected": set(),
	},
	"no now": {
		"input": {},
		"rule": "deny",
		"expected": set(),
	},
	"unreadable now": {
		"input": {"now": "2026-11-21 12:10"},
		"rule": "deny",
		"expected": {_reason("now_invalid", "input.now is not an RFC 3339 timestamp with a time zone")},
	},
}

failures[name] := {"expected": case.expected, "actual": actual} if {
	some name, case in _cases
	actual := inputs[case.rule] with input as case.input
	actual != case.expected
}

test_cases if count(failures) == 0
