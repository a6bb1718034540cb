# METADATA
# title: Tests of workspace_ops.approval
# description: >-
#   Table-driven tests of workspace_ops.approval.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.approval_test
#   severity: info
package workspace_ops.approval_test

import data.workspace_ops.approval
import data.workspace_ops.testdata_test as td

test_another_user_may_approve if {
	approval.decision == {"decision": "allow", "reasons": [], "obligations": {}} with input as {
		"request": td.approval_request,
		"resolution": td.resolution("approved", {"type": "user", "id": "alice"}),
		"now": td.now,
	}
}

test_nobody_approves_their_own_request if {
	approval.decision == {
		"decision": "deny",
		"reasons": [{
			"code": "self_approval",
			"message": "user bob cannot resolve their own approval request apr-20261121-0001",
			"policy": "workspace_ops.rules.approvals",
		}],
		"obligations": {},
	} with input as {
		"request": object.union(td.approval_request, {"requestedBy": {"type": "user", "id": "bob"}}),
		"resolution": td.resolution("approved", {"type": "user", "id": "bob"}),
		"now": td.now,
	}
}

test_missing_resolution_is_denied if {
	approval.decision == {
		"decision": "deny",
		"reasons": [{
			"code": "input_invalid",
			"message": "the approval input needs resolution",
			"policy": "workspace_ops.rules.inputs",
		}],
		"obligations": {},
	} with input as {"request": td.approval_request, "now": td.now}
}
