# METADATA
# title: Obligations
# description: >-
#   What the executor must enforce when it runs an allowed (or approved) call: timeout, environment
#   allowlist, sandbox and output cap. Taken from input.profile when given, else from
#   data.workspace_ops.config.obligations; shaped to validate against the obligations of
#   ToolExecutionDecision.
# custom:
#   id: workspace_ops.obligations
#   severity: info
package workspace_ops.obligations

_config := data.workspace_ops.config

_defaults := _config.obligations

# METADATA
# title: tool_execution
# description: Obligations for one tool call.
tool_execution := {
	"timeoutSeconds": _timeout_seconds,
	"envAllowlist": _env_allowlist,
	"sandbox": _sandbox,
	"maxOutputBytes": _max_output_bytes,
}

# METADATA
# title: operation
# description: >-
#   Obligations for a workspace operation: those of a tool call, tightened by the operation's own
#   budget (maxWallClockSeconds, maxOutputBytes).
operation := {
	"timeoutSeconds": min({_timeout_seconds, _budget_or("maxWallClockSeconds", _timeout_seconds)}),
	"envAllowlist": _env_allowlist,
	"sandbox": _sandbox,
	"maxOutputBytes": min({_max_output_bytes, _budget_or("maxOutputBytes", _max_output_bytes)}),
}

_budget_or(field, fallback) := object.get(input, ["operation", "budget", field], fallback)

# Profile wall clock (else the default), capped at the longest step timeout the library allows.
_timeout_seconds := min({
	object.get(input, ["profile", "defaultBudget", "maxWallClockSeconds"], _defaults.timeoutSeconds),
	_config.limits.maxStepTimeoutSeconds,
})

_env_allowlist := object.get(input, ["profile", "envAllowlist"], _defaults.envAllowlist)

_max_output_bytes := object.get(input, ["profile", "defaultBudget", "maxOutputBytes"], _defaults.maxOutputBytes)

_profile_sandbox := object.get(input, ["profile", "sandbox"], _defaults.sandbox)

# network and filesystem always; allowedHosts and allowlist only for an allowlist; backend only
# when it names one (the contract has no "auto": the executor picks the backend when it is
# omitted); the profile's path rules only when it has them.
_sandbox[name] := value if {
	some name, value in {
		"network": _profile_sandbox.network,
		"filesystem": _profile_sandbox.filesystem,
		"allowedHosts": _allowed_hosts,
		"allowlist": _allowlist,
		"backend": _backend,
		"denyRead": _paths("denyRead"),
		"allowRead": _paths("allowRead"),
		"allowWrite": _paths("allowWrite"),
	}
	value != null
}

default _allowed_hosts := null

_allowed_hosts := sort({_host_name(host) | some host in _profile_sandbox.allowlist}) if {
	_profile_sandbox.network == "allowlist"
}

# The entries as written, ports included: the executor's proxy enforces host and port.
default _allowlist := null

_allowlist := sort({host | some host in _profile_sandbox.allowlist}) if {
	_profile_sandbox.network == "allowlist"
}

# Path rules pass through in the profile's order (precedence does not depend on it); absent stays absent.
_paths(field) := object.get(_profile_sandbox, field, null)

# The obligation names hosts without ports: "ghcr.io:443" becomes "ghcr.io".
_host_name(host) := split(host, ":")[0]

default _backend := null

_backend := _profile_sandbox.backend if _profile_sandbox.backend in {"process", "bubblewrap"}
