# METADATA
# title: MCP arguments
# description: >-
#   Rules on the arguments of MCP tool calls, kept in data (config.mcp.argumentRules), on top of
#   the grant an MCP tool needs (workspace_ops.rules.tool_risk). A rule names the tool as
#   "<server>/<tool>" ("*" for any server or any tool), one argument, a regular expression and a
#   handling: deny, or approval. It applies when the argument (a string, or any string of an
#   array) matches.
# custom:
#   id: workspace_ops.rules.mcp_arguments
#   severity: error
# schemas:
#   - input: schema.tool_execution_input
package workspace_ops.rules.mcp_arguments

import data.workspace_ops.lib.reason

_tool := input.request.tool

_config := data.workspace_ops.config

_rules := _config.mcp.argumentRules

# [rule, value] for every rule that applies to the call.
_hits contains [rule, value] if {
	_tool.kind == "mcp"
	some rule in _rules
	_names_tool(rule.tool)
	some value in _values(object.get(_tool.sanitizedArgs, rule.argument, null))
	regex.match(rule.pattern, value)
}

_names_tool(pattern) if {
	parts := split(pattern, "/")
	count(parts) == 2
	parts[0] in {"*", _tool.server}
	parts[1] in {"*", _tool.name}
}

_values(v) := {v} if is_string(v)

_values(v) := {x | some x in v; is_string(x)} if is_array(v)

_values(v) := set() if {
	not is_string(v)
	not is_array(v)
}

_call := concat("/", [_tool.server, _tool.name])

_args(rule, value) := [_call, rule.argument, substring(value, 0, 200), rule.because]

# METADATA
# title: Argument denied
# description: A rule with handling deny (any handling other than approval) matches an argument of the call.
# custom:
#   code: mcp_argument_denied
#   message: "%s: argument %s = %s is denied: %s"
deny contains reason.make(rego.metadata.chain(), _args(rule, value)) if {
	some [rule, value] in _hits
	rule.handling != "approval"
}

# METADATA
# title: Argument needs approval
# description: A rule with handling approval matches an argument of the call.
# custom:
#   code: mcp_argument_needs_approval
#   message: "%s: argument %s = %s needs approval: %s"
approval contains reason.make(rego.metadata.chain(), _args(rule, value)) if {
	some [rule, value] in _hits
	rule.handling == "approval"
}
