# METADATA
# title: Tests of workspace_ops.rules.approvals
# description: >-
#   Table-driven tests of workspace_ops.rules.approvals.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.approvals_test
#   severity: info
package workspace_ops.rules.approvals_test

import data.workspace_ops.rules.approvals
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.approvals"}

_alice := {"type": "user", "id": "alice"}

_cases := {
	"approved by another user in time": {
		"resolution": td.resolution("approved", _alice),
		"deny": set(),
	},
	"denied by another user in time": {
		"resolution": td.resolution("denied", _alice),
		"deny": set(),
	},
	"expired, by the executor": {
		"resolution": td.resolution("expired", null),
		"now": "2026-11-21T12:31:00Z",
		"deny": set(),
	},
	"approving one's own request": {
		"resolution": td.resolution("approved", {"type": "agent", "id": "agent-coder-1"}),
		"deny": {
			_reason("self_approval", "agent agent-coder-1 cannot resolve their own approval request apr-20261121-0001"),
			_reason(
				"approver_not_allowed",
				"agent agent-coder-1 may not resolve approval requests; allowed approver types: user",
			),
		},
	},
	"approving one's own request as a permitted type": {
		"config": {"approval": {"approverTypes": ["user", "agent"]}},
		"resolution": td.resolution("approved", {"type": "agent", "id": "agent-coder-1"}),
		"deny": {_reason("self_approval", "agent agent-coder-1 cannot resolve their own approval request apr-20261121-0001")},
	},
	"a service may not approve by default": {
		"resolution": td.resolution("approved", {"type": "service", "id": "change-advisory-board"}),
		"deny": {_reason(
			"approver_not_allowed",
			"service change-advisory-board may not resolve approval requests; allowed approver types: user",
		)},
	},
	"approved after expiry": {
		"resolution": object.union(td.resolution("approved", _alice), {"resolvedAt": "2026-11-21T12:30:00Z"}),
		"now": "2026-11-21T12:30:05Z",
		"deny": {_reason("approval_expired", "approval request apr-20261121-0001 expired at 2026-11-21T12:30:00Z")},
	},
	"claims an earlier resolvedAt but arrives late": {
		"resolution": td.resolution("approved", _alice),
		"now": "2026-11-21T12:45:00Z",
		"deny": {_reason("approval_expired", "approval request apr-20261121-0001 expired at 2026-11-21T12:30:00Z")},
	},
	"approved without a resolver": {
		"resolution": object.remove(td.resolution("approved", _alice), ["resolvedBy"]),
		"deny": {_reason("approver_missing", "the approved resolution of apr-20261121-0001 does not say who resolved it")},
	},
	"resolution of another request": {
		"resolution": object.union(td.resolution("approved", _alice), {"approvalRequestId": "apr-20261121-0009"}),
		"deny": {_reason(
			"approval_request_mismatch",
			"resolution for apr-20261121-0009 cannot resolve approval request apr-20261121-0001",
		)},
	},
}

failures[name] := {"expected": case.deny, "actual": actual} if {
	some name, case in _cases
	config := object.union(data.workspace_ops.config, object.get(case, "config", {}))
	now := object.get(case, "now", td.now)
	actual := approvals.deny with input as {"request": td.approval_request, "resolution": case.resolution, "now": now}
		with data.workspace_ops.config as config
	actual != case.deny
}

test_cases if count(failures) == 0
