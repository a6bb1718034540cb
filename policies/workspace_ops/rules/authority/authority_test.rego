# METADATA
# title: Tests of workspace_ops.rules.authority
# description: >-
#   Table-driven tests of workspace_ops.rules.authority.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.authority_test
#   severity: info
package workspace_ops.rules.authority_test

import data.workspace_ops.rules.authority
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.authority"}

_cancel := {
	"kind": "ExecutionCancelReference",
	"apiVersion": "workspace-ops.dev/v1",
	"executionId": "exec-0001",
	"reason": "Superseded by a newer plan.",
}

_operation := td.operation("agent_machine.execution.cancel", _cancel)

_with_delegation(patch) := object.union(_operation, {"delegation": patch})

_cases := {
	"delegated, in force, in scope, to the actor": {
		"operation": _operation,
		"actor": td.actor,
		"deny": set(),
	},
	"no delegation": {
		"operation": object.remove(_operation, ["delegation"]),
		"actor": td.actor,
		"deny": {_reason("delegation_missing", "operation op-20261121-0101 carries no delegation")},
	},
	"expired delegation": {
		"operation": _with_delegation({"expiresAt": "2026-11-21T12:10:00Z"}),
		"actor": td.actor,
		"deny": {_reason("delegation_expired", "the delegation from user alice expired at 2026-11-21T12:10:00Z")},
	},
	"delegation not yet valid": {
		"operation": _with_delegation({"issuedAt": "2026-11-21T12:10:00.5Z"}),
		"actor": td.actor,
		"deny": {_reason(
			"delegation_not_yet_valid",
			"the delegation from user alice is not valid before 2026-11-21T12:10:00.5Z",
		)},
	},
	"unreadable delegation times fail closed": {
		"operation": _with_delegation({"issuedAt": "yesterday", "expiresAt": "tomorrow"}),
		"actor": td.actor,
		"deny": {
			_reason("delegation_not_yet_valid", "the delegation from user alice is not valid before yesterday"),
			_reason("delegation_expired", "the delegation from user alice expired at tomorrow"),
		},
	},
	"scope missing": {
		"operation": _with_delegation({"scopes": ["agent_machine.execution.start"]}),
		"actor": td.actor,
		"deny": {_reason("scope_missing", "the delegation's scopes do not include agent_machine.execution.cancel")},
	},
	"delegate is not the actor": {
		"operation": _operation,
		"actor": {"type": "agent", "id": "agent-coder-2"},
		"deny": {_reason(
			"delegate_mismatch",
			"the delegation is for agent agent-coder-1 but the operation was submitted by agent agent-coder-2",
		)},
	},
	"same id, other principal type": {
		"operation": _operation,
		"actor": {"type": "user", "id": "agent-coder-1"},
		"deny": {_reason(
			"delegate_mismatch",
			"the delegation is for agent agent-coder-1 but the operation was submitted by user agent-coder-1",
		)},
	},
	"ambient authority claimed": {
		"operation": object.union(_operation, {"controls": {"ambientAuthority": true}}),
		"actor": td.actor,
		"deny": {_reason(
			"ambient_authority",
			"operation op-20261121-0101 claims ambient authority: its controls are not the required constants",
		)},
	},
	"external writes claimed": {
		"operation": object.union(_operation, {"controls": {"durableWorkspaceState": {"externalWrites": true}}}),
		"actor": td.actor,
		"deny": {_reason(
			"ambient_authority",
			"operation op-20261121-0101 claims ambient authority: its controls are not the required constants",
		)},
	},
}

failures[name] := {"expected": case.deny, "actual": actual} if {
	some name, case in _cases
	actual := authority.deny with input as {"operation": case.operation, "actor": case.actor, "now": td.now}
	actual != case.deny
}

test_cases if count(failures) == 0

test_no_operation_no_reasons if {
	authority.deny == set() with input as {"actor": td.actor, "now": td.now}
}
