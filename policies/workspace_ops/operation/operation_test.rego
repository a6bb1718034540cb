# METADATA
# title: Tests of workspace_ops.operation
# description: >-
#   Table-driven tests of workspace_ops.operation.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.operation_test
#   severity: info
package workspace_ops.operation_test

import data.workspace_ops.operation
import data.workspace_ops.testdata_test as td

_obligations := {
	"timeoutSeconds": 600,
	"envAllowlist": ["PATH", "HOME", "LANG", "TERM"],
	"sandbox": {"network": "none", "filesystem": "workspace-write", "backend": "bubblewrap"},
	"maxOutputBytes": 524288,
}

_tests := td.step("unit-tests", ["npm", "test"], 300, false)

_start(execution) := td.operation("agent_machine.execution.start", execution)

_cases := {
	"governed dev execution is allowed": {
		"input": {"operation": _start(td.execution("dev", [_tests])), "profile": td.coder_profile},
		"expected": {"decision": "allow", "reasons": [], "obligations": _obligations},
	},
	"prod execution needs approval": {
		"input": {"operation": _start(td.execution("prod", [_tests])), "profile": td.coder_profile},
		"expected": {
			"decision": "approval_required",
			"reasons": [{
				"code": "prod_requires_approval",
				"message": "execution exec-0101 runs in prod, which needs approval",
				"policy": "workspace_ops.rules.job",
			}],
			"obligations": _obligations,
		},
	},
	"an authority deny beats the approval": {
		"input": {
			"operation": _start(td.execution("prod", [_tests])),
			"profile": td.coder_profile,
			"actor": {"type": "agent", "id": "agent-intruder"},
		},
		"expected": {
			"decision": "deny",
			"reasons": [{
				"code": "delegate_mismatch",
				"message": "the delegation is for agent agent-coder-1 but the operation was submitted by agent agent-intruder",
				"policy": "workspace_ops.rules.authority",
			}],
			"obligations": _obligations,
		},
	},
	"rules of several packages combine": {
		"input": {
			"operation": td.operation("agent_machine.container.run", object.union(td.container, {"privileged": true})),
			"profile": td.builder_profile,
		},
		"expected": {
			"decision": "deny",
			"reasons": [{
				"code": "container_privileged",
				"message": "container ctr-20261121-0101 asks for privileged mode",
				"policy": "workspace_ops.rules.containers",
			}],
			"obligations": {
				"timeoutSeconds": 600,
				"envAllowlist": ["PATH", "HOME", "npm_config_cache", "CI"],
				"sandbox": {
					"network": "allowlist",
					"allowedHosts": ["*.githubusercontent.com", "ghcr.io", "registry.npmjs.org"],
					"allowlist": ["*.githubusercontent.com", "ghcr.io:443", "registry.npmjs.org"],
					"filesystem": "workspace-write",
				},
				"maxOutputBytes": 524288,
			},
		},
	},
}

failures[name] := {"expected": case.expected, "actual": actual} if {
	some name, case in _cases
	step_analysis := td.step_analysis(object.get(case.input, "operation", {}))
	actual := operation.decision with input as object.union({"actor": td.actor, "now": td.now, "stepAnalysis": step_analysis}, case.input)
	actual != case.expected
}

test_cases if count(failures) == 0

test_missing_operation_is_denied if {
	decision := operation.decision with input as {"actor": td.actor, "now": td.now}
	decision.decision == "deny"
	{reason.code | some reason in decision.reasons} == {"input_invalid"}
}
