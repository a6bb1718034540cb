# METADATA
# title: Tests of workspace_ops.rules.budgets
# description: >-
#   Table-driven tests of workspace_ops.rules.budgets.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.budgets_test
#   severity: info
package workspace_ops.rules.budgets_test

import data.workspace_ops.rules.budgets
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.budgets"}

_request(estimate) := object.union(td.shell_request(["npm", "test"]), {"estimate": estimate})

_cases := {
	"no binding, no budget": {
		"input": {"request": _request({"tokens": 99999999})},
		"deny": set(),
	},
	"within every budget": {
		"input": {
			"request": _request({"tokens": 1000, "costUsd": 0.05}),
			"binding": td.binding,
			"usage": [
				td.usage("use-1", "coder", 1000, 200, 0.01, "2026-11-21T12:09:30Z"),
				td.usage("use-2", "coder", 500, 100, 0.004, "2026-11-21T12:09:50Z"),
			],
		},
		"deny": set(),
	},
	"tokens would exceed": {
		"input": {
			"request": _request({"tokens": 2000}),
			"binding": td.binding,
			"usage": [td.usage("use-1", "coder", 6000, 2500, 0.01, "2026-11-21T12:09:30Z")],
		},
		"deny": {_reason(
			"budget_tokens_exceeded",
			"persona coder: 8500 tokens used in the last minute + 2000 estimated exceed 10000 tokens per minute",
		)},
	},
	"only the window and the persona count": {
		"input": {
			"request": _request({"tokens": 2000}),
			"binding": td.binding,
			"usage": [
				td.usage("use-old", "coder", 90000, 0, 0.9, "2026-11-21T12:08:59Z"),
				td.usage("use-edge", "coder", 90000, 0, 0.9, "2026-11-21T12:09:00Z"),
				td.usage("use-other", "reviewer", 90000, 0, 0.9, "2026-11-21T12:09:59Z"),
				td.usage("use-1", "coder", 6000, 1000, 0.01, "2026-11-21T12:09:00.001Z"),
			],
		},
		"deny": set(),
	},
	"records stamped after now count": {
		"input": {
			"request": _request({"tokens": 0}),
			"binding": td.binding,
			"usage": [td.usage("use-skewed", "coder", 10001, 0, 0, "2026-11-21T12:10:02Z")],
		},
		"deny": {_reason(
			"budget_tokens_exceeded",
			"persona coder: 10001 tokens used in the last minute + 0 estimated exceed 10000 tokens per minute",
		)},
	},
	"cost would exceed": {
		"input": {
			"request": _request({"costUsd": 0.1}),
			"binding": td.binding,
			"usage": [
				td.usage("use-1", "coder", 100, 100, 0.3, "2026-11-21T12:09:30Z"),
				td.usage("use-2", "coder", 100, 100, 0.15, "2026-11-21T12:09:40Z"),
			],
		},
		"deny": {_reason(
			"budget_cost_exceeded",
			"persona coder: 450000 micro-USD spent in the last minute + 100000 estimated exceed 500000 micro-USD per minute",
		)},
	},
	"requests would exceed": {
		"input": {
			"request": _request({"tokens": 10}),
			"binding": td.binding,
			"usage": [
				object.union(td.usage("use-1", "coder", 10, 10, 0, "2026-11-21T12:09:30Z"), {"requests": 3}),
				td.usage("use-2", "coder", 10, 10, 0, "2026-11-21T12:09:31Z"),
				td.usage("use-3", "coder", 10, 10, 0, "2026-11-21T12:09:32Z"),
			],
		},
		"deny": {_reason(
			"budget_requests_exceeded",
			"persona coder: 5 requests in the last minute + 1 exceed 5 requests per minute",
		)},
	},
	"capability unmet": {
		"input": {
			"request": _request({"tokens": 10}),
			"binding": object.union(td.binding, {"requiredCapabilities": ["tool_use", "vision", "computer_use"]}),
		},
		"deny": {_reason(
			"capability_unmet",
			"binding bind-coder-primary (anthropic/claude-sonnet-4-5) requires capability computer_use, which the model does not offer",
		)},
	},
	"capability unmet on the binding being bound": {
		"input": {"operation": td.operation(
			"agent_machine.model_provider.bind",
			object.union(td.binding, {"offeredCapabilities": ["long_context"]}),
		)},
		"deny": {_reason(
			"capability_unmet",
			"binding bind-coder-primary (anthropic/claude-sonnet-4-5) requires capability tool_use, which the model does not offer",
		)},
	},
}

failures[name] := {"expected": case.deny, "actual": actual} if {
	some name, case in _cases
	actual := budgets.deny with input as object.union(case.input, {"now": td.now})
	actual != case.deny
}

test_cases if count(failures) == 0
