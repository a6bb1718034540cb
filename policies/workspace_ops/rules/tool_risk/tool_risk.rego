# METADATA
# title: Tool risk
# description: >-
#   Classifies a tool call and decides what it needs. A shell call is described by input.analysis
#   (a CommandAnalysis the executor computes from the request); every part is classified with
#   workspace_ops.lib.command and the call takes the most dangerous class of its parts. Per part:
#   read_only is allowed; mutating needs a live grant; code_execution needs a live grant, the
#   profile's allowedCodeExecution (or config.commands.codeExecution.allowed), else approval;
#   destructive needs approval or is denied (the entry's handling, else
#   config.destructive.toolExecution); network is denied under a sandbox without network and needs
#   approval otherwise; unknown needs approval; a privilege-raising wrapper (sudo, doas) needs
#   approval of its own. An MCP tool needs a live grant for "<server>/<tool>".
# custom:
#   id: workspace_ops.rules.tool_risk
#   severity: error
# schemas:
#   - input: schema.tool_execution_input
package workspace_ops.rules.tool_risk

import data.workspace_ops.lib.argv
import data.workspace_ops.lib.clock
import data.workspace_ops.lib.command
import data.workspace_ops.lib.principal
import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_tool := input.request.tool

_actor := input.request.context.actor

_network := object.get(input, ["profile", "sandbox", "network"], _config.obligations.sandbox.network)

# The analysis describes this request's argv (the executor computed it; a mismatch fails closed).
_analysed if {
	_tool.kind == "shell"
	input.analysis.source == "argv"
	input.analysis.argv == _tool.argv
}

# Per part (by index), computed once: the part, its findings and their classes, its deciding finding
# and class, how it is named, whether it is privileged, whether a live grant covers it, and its outcome.
_parts[i] := object.union(with_grant, {"outcome": _outcome(with_grant)}) if {
	_analysed
	some i, part in input.analysis.parts
	fs := command.findings(part)
	top := command.top(fs)
	facts := {
		"part": part,
		"findings": fs,
		"classes": {f.class | some f in fs},
		"top": top,
		"class": top.class,
		"command": _summary(part),
		"privileged": _privileged(part),
	}
	with_grant := object.union(facts, {"granted": count(_live_grants(facts)) > 0})
}

# What the analysis could not know about the call as a whole (a parse error, a bound exceeded).
_call_unknown contains u if {
	_analysed
	some u in input.analysis.unknown
}

# How a part is named in messages: its argv, with the program as written when it was a path.
_summary(part) := argv.summary(array.concat([program], array.slice(part.argv, 1, count(part.argv)))) if {
	count(part.argv) > 0
	program := object.get(part, "path", part.argv[0])
}

_summary(part) := concat(" ", array.concat(
	[sprintf("%s=...", [a.name]) | some a in part.assignments],
	[concat("", [r.op, object.get(r, "target", "")]) | some r in part.redirects],
)) if {
	count(part.argv) == 0
}

_command := argv.summary(_tool.argv) if _tool.kind == "shell"

_command := _mcp_name if _tool.kind == "mcp"

_mcp_name := concat("/", [_tool.server, _tool.name])

_max_rank := max(array.concat(
	[command.rank(p.class) | some p in _parts],
	[command.rank("unknown") | some _ in _call_unknown],
))

# METADATA
# title: class
# scope: document
# description: >-
#   The risk class of the shell call: the most dangerous class of its parts (read_only, mutating,
#   code_execution, network, unknown, destructive); read_only for a call with no parts.
class := command.class_of(_max_rank) if count(_parts) + count(_call_unknown) > 0

class := "read_only" if {
	_analysed
	count(_parts) + count(_call_unknown) == 0
}

# METADATA
# title: classification
# description: >-
#   Decision provenance: the call's class, the part that decided it and the rule it met, and per
#   part its index, program, class and the data entry and word (token) that decided it.
classification := object.union({"class": class, "rule": _rule, "parts": _part_docs}, _deciding_doc) if _analysed

