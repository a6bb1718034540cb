# METADATA
# title: Tests of workspace_ops.model_call
# description: >-
#   Table-driven tests of workspace_ops.model_call: the whole decision document for an allowed
#   call with its route, a fallback, each deny, and input that is not the right shape.
# custom:
#   id: workspace_ops.model_call_test
#   severity: info
package workspace_ops.model_call_test

import data.workspace_ops.model_call
import data.workspace_ops.testdata_test as td

_routing := "workspace_ops.rules.routing"

_route(entry, provider, model) := {"entry": entry, "provider": provider, "model": model, "bindingId": "bind-coder-primary"}

_no_vision := {
	"entry": 0,
	"provider": "anthropic",
	"model": "claude-sonnet-4-5",
	"reason": {"code": "capability_unmet", "message": "anthropic/claude-sonnet-4-5 does not offer vision", "policy": _routing},
}

_cases := {
	"allowed on the bound model": {
		"input": {"request": td.model_call(["streaming"], 100, 100), "binding": td.chain_binding},
		"expected": {
			"decision": "allow",
			"reasons": [],
			"obligations": {},
			"route": _route(0, "anthropic", "claude-sonnet-4-5"),
			"skipped": [],
		},
	},
	"allowed on a fallback, with the reason the bound model was skipped": {
		"input": {"request": td.model_call(["vision"], 100, 100), "binding": td.chain_binding},
		"expected": {
			"decision": "allow",
			"reasons": [],
			"obligations": {},
			"route": _route(1, "openai", "gpt-4.1-mini"),
			"skipped": [_no_vision],
		},
	},
	"denied when no entry offers a capability": {
		"input": {
			"request": td.model_call(["vision"], 100, 100),
			"binding": object.union(td.chain_binding, {"fallbackChain": []}),
		},
		"expected": {
			"decision": "deny",
			"reasons": [{
				"code": "capability_unmet",
				"message": "no entry of binding bind-coder-primary offers what the call needs: tool_use, vision",
				"policy": _routing,
			}],
			"obligations": {},
			"skipped": [_no_vision],
		},
	},
	"denied without a binding": {
		"input": {"request": td.model_call([], 100, 100)},
		"expected": {
			"decision": "deny",
			"reasons": [{"code": "binding_missing", "message": "persona coder has no model provider binding", "policy": _routing}],
			"obligations": {},
			"skipped": [],
		},
	},
	"denied on input that is not a model call": {
		"input": {"binding": td.chain_binding},
		"expected": {
			"decision": "deny",
			"reasons": [
				{"code": "input_invalid", "message": "the model_call input needs request", "policy": "workspace_ops.rules.inputs"},
				{"code": "input_invalid", "message": "the model_call input needs request.estimate with tokensIn and tokensOut", "policy": "workspace_ops.rules.inputs"},
				{"code": "input_invalid", "message": "the model_call input needs request.model", "policy": "workspace_ops.rules.inputs"},
				{"code": "input_invalid", "message": "the model_call input needs request.persona", "policy": "workspace_ops.rules.inputs"},
				{"code": "input_invalid", "message": "the model_call input needs request.requiredCapabilities", "policy": "workspace_ops.rules.inputs"},
			],
			"obligations": {},
			"skipped": [],
		},
	},
	"denied on an unreadable now": {
		"input": {"request": td.model_call([], 100, 100), "binding": td.chain_binding, "now": "yesterday"},
		"expected": {
			"decision": "deny",
			"reasons": [{"code": "now_invalid", "message": "input.now is not an RFC 3339 timestamp with a time zone", "policy": "workspace_ops.rules.inputs"}],
			"obligations": {},
			"skipped": [],
		},
	},
}

failures[name] := {"expected": case.expected, "actual": actual} if {
	some name, case in _cases
	actual := model_call.decision with input as object.union({"now": td.now}, case.input)
	actual != case.expected
}

test_cases if count(failures) == 0
