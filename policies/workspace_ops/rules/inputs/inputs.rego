# METADATA
# title: Input shape
# description: >-
#   Fail closed on input that is not the shape an entrypoint expects. The executor validates every
#   embedded contract before it asks for a decision; these checks only make sure that a missing
#   part, or an unreadable input.now, can never fall through to allow.
# custom:
#   id: workspace_ops.rules.inputs
#   severity: error
package workspace_ops.rules.inputs

import data.workspace_ops.lib.clock
import data.workspace_ops.lib.reason

# METADATA
# title: Unreadable now
# description: input.now, when present, must be an RFC 3339 timestamp with a time zone.
# custom:
#   code: now_invalid
#   message: input.now is not an RFC 3339 timestamp with a time zone
deny contains reason.make(rego.metadata.chain(), []) if clock.invalid_now

# METADATA
# title: Tool execution input
# description: >-
#   The tool_execution entrypoint needs a request with a shell argv, an MCP server, file paths or
#   a web URL or query.
# custom:
#   code: input_invalid
#   message: "the tool_execution input needs %s"
deny_tool_execution contains reason.make(rego.metadata.chain(), [part]) if some part in _missing_tool_execution

# METADATA
# title: Operation input
# description: The operation entrypoint needs the operation and the actor who submits it.
# custom:
#   code: input_invalid
#   message: "the operation input needs %s"
deny_operation contains reason.make(rego.metadata.chain(), [part]) if some part in _missing_operation

# METADATA
# title: Approval input
# description: The approval entrypoint needs the approval request and its resolution.
# custom:
#   code: input_invalid
#   message: "the approval input needs %s"
deny_approval contains reason.make(rego.metadata.chain(), [part]) if some part in _missing_approval

# METADATA
# title: Model call input
# description: >-
#   The model_call entrypoint needs a request with a persona, a model (or auto), the capabilities
#   it needs and an estimate of its tokens.
# custom:
#   code: input_invalid
#   message: "the model_call input needs %s"
deny_model_call contains reason.make(rego.metadata.chain(), [part]) if some part in _missing_model_call

_missing_tool_execution contains "request" if not is_object(object.get(input, "request", null))

_missing_tool_execution contains "request.context.actor" if {
	not is_object(object.get(input, ["request", "context", "actor"], null))
}

_missing_tool_execution contains _tool_kinds if not _tool_ok

_tool_kinds := "request.tool of kind shell with argv, mcp with server, file with paths, or web with url or query"

_missing_operation contains "operation" if not is_object(object.get(input, "operation", null))

_missing_operation contains "operation.workspaceOperation.operationType" if {
	not is_string(object.get(input, ["operation", "workspaceOperation", "operationType"], null))
}

_missing_operation contains "operation.artifact" if not is_object(object.get(input, ["operation", "artifact"], null))

_missing_operation contains "actor" if not is_object(object.get(input, "actor", null))

_missing_approval contains "request" if not is_object(object.get(input, "request", null))

_missing_approval contains "resolution" if not is_object(object.get(input, "resolution", null))

default _tool_ok := false

_tool_ok if {
	input.request.tool.kind == "shell"
	count(input.request.tool.argv) > 0
}

_tool_ok if {
	input.request.tool.kind == "mcp"
	is_string(input.request.tool.server)
}

_tool_ok if {
	input.request.tool.kind == "file"
	input.request.tool.access in {"read", "write"}
	count(input.request.tool.paths) > 0
}

_tool_ok if {
	input.request.tool.kind == "web"
	input.request.tool.access == "fetch"
	is_string(input.request.tool.url)
}

_tool_ok if {
	input.request.tool.kind == "web"
	input.request.tool.access == "search"
	is_string(input.request.tool.query)
}

_missing_model_call contains "request" if not is_object(object.get(input, "request", null))

_missing_model_call contains "request.persona" if not is_string(object.get(input, ["request", "persona"], null))

_missing_model_call contains "request.model" if not is_string(object.get(input, ["request", "model"], null))

_missing_model_call contains "request.requiredCapabilities" if {
	not is_array(object.get(input, ["request", "requiredCapabilities"], null))
}

_missing_model_call contains "request.estimate with tokensIn and tokensOut" if not _estimate_ok

default _estimate_ok := false

_estimate_ok if {
	is_number(input.request.estimate.tokensIn)
	is_number(input.request.estimate.tokensOut)
}
