# METADATA
# title: Budgets and capabilities
# description: >-
#   Per-persona, per-minute budgets of the model provider binding (input.binding): the usage
#   records of the binding's persona in the last config.limits.usageWindowSeconds, plus this
#   request, must stay within tokensPerMinute, costUsdPerMinute and requestsPerMinute. And every
#   capability a binding requires must be one its model offers, for input.binding and for the
#   binding an agent_machine.model_provider.bind operation carries.
# custom:
#   id: workspace_ops.rules.budgets
#   severity: error
package workspace_ops.rules.budgets

import data.workspace_ops.lib.clock
import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_binding := input.binding

_budget := input.binding.perMinuteBudget

_window_ns := _config.limits.usageWindowSeconds * 1000000000

# Usage of the binding's persona inside the window. A record stamped after now counts too, so
# clock skew cannot hide spend.
_recent := [usage |
	some usage in object.get(input, "usage", [])
	usage.persona == _binding.persona
	clock.ns(usage.occurredAt) > clock.now_ns - _window_ns
]

_tokens_used := sum([tokens |
	some usage in _recent
	tokens := usage.tokensIn + usage.tokensOut
])

_tokens_estimate := object.get(input, ["request", "estimate", "tokens"], 0)

# Cost is compared in whole micro-dollars: integer arithmetic, identical in every evaluator.
_micro(usd) := round(usd * 1000000)

_cost_used := sum([_micro(usage.costUsd) | some usage in _recent])

_cost_estimate := _micro(object.get(input, ["request", "estimate", "costUsd"], 0))

_requests_used := sum([object.get(usage, "requests", 1) | some usage in _recent])

# METADATA
# title: Token budget exceeded
# description: Tokens used in the window plus request.estimate.tokens may not exceed tokensPerMinute.
# custom:
#   code: budget_tokens_exceeded
#   message: "persona %s: %s tokens used in the last minute + %s estimated exceed %s tokens per minute"
deny contains reason.make(rego.metadata.chain(), [
	_binding.persona,
	format_int(_tokens_used, 10),
	format_int(_tokens_estimate, 10),
	format_int(_budget.tokensPerMinute, 10),
]) if {
	_tokens_used + _tokens_estimate > _budget.tokensPerMinute
}

# METADATA
# title: Cost budget exceeded
# description: >-
#   Cost in the window plus request.estimate.costUsd may not exceed costUsdPerMinute (compared in
#   micro-USD).
# custom:
#   code: budget_cost_exceeded
#   message: "persona %s: %s micro-USD spent in the last minute + %s estimated exceed %s micro-USD per minute"
deny contains reason.make(rego.metadata.chain(), [
	_binding.persona,
	format_int(_cost_used, 10),
	format_int(_cost_estimate, 10),
	format_int(limit, 10),
]) if {
	limit := _micro(_budget.costUsdPerMinute)
	_cost_used + _cost_estimate > limit
}

# METADATA
# title: Request budget exceeded
# description: >-
#   Requests in the window (each record's requests, default 1) plus this one may not exceed
#   requestsPerMinute.
# custom:
#   code: budget_requests_exceeded
#   message: "persona %s: %s requests in the last minute + 1 exceed %s requests per minute"
deny contains reason.make(rego.metadata.chain(), [
	_binding.persona,
	format_int(_requests_used, 10),
	format_int(_budget.requestsPerMinute, 10),
]) if {
	_requests_used + 1 > _budget.requestsPerMinute
}

# METADATA
# title: Capability unmet
# description: Every capability in requiredCapabilities must be in offeredCapabilities.
# custom:
#   code: capability_unmet
#   message: "binding %s (%s/%s) requires capability %s, which the model does not offer"
deny contains reason.make(rego.metadata.chain(), args) if {
	some binding in _bindings
	some capability in binding.requiredCapabilities
	not capability in binding.offeredCapabilities
	args := [binding.bindingId, binding.provider, binding.model, capability]
}

_bindings contains input.binding if is_object(input.binding)

_bindings contains input.operation.artifact if {
	input.operation.workspaceOperation.operationType == "agent_machine.model_provider.bind"
	input.operation.artifact.kind == "ModelProviderBinding"
}
