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

# METADATA
# title: micro
# description: >-
#   US dollars as whole micro-dollars: cost is compared in integers, identical in every evaluator.
micro(usd) := round(usd * 1000000)

# METADATA
# title: spent
# description: >-
#   What the usage records of persona in the last config.limits.usageWindowSeconds add up to:
#   {tokens, cost (micro-USD), requests (each record's requests, default 1)}. A record stamped
#   after now counts too, so clock skew cannot hide spend.
spent(records, persona) := {"tokens": tokens, "cost": cost, "requests": requests} if {
	recent := [u |
		some u in records
		u.persona == persona
		clock.ns(u.occurredAt) > clock.now_ns - _window_ns
	]
	tokens := sum([t | some u in recent; t := u.tokensIn + u.tokensOut])
	cost := sum([c | some u in recent; c := micro(u.costUsd)])
	requests := sum([r | some u in recent; r := object.get(u, "requests", 1)])
}

# METADATA
# title: exceeded
# description: >-
#   The dimensions of a PerMinuteBudget that what was spent plus an estimate (both {tokens, cost
#   in micro-USD, requests}) would pass, as {dimension: {used, estimate, limit}}; empty when it fits,
#   undefined when the budget is not a PerMinuteBudget.
exceeded(budget, used, estimate) := over if {
	limits := _limits(budget)
	over := {dimension: amounts |
		some dimension, limit in limits
		used[dimension] + estimate[dimension] > limit
		amounts := {"used": used[dimension], "estimate": estimate[dimension], "limit": limit}
	}
}

_limits(budget) := {
	"tokens": budget.tokensPerMinute,
	"cost": micro(budget.costUsdPerMinute),
	"requests": budget.requestsPerMinute,
}

_over := exceeded(
	_budget,
	spent(object.get(input, "usage", []), _binding.persona),
	{
		"tokens": object.get(input, ["request", "estimate", "tokens"], 0),
		"cost": micro(object.get(input, ["request", "estimate", "costUsd"], 0)),
		"requests": 1,
	},
)

# METADATA
# title: Token budget exceeded
# description: Tokens used in the window plus request.estimate.tokens may not exceed tokensPerMinute.
# custom:
#   code: budget_tokens_exceeded
#   message: "persona %s: %s tokens used in the last minute + %s estimated exceed %s tokens per minute"
deny contains reason.make(rego.metadata.chain(), [
	_binding.persona,
	format_int(_over.tokens.used, 10),
	format_int(_over.tokens.estimate, 10),
	format_int(_over.tokens.limit, 10),
])

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
	format_int(_over.cost.used, 10),
	format_int(_over.cost.estimate, 10),
	format_int(_over.cost.limit, 10),
])

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
	format_int(_over.requests.used, 10),
	format_int(_over.requests.limit, 10),
])

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