_deciding_doc := {"part": _deciding_part} if _deciding_part >= 0

_deciding_doc := {} if not _deciding_part

_part_docs := [_part_doc(i, _parts[i]) | some i, _ in input.analysis.parts]

_part_doc(i, p) := object.union(
	{"index": i, "class": p.class, "source": p.top.source, "entry": p.top.entry, "token": substring(p.top.token, 0, 200)},
	{"program": p.part.program | p.part.program},
)

# The part that decided the call: among the parts whose own outcome is the most severe (deny, then
# approval, then allow) the most dangerous, then the first. The class alone may not decide: a
# mutating part without a grant denies while a destructive one only asks.
_deciding_part := min({i |
	some i, p in _parts
	p.outcome[0] == _max_level
	command.rank(p.class) == _max_rank_at_level
})

_max_rank_at_level := max({command.rank(p.class) | some p in _parts; p.outcome[0] == _max_level})

_max_level := max([p.outcome[0] | some p in _parts]) if count(_call_unknown) == 0

_max_level := max(array.concat([1], [p.outcome[0] | some p in _parts])) if count(_call_unknown) > 0

_rule := _parts[_deciding_part].outcome[1] if _deciding_part >= 0

_rule := "unknown_command" if {
	not _deciding_part
	count(_call_unknown) > 0
}

_rule := "read_only" if {
	count(_parts) + count(_call_unknown) == 0
}

# [level, rule] of one part: 2 deny, 1 approval, 0 allow, with the rule it met.
_outcome(p) := [2, rule] if {
	rule := _deny_rule(p)
} else := [1, rule] if {
	rule := _approval_rule(p)
} else := [0, _allow_rule(p)]

_deny_rule(p) := "destructive_denied" if {
	_has(p, "destructive")
	_destructive_handling(p) != "approval"
} else := "network_denied" if {
	_has(p, "network")
	_network == "none"
} else := "privilege_denied" if {
	p.privileged
	_config.commands.privilege.handling != "approval"
} else := "code_execution_denied" if {
	_code_execution_unallowed(p)
	_config.commands.codeExecution.handling != "approval"
} else := "grant_revoked" if {
	p.class == "mutating"
	not p.granted
	some grant in _matching_grants(p)
	grant.revokedAt
} else := "grant_expired" if {
	p.class == "mutating"
	not p.granted
	count(_matching_grants(p)) > 0
} else := "grant_missing" if {
	p.class == "mutating"
	count(_matching_grants(p)) == 0
}

_approval_rule(p) := "destructive_needs_approval" if {
	_has(p, "destructive")
} else := "network_needs_approval" if {
	_has(p, "network")
} else := "unknown_command" if {
	_has(p, "unknown")
} else := "privilege_needs_approval" if {
	p.privileged
} else := "code_execution_needs_approval" if {
	_code_execution_unallowed(p)
}

_allow_rule(p) := "grant" if {
	p.class in {"mutating", "code_execution"}
	p.granted
} else := "code_execution_allowed" if {
	p.class == "code_execution"
} else := "read_only"

_destructive_handling(p) := command.handling(p.findings, _config.destructive.toolExecution)

_has(p, class) if class in p.classes

_privileged(part) if command.privileged(part)

else := false

# METADATA
# title: Analysis missing
# description: >-
#   A shell call needs input.analysis, computed by the executor from the request
#   (@workspace-ops/analysis); without it nothing is classified, so the call is denied.
# custom:
#   code: analysis_missing
#   message: "%s has no command analysis (input.analysis); the executor computes it from the request"
deny contains reason.make(rego.metadata.chain(), [_command]) if {
	_tool.kind == "shell"
	not input.analysis
}

# METADATA
# title: Analysis mismatch
# description: The analysis describes another argv than the request's (or is not an argv analysis).
# custom:
#   code: analysis_mismatch
#   message: "the command analysis does not describe %s"
deny contains reason.make(rego.metadata.chain(), [_command]) if {
	_tool.kind == "shell"
	input.analysis
	not _analysed
}

