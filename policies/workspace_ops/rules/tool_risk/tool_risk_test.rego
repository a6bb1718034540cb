# METADATA
# title: Tests of workspace_ops.rules.tool_risk
# description: >-
#   Table-driven tests of workspace_ops.rules.tool_risk.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.tool_risk_test
#   severity: info
package workspace_ops.rules.tool_risk_test

import data.workspace_ops.rules.tool_risk
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.tool_risk"}

_cases := {
	"read-only git status": {
		"input": {"request": td.shell_request(["git", "status", "--short"])},
		"deny": set(),
		"approval": set(),
	},
	"unknown command asks": {
		"input": {"request": td.shell_request(["bazel", "build", "//..."])},
		"deny": set(),
		"approval": {_reason("unknown_command", "bazel build //... is not classified; a person must decide")},
	},
	"mutating with a live grant": {
		"input": {
			"request": td.shell_request(["git", "commit", "-m", "fix: typo"]),
			"grants": [td.commit_grant],
		},
		"deny": set(),
		"approval": set(),
	},
	"mutating without a grant": {
		"input": {"request": td.shell_request(["git", "commit", "-m", "fix: typo"])},
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for git commit -m fix: typo")},
		"approval": set(),
	},
	"mutating with a revoked grant": {
		"input": {
			"request": td.shell_request(["git", "commit", "-m", "fix: typo"]),
			"grants": [object.union(td.commit_grant, td.revoked)],
		},
		"deny": {_reason(
			"grant_revoked",
			"grant grant-git-commit-0001 for git commit -m fix: typo was revoked at 2026-11-21T12:05:00Z",
		)},
		"approval": set(),
	},
	"mutating with an expired grant": {
		"input": {
			"request": td.shell_request(["git", "commit", "-m", "fix: typo"]),
			"grants": [object.union(td.commit_grant, td.expired)],
		},
		"deny": {_reason(
			"grant_expired",
			"grant grant-git-commit-0001 for git commit -m fix: typo expired at 2026-11-21T12:00:00Z",
		)},
		"approval": set(),
	},
	"a dead grant does not count when a live one matches": {
		"input": {
			"request": td.shell_request(["git", "commit", "-m", "fix: typo"]),
			"grants": [object.union(td.commit_grant, {"grantId": "grant-old", "revokedAt": "2026-11-21T12:05:00Z", "revocationReason": "Superseded."}), td.commit_grant],
		},
		"deny": set(),
		"approval": set(),
	},
	"exact grant does not cover extra args": {
		"input": {
			"request": td.shell_request(["git", "commit", "-m", "fix: typo", "--amend"]),
			"grants": [td.commit_grant],
		},
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for git commit -m fix: typo --amend")},
		"approval": set(),
	},
	"allowExtraArgs grant covers extra args": {
		"input": {
			"request": td.shell_request(["npm", "install", "--save-dev", "vitest"]),
			"grants": [td.npm_install_grant],
		},
		"deny": set(),
		"approval": set(),
	},
	"grant held by someone else": {
		"input": {
			"request": td.shell_request(["npm", "install"]),
			"grants": [object.union(td.npm_install_grant, {"grantee": {"type": "agent", "id": "agent-other"}})],
		},
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for npm install")},
		"approval": set(),
	},
	"destructive asks for approval": {
		"input": {"request": td.shell_request(["rm", "-rf", "build"])},
		"deny": set(),
		"approval": {_reason("destructive_needs_approval", "rm -rf build is destructive and needs approval")},
	},
	"destructive by path is still destructive": {
		"input": {"request": td.shell_request(["/usr/bin/rm", "-rf", "build"])},
		"deny": set(),
		"approval": {_reason("destructive_needs_approval", "/usr/bin/rm -rf build is destructive and needs approval")},
	},
	"force push after a refspec is denied by its pattern": {
		"input": {"request": td.shell_request(["git", "push", "origin", "main", "--force"])},
		"deny": {_reason("destructive_denied", "git push origin main --force is destructive and is denied")},
		"approval": set(),
	},
	"destructive denied by config": {
		"config": {"destructive": {"toolExecution": "deny"}},
		"input": {"request": td.shell_request(["git", "reset", "--hard", "HEAD~3"])},
		"deny": {_reason("destructive_denied", "git reset --hard HEAD~3 is destructive and is denied")},
		"approval": set(),
	},
	"a pattern's handling overrides the config": {
		"config": {
			"destructive": {"toolExecution": "deny"},
			"risk": {"patterns": [{"argv": ["rm"], "class": "destructive", "handling": "approval"}]},
		},
		"input": {"request": td.shell_request(["rm", "build/out.log"])},
		"deny": set(),
		"approval": {_reason("destructive_needs_approval", "rm build/out.log is destructive and needs approval")},
	},
	"network without a network sandbox": {
		"input": {"request": td.shell_request(["curl", "-fsSL", "https://example.com"])},
		"deny": {_reason("network_denied", "curl -fsSL https://example.com reaches the network, which the sandbox does not allow")},
		"approval": set(),
	},
	"network under an allowlist sandbox asks": {
		"input": {
			"request": td.shell_request(["curl", "-fsSL", "https://registry.npmjs.org/"]),
			"profile": td.builder_profile,
		},
		"deny": set(),
		"approval": {_reason("network_needs_approval", "curl -fsSL https://registry.npmjs.org/ reaches the network and needs approval")},
	},
	"mcp with a live grant": {
		"input": {"request": td.mcp_request("github", "create_issue"), "grants": [td.mcp_grant]},
		"deny": set(),
		"approval": set(),
	},
	"mcp without a grant": {
		"input": {"request": td.mcp_request("github", "merge_pull_request"), "grants": [td.mcp_grant]},
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for github/merge_pull_request")},
		"approval": set(),
	},
	"mcp with only dead grants": {
		"input": {
			"request": td.mcp_request("github", "create_issue"),
			"grants": [
				object.union(td.mcp_grant, td.revoked),
				object.union(td.mcp_grant, {"grantId": "grant-mcp-gh-issue-6", "expiresAt": "2026-11-21T12:10:00Z"}),
			],
		},
		"deny": {
			_reason("grant_revoked", "grant grant-mcp-gh-issue-7 for github/create_issue was revoked at 2026-11-21T12:05:00Z"),
			_reason("grant_expired", "grant grant-mcp-gh-issue-6 for github/create_issue expired at 2026-11-21T12:10:00Z"),
		},
		"approval": set(),
	},
}

# Cases whose actual result differs from the expected one; see them with
# opa eval ... 'data.workspace_ops.rules.tool_risk_test.failures'.
failures[name] := {"expected": expected, "actual": actual} if {
	some name, case in _cases
	config := object.union(data.workspace_ops.config, object.get(case, "config", {}))
	actual := {"deny": tool_risk.deny, "approval": tool_risk.approval} with input as object.union(case.input, {"now": td.now})
		with data.workspace_ops.config as config
	expected := {"deny": case.deny, "approval": case.approval}
	actual != expected
}

test_cases if count(failures) == 0

test_class if {
	every args, class in {
		["git", "status"]: "read_only",
		["git", "push"]: "network",
		["git", "push", "--force"]: "destructive",
		["npm", "run", "lint"]: "read_only",
		["npm", "run", "build"]: "mutating",
		["./scripts/smoke.sh"]: "unknown",
		["sudo", "ls"]: "destructive",
	} {
		tool_risk.class == class with input as {"request": td.shell_request(args)}
	}
}
