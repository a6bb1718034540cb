# METADATA
# title: Tests of workspace_ops.obligations
# description: >-
#   Table-driven tests of workspace_ops.obligations.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.obligations_test
#   severity: info
package workspace_ops.obligations_test

import data.workspace_ops.obligations
import data.workspace_ops.testdata_test as td

_defaults := {
	"timeoutSeconds": 300,
	"envAllowlist": ["PATH", "HOME", "LANG", "TERM"],
	"sandbox": {"network": "none", "filesystem": "workspace-write"},
	"maxOutputBytes": 1048576,
}

test_defaults_without_a_profile if {
	obligations.tool_execution == _defaults with input as {}
}

test_from_an_offline_profile if {
	obligations.tool_execution == {
		"timeoutSeconds": 1800,
		"envAllowlist": ["PATH", "HOME", "LANG", "TERM"],
		"sandbox": {"network": "none", "filesystem": "workspace-write", "backend": "bubblewrap"},
		"maxOutputBytes": 1048576,
	} with input as {"profile": td.coder_profile}
}

test_from_an_allowlist_profile if {
	obligations.tool_execution == {
		"timeoutSeconds": 3600,
		"envAllowlist": ["PATH", "HOME", "npm_config_cache", "CI"],
		"sandbox": {
			"network": "allowlist",
			"allowedHosts": ["*.githubusercontent.com", "ghcr.io", "registry.npmjs.org"],
			"allowlist": ["*.githubusercontent.com", "ghcr.io:443", "registry.npmjs.org"],
			"filesystem": "workspace-write",
		},
		"maxOutputBytes": 1048576,
	} with input as {"profile": td.builder_profile}
}

test_path_rules_pass_through if {
	profile := object.union(td.coder_profile, {"sandbox": {
		"network": "none",
		"filesystem": "read-only",
		"denyRead": [".env", "~/.config/app/token"],
		"allowRead": ["~/.npmrc"],
		"allowWrite": ["~/.cache/npm"],
	}})
	obligations.tool_execution == {
		"timeoutSeconds": 1800,
		"envAllowlist": ["PATH", "HOME", "LANG", "TERM"],
		"sandbox": {
			"network": "none",
			"filesystem": "read-only",
			"backend": "bubblewrap",
			"denyRead": [".env", "~/.config/app/token"],
			"allowRead": ["~/.npmrc"],
			"allowWrite": ["~/.cache/npm"],
		},
		"maxOutputBytes": 1048576,
	} with input as {"profile": profile}
}

test_path_rules_tighten_operations_too if {
	profile := object.union(td.coder_profile, {"sandbox": {"denyRead": ["/srv/secrets"]}})
	obligations.operation.sandbox == {
		"network": "none",
		"filesystem": "workspace-write",
		"backend": "bubblewrap",
		"denyRead": ["/srv/secrets"],
	} with input as {"profile": profile, "operation": td.operation("agent_machine.execution.start", {})}
}

test_operation_budget_tightens if {
	obligations.operation == {
		"timeoutSeconds": 600,
		"envAllowlist": ["PATH", "HOME", "LANG", "TERM"],
		"sandbox": {"network": "none", "filesystem": "workspace-write", "backend": "bubblewrap"},
		"maxOutputBytes": 524288,
	} with input as {"profile": td.coder_profile, "operation": td.operation("agent_machine.execution.start", {})}
}

test_operation_budget_never_loosens if {
	operation := object.union(
		td.operation("agent_machine.execution.start", {}),
		{"budget": {"maxWallClockSeconds": 86400, "maxOutputBytes": 1073741824}},
	)
	obligations.operation == _defaults with input as {"operation": operation}
}
