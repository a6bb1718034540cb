# METADATA
# title: Tool risk
# description: >-
#   Classifies a tool call and decides what it needs. A shell argv is classified by
#   config.risk.patterns (see workspace_ops.lib.argv.classify): read_only is allowed; mutating
#   needs a live grant; destructive needs approval or is denied (the matching pattern's handling,
#   else config.destructive.toolExecution); network is denied under a sandbox without network and
#   needs approval otherwise; unknown needs approval. An MCP tool needs a live grant for
#   "<server>/<tool>".
# custom:
#   id: workspace_ops.rules.tool_risk
#   severity: error
# schemas:
#   - input: schema.tool_execution_input
package workspace_ops.rules.tool_risk

import data.workspace_ops.lib.argv
import data.workspace_ops.lib.clock
import data.workspace_ops.lib.principal
import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_tool := input.request.tool

_actor := input.request.context.actor

# METADATA
# title: class
# description: The risk class of the shell call (read_only, mutating, network, destructive, unknown).
class := argv.classify(_config.risk.patterns, _tool.argv) if {
	_tool.kind == "shell"
	count(_tool.argv) > 0
}

# What the call is called in messages and what a grant must name.
_command := argv.summary(_tool.argv) if _tool.kind == "shell"

_command := _mcp_name if _tool.kind == "mcp"

_mcp_name := concat("/", [_tool.server, _tool.name])

# The matching pattern's handling, else config.destructive.toolExecution.
_destructive_handling := object.get(
	argv.best_match(_config.risk.patterns, _tool.argv),
	"handling",
	_config.destructive.toolExecution,
)

_network := object.get(input, ["profile", "sandbox", "network"], _config.obligations.sandbox.network)

# METADATA
# title: Destructive denied
# description: >-
#   A destructive command is denied when its risk pattern's handling (else
#   config.destructive.toolExecution) is "deny" (any value other than "approval").
# custom:
#   code: destructive_denied
#   message: "%s is destructive and is denied"
deny contains reason.make(rego.metadata.chain(), [_command]) if {
	class == "destructive"
	_destructive_handling != "approval"
}

# METADATA
# title: Network denied
# description: A network command is denied when the profile's sandbox (or the default) has no network.
# custom:
#   code: network_denied
#   message: "%s reaches the network, which the sandbox does not allow"
deny contains reason.make(rego.metadata.chain(), [_command]) if {
	class == "network"
	_network == "none"
}

# METADATA
# title: Grant missing
# description: >-
#   A mutating command or an MCP tool needs a grant held by the actor that matches the call
#   (shell: tool.name equal to argv[0] and argvPattern matching the remaining args; MCP: tool.name
#   equal to "<server>/<tool>").
# custom:
#   code: grant_missing
#   message: "%s holds no grant for %s"
deny contains reason.make(rego.metadata.chain(), [principal.describe(_actor), _command]) if {
	_needs_grant
	count(_matching_grants) == 0
}

# METADATA
# title: Grant revoked
# description: The only grants that match the call have been revoked.
# custom:
#   code: grant_revoked
#   message: "grant %s for %s was revoked at %s"
deny contains reason.make(rego.metadata.chain(), [grant.grantId, _command, grant.revokedAt]) if {
	_needs_grant
	count(_live_grants) == 0
	some grant in _matching_grants
	grant.revokedAt
}

# METADATA
# title: Grant expired
# description: The only grants that match the call have expired (now >= expiresAt).
# custom:
#   code: grant_expired
#   message: "grant %s for %s expired at %s"
deny contains reason.make(rego.metadata.chain(), [grant.grantId, _command, expires_at]) if {
	_needs_grant
	count(_live_grants) == 0
	some grant in _matching_grants
	not grant.revokedAt
	expires_at := object.get(grant, "expiresAt", "an unknown time")
	not clock.before(clock.now_ns, expires_at)
}

# METADATA
# title: Destructive needs approval
# description: >-
#   A destructive command needs approval when its risk pattern's handling (else
#   config.destructive.toolExecution) is "approval".
# custom:
#   code: destructive_needs_approval
#   message: "%s is destructive and needs approval"
approval contains reason.make(rego.metadata.chain(), [_command]) if {
	class == "destructive"
	_destructive_handling == "approval"
}

# METADATA
# title: Network needs approval
# description: A network command needs approval when the sandbox allows network (an allowlist).
# custom:
#   code: network_needs_approval
#   message: "%s reaches the network and needs approval"
approval contains reason.make(rego.metadata.chain(), [_command]) if {
	class == "network"
	_network != "none"
}

# METADATA
# title: Unknown command
# description: A command no risk pattern classifies needs a person to decide.
# custom:
#   code: unknown_command
#   message: "%s is not classified; a person must decide"
approval contains reason.make(rego.metadata.chain(), [_command]) if class == "unknown"

_needs_grant if class == "mutating"

_needs_grant if _tool.kind == "mcp"

# Grants that name this call and this actor, live or not.
_matching_grants contains grant if {
	_tool.kind == "shell"
	some grant in input.grants
	grant.tool.kind == "shell"
	grant.tool.name == _tool.argv[0]
	_args_match(grant.tool, array.slice(_tool.argv, 1, count(_tool.argv)))
	principal.same(grant.grantee, _actor)
}

_matching_grants contains grant if {
	_tool.kind == "mcp"
	some grant in input.grants
	grant.tool.kind == "mcp"
	grant.tool.name == _mcp_name
	principal.same(grant.grantee, _actor)
}

_live_grants contains grant if {
	some grant in _matching_grants
	not grant.revokedAt
	clock.before(clock.now_ns, grant.expiresAt)
}

_args_match(tool, args) if {
	tool.allowExtraArgs == true
	argv.prefix_match(tool.argvPattern, args)
}

_args_match(tool, args) if {
	not tool.allowExtraArgs == true
	argv.exact_match(tool.argvPattern, args)
}
