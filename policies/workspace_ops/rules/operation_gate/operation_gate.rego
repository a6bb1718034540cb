# METADATA
# title: Operation gate
# description: >-
#   The workspace's active profile must allow the operation type (without a profile only the
#   types in config.operation.allowedWithoutProfile may run, to create one); the artifact must be
#   the one the operation type needs; the operation's budget may not exceed the profile's
#   defaultBudget; and tool grants must be live: a revoke names a known grant, an apply is not a
#   self-grant and is neither expired nor revoked.
# custom:
#   id: workspace_ops.rules.operation_gate
#   severity: error
# schemas:
#   - input: schema.operation_input
package workspace_ops.rules.operation_gate

import data.workspace_ops.lib.clock
import data.workspace_ops.lib.principal
import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_operation_type := input.operation.workspaceOperation.operationType

_artifact := input.operation.artifact

_has_profile if is_object(input.profile)

_profile_id := object.get(input.profile, "profileId", "(unnamed)")

_artifact_kinds := {
	"agent_machine.profile.create": "AgentMachineProfile",
	"agent_machine.execution.start": "LocalAgentExecution",
	"agent_machine.execution.cancel": "ExecutionCancelReference",
	"agent_machine.tool_grant.apply": "ToolGrantRecord",
	"agent_machine.tool_grant.revoke": "ToolGrantRecord",
	"agent_machine.container.run": "ContainerExecutionRecord",
	"agent_machine.model_provider.bind": "ModelProviderBinding",
	"agent_machine.diagnostics.export_redacted": "AgentMachineDiagnosticBundle",
}

# METADATA
# title: Profile missing
# description: >-
#   Without an active profile only the operation types in config.operation.allowedWithoutProfile
#   (by default agent_machine.profile.create) may run.
# custom:
#   code: profile_missing
#   message: "the workspace has no active profile, so %s is not allowed"
deny contains reason.make(rego.metadata.chain(), [_operation_type]) if {
	is_string(_operation_type)
	not _has_profile
	not _operation_type in _config.operation.allowedWithoutProfile
}

# METADATA
# title: Operation not allowed
# description: The active profile's allowedOperationTypes must include the operation type.
# custom:
#   code: operation_not_allowed
#   message: "profile %s does not allow %s"
deny contains reason.make(rego.metadata.chain(), [_profile_id, _operation_type]) if {
	is_string(_operation_type)
	is_object(input.profile)
	not _operation_type in object.get(input.profile, "allowedOperationTypes", [])
}

# METADATA
# title: Artifact mismatch
# description: The artifact must be the kind the operation type needs (defense in depth).
# custom:
#   code: artifact_mismatch
#   message: "%s needs a %s artifact, not %s"
deny contains reason.make(rego.metadata.chain(), [_operation_type, expected, actual]) if {
	expected := _artifact_kinds[_operation_type]
	actual := object.get(_artifact, "kind", "none")
	actual != expected
}

# METADATA
# title: Budget above profile
# description: >-
#   Each limit of the operation's budget must be at most the same limit of the profile's
#   defaultBudget (a limit the profile leaves unset is not capped).
# custom:
#   code: budget_above_profile
#   message: "budget.%s %s exceeds profile %s's default of %s"
deny contains reason.make(rego.metadata.chain(), [field, _number(asked), _profile_id, _number(allowed)]) if {
	some field, asked in input.operation.budget
	allowed := input.profile.defaultBudget[field]
	asked > allowed
}

# METADATA
# title: Grant unknown
# description: A tool_grant.revoke must name a grant present in input.grants (by grantId).
# custom:
#   code: grant_unknown
#   message: "grant %s is not a known grant, so it cannot be revoked"
deny contains reason.make(rego.metadata.chain(), [grant_id]) if {
	_operation_type == "agent_machine.tool_grant.revoke"
	grant_id := object.get(_artifact, "grantId", "(unnamed)")
	every grant in object.get(input, "grants", []) {
		grant.grantId != grant_id
	}
}

# METADATA
# title: Self grant
# description: Nobody grants a tool to themselves (grantee equal to grantor).
# custom:
#   code: self_grant
#   message: "grant %s is granted by its own grantee %s"
deny contains reason.make(rego.metadata.chain(), [_artifact.grantId, principal.describe(_artifact.grantee)]) if {
	_operation_type == "agent_machine.tool_grant.apply"
	principal.same(_artifact.grantee, _artifact.grantor)
}

# METADATA
# title: Grant expired
# description: A tool_grant.apply must not apply a grant that has already expired (now >= expiresAt).
# custom:
#   code: grant_expired
#   message: "grant %s expired at %s"
deny contains reason.make(rego.metadata.chain(), [_artifact.grantId, expires_at]) if {
	_operation_type == "agent_machine.tool_grant.apply"
	expires_at := object.get(_artifact, "expiresAt", "an unknown time")
	not clock.before(clock.now_ns, expires_at)
}

# METADATA
# title: Grant revoked
# description: A tool_grant.apply must not apply a grant that is already revoked.
# custom:
#   code: grant_revoked
#   message: "grant %s was revoked at %s"
deny contains reason.make(rego.metadata.chain(), [_artifact.grantId, _artifact.revokedAt]) if {
	_operation_type == "agent_machine.tool_grant.apply"
	_artifact.revokedAt
}

# Integers print as integers, other numbers through json.marshal (the Go and WASM evaluators
# agree on both for the values a budget holds).
_number(n) := format_int(n, 10) if n == floor(n)

else := json.marshal(n)
