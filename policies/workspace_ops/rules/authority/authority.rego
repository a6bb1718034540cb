# METADATA
# title: Authority
# description: >-
#   No ambient authority: an operation runs only under a delegation that is in force now, covers
#   its operation type and names the actor who submits it as the delegate; and its controls are
#   exactly the constants of the contract (checked again here as defense in depth).
# custom:
#   id: workspace_ops.rules.authority
#   severity: error
# schemas:
#   - input: schema.operation_input
package workspace_ops.rules.authority

import data.workspace_ops.lib.clock
import data.workspace_ops.lib.principal
import data.workspace_ops.lib.reason

_operation := input.operation

_delegation := input.operation.delegation

_operation_type := input.operation.workspaceOperation.operationType

_constant_controls := {
	"delegatedAuthorityRequired": true,
	"ambientAuthority": false,
	"durableWorkspaceState": {
		"mode": "operation-contract-only",
		"externalWrites": false,
	},
}

# METADATA
# title: Delegation missing
# description: An operation without a delegation has no authority.
# custom:
#   code: delegation_missing
#   message: "operation %s carries no delegation"
deny contains reason.make(rego.metadata.chain(), [_operation_id]) if {
	is_object(_operation)
	not _has_delegation
}

# METADATA
# title: Delegation expired
# description: The delegation must not have expired (now < delegation.expiresAt).
# custom:
#   code: delegation_expired
#   message: "the delegation from %s expired at %s"
deny contains reason.make(rego.metadata.chain(), [_delegator, expires_at]) if {
	is_object(_delegation)
	expires_at := object.get(_delegation, "expiresAt", "an unknown time")
	not clock.before(clock.now_ns, expires_at)
}

# METADATA
# title: Delegation not yet valid
# description: The delegation must already be in force (delegation.issuedAt <= now).
# custom:
#   code: delegation_not_yet_valid
#   message: "the delegation from %s is not valid before %s"
deny contains reason.make(rego.metadata.chain(), [_delegator, issued_at]) if {
	is_object(_delegation)
	issued_at := object.get(_delegation, "issuedAt", "an unknown time")
	not clock.at_or_after(clock.now_ns, issued_at)
}

# METADATA
# title: Scope missing
# description: The delegation's scopes must include the operation type.
# custom:
#   code: scope_missing
#   message: "the delegation's scopes do not include %s"
deny contains reason.make(rego.metadata.chain(), [_operation_type]) if {
	is_object(_delegation)
	is_string(_operation_type)
	not _operation_type in object.get(_delegation, "scopes", [])
}

# METADATA
# title: Delegate mismatch
# description: The delegate must be the actor who submits the operation (same type and id).
# custom:
#   code: delegate_mismatch
#   message: "the delegation is for %s but the operation was submitted by %s"
deny contains reason.make(rego.metadata.chain(), [principal.describe(delegate), principal.describe(actor)]) if {
	is_object(_delegation)
	delegate := object.get(_delegation, "delegate", {})
	actor := object.get(input, "actor", {})
	not principal.same(delegate, actor)
}

# METADATA
# title: Ambient authority
# description: >-
#   controls must be exactly the contract's constants: delegated authority required, no ambient
#   authority, durable state only through operation contracts, no external writes.
# custom:
#   code: ambient_authority
#   message: "operation %s claims ambient authority: its controls are not the required constants"
deny contains reason.make(rego.metadata.chain(), [_operation_id]) if {
	is_object(_operation)
	object.get(_operation, "controls", null) != _constant_controls
}

_has_delegation if is_object(_delegation)

_delegator := principal.describe(object.get(_delegation, "delegator", {}))

_operation_id := object.get(_operation, ["workspaceOperation", "operationId"], "(unnamed)")
