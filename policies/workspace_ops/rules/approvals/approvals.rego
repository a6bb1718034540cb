# METADATA
# title: Approvals
# description: >-
#   Whether an ApprovalResolution may be applied to its ApprovalRequest: it must resolve that
#   request; nobody approves (or denies) their own request; a person of an allowed principal type
#   (config.approval.approverTypes) resolves it; and only before the request expires. An "expired"
#   resolution, written by the executor itself, may always be applied.
# custom:
#   id: workspace_ops.rules.approvals
#   severity: error
# schemas:
#   - input: schema.approval_input
package workspace_ops.rules.approvals

import data.workspace_ops.lib.clock
import data.workspace_ops.lib.principal
import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_request := input.request

_resolution := input.resolution

# Approved and denied resolutions are decisions by someone; an expired one is not.
_decided if _resolution.resolution in {"approved", "denied"}

_has_resolver if is_object(_resolution.resolvedBy)

# METADATA
# title: Approval request mismatch
# description: The resolution must name the approval request it is applied to.
# custom:
#   code: approval_request_mismatch
#   message: "resolution for %s cannot resolve approval request %s"
deny contains reason.make(rego.metadata.chain(), [_resolution.approvalRequestId, _request.approvalRequestId]) if {
	_resolution.approvalRequestId != _request.approvalRequestId
}

# METADATA
# title: Self approval
# description: Nobody resolves their own request (resolvedBy equal to requestedBy).
# custom:
#   code: self_approval
#   message: "%s cannot resolve their own approval request %s"
deny contains reason.make(rego.metadata.chain(), [resolver, _request.approvalRequestId]) if {
	_decided
	principal.same(_resolution.resolvedBy, _request.requestedBy)
	resolver := principal.describe(_resolution.resolvedBy)
}

# METADATA
# title: Approver missing
# description: An approved or denied resolution must say who resolved it.
# custom:
#   code: approver_missing
#   message: "the %s resolution of %s does not say who resolved it"
deny contains reason.make(rego.metadata.chain(), [_resolution.resolution, _request.approvalRequestId]) if {
	_decided
	not _has_resolver
}

# METADATA
# title: Approver not allowed
# description: The resolver's principal type must be in config.approval.approverTypes.
# custom:
#   code: approver_not_allowed
#   message: "%s may not resolve approval requests; allowed approver types: %s"
deny contains reason.make(rego.metadata.chain(), [principal.describe(resolver), concat(", ", sort(types))]) if {
	_decided
	resolver := _resolution.resolvedBy
	types := _config.approval.approverTypes
	not object.get(resolver, "type", "") in types
}

# METADATA
# title: Approval expired
# description: >-
#   An approval request can be resolved only before its expiresAt: both the evaluation time and
#   the resolution's resolvedAt must be earlier.
# custom:
#   code: approval_expired
#   message: "approval request %s expired at %s"
deny contains reason.make(rego.metadata.chain(), [_request.approvalRequestId, expires_at]) if {
	_decided
	expires_at := object.get(_request, "expiresAt", "an unknown time")
	some at in _resolution_times
	not clock.before(at, expires_at)
}

# When the resolution is applied (now) and when it claims to have been made.
_resolution_times contains clock.now_ns

_resolution_times contains clock.ns(_resolution.resolvedAt)
