# METADATA
# title: Workspace operation
# description: >-
#   The decision for one WorkspaceOperationContract. Input: {operation, actor: Principal, now?,
#   profile?: the workspace's active AgentMachineProfile, grants?: [ToolGrantRecord],
#   binding?: ModelProviderBinding, usage?: [UsageRecord]}. Rules: input shape, authority,
#   operation gate, job rules, containers, diagnostics, budgets and capabilities.
# custom:
#   id: workspace_ops.operation
#   severity: error
# schemas:
#   - input: schema.operation_input
package workspace_ops.operation

import data.workspace_ops.lib.verdict
import data.workspace_ops.obligations
import data.workspace_ops.rules.authority
import data.workspace_ops.rules.budgets
import data.workspace_ops.rules.containers
import data.workspace_ops.rules.diagnostics
import data.workspace_ops.rules.inputs
import data.workspace_ops.rules.job
import data.workspace_ops.rules.operation_gate

# METADATA
# title: Operation decision
# description: >-
#   {decision: allow | deny | approval_required, reasons: [{code, message, policy}], obligations}.
# entrypoint: true
# custom:
#   severity: error
decision := verdict.document(_denials, job.approval, obligations.operation)

_denials := union({
	inputs.deny,
	inputs.deny_operation,
	authority.deny,
	operation_gate.deny,
	job.deny,
	containers.deny,
	diagnostics.deny,
	budgets.deny,
})
