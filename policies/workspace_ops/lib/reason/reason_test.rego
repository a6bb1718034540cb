# METADATA
# title: Tests of workspace_ops.lib.reason
# description: >-
#   Table-driven tests of workspace_ops.lib.reason.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.lib.reason_test
#   severity: info
package workspace_ops.lib.reason_test

import data.workspace_ops.lib.reason

# METADATA
# custom:
#   code: example_code
#   message: "%s met %s"
_example := reason.make(rego.metadata.chain(), ["alice", "bob"])

test_make if {
	_example == {
		"code": "example_code",
		"message": "alice met bob",
		"policy": "workspace_ops.lib.reason_test",
	}
}

_unannotated := reason.make(rego.metadata.chain(), [])

test_make_without_metadata if {
	_unannotated == {
		"code": "rule_metadata_missing",
		"message": "rule workspace_ops.lib.reason_test._unannotated has no custom.code and custom.message metadata",
		"policy": "workspace_ops.lib.reason_test",
	}
}
