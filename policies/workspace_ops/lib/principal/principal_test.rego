# METADATA
# title: Tests of workspace_ops.lib.principal
# description: >-
#   Table-driven tests of workspace_ops.lib.principal.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.lib.principal_test
#   severity: info
package workspace_ops.lib.principal_test

import data.workspace_ops.lib.principal

test_same if {
	principal.same({"type": "user", "id": "alice"}, {"type": "user", "id": "alice"})
	not principal.same({"type": "user", "id": "alice"}, {"type": "agent", "id": "alice"})
	not principal.same({"type": "user", "id": "alice"}, {"type": "user", "id": "bob"})
	not principal.same({}, {})
}

test_describe if {
	principal.describe({"type": "agent", "id": "agent-coder-1"}) == "agent agent-coder-1"
	principal.describe({}) == "nobody"
}
