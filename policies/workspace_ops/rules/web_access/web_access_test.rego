# METADATA
# title: Tests of workspace_ops.rules.web_access
# description: >-
#   Table-driven tests of workspace_ops.rules.web_access.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.web_access_test
#   severity: info
package workspace_ops.rules.web_access_test

import data.workspace_ops.rules.web_access
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.web_access"}

# A fetch of url, with the parse the executor adds.
_fetch(url, scheme, host, port) := {
	"request": td.web_request("WebFetch", "fetch", url),
	"target": {"url": {"scheme": scheme, "host": host, "port": port}},
}

_search(query) := {"request": td.web_request("WebSearch", "search", query)}

_builder(i) := object.union(i, {"profile": td.builder_profile})

_cases := {
	"a fetch without a profile is denied (the default sandbox has no network)": {
		"input": _fetch("https://registry.npmjs.org/x", "https", "registry.npmjs.org", 443),
		"deny": {_reason("web_network_denied", "WebFetch https://registry.npmjs.org/x reaches the network, which the sandbox does not allow")},
		"approval": set(),
	},
	"a search under network none is denied": {
		"input": object.union(_search("opa wasm"), {"profile": td.coder_profile}),
		"deny": {_reason("web_network_denied", "WebSearch opa wasm reaches the network, which the sandbox does not allow")},
		"approval": set(),
	},
	"a fetch of an allowlisted host is allowed": {
		"input": _builder(_fetch("https://registry.npmjs.org/x", "https", "registry.npmjs.org", 443)),
		"deny": set(),
		"approval": set(),
	},
	"an allowlisted host on port 80 is allowed": {
		"input": _builder(_fetch("http://registry.npmjs.org/x", "http", "registry.npmjs.org", 80)),
		"deny": set(),
		"approval": set(),
	},
	"an allowlisted host on another port asks": {
		"input": _builder(_fetch("https://registry.npmjs.org:8443/x", "https", "registry.npmjs.org", 8443)),
		"deny": set(),
		"approval": {_reason("web_host_not_allowlisted", "WebFetch https://registry.npmjs.org:8443/x: registry.npmjs.org:8443 is not in the profile's network allowlist")},
	},
	"a subdomain of a wildcard entry is allowed": {
		"input": _builder(_fetch("https://raw.githubusercontent.com/a/b", "https", "raw.githubusercontent.com", 443)),
		"deny": set(),
		"approval": set(),
	},
	"a wildcard entry does not admit the name itself": {
		"input": _builder(_fetch("https://githubusercontent.com/", "https", "githubusercontent.com", 443)),
		"deny": set(),
		"approval": {_reason("web_host_not_allowlisted", "WebFetch https://githubusercontent.com/: githubusercontent.com:443 is not in the profile's network allowlist")},
	},
	"an entry with a port admits that port only": {
		"input": _builder(_fetch("https://ghcr.io/v2/", "https", "ghcr.io", 443)),
		"deny": set(),
		"approval": set(),
	},
	"an entry with a port refuses the other default port": {
		"input": _builder(_fetch("http://ghcr.io/v2/", "http", "ghcr.io", 80)),
		"deny": set(),
		"approval": {_reason("web_host_not_allowlisted", "WebFetch http://ghcr.io/v2/: ghcr.io:80 is not in the profile's network allowlist")},
	},
	"a host that only ends like an allowlisted one asks": {
		"input": _builder(_fetch("https://evil-registry.npmjs.org.example/x", "https", "evil-registry.npmjs.org.example", 443)),
		"deny": set(),
		"approval": {_reason("web_host_not_allowlisted", "WebFetch https://evil-registry.npmjs.org.example/x: evil-registry.npmjs.org.example:443 is not in the profile's network allowlist")},
	},
	"a search under an allowlist asks": {
		"input": _builder(_search("left-pad")),
		"deny": set(),
		"approval": {_reason("web_search_needs_approval", "WebSearch left-pad searches the web, which the profile's allowlist cannot admit")},
	},
	"a fetch without the executor's parse is denied": {
		"input": _builder({"request": td.web_request("WebFetch", "fetch", "https://registry.npmjs.org/")}),
		"deny": {_reason("web_url_invalid", "WebFetch https://registry.npmjs.org/ is not an http or https URL the executor could parse")},
		"approval": set(),
	},
	"a file URL is denied": {
		"input": _builder(_fetch("file:///etc/passwd", "file", "", 0)),
		"deny": {_reason("web_url_invalid", "WebFetch file:///etc/passwd is not an http or https URL the executor could parse")},
		"approval": set(),
	},
	"a file call is not a web call": {
		"input": td.file_input("Read", "read", ["/home/dev/demo/a"]),
		"deny": set(),
		"approval": set(),
	},
}

# Cases whose actual result differs from the expected one; see them with
# opa eval ... 'data.workspace_ops.rules.web_access_test.failures'.
failures[name] := {"expected": expected, "actual": actual} if {
	some name, case in _cases
	actual := {"deny": web_access.deny, "approval": web_access.approval} with input as object.union(case.input, {"now": td.now})
	expected := {"deny": case.deny, "approval": case.approval}
	actual != expected
}

test_cases if count(failures) == 0