# METADATA
# title: Destructive denied
# description: >-
#   A part with a destructive finding is denied when its handling (the entry's, else
#   config.destructive.toolExecution) is "deny" (any value other than "approval").
# custom:
#   code: destructive_denied
#   message: "%s is destructive and is denied"
deny contains reason.make(rego.metadata.chain(), [p.command]) if {
	some p in _parts
	_has(p, "destructive")
	_destructive_handling(p) != "approval"
}

# METADATA
# title: Network denied
# description: A part that reaches the network is denied when the sandbox (profile, else default) has none.
# custom:
#   code: network_denied
#   message: "%s reaches the network, which the sandbox does not allow"
deny contains reason.make(rego.metadata.chain(), [p.command]) if {
	_network == "none"
	some p in _parts
	_has(p, "network")
}

# METADATA
# title: Grant missing
# description: >-
#   A mutating part or an MCP tool needs a grant held by the actor that matches it (shell:
#   tool.name equal to the part's program and argvPattern matching its normalized arguments; MCP:
#   tool.name equal to "<server>/<tool>").
# custom:
#   code: grant_missing
#   message: "%s holds no grant for %s"
deny contains reason.make(rego.metadata.chain(), [principal.describe(_actor), p.command]) if {
	some p in _parts
	p.class == "mutating"
	count(_matching_grants(p)) == 0
}

# METADATA
# title: MCP grant missing
# description: An MCP tool needs a grant of kind mcp held by the actor, named "<server>/<tool>".
# custom:
#   code: grant_missing
#   message: "%s holds no grant for %s"
deny contains reason.make(rego.metadata.chain(), [principal.describe(_actor), _command]) if {
	_tool.kind == "mcp"
	count(_mcp_grants) == 0
}

# METADATA
# title: Grant revoked
# description: The only grants that match a mutating part (or the MCP tool) have been revoked.
# custom:
#   code: grant_revoked
#   message: "grant %s for %s was revoked at %s"
deny contains reason.make(rego.metadata.chain(), [grant.grantId, subject, grant.revokedAt]) if {
	some [subject, grants] in _grant_subjects
	count(_live(grants)) == 0
	some grant in grants
	grant.revokedAt
}

# METADATA
# title: Grant expired
# description: The only grants that match a mutating part (or the MCP tool) have expired (now >= expiresAt).
# custom:
#   code: grant_expired
#   message: "grant %s for %s expired at %s"
deny contains reason.make(rego.metadata.chain(), [grant.grantId, subject, expires_at]) if {
	some [subject, grants] in _grant_subjects
	count(_live(grants)) == 0
	some grant in grants
	not grant.revokedAt
	expires_at := object.get(grant, "expiresAt", "an unknown time")
	not clock.before(clock.now_ns, expires_at)
}

# METADATA
# title: Code execution denied
# description: >-
#   A part that runs code the project defines (npm test, make, python script.py, …) without a live
#   grant or the profile's allowance is denied when config.commands.codeExecution.handling is
#   "deny" (any value other than "approval").
# custom:
#   code: code_execution_denied
#   message: "%s runs code (%s) and is denied without a grant or the profile's allowance"
deny contains reason.make(rego.metadata.chain(), [p.command, p.top.entry]) if {
	_config.commands.codeExecution.handling != "approval"
	some p in _parts
	_code_execution_unallowed(p)
}

# METADATA
# title: Privilege denied
# description: >-
#   A part run by a wrapper that raises privilege is denied when config.commands.privilege.handling
#   is "deny" (any value other than "approval").
# custom:
#   code: privilege_denied
#   message: "%s runs with raised privilege and is denied"
deny contains reason.make(rego.metadata.chain(), [p.command]) if {
	_config.commands.privilege.handling != "approval"
	some p in _parts
	p.privileged
}

# METADATA
# title: Destructive needs approval
# description: A part with a destructive finding needs approval when its handling is "approval".
# custom:
#   code: destructive_needs_approval
#   message: "%s is destructive and needs approval"
approval contains reason.make(rego.metadata.chain(), [p.command]) if {
	some p in _parts
	_has(p, "destructive")
	_destructive_handling(p) == "approval"
}

