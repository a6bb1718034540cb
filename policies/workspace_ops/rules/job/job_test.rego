# METADATA
# title: Tests of workspace_ops.rules.job
# description: >-
#   Table-driven tests of workspace_ops.rules.job.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.job_test
#   severity: info
package workspace_ops.rules.job_test

import data.workspace_ops.rules.job
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.job"}

_tests := td.step("unit-tests", ["npm", "test"], 300, false)

_start(execution) := td.operation("agent_machine.execution.start", execution)

_cases := {
	"dev job of safe steps": {
		"operation": _start(td.execution("dev", [td.step("list", ["ls", "-la"], 10, false), _tests])),
		"deny": set(),
		"approval": set(),
	},
	"owned by a service": {
		"operation": _start(object.union(td.execution("dev", [_tests]), {"owner": {"type": "service", "id": "ci-runner"}})),
		"deny": {_reason("owner_missing", "execution exec-0101 is owned by service ci-runner; it needs a user as its owner")},
		"approval": set(),
	},
	"without an owner": {
		"operation": _start(object.remove(td.execution("dev", [_tests]), ["owner"])),
		"deny": {_reason("owner_missing", "execution exec-0101 is owned by nobody; it needs a user as its owner")},
		"approval": set(),
	},
	"flagged destructive": {
		"operation": _start(td.execution("dev", [td.step("wipe-cache", ["./scripts/wipe-cache.sh"], 60, true)])),
		"deny": set(),
		"approval": {_reason(
			"destructive_step_needs_approval",
			"step wipe-cache of execution exec-0101 is destructive and needs approval",
		)},
	},
	"classified destructive": {
		"operation": _start(td.execution("dev", [td.step("clean", ["rm", "-rf", "dist"], 30, false), _tests])),
		"deny": set(),
		"approval": {_reason("destructive_step_needs_approval", "step clean of execution exec-0101 is destructive and needs approval")},
	},
	"destructive denied by config": {
		"config": {"destructive": {"executionSteps": "deny"}},
		"operation": _start(td.execution("dev", [td.step("clean", ["rm", "-rf", "dist"], 30, true)])),
		"deny": {_reason("destructive_step", "step clean of execution exec-0101 is destructive")},
		"approval": set(),
	},
	"classified destructive with a deny pattern": {
		"operation": _start(td.execution("dev", [
			td.step("publish", ["git", "push", "--force", "origin", "main"], 60, true),
			td.step("clean", ["rm", "-rf", "dist"], 30, false),
		])),
		"deny": {_reason("destructive_step", "step publish of execution exec-0101 is destructive")},
		"approval": {_reason("destructive_step_needs_approval", "step clean of execution exec-0101 is destructive and needs approval")},
	},
	"a step without its analysis is denied": {
		"operation": _start(td.execution("dev", [_tests, td.step("list", ["ls"], 10, false)])),
		"stepAnalysis": [td.argv_analysis(["npm", "test"])],
		"deny": {_reason("step_analysis_invalid", "step list of execution exec-0101 has no command analysis describing it")},
		"approval": set(),
	},
	"an analysis of another argv is not the step's": {
		"operation": _start(td.execution("dev", [td.step("clean", ["rm", "-rf", "dist"], 30, false)])),
		"stepAnalysis": [td.argv_analysis(["ls"])],
		"deny": {_reason("step_analysis_invalid", "step clean of execution exec-0101 has no command analysis describing it")},
		"approval": set(),
	},
	"a shell step is classified by its script's parts": {
		"operation": _start(td.execution("dev", [object.union(td.step("tidy", ["ls && rm -rf dist"], 30, false), {"shell": true})])),
		"stepAnalysis": [{
			"kind": "CommandAnalysis",
			"apiVersion": "workspace-ops.dev/v1",
			"analyzer": "policy tests",
			"source": "script",
			"script": "ls && rm -rf dist",
			"parts": [td.argv_part(0, ["ls"]), td.argv_part(1, ["rm", "-rf", "dist"])],
			"operators": ["&&"],
			"unknown": [],
		}],
		"deny": set(),
		"approval": {_reason("destructive_step_needs_approval", "step tidy of execution exec-0101 is destructive and needs approval")},
	},
	"a shell step with an argv analysis is not described": {
		"operation": _start(td.execution("dev", [object.union(td.step("tidy", ["ls"], 30, false), {"shell": true})])),
		"deny": {_reason("step_analysis_invalid", "step tidy of execution exec-0101 has no command analysis describing it")},
		"approval": set(),
	},
	"prod needs approval": {
		"operation": _start(td.execution("prod", [_tests])),
		"deny": set(),
		"approval": {_reason("prod_requires_approval", "execution exec-0101 runs in prod, which needs approval")},
	},
	"staging does not": {
		"operation": _start(td.execution("staging", [_tests])),
		"deny": set(),
		"approval": set(),
	},
	"step timeout above the maximum": {
		"operation": _start(td.execution("dev", [td.step("soak", ["npm", "run", "soak"], 7200, false)])),
		"deny": {_reason("step_timeout_exceeds_max", "step soak asks for a 7200 s timeout; the maximum is 3600 s")},
		"approval": set(),
	},
	"more steps than the budget": {
		"operation": object.union(_start(td.execution("dev", [_tests, _tests, _tests])), {"budget": {"maxSteps": 2}}),
		"deny": {_reason("budget_steps_exceeded", "execution exec-0101 has 3 steps; budget.maxSteps is 2")},
		"approval": set(),
	},
	"not an execution": {
		"operation": td.operation("agent_machine.container.run", td.container),
		"deny": set(),
		"approval": set(),
	},
}

failures[name] := {"expected": expected, "actual": actual} if {
	some name, case in _cases
	config := object.union(data.workspace_ops.config, object.get(case, "config", {}))
	step_analysis := object.get(case, "stepAnalysis", td.step_analysis(case.operation))
	actual := {"deny": job.deny, "approval": job.approval} with input as {"operation": case.operation, "now": td.now, "stepAnalysis": step_analysis}
		with data.workspace_ops.config as config
	expected := {"deny": case.deny, "approval": case.approval}
	actual != expected
}

test_cases if count(failures) == 0
