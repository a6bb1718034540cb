# METADATA
# title: Tests of workspace_ops.rules.mcp_arguments
# description: >-
#   Table-driven tests of workspace_ops.rules.mcp_arguments, with the shipped rules and with rules
#   given per case. Each case states its input and the whole expected result.
# custom:
#   id: workspace_ops.rules.mcp_arguments_test
#   severity: info
package workspace_ops.rules.mcp_arguments_test

import data.workspace_ops.rules.mcp_arguments
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.mcp_arguments"}

_call(server, name, args) := {"request": object.union(
	object.remove(td.mcp_request(server, name), ["tool"]),
	{"tool": {"kind": "mcp", "server": server, "name": name, "sanitizedArgs": args}},
)}

_writes_need_approval := [
	{"tool": "filesystem/write_file", "argument": "path", "pattern": ".", "handling": "approval", "because": "writes are reviewed"},
	{"tool": "*/write_file", "argument": "path", "pattern": "(^|/)\\.git/", "handling": "deny", "because": "git's own files"},
	{"tool": "github/*", "argument": "labels", "pattern": "^security$", "handling": "approval", "because": "security issues are triaged"},
	{"tool": "github/*", "argument": "repo", "pattern": "^acme/", "handling": "refuse", "because": "a handling with a typo denies"},
]

_cases := {
	"a read of a project file passes the shipped rules": {
		"input": _call("filesystem", "read_text_file", {"path": "/home/dev/demo/README.md"}),
		"deny": set(),
		"approval": set(),
	},
	"a path into a credential store is denied by the shipped rules": {
		"input": _call("filesystem", "read_text_file", {"path": "/home/dev/.ssh/id_ed25519"}),
		"deny": {_reason("mcp_argument_denied", "filesystem/read_text_file: argument path = /home/dev/.ssh/id_ed25519 is denied: a credential store")},
		"approval": set(),
	},
	"a .netrc path is denied by the shipped rules": {
		"input": _call("files", "write", {"path": "/home/dev/.netrc"}),
		"deny": {_reason("mcp_argument_denied", "files/write: argument path = /home/dev/.netrc is denied: a credential store")},
		"approval": set(),
	},
	"a CI workflow asks by the shipped rules": {
		"input": _call("filesystem", "write_file", {"path": "/home/dev/demo/.github/workflows/ci.yml"}),
		"deny": set(),
		"approval": {_reason("mcp_argument_needs_approval", "filesystem/write_file: argument path = /home/dev/demo/.github/workflows/ci.yml needs approval: a CI workflow runs with the repository's secrets")},
	},
	"a rule for one tool asks": {
		"argumentRules": _writes_need_approval,
		"input": _call("filesystem", "write_file", {"path": "/home/dev/demo/a.txt", "content": "x"}),
		"deny": set(),
		"approval": {_reason("mcp_argument_needs_approval", "filesystem/write_file: argument path = /home/dev/demo/a.txt needs approval: writes are reviewed")},
	},
	"a rule for any server denies, and deny and approval are both reported": {
		"argumentRules": _writes_need_approval,
		"input": _call("filesystem", "write_file", {"path": "/home/dev/demo/.git/config"}),
		"deny": {_reason("mcp_argument_denied", "filesystem/write_file: argument path = /home/dev/demo/.git/config is denied: git's own files")},
		"approval": {_reason("mcp_argument_needs_approval", "filesystem/write_file: argument path = /home/dev/demo/.git/config needs approval: writes are reviewed")},
	},
	"any string of an array argument is matched": {
		"argumentRules": _writes_need_approval,
		"input": _call("github", "create_issue", {"labels": ["bug", "security"]}),
		"deny": set(),
		"approval": {_reason("mcp_argument_needs_approval", "github/create_issue: argument labels = security needs approval: security issues are triaged")},
	},
	"a handling other than approval denies": {
		"argumentRules": _writes_need_approval,
		"input": _call("github", "create_issue", {"repo": "acme/demo"}),
		"deny": {_reason("mcp_argument_denied", "github/create_issue: argument repo = acme/demo is denied: a handling with a typo denies")},
		"approval": set(),
	},
	"a rule of another server does not apply": {
		"argumentRules": _writes_need_approval,
		"input": _call("other", "write", {"path": "/x/.git/config"}),
		"deny": set(),
		"approval": set(),
	},
	"an argument that is not a string is not matched": {
		"argumentRules": _writes_need_approval,
		"input": _call("filesystem", "write_file", {"path": 42}),
		"deny": set(),
		"approval": set(),
	},
	"a shell call is not an MCP call": {
		"input": td.shell_input(["cat", "/home/dev/.ssh/id_ed25519"]),
		"deny": set(),
		"approval": set(),
	},
}

# Cases whose actual result differs from the expected one; see them with
# opa eval ... 'data.workspace_ops.rules.mcp_arguments_test.failures'.
failures[name] := {"expected": expected, "actual": actual} if {
	some name, case in _cases
	config := object.union(data.workspace_ops.config, {"mcp": object.filter(case, ["argumentRules"])})
	actual := {"deny": mcp_arguments.deny, "approval": mcp_arguments.approval} with input as object.union(case.input, {"now": td.now})
		with data.workspace_ops.config as config
	expected := {"deny": case.deny, "approval": case.approval}
	actual != expected
}

test_cases if count(failures) == 0