# METADATA
# title: Network needs approval
# description: A part that reaches the network needs approval when the sandbox allows network (an allowlist).
# custom:
#   code: network_needs_approval
#   message: "%s reaches the network and needs approval"
approval contains reason.make(rego.metadata.chain(), [p.command]) if {
	_network != "none"
	some p in _parts
	_has(p, "network")
}

# METADATA
# title: Unknown command
# description: >-
#   A part with something the policy or the analysis cannot classify needs a person: a program
#   without an entry, a subcommand or wrapper without one, an environment assignment that is not
#   harmless, words not known statically where arguments matter, a substitution, a parse failure.
# custom:
#   code: unknown_command
#   message: "%s is not classified (%s); a person must decide"
approval contains reason.make(rego.metadata.chain(), [p.command, why]) if {
	some p in _parts
	some f in p.findings
	f.class == "unknown"
	why := substring(sprintf("%s: %s", [f.entry, f.token]), 0, 300)
}

# METADATA
# title: Unknown script
# description: >-
#   What the analysis could not know about the call as a whole (a script that does not parse, a
#   bound exceeded) needs a person.
# custom:
#   code: unknown_command
#   message: "%s is not classified (%s); a person must decide"
approval contains reason.make(rego.metadata.chain(), [_command, why]) if {
	some u in _call_unknown
	why := sprintf("%s: %s", [u.code, u.detail])
}

# METADATA
# title: Code execution needs approval
# description: >-
#   A part that runs code the project defines needs a live grant, the profile's
#   allowedCodeExecution (or config.commands.codeExecution.allowed) naming its program or
#   subcommand, else approval (config.commands.codeExecution.handling "approval").
# custom:
#   code: code_execution_needs_approval
#   message: "%s runs code (%s); it needs a grant, the profile's allowance or approval"
approval contains reason.make(rego.metadata.chain(), [p.command, p.top.entry]) if {
	_config.commands.codeExecution.handling == "approval"
	some p in _parts
	_code_execution_unallowed(p)
}

# METADATA
# title: Privilege needs approval
# description: >-
#   A part run by sudo or doas (a wrapper whose entry says privilege: true) needs approval, on top
#   of what its class needs (config.commands.privilege.handling "approval").
# custom:
#   code: privilege_needs_approval
#   message: "%s runs with raised privilege and needs approval"
approval contains reason.make(rego.metadata.chain(), [p.command]) if {
	_config.commands.privilege.handling == "approval"
	some p in _parts
	p.privileged
}

_code_execution_unallowed(p) if {
	p.class == "code_execution"
	not p.granted
	not _code_allowed(p)
}

_allowed_code := {x | some x in object.get(input, ["profile", "allowedCodeExecution"], [])} | {x |
	some x in _config.commands.codeExecution.allowed
}

_code_allowed(p) if {
	names := command.names(p.part)
	some n in numbers.range(1, count(names))
	concat(" ", array.slice(names, 0, n)) in _allowed_code
}

# [what the grant is for, the grants that match it] for every mutating part and the MCP tool.
_grant_subjects contains [p.command, _matching_grants(p)] if {
	some p in _parts
	p.class == "mutating"
}

_grant_subjects contains [_command, _mcp_grants] if _tool.kind == "mcp"

# Grants that name this part and this actor, live or not.
_matching_grants(p) := {grant |
	some grant in input.grants
	grant.tool.kind == "shell"
	grant.tool.name == p.part.program
	_args_match(grant.tool, array.slice(p.part.argv, 1, count(p.part.argv)))
	principal.same(grant.grantee, _actor)
}

_mcp_grants contains grant if {
	some grant in input.grants
	grant.tool.kind == "mcp"
	grant.tool.name == _mcp_name
	principal.same(grant.grantee, _actor)
}

_live_grants(p) := _live(_matching_grants(p))

_live(grants) := {grant |
	some grant in grants
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
