# METADATA
# title: Model call routing
# description: >-
#   Walks a model call (input.request, a ModelCallRequest) through the persona's chain
#   (input.binding): entry 0 is the binding's own provider and model, entry n its n-th fallback.
#   The walk starts at entry 0 for model auto, else at the first entry with the named model, and
#   stops there when the request says fallback false. An entry is skipped when it lacks a
#   capability the call needs (the request's and the binding's requiredCapabilities), when the
#   runtime marked it unavailable (input.unavailable), or when the call's estimate does not fit a
#   budget given the usage in the window and the calls in flight (input.usage, input.reserved):
#   the binding's perMinuteBudget over the persona's usage of every entry, and an entry's own
#   perMinuteBudget over the persona's usage of that entry. The first entry left is the route.
# custom:
#   id: workspace_ops.rules.routing
#   severity: error
package workspace_ops.rules.routing

import data.workspace_ops.lib.reason
import data.workspace_ops.rules.budgets

_request := input.request

_binding := input.binding

# Entry 0 carries the binding's own offer and price; its budget is the binding's, counted below.
_chain := array.concat(
	[object.filter(_binding, ["provider", "model", "offeredCapabilities", "pricing"])],
	_binding.fallbackChain,
)

_named(entry) if {
	entry.model == _request.model
	object.get(_request, "provider", entry.provider) == entry.provider
}

_start := 0 if _request.model == "auto"

_start := min({i | some i, entry in _chain; _named(entry)}) if _request.model != "auto"

_end := _start if object.get(_request, "fallback", true) == false

_end := count(_chain) - 1 if object.get(_request, "fallback", true) != false

# The entries the walk may visit, in order; undefined when the persona's binding cannot route it.
_candidates := numbers.range(_start, _end) if _binding.persona == _request.persona

_required := {c | some c in _request.requiredCapabilities} | {c | some c in _binding.requiredCapabilities}

_usage := array.concat(object.get(input, "usage", []), object.get(input, "reserved", []))

_spent_all := budgets.spent(_usage, _binding.persona)

_spent_on(entry) := budgets.spent(
	[u | some u in _usage; u.provider == entry.provider; u.model == entry.model],
	_binding.persona,
)

# Prices are US dollars per million tokens, that is micro-dollars per token.
_cost(entry) := round(input_cost + output_cost) if {
	input_cost := _request.estimate.tokensIn * entry.pricing.inputUsdPerMillionTokens
	output_cost := _request.estimate.tokensOut * entry.pricing.outputUsdPerMillionTokens
} else := budgets.micro(object.get(_request, ["estimate", "costUsd"], 0))

_estimate(entry) := {
	"tokens": _request.estimate.tokensIn + _request.estimate.tokensOut,
	"cost": _cost(entry),
	"requests": 1,
}

_units := {"tokens": "tokens", "cost": "micro-USD", "requests": "requests"}

# What an entry's estimate would pass, as "<whose> budget: <n> <unit> used + <m> estimated exceed
# <limit> per minute"; undefined when a budget cannot be evaluated.
_overruns(entry) := sort(array.concat(_texts("binding", over), _texts("entry", _entry_over(entry)))) if {
	over := budgets.exceeded(_binding.perMinuteBudget, _spent_all, _estimate(entry))
}

_texts(whose, over) := [text |
	some dimension, n in over
	text := sprintf("%s budget: %s %s used + %s estimated exceed %s per minute", [
		whose,
		format_int(n.used, 10),
		_units[dimension],
		format_int(n.estimate, 10),
		format_int(n.limit, 10),
	])
]

_entry_over(entry) := budgets.exceeded(entry.perMinuteBudget, _spent_on(entry), _estimate(entry)) if {
	entry.perMinuteBudget
} else := {}

# METADATA
# title: Capability unmet
# description: An entry that does not offer every capability the call needs is skipped.
# custom:
#   code: capability_unmet
#   message: "%s/%s does not offer %s"
skips contains {"entry": i, "rank": 0, "reason": reason.make(rego.metadata.chain(), args)} if {
	some i in _candidates
	entry := _chain[i]
	missing := sort({c | some c in _required; not c in object.get(entry, "offeredCapabilities", [])})
	count(missing) > 0
	args := [entry.provider, entry.model, concat(", ", missing)]
}

# METADATA
# title: Provider unavailable
# description: An entry the runtime marked unavailable (recent provider failures) is skipped.
# custom:
#   code: provider_unavailable
#   message: "%s/%s is unavailable: %s"
skips contains {"entry": i, "rank": 1, "reason": reason.make(rego.metadata.chain(), args)} if {
	some i in _candidates
	entry := _chain[i]
	why := sort({object.get(u, "reason", "marked unavailable") |
		some u in object.get(input, "unavailable", [])
		u.provider == entry.provider
		u.model == entry.model
	})
	count(why) > 0
	args := [entry.provider, entry.model, concat("; ", why)]
}

