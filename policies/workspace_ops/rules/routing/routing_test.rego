# METADATA
# title: Tests of workspace_ops.rules.routing
# description: >-
#   Table-driven tests of workspace_ops.rules.routing: each case states its input and the whole
#   expected outcome (route, skipped entries, deny reasons), for every skip reason and every deny.
# custom:
#   id: workspace_ops.rules.routing_test
#   severity: info
package workspace_ops.rules.routing_test

import data.workspace_ops.rules.routing
import data.workspace_ops.testdata_test as td

_policy := "workspace_ops.rules.routing"

_reason(code, message) := {"code": code, "message": message, "policy": _policy}

_skip(entry, provider, model, code, message) := {
	"entry": entry,
	"provider": provider,
	"model": model,
	"reason": _reason(code, message),
}

_route(entry, provider, model) := {
	"entry": entry,
	"provider": provider,
	"model": model,
	"bindingId": "bind-coder-primary",
}

_anthropic := ["anthropic", "claude-sonnet-4-5"]

_openai := ["openai", "gpt-4.1-mini"]

_ollama := ["ollama", "qwen2.5-coder:32b"]

_down(entry) := {"provider": entry[0], "model": entry[1], "reason": "upstream_error: HTTP 503"}

_on(id, entry, tokens, cost, at) := td.usage_on(id, entry[0], entry[1], tokens, cost, at)

_free := {"inputUsdPerMillionTokens": 0, "outputUsdPerMillionTokens": 0}

_call(capabilities) := td.model_call(capabilities, 1000, 500)

_no_vision := _skip(0, "anthropic", "claude-sonnet-4-5", "capability_unmet", "anthropic/claude-sonnet-4-5 does not offer vision")

_openai_entry_tokens := _skip(
	1, "openai", "gpt-4.1-mini", "budget_exhausted",
	"persona coder on openai/gpt-4.1-mini: entry budget: 3000 tokens used + 1500 estimated exceed 4000 per minute",
)

_binding_tokens(entry, provider, model) := _skip(
	entry, provider, model, "budget_exhausted",
	sprintf("persona coder on %s/%s: binding budget: 9000 tokens used + 1500 estimated exceed 10000 per minute", [provider, model]),
)

_all_spent := _reason(
	"budget_exhausted",
	"persona coder: every entry of binding bind-coder-primary that could serve the call is out of budget or unavailable",
)

_none_up := _reason(
	"no_provider",
	"persona coder: every entry of binding bind-coder-primary that could serve the call is unavailable",
)

