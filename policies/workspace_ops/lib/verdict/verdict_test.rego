# METADATA
# title: Tests of workspace_ops.lib.verdict
# description: >-
#   Table-driven tests of workspace_ops.lib.verdict.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.lib.verdict_test
#   severity: info
package workspace_ops.lib.verdict_test

import data.workspace_ops.lib.verdict

_deny_b := {"code": "b_code", "message": "b", "policy": "p.one"}

_deny_a := {"code": "a_code", "message": "z", "policy": "p.two"}

_deny_a2 := {"code": "a_code", "message": "y", "policy": "p.two"}

_ask := {"code": "ask", "message": "needs a person", "policy": "p.one"}

_obligations := {"timeoutSeconds": 60}

test_deny_beats_approval if {
	verdict.document({_deny_b, _deny_a, _deny_a2}, {_ask}, _obligations) == {
		"decision": "deny",
		"reasons": [_deny_a2, _deny_a, _deny_b],
		"obligations": _obligations,
	}
}

test_approval_beats_allow if {
	verdict.document(set(), {_ask}, _obligations) == {
		"decision": "approval_required",
		"reasons": [_ask],
		"obligations": _obligations,
	}
}

test_allow if {
	verdict.document(set(), set(), {}) == {"decision": "allow", "reasons": [], "obligations": {}}
}
