# METADATA
# title: Tests of workspace_ops.rules.diagnostics
# description: >-
#   Table-driven tests of workspace_ops.rules.diagnostics.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.diagnostics_test
#   severity: info
package workspace_ops.rules.diagnostics_test

import data.workspace_ops.rules.diagnostics
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.diagnostics"}

_export(bundle) := td.operation("agent_machine.diagnostics.export_redacted", bundle)

_clean := td.bundle("2026-11-21T12:00:02Z WARN env scrubbed GITHUB_TOKEN=[REDACTED:github-token]\n")

_secret(pattern) := sprintf("entry logs/executor.log of bundle diag-20261121-0101 still contains a secret (%s)", [pattern])

_cases := {
	"redacted and clean": {
		"operation": _export(_clean),
		"deny": set(),
	},
	"not marked redacted": {
		"operation": _export(object.union(_clean, {"redacted": false})),
		"deny": {_reason("diagnostics_not_redacted", "bundle diag-20261121-0101 is not redacted: redacted is not true")},
	},
	"no redaction report": {
		"operation": _export(object.remove(_clean, ["redaction", "redacted"])),
		"deny": {
			_reason("diagnostics_not_redacted", "bundle diag-20261121-0101 is not redacted: redacted is not true"),
			_reason("diagnostics_not_redacted", "bundle diag-20261121-0101 is not redacted: it has no redaction report"),
		},
	},
	"aws access key left": {
		"operation": _export(td.bundle("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")),
		"deny": {_reason("secret_in_bundle", _secret("aws-access-key"))},
	},
	"several secrets left": {
		"operation": _export(td.bundle(concat("\n", [
			"OPENAI_API_KEY=sk-proj-4f9Qx2LmZ8vT1aB7cD3eF5gH",
			"GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
			"-----BEGIN OPENSSH PRIVATE KEY-----",
			"SLACK=xoxb-1234567890-abcdefghij",
			"GITLAB=glpat-Ab3De5Fg7Hj9Kl1Mn3Pq",
			"GOOGLE=AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1v",
			"PAT=github_pat_11ABCDEFG0123456789_abcdefghijKLMNOP",
		]))),
		"deny": {
			_reason("secret_in_bundle", _secret("model-api-key")),
			_reason("secret_in_bundle", _secret("github-token")),
			_reason("secret_in_bundle", _secret("private-key")),
			_reason("secret_in_bundle", _secret("slack-token")),
			_reason("secret_in_bundle", _secret("gitlab-token")),
			_reason("secret_in_bundle", _secret("google-api-key")),
			_reason("secret_in_bundle", _secret("github-pat")),
		},
	},
	"not an export": {
		"operation": td.operation("agent_machine.container.run", object.union(_clean, {"redacted": false})),
		"deny": set(),
	},
}

failures[name] := {"expected": case.deny, "actual": actual} if {
	some name, case in _cases
	actual := diagnostics.deny with input as {"operation": case.operation, "now": td.now}
	actual != case.deny
}

test_cases if count(failures) == 0
