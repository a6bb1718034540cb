# METADATA
# title: Tests of workspace_ops.rules.operation_gate
# description: >-
#   Table-driven tests of workspace_ops.rules.operation_gate.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.operation_gate_test
#   severity: info
package workspace_ops.rules.operation_gate_test

import data.workspace_ops.rules.operation_gate
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.operation_gate"}

_cancel := {
	"kind": "ExecutionCancelReference",
	"apiVersion": "workspace-ops.dev/v1",
	"executionId": "exec-0001",
	"reason": "Superseded by a newer plan.",
}

_cancel_operation := td.operation("agent_machine.execution.cancel", _cancel)

_apply(grant) := td.operation("agent_machine.tool_grant.apply", grant)

_revoke(grant) := td.operation("agent_machine.tool_grant.revoke", grant)

_cases := {
	"allowed by the profile": {
		"input": {"operation": _cancel_operation, "profile": td.coder_profile},
		"deny": set(),
	},
	"no profile, creating one": {
		"input": {"operation": td.operation("agent_machine.profile.create", td.coder_profile)},
		"deny": set(),
	},
	"no profile, anything else": {
		"input": {"operation": _cancel_operation},
		"deny": {_reason(
			"profile_missing",
			"the workspace has no active profile, so agent_machine.execution.cancel is not allowed",
		)},
	},
	"not allowed by the profile": {
		"input": {"operation": _cancel_operation, "profile": td.builder_profile},
		"deny": {_reason("operation_not_allowed", "profile profile-builder does not allow agent_machine.execution.cancel")},
	},
	"artifact of the wrong kind": {
		"input": {"operation": td.operation("agent_machine.execution.start", _cancel), "profile": td.coder_profile},
		"deny": {_reason(
			"artifact_mismatch",
			"agent_machine.execution.start needs a LocalAgentExecution artifact, not ExecutionCancelReference",
		)},
	},
	"budget above the profile": {
		"input": {
			"operation": object.union(_cancel_operation, {"budget": {"maxWallClockSeconds": 3600, "maxCostUsd": 12.5}}),
			"profile": td.coder_profile,
		},
		"deny": {
			_reason("budget_above_profile", "budget.maxWallClockSeconds 3600 exceeds profile profile-coder-dev's default of 1800"),
			_reason("budget_above_profile", "budget.maxCostUsd 12.5 exceeds profile profile-coder-dev's default of 10"),
		},
	},
	"apply a live grant": {
		"input": {"operation": _apply(td.commit_grant), "profile": td.coder_profile},
		"deny": set(),
	},
	"apply a self grant": {
		"input": {
			"operation": _apply(object.union(td.commit_grant, {"grantor": td.actor})),
			"profile": td.coder_profile,
		},
		"deny": {_reason("self_grant", "grant grant-git-commit-0001 is granted by its own grantee agent agent-coder-1")},
	},
	"apply an expired grant": {
		"input": {"operation": _apply(object.union(td.commit_grant, td.expired)), "profile": td.coder_profile},
		"deny": {_reason("grant_expired", "grant grant-git-commit-0001 expired at 2026-11-21T12:00:00Z")},
	},
	"apply a revoked grant": {
		"input": {"operation": _apply(object.union(td.commit_grant, td.revoked)), "profile": td.coder_profile},
		"deny": {_reason("grant_revoked", "grant grant-git-commit-0001 was revoked at 2026-11-21T12:05:00Z")},
	},
	"revoke a known grant": {
		"input": {
			"operation": _revoke(object.union(td.commit_grant, td.revoked)),
			"profile": td.coder_profile,
			"grants": [td.npm_install_grant, td.commit_grant],
		},
		"deny": set(),
	},
	"revoke an unknown grant": {
		"input": {
			"operation": _revoke(object.union(td.commit_grant, td.revoked)),
			"profile": td.coder_profile,
			"grants": [td.npm_install_grant],
		},
		"deny": {_reason("grant_unknown", "grant grant-git-commit-0001 is not a known grant, so it cannot be revoked")},
	},
	"revoke without any grants": {
		"input": {"operation": _revoke(object.union(td.commit_grant, td.revoked)), "profile": td.coder_profile},
		"deny": {_reason("grant_unknown", "grant grant-git-commit-0001 is not a known grant, so it cannot be revoked")},
	},
}

failures[name] := {"expected": case.deny, "actual": actual} if {
	some name, case in _cases
	actual := operation_gate.deny with input as object.union(case.input, {"now": td.now, "actor": td.actor})
	actual != case.deny
}

test_cases if count(failures) == 0