_cases := {
	"the bound model fits": {
		"input": {"request": _call([]), "binding": td.chain_binding},
		"route": _route(0, "anthropic", "claude-sonnet-4-5"),
		"skipped": [],
		"deny": set(),
	},
	"a missing capability skips to the first entry that offers it": {
		"input": {"request": _call(["vision"]), "binding": td.chain_binding},
		"route": _route(1, "openai", "gpt-4.1-mini"),
		"skipped": [_no_vision],
		"deny": set(),
	},
	"an unavailable provider is skipped": {
		"input": {"request": _call([]), "binding": td.chain_binding, "unavailable": [_down(_anthropic)]},
		"route": _route(1, "openai", "gpt-4.1-mini"),
		"skipped": [_skip(0, "anthropic", "claude-sonnet-4-5", "provider_unavailable", "anthropic/claude-sonnet-4-5 is unavailable: upstream_error: HTTP 503")],
		"deny": set(),
	},
	"a priced entry that would pass the binding's cost budget is skipped for a cheaper one": {
		"input": {
			"request": _call([]),
			"binding": td.chain_binding,
			"usage": [_on("use-1", _anthropic, 100, 0.495, "2026-11-21T12:09:30Z")],
		},
		"route": _route(1, "openai", "gpt-4.1-mini"),
		"skipped": [_skip(
			0, "anthropic", "claude-sonnet-4-5", "budget_exhausted",
			"persona coder on anthropic/claude-sonnet-4-5: binding budget: 495000 micro-USD used + 10500 estimated exceed 500000 per minute",
		)],
		"deny": set(),
	},
	"an entry's own budget counts the persona's usage of that entry": {
		"input": {
			"request": _call(["vision"]),
			"binding": td.chain_binding,
			"usage": [_on("use-1", _openai, 3000, 0.01, "2026-11-21T12:09:30Z")],
		},
		"route": _route(2, "ollama", "qwen2.5-coder:32b"),
		"skipped": [_no_vision, _openai_entry_tokens],
		"deny": set(),
	},
	"what calls in flight reserved counts like usage": {
		"input": {
			"request": _call(["vision"]),
			"binding": td.chain_binding,
			"reserved": [_on("rsv-1", _openai, 3000, 0, td.now)],
		},
		"route": _route(2, "ollama", "qwen2.5-coder:32b"),
		"skipped": [_no_vision, _openai_entry_tokens],
		"deny": set(),
	},
	"usage of other entries does not count against an entry's own budget": {
		"input": {
			"request": _call(["vision"]),
			"binding": td.chain_binding,
			"usage": [_on("use-1", _anthropic, 3000, 0, "2026-11-21T12:09:30Z")],
		},
		"route": _route(1, "openai", "gpt-4.1-mini"),
		"skipped": [_no_vision],
		"deny": set(),
	},
	"usage 60 s old or older does not count": {
		"input": {
			"request": _call([]),
			"binding": td.chain_binding,
			"usage": [_on("use-1", _anthropic, 9000, 0, "2026-11-21T12:09:00Z")],
		},
		"route": _route(0, "anthropic", "claude-sonnet-4-5"),
		"skipped": [],
		"deny": set(),
	},
	"the binding's token budget spent: every entry skipped, budget_exhausted": {
		"input": {
			"request": _call([]),
			"binding": td.chain_binding,
			"usage": [_on("use-1", _anthropic, 9000, 0, "2026-11-21T12:09:30Z")],
		},
		"route": null,
		"skipped": [
			_binding_tokens(0, "anthropic", "claude-sonnet-4-5"),
			_binding_tokens(1, "openai", "gpt-4.1-mini"),
			_binding_tokens(2, "ollama", "qwen2.5-coder:32b"),
		],
		"deny": {_all_spent},
	},
	"requests count per record, and every overrun is named": {
		"input": {
			"request": td.model_call([], 1000, 500),
			"binding": object.union(td.chain_binding, {"fallbackChain": []}),
			"usage": [object.union(_on("use-1", _anthropic, 9000, 0, "2026-11-21T12:09:30Z"), {"requests": 5})],
		},
		"route": null,
		"skipped": [_skip(
			0, "anthropic", "claude-sonnet-4-5", "budget_exhausted",
			concat("", [
				"persona coder on anthropic/claude-sonnet-4-5: binding budget: 5 requests used + 1 estimated exceed 5 per minute; ",
				"binding budget: 9000 tokens used + 1500 estimated exceed 10000 per minute",
			]),
		)],
		"deny": {_all_spent},
	},
	"every entry lacks a capability: capability_unmet": {
		"input": {"request": _call(["computer_use"]), "binding": td.chain_binding},
		"route": null,
		"skipped": [
			_skip(0, "anthropic", "claude-sonnet-4-5", "capability_unmet", "anthropic/claude-sonnet-4-5 does not offer computer_use"),
			_skip(1, "openai", "gpt-4.1-mini", "capability_unmet", "openai/gpt-4.1-mini does not offer computer_use"),
			_skip(2, "ollama", "qwen2.5-coder:32b", "capability_unmet", "ollama/qwen2.5-coder:32b does not offer computer_use"),
		],
		"deny": {_reason(
			"capability_unmet",
			"no entry of binding bind-coder-primary offers what the call needs: computer_use, tool_use",
		)},
	},
	"the one entry with the capability is out of budget: budget_exhausted": {
		"input": {
			"request": _call(["json_mode"]),
			"binding": td.chain_binding,
			"usage": [_on("use-1", _openai, 3000, 0.01, "2026-11-21T12:09:30Z")],
		},
		"route": null,
		"skipped": [
			_skip(0, "anthropic", "claude-sonnet-4-5", "capability_unmet", "anthropic/claude-sonnet-4-5 does not offer json_mode"),
			_openai_entry_tokens,
			_skip(2, "ollama", "qwen2.5-coder:32b", "capability_unmet", "ollama/qwen2.5-coder:32b does not offer json_mode"),
		],
		"deny": {_all_spent},
	},
	"every entry with the capability is unavailable: no_provider": {
		"input": {
			"request": _call(["vision"]),
			"binding": td.chain_binding,
			"unavailable": [_down(_openai), _down(_ollama), _down(_anthropic)],
		},
		"route": null,
		"skipped": [
			_no_vision,
			_skip(1, "openai", "gpt-4.1-mini", "provider_unavailable", "openai/gpt-4.1-mini is unavailable: upstream_error: HTTP 503"),
			_skip(2, "ollama", "qwen2.5-coder:32b", "provider_unavailable", "ollama/qwen2.5-coder:32b is unavailable: upstream_error: HTTP 503"),
		],
		"deny": {_none_up},
	},
	"the binding's required capabilities count for every call": {
		"input": {
			"request": _call([]),
			"binding": object.union(td.chain_binding, {"requiredCapabilities": ["long_context"]}),
			"unavailable": [_down(_anthropic)],
		},
		"route": null,
		"skipped": [
			_skip(0, "anthropic", "claude-sonnet-4-5", "provider_unavailable", "anthropic/claude-sonnet-4-5 is unavailable: upstream_error: HTTP 503"),
			_skip(1, "openai", "gpt-4.1-mini", "capability_unmet", "openai/gpt-4.1-mini does not offer long_context"),
			_skip(2, "ollama", "qwen2.5-coder:32b", "capability_unmet", "ollama/qwen2.5-coder:32b does not offer long_context"),
		],
		"deny": {_none_up},
	},
	"an entry without a price costs the request's estimate": {
		"input": {
			"request": object.union(td.model_call([], 1000, 500), {"estimate": {"costUsd": 0.6}}),
			"binding": object.union(td.chain_binding, {"fallbackChain": [
				{"provider": "local", "model": "m", "offeredCapabilities": ["tool_use"]},
				{"provider": "free", "model": "f", "offeredCapabilities": ["tool_use"], "pricing": _free},
			]}),
			"unavailable": [_down(_anthropic)],
		},
		"route": _route(2, "free", "f"),
		"skipped": [
			_skip(0, "anthropic", "claude-sonnet-4-5", "provider_unavailable", "anthropic/claude-sonnet-4-5 is unavailable: upstream_error: HTTP 503"),
			_skip(
				1, "local", "m", "budget_exhausted",
				"persona coder on local/m: binding budget: 0 micro-USD used + 600000 estimated exceed 500000 per minute",
			),
		],
		"deny": set(),
	},
	"an entry that names no capabilities offers none": {
		"input": {
			"request": _call(["streaming"]),
			"binding": object.union(td.chain_binding, {
				"requiredCapabilities": [],
				"fallbackChain": [{"provider": "free", "model": "f", "pricing": _free}],
			}),
			"unavailable": [_down(_anthropic)],
		},
		"route": null,
		"skipped": [
			_skip(0, "anthropic", "claude-sonnet-4-5", "provider_unavailable", "anthropic/claude-sonnet-4-5 is unavailable: upstream_error: HTTP 503"),
			_skip(1, "free", "f", "capability_unmet", "free/f does not offer streaming"),
		],
		"deny": {_none_up},
	},
	"a budget that cannot be evaluated fails closed": {
		"input": {
			"request": _call([]),
			"binding": object.union(object.remove(td.chain_binding, ["perMinuteBudget"]), {"fallbackChain": []}),
		},
		"route": null,
		"skipped": [_skip(
			0, "anthropic", "claude-sonnet-4-5", "budget_exhausted",
			"persona coder on anthropic/claude-sonnet-4-5: its budget cannot be evaluated",
		)],
		"deny": {_all_spent},
	},
	"a named model starts the walk at its entry": {
		"input": {"request": object.union(_call([]), {"model": "qwen2.5-coder:32b"}), "binding": td.chain_binding},
		"route": _route(2, "ollama", "qwen2.5-coder:32b"),
		"skipped": [],
		"deny": set(),
	},
	"a named model without fallback is that entry or nothing": {
		"input": {
			"request": object.union(_call(["vision"]), {"model": "gpt-4.1-mini", "provider": "openai", "fallback": false}),
			"binding": td.chain_binding,
			"usage": [_on("use-1", _openai, 3000, 0.01, "2026-11-21T12:09:30Z")],
		},
		"route": null,
		"skipped": [_openai_entry_tokens],
		"deny": {_all_spent},
	},
	"a model the chain does not have": {
		"input": {"request": object.union(_call([]), {"model": "gpt-4o", "provider": "openai"}), "binding": td.chain_binding},
		"route": null,
		"skipped": [],
		"deny": {_reason("model_not_bound", "binding bind-coder-primary has no entry openai/gpt-4o")},
	},
	"a model of another provider than the named one": {
		"input": {"request": object.union(_call([]), {"model": "gpt-4.1-mini"}), "binding": td.chain_binding},
		"route": _route(1, "openai", "gpt-4.1-mini"),
		"skipped": [],
		"deny": set(),
	},
	"no binding": {
		"input": {"request": _call([])},
		"route": null,
		"skipped": [],
		"deny": {_reason("binding_missing", "persona coder has no model provider binding")},
	},
	"a binding of another persona": {
		"input": {"request": _call([]), "binding": object.union(td.chain_binding, {"persona": "reviewer"})},
		"route": null,
		"skipped": [],
		"deny": {_reason("binding_mismatch", "binding bind-coder-primary is persona reviewer's, not coder's")},
	},
	"a named model of no entry": {
		"input": {"request": object.union(_call([]), {"model": "llama3.1:8b"}), "binding": td.chain_binding},
		"route": null,
		"skipped": [],
		"deny": {_reason("model_not_bound", "binding bind-coder-primary has no entry llama3.1:8b")},
	},
}

_outcome := {"route": routing.route, "skipped": routing.skipped, "deny": routing.deny} if {
	routing.route
} else := {"route": null, "skipped": routing.skipped, "deny": routing.deny}

failures[name] := {"expected": expected, "actual": actual} if {
	some name, case in _cases
	expected := {"route": case.route, "skipped": case.skipped, "deny": case.deny}
	actual := _outcome with input as object.union(case.input, {"now": td.now})
	actual != expected
}

test_cases if count(failures) == 0
