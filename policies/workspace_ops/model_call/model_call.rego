# METADATA
# title: Model call
# description: >-
#   The decision for one model call. Input: {request: ModelCallRequest, now?, binding?:
#   ModelProviderBinding (the persona's), usage?: [UsageRecord] (the persona's in the window),
#   reserved?: [UsageRecord] (what calls in flight have reserved), unavailable?: [{provider, model,
#   reason}] (entries the runtime saw fail)}. Rules: input shape, routing through the chain with
#   the budgets' arithmetic.
# custom:
#   id: workspace_ops.model_call
#   severity: error
# schemas:
#   - input: schema.model_call_input
package workspace_ops.model_call

import data.workspace_ops.lib.verdict
import data.workspace_ops.rules.inputs
import data.workspace_ops.rules.routing

# METADATA
# title: Model call decision
# description: >-
#   {decision: allow | deny, reasons, obligations: {}, route?: {entry, provider, model, bindingId},
#   skipped: [{entry, provider, model, reason}]}: route only on allow; skipped lists every entry
#   walked past, each with the reason it was skipped.
# entrypoint: true
# custom:
#   severity: error
decision := object.union(_document, {"route": routing.route, "skipped": routing.skipped}) if {
	_document.decision == "allow"
} else := object.union(_document, {"skipped": routing.skipped})

_document := verdict.document(_denials, set(), {})

_denials := union({inputs.deny, inputs.deny_model_call, routing.deny})
