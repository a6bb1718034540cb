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

# A tool_execution input for a shell string run by bash -lc, with the parts the analysis gives.
_script(script, parts) := {
	"request": td.shell_request(["bash", "-lc", script]),
	"analysis": td.analysis(["bash", "-lc", script], parts),
}

# A part: index i, argv args (program first), plus extra fields.
_part(i, args, extra) := object.union({"index": i, "program": args[0], "argv": args}, extra)

_one(args, extra) := {"request": td.shell_request(args), "analysis": td.analysis(args, [_part(0, args, extra)])}

_cases := {
	"read-only git status": {
		"input": td.shell_input(["git", "status", "--short"]),
		"deny": set(),
		"approval": set(),
	},
	"unknown command asks": {
		"input": td.shell_input(["frobnicate", "build", "//..."]),
		"deny": set(),
		"approval": {_reason("unknown_command", "frobnicate build //... is not classified (programs: frobnicate); a person must decide")},
	},
	"mutating with a live grant": {
		"input": {
			"request": td.shell_request(["git", "commit", "-m", "fix: typo"]),
			"analysis": td.argv_analysis(["git", "commit", "-m", "fix: typo"]),
			"grants": [td.commit_grant],
		},
		"deny": set(),
		"approval": set(),
	},
	"mutating without a grant": {
		"input": td.shell_input(["git", "commit", "-m", "fix: typo"]),
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for git commit -m fix: typo")},
		"approval": set(),
	},
	"mutating with a revoked grant": {
		"input": {
			"request": td.shell_request(["git", "commit", "-m", "fix: typo"]),
			"analysis": td.argv_analysis(["git", "commit", "-m", "fix: typo"]),
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
			"analysis": td.argv_analysis(["git", "commit", "-m", "fix: typo"]),
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
			"analysis": td.argv_analysis(["git", "commit", "-m", "fix: typo"]),
			"grants": [object.union(td.commit_grant, {"grantId": "grant-old", "revokedAt": "2026-11-21T12:05:00Z", "revocationReason": "Superseded."}), td.commit_grant],
		},
		"deny": set(),
		"approval": set(),
	},
	"exact grant does not cover extra args": {
		"input": {
			"request": td.shell_request(["git", "commit", "-m", "fix: typo", "--amend"]),
			"analysis": td.argv_analysis(["git", "commit", "-m", "fix: typo", "--amend"]),
			"grants": [td.commit_grant],
		},
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for git commit -m fix: typo --amend")},
		"approval": set(),
	},
	"allowExtraArgs grant covers extra args": {
		"input": {
			"request": td.shell_request(["npm", "install", "--save-dev", "vitest"]),
			"analysis": td.argv_analysis(["npm", "install", "--save-dev", "vitest"]),
			"grants": [td.npm_install_grant],
		},
		"deny": set(),
		"approval": set(),
	},
	"grant held by someone else": {
		"input": {
			"request": td.shell_request(["npm", "install"]),
			"analysis": td.argv_analysis(["npm", "install"]),
			"grants": [object.union(td.npm_install_grant, {"grantee": {"type": "agent", "id": "agent-other"}})],
		},
		"deny": set(),
		"approval": {_reason(
			"code_execution_needs_approval",
			"npm install runs code (programs.npm.subcommands.install); it needs a grant, the profile's allowance or approval",
		)},
	},
	"destructive asks for approval": {
		"input": td.shell_input(["rm", "-rf", "build"]),
		"deny": set(),
		"approval": {_reason("destructive_needs_approval", "rm -rf build is destructive and needs approval")},
	},
	"destructive by path is still destructive": {
		"input": td.shell_input(["/usr/bin/rm", "-rf", "build"]),
		"deny": set(),
		"approval": {_reason("destructive_needs_approval", "/usr/bin/rm -rf build is destructive and needs approval")},
	},
	"force push after a refspec is denied by its flag": {
		"input": td.shell_input(["git", "push", "origin", "main", "--force"]),
		"deny": {
			_reason("destructive_denied", "git push origin main --force is destructive and is denied"),
			_reason("network_denied", "git push origin main --force reaches the network, which the sandbox does not allow"),
		},
		"approval": set(),
	},
	"destructive denied by config": {
		"config": {"destructive": {"toolExecution": "deny"}},
		"input": td.shell_input(["git", "reset", "--hard", "HEAD~3"]),
		"deny": {_reason("destructive_denied", "git reset --hard HEAD~3 is destructive and is denied")},
		"approval": set(),
	},
	"an entry's handling overrides the config": {
		"config": {
			"destructive": {"toolExecution": "deny"},
			"commands": {"programs": {"rm": {"class": "destructive", "handling": "approval"}}},
		},
		"input": td.shell_input(["rm", "build/out.log"]),
		"deny": set(),
		"approval": {_reason("destructive_needs_approval", "rm build/out.log is destructive and needs approval")},
	},
	"network without a network sandbox": {
		"input": td.shell_input(["curl", "-fsSL", "https://example.com"]),
		"deny": {_reason("network_denied", "curl -fsSL https://example.com reaches the network, which the sandbox does not allow")},
		"approval": set(),
	},
	"network under an allowlist sandbox asks": {
		"input": {
			"request": td.shell_request(["curl", "-fsSL", "https://registry.npmjs.org/"]),
			"analysis": td.argv_analysis(["curl", "-fsSL", "https://registry.npmjs.org/"]),
			"profile": td.builder_profile,
		},
		"deny": set(),
		"approval": {_reason("network_needs_approval", "curl -fsSL https://registry.npmjs.org/ reaches the network and needs approval")},
	},
	"compound read-only parts are read-only": {
		"input": _script("ls && pwd", [_part(0, ["ls"], {}), _part(1, ["pwd"], {})]),
		"deny": set(),
		"approval": set(),
	},
	"the most dangerous part decides": {
		"input": _script("ls && rm -rf x", [_part(0, ["ls"], {}), _part(1, ["rm", "-rf", "x"], {})]),
		"deny": set(),
		"approval": {_reason("destructive_needs_approval", "rm -rf x is destructive and needs approval")},
	},
	"a write redirection makes a read-only part mutating": {
		"input": _script("echo hi > notes.txt", [_part(0, ["echo", "hi"], {"redirects": [{"op": ">", "kind": "write", "target": "notes.txt"}]})]),
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for echo hi")},
		"approval": set(),
	},
	"writes to /dev/null and fd duplications do not count": {
		"input": _script("ls > /dev/null 2>&1", [_part(0, ["ls"], {"redirects": [
			{"op": ">", "kind": "write", "target": "/dev/null"},
			{"op": ">&", "kind": "duplicate", "fd": 2, "target": "1"},
		]})]),
		"deny": set(),
		"approval": set(),
	},
	"a redirection to /dev/tcp reaches the network": {
		"input": _script("cat f > /dev/tcp/h/1", [_part(0, ["cat", "f"], {"redirects": [{"op": ">", "kind": "write", "target": "/dev/tcp/h/1"}]})]),
		"deny": {_reason("network_denied", "cat f reaches the network, which the sandbox does not allow")},
		"approval": set(),
	},
	"a redirection target not known statically asks": {
		"input": _script("echo x > $f", [_part(0, ["echo", "x"], {"redirects": [{"op": ">", "kind": "write", "target": "$f", "dynamic": true}]})]),
		"deny": set(),
		"approval": {_reason("unknown_command", "echo x is not classified (redirects: >); a person must decide")},
	},
	"a command substitution asks": {
		"input": _script("echo $(whoami)", [_part(0, ["echo", "$(whoami)"], {"dynamicArgs": [1], "unknown": [{"code": "command_substitution", "detail": "$(whoami)"}]})]),
		"deny": set(),
		"approval": {_reason("unknown_command", "echo $(whoami) is not classified (command_substitution: $(whoami)); a person must decide")},
	},
	"sudo adds a privilege risk": {
		"input": _one(["ls"], {"wrappers": [{"program": "sudo", "argv": ["sudo"]}]}),
		"deny": set(),
		"approval": {_reason("privilege_needs_approval", "ls runs with raised privilege and needs approval")},
	},
	"privilege denied by config": {
		"config": {"commands": {"privilege": {"handling": "deny"}}},
		"input": _one(["ls"], {"wrappers": [{"program": "doas", "argv": ["doas"]}]}),
		"deny": {_reason("privilege_denied", "ls runs with raised privilege and is denied")},
		"approval": set(),
	},
	"an assignment that is not harmless asks": {
		"input": _one(["ls"], {"assignments": [{"name": "PATH", "value": "/tmp"}]}),
		"deny": set(),
		"approval": {_reason("unknown_command", "ls is not classified (environment: PATH); a person must decide")},
	},
	"harmless assignments do not": {
		"input": _script("LANG=C GIT_PAGER=cat git log; x=1", [
			_part(0, ["git", "log"], {"assignments": [{"name": "LANG", "value": "C"}, {"name": "GIT_PAGER", "value": "cat"}]}),
			{"index": 1, "argv": [], "assignments": [{"name": "x", "value": "1"}]},
		]),
		"deny": set(),
		"approval": set(),
	},
	"git -c asks": {
		"input": _one(["git", "status"], {"globalOptions": ["-c", "core.fsmonitor=./x"]}),
		"deny": set(),
		"approval": {_reason("unknown_command", "git status is not classified (programs.git.globalOptions.-c: -c); a person must decide")},
	},
	"a grant matches the normalized argv (git -C dir commit)": {
		"input": object.union(_one(["git", "commit", "-m", "fix"], {"globalOptions": ["-C", "pkg"]}), {"grants": [td.commit_grant]}),
		"deny": set(),
		"approval": set(),
	},
	"git diff --output writes": {
		"input": td.shell_input(["git", "diff", "--output=out.patch"]),
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for git diff --output=out.patch")},
		"approval": set(),
	},
	"an abbreviated long option is still the flag": {
		"input": td.shell_input(["sed", "--in-pl", "s/a/b/", "f"]),
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for sed --in-pl s/a/b/ f")},
		"approval": set(),
	},
	"sed -n with a print script is read-only": {
		"input": td.shell_input(["sed", "-n", "1,5p", "README.md"]),
		"deny": set(),
		"approval": set(),
	},
	"a sed script that writes runs code": {
		"input": td.shell_input(["sed", "-e", "s/a/b/w out", "f"]),
		"deny": set(),
		"approval": {_reason("code_execution_needs_approval", "sed -e s/a/b/w out f runs code (programs.sed.script); it needs a grant, the profile's allowance or approval")},
	},
	"find -delete is destructive": {
		"input": td.shell_input(["find", ".", "-name", "*.tmp", "-delete"]),
		"deny": set(),
		"approval": {_reason("destructive_needs_approval", "find . -name *.tmp -delete is destructive and needs approval")},
	},
	"find without actions is read-only": {
		"input": td.shell_input(["find", ".", "-name", "*.md"]),
		"deny": set(),
		"approval": set(),
	},
	"arguments not known statically ask where flags matter": {
		"input": _script("rg foo *", [_part(0, ["rg", "foo", "*"], {"dynamicArgs": [2]})]),
		"deny": set(),
		"approval": {_reason("unknown_command", "rg foo * is not classified (programs.rg: *); a person must decide")},
	},
	"arguments not known statically do not matter to cat": {
		"input": _script("cat *", [_part(0, ["cat", "*"], {"dynamicArgs": [1]})]),
		"deny": set(),
		"approval": set(),
	},
	"xargs feeds the command it runs": {
		"input": _script("ls | xargs rm", [
			_part(0, ["ls"], {}),
			_part(1, ["rm"], {"wrappers": [{"program": "xargs", "argv": ["xargs"]}], "dynamicTail": true}),
		]),
		"deny": set(),
		"approval": {_reason("destructive_needs_approval", "rm is destructive and needs approval")},
	},
	"code execution needs approval": {
		"input": td.shell_input(["npm", "test"]),
		"deny": set(),
		"approval": {_reason("code_execution_needs_approval", "npm test runs code (programs.npm.subcommands.test); it needs a grant, the profile's allowance or approval")},
	},
	"the profile allows code execution by name": {
		"input": object.union(td.shell_input(["npm", "test"]), {"profile": object.union(td.coder_profile, {"allowedCodeExecution": ["npm test", "make"]})}),
		"deny": set(),
		"approval": set(),
	},
	"the config allows code execution by program": {
		"config": {"commands": {"codeExecution": {"handling": "approval", "allowed": ["npm"]}}},
		"input": td.shell_input(["npm", "run", "build"]),
		"deny": set(),
		"approval": set(),
	},
	"code execution denied by config": {
		"config": {"commands": {"codeExecution": {"handling": "deny", "allowed": []}}},
		"input": td.shell_input(["make"]),
		"deny": {_reason("code_execution_denied", "make runs code (programs.make) and is denied without a grant or the profile's allowance")},
		"approval": set(),
	},
	"a grant covers code execution": {
		"input": object.union(td.shell_input(["npm", "install", "vitest"]), {"grants": [td.npm_install_grant]}),
		"deny": set(),
		"approval": set(),
	},
	"a program outside the system directories runs code": {
		"input": td.shell_input(["./ls", "-la"]),
		"deny": set(),
		"approval": {_reason("code_execution_needs_approval", "./ls -la runs code (systemPaths); it needs a grant, the profile's allowance or approval")},
	},
	"a program in a system directory is itself": {
		"input": td.shell_input(["/usr/bin/ls", "-la"]),
		"deny": set(),
		"approval": set(),
	},
	"a script that does not parse asks": {
		"input": {
			"request": td.shell_request(["bash", "-lc", "ls &&"]),
			"analysis": object.union(td.analysis(["bash", "-lc", "ls &&"], []), {"unknown": [{"code": "parse_error", "detail": "missing word at character 5"}]}),
		},
		"deny": set(),
		"approval": {_reason("unknown_command", "bash -lc ls && is not classified (parse_error: missing word at character 5); a person must decide")},
	},
	"a shell call without its analysis is denied": {
		"input": {"request": td.shell_request(["ls"])},
		"deny": {_reason("analysis_missing", "ls has no command analysis (input.analysis); the executor computes it from the request")},
		"approval": set(),
	},
	"an analysis of another argv is denied": {
		"input": {"request": td.shell_request(["rm", "-rf", "x"]), "analysis": td.argv_analysis(["ls"])},
		"deny": {_reason("analysis_mismatch", "the command analysis does not describe rm -rf x")},
		"approval": set(),
	},
	"a wrapper without an entry asks": {
		"input": _one(["ls"], {"wrappers": [{"program": "firejail", "argv": ["firejail"]}]}),
		"deny": set(),
		"approval": {_reason("unknown_command", "ls is not classified (wrappers: firejail); a person must decide")},
	},
	"a subcommand without an entry asks": {
		"input": td.shell_input(["git", "frobnicate"]),
		"deny": set(),
		"approval": {_reason("unknown_command", "git frobnicate is not classified (programs.git.otherSubcommands: frobnicate); a person must decide")},
	},
	"an exact form lowers the entry's class": {
		"input": td.shell_input(["git", "clean", "-n"]),
		"deny": set(),
		"approval": set(),
	},
	"dd of= is denied": {
		"input": td.shell_input(["dd", "if=/dev/zero", "of=disk.img"]),
		"deny": {_reason("destructive_denied", "dd if=/dev/zero of=disk.img is destructive and is denied")},
		"approval": set(),
	},
	"a bare redirection writes": {
		"input": _script("> out.txt", [{"index": 0, "argv": [], "redirects": [{"op": ">", "kind": "write", "target": "out.txt"}]}]),
		"deny": {_reason("grant_missing", "agent agent-coder-1 holds no grant for >out.txt")},
		"approval": set(),
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
		["npm", "run", "lint"]: "code_execution",
		["git", "commit", "-m", "x"]: "mutating",
		["./scripts/smoke.sh"]: "unknown",
		["./rm", "x"]: "destructive",
	} {
		tool_risk.class == class with input as td.shell_input(args)
	}
}
