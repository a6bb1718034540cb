# METADATA
# title: Tool execution
# description: >-
#   The decision for one governed tool call. Input: {request: ToolExecutionRequest, now?,
#   analysis?: CommandAnalysis, profile?: AgentMachineProfile, grants?: [ToolGrantRecord],
#   binding?: ModelProviderBinding, usage?: [UsageRecord], machine?, target?}. Rules: input shape,
#   tool risk (with grants), MCP arguments, file access and web access of an agent runtime's own
#   tools, budgets and capabilities.
# custom:
#   id: workspace_ops.tool_execution
#   severity: error
# schemas:
#   - input: schema.tool_execution_input
package workspace_ops.tool_execution

import data.workspace_ops.lib.verdict
import data.workspace_ops.obligations
import data.workspace_ops.rules.budgets
import data.workspace_ops.rules.file_access
import data.workspace_ops.rules.inputs
import data.workspace_ops.rules.mcp_arguments
import data.workspace_ops.rules.tool_risk
import data.workspace_ops.rules.web_access

# METADATA
# title: Tool execution decision
# description: >-
#   {decision: allow | deny | approval_required, reasons: [{code, message, policy}], obligations,
#   classification?}; classification (decision provenance, see workspace_ops.rules.tool_risk) for
#   every analysed shell call.
# entrypoint: true
# custom:
#   severity: error
decision := object.union(_document, {"classification": c | c := tool_risk.classification})

_document := verdict.document(_denials, _approvals, obligations.tool_execution)

_denials := union({
	inputs.deny,
	inputs.deny_tool_execution,
	tool_risk.deny,
	mcp_arguments.deny,
	file_access.deny,
	web_access.deny,
	budgets.deny,
})

_approvals := union({tool_risk.approval, mcp_arguments.approval, file_access.approval, web_access.approval})
