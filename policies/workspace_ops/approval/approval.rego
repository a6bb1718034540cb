# METADATA
# title: Approval resolution
# description: >-
#   Whether an ApprovalResolution may be applied to its ApprovalRequest. Input: {request:
#   ApprovalRequest, resolution: ApprovalResolution, now?}. The decision is allow or deny; it has
#   no obligations.
# custom:
#   id: workspace_ops.approval
#   severity: error
# schemas:
#   - input: schema.approval_input
package workspace_ops.approval

import data.workspace_ops.lib.verdict
import data.workspace_ops.rules.approvals
import data.workspace_ops.rules.inputs

# METADATA
# title: Approval decision
# description: '{decision: allow | deny, reasons: [{code, message, policy}], obligations: {}}.'
# entrypoint: true
# custom:
#   severity: error
decision := verdict.document(_denials, set(), {})

_denials := union({inputs.deny, inputs.deny_approval, approvals.deny})
