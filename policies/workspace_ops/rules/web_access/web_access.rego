# METADATA
# title: Web access
# description: >-
#   Decides an agent runtime's own web tools (tool kind web: WebFetch, WebSearch, web_fetch,
#   google_web_search) by the profile's network (else the default sandbox's): none denies every
#   one; under an allowlist a fetch of a host (and port) the allowlist admits is allowed, any other
#   fetch and every search need a person. The executor parses the URL (input.target.url: scheme,
#   lowercase host, port); only http and https are fetched.
# custom:
#   id: workspace_ops.rules.web_access
#   severity: error
# schemas:
#   - input: schema.tool_execution_input
package workspace_ops.rules.web_access

import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_tool := input.request.tool

_sandbox := object.get(input, ["profile", "sandbox"], _config.obligations.sandbox)

_what := _tool.url if _tool.access == "fetch"

_what := _tool.query if _tool.access == "search"

_url := input.target.url

_fetchable if {
	_tool.kind == "web"
	_tool.access == "fetch"
	_url.scheme in {"http", "https"}
	is_string(_url.host)
	is_number(_url.port)
}

# An allowlist entry: "host" or "*.domain" (any subdomain, not the name itself), optionally ":port";
# without a port it admits 80 and 443 (as the executor's proxy does).
_admits(entry, host, port) if {
	parts := split(entry, ":")
	_host_matches(parts[0], host)
	_port_matches(parts, port)
}

_host_matches(name, host) if {
	not startswith(name, "*.")
	name == host
}

_host_matches(name, host) if {
	startswith(name, "*.")
	endswith(host, substring(name, 1, -1))
}

_port_matches(parts, port) if {
	count(parts) == 1
	port in {80, 443}
}

_port_matches(parts, port) if {
	count(parts) == 2
	to_number(parts[1]) == port
}

_allowlisted if {
	_fetchable
	some entry in object.get(_sandbox, "allowlist", [])
	_admits(entry, _url.host, _url.port)
}

# METADATA
# title: No network
# description: Under a sandbox without network (the profile's, else the default) no web tool runs.
# custom:
#   code: web_network_denied
#   message: "%s %s reaches the network, which the sandbox does not allow"
deny contains reason.make(rego.metadata.chain(), [_tool.name, _what]) if {
	_tool.kind == "web"
	_sandbox.network == "none"
}

# METADATA
# title: URL not fetchable
# description: >-
#   A fetch needs an http or https URL that the executor could parse (input.target.url with
#   scheme, host and port).
# custom:
#   code: web_url_invalid
#   message: "%s %s is not an http or https URL the executor could parse"
deny contains reason.make(rego.metadata.chain(), [_tool.name, _tool.url]) if {
	_tool.kind == "web"
	_tool.access == "fetch"
	_sandbox.network != "none"
	not _fetchable
}

# METADATA
# title: Host not in the allowlist
# description: A fetch of a host (or port) the profile's allowlist does not admit needs a person.
# custom:
#   code: web_host_not_allowlisted
#   message: "%s %s: %s:%s is not in the profile's network allowlist"
approval contains reason.make(rego.metadata.chain(), [_tool.name, _tool.url, _url.host, format_int(_url.port, 10)]) if {
	_sandbox.network == "allowlist"
	_fetchable
	not _allowlisted
}

# METADATA
# title: Search needs approval
# description: A web search reaches hosts nobody can list in advance; under an allowlist it needs a person.
# custom:
#   code: web_search_needs_approval
#   message: "%s %s searches the web, which the profile's allowlist cannot admit"
approval contains reason.make(rego.metadata.chain(), [_tool.name, _tool.query]) if {
	_tool.kind == "web"
	_tool.access == "search"
	_sandbox.network == "allowlist"
}