# METADATA
# title: Budget exhausted
# description: >-
#   An entry whose estimate (request.estimate tokens; its price times those tokens, else
#   request.estimate.costUsd; one request) does not fit the binding's budget or its own is skipped.
# custom:
#   code: budget_exhausted
#   message: "persona %s on %s/%s: %s"
skips contains {"entry": i, "rank": 2, "reason": reason.make(rego.metadata.chain(), args)} if {
	some i in _candidates
	entry := _chain[i]
	not _fits(entry)
	args := [_binding.persona, entry.provider, entry.model, _overrun_text(entry)]
}

# Fails closed: an entry whose budgets cannot be evaluated does not fit.
_fits(entry) if count(_overruns(entry)) == 0

_overrun_text(entry) := concat("; ", _overruns(entry)) if {
	count(_overruns(entry)) > 0
} else := "its budget cannot be evaluated"

_skipped(i) if {
	some s in skips
	s.entry == i
}

# An entry's reason: the lowest rank wins (a missing capability outlasts a spent budget).
_reason_of(i) := s.reason if {
	ranked := {s | some s in skips; s.entry == i}
	first := min({s.rank | some s in ranked})
	some s in ranked
	s.rank == first
}

_left := [i | some i in _candidates; not _skipped(i)]

# METADATA
# title: route
# description: The first entry the walk did not skip, {entry, provider, model, bindingId}.
route := {"entry": i, "provider": entry.provider, "model": entry.model, "bindingId": _binding.bindingId} if {
	count(_left) > 0
	i := _left[0]
	entry := _chain[i]
}

_before_route(i) if i < route.entry

_before_route(_) if not route

# METADATA
# title: skipped
# description: >-
#   The entries the walk passed over before the route (all of them when none is left), in chain
#   order, each {entry, provider, model, reason}.
skipped := [{"entry": i, "provider": entry.provider, "model": entry.model, "reason": _reason_of(i)} |
	some i in _candidates
	_skipped(i)
	_before_route(i)
	entry := _chain[i]
]

_exhausted if {
	count(_candidates) > 0
	not route
}

_codes contains s.reason.code if some s in skipped

_wanted := sprintf("%s/%s", [_request.provider, _request.model]) if _request.provider

_wanted := _request.model if not _request.provider

# METADATA
# title: No binding
# description: A model call needs a binding for its persona.
# custom:
#   code: binding_missing
#   message: "persona %s has no model provider binding"
deny contains reason.make(rego.metadata.chain(), [_request.persona]) if {
	is_string(_request.persona)
	not is_object(object.get(input, "binding", null))
}

# METADATA
# title: Binding of another persona
# description: The binding must be the one of the call's persona.
# custom:
#   code: binding_mismatch
#   message: "binding %s is persona %s's, not %s's"
deny contains reason.make(rego.metadata.chain(), [_binding.bindingId, _binding.persona, _request.persona]) if {
	_binding.persona != _request.persona
}

# METADATA
# title: Model not bound
# description: A call that names a model needs an entry of the chain with it.
# custom:
#   code: model_not_bound
#   message: "binding %s has no entry %s"
deny contains reason.make(rego.metadata.chain(), [_binding.bindingId, _wanted]) if {
	_request.model != "auto"
	not _start
}

# METADATA
# title: Every entry lacks a capability
# description: Nothing is left, and every entry walked lacks a capability the call needs (the gateway's 412).
# custom:
#   code: capability_unmet
#   message: "no entry of binding %s offers what the call needs: %s"
deny contains reason.make(rego.metadata.chain(), [_binding.bindingId, concat(", ", sort(_required))]) if {
	_exhausted
	_codes == {"capability_unmet"}
}

# METADATA
# title: Every budget spent
# description: Nothing is left, and at least one entry that could serve the call is out of budget.
# custom:
#   code: budget_exhausted
#   message: "persona %s: every entry of binding %s that could serve the call is out of budget or unavailable"
deny contains reason.make(rego.metadata.chain(), [_binding.persona, _binding.bindingId]) if {
	_exhausted
	"budget_exhausted" in _codes
}

# METADATA
# title: No provider left
# description: Nothing is left, and the entries that could serve the call are all unavailable.
# custom:
#   code: no_provider
#   message: "persona %s: every entry of binding %s that could serve the call is unavailable"
deny contains reason.make(rego.metadata.chain(), [_binding.persona, _binding.bindingId]) if {
	_exhausted
	"provider_unavailable" in _codes
	not "budget_exhausted" in _codes
}
