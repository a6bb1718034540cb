# Tests of tool_risk.classification (decision provenance): the call's class, the deciding part and
# the rule it met. Same package as tool_risk_test.rego, whose METADATA and helpers (_script, _part,
# _one) this file shares.
package workspace_ops.rules.tool_risk_test

import data.workspace_ops.rules.tool_risk
import data.workspace_ops.testdata_test as td

test_classification if {
	input_value := _script("ls && git -c x=y status | rm -rf x", [
		_part(0, ["ls"], {}),
		_part(1, ["git", "status"], {"globalOptions": ["-c", "x=y"]}),
		_part(2, ["rm", "-rf", "x"], {}),
	])
	tool_risk.classification == {
		"class": "destructive",
		"part": 2,
		"rule": "destructive_needs_approval",
		"parts": [
			{"index": 0, "program": "ls", "class": "read_only", "source": "program", "entry": "programs.ls", "token": ""},
			{"index": 1, "program": "git", "class": "unknown", "source": "global_option", "entry": "programs.git.globalOptions.-c", "token": "-c"},
			{"index": 2, "program": "rm", "class": "destructive", "source": "program", "entry": "programs.rm", "token": ""},
		],
	} with input as object.union(input_value, {"now": td.now})
}

test_classification_deny_decides_before_class if {
	input_value := _script("rm -rf x; touch y", [_part(0, ["rm", "-rf", "x"], {}), _part(1, ["touch", "y"], {})])
	c := tool_risk.classification with input as object.union(input_value, {"now": td.now})
	[c.class, c.part, c.rule] == ["destructive", 1, "grant_missing"]
}

test_classification_rules if {
	every args, rule in {
		["ls"]: "read_only",
		["git", "commit", "-m", "fix"]: "grant",
		["touch", "x"]: "grant_missing",
		["npm", "test"]: "code_execution_needs_approval",
		["curl", "https://example.com"]: "network_denied",
		["frobnicate"]: "unknown_command",
		["git", "push", "-f"]: "destructive_denied",
	} {
		tool_risk.classification.rule == rule with input as object.union(td.shell_input(args), {"now": td.now, "grants": [td.commit_grant]})
	}
}

test_classification_code_execution_allowed if {
	tool_risk.classification.rule == "code_execution_allowed" with input as object.union(
		td.shell_input(["make"]),
		{"profile": object.union(td.coder_profile, {"allowedCodeExecution": ["make"]})},
	)
}

test_classification_dead_grants if {
	tool_risk.classification.rule == "grant_revoked" with input as object.union(
		td.shell_input(["git", "commit", "-m", "fix"]),
		{"now": td.now, "grants": [object.union(td.commit_grant, td.revoked)]},
	)
	tool_risk.classification.rule == "grant_expired" with input as object.union(
		td.shell_input(["git", "commit", "-m", "fix"]),
		{"now": td.now, "grants": [object.union(td.commit_grant, td.expired)]},
	)
}

test_classification_privilege_denied if {
	tool_risk.classification.rule == "privilege_denied" with input as _one(["ls"], {"wrappers": [{"program": "sudo", "argv": ["sudo"]}]})
		with data.workspace_ops.config as object.union(data.workspace_ops.config, {"commands": {"privilege": {"handling": "deny"}}})
}

test_classification_privilege_needs_approval if {
	tool_risk.classification.rule == "privilege_needs_approval" with input as _one(["ls"], {"wrappers": [{"program": "sudo", "argv": ["sudo"]}]})
}

test_classification_network_needs_approval if {
	tool_risk.classification.rule == "network_needs_approval" with input as object.union(
		td.shell_input(["curl", "https://registry.npmjs.org/"]),
		{"profile": td.builder_profile},
	)
}

test_classification_without_parts if {
	tool_risk.classification == {"class": "read_only", "rule": "read_only", "parts": []} with input as {
		"request": td.shell_request(["bash", "-c", ""]),
		"analysis": td.analysis(["bash", "-c", ""], []),
	}
}

test_classification_of_a_script_that_does_not_parse if {
	tool_risk.classification == {"class": "unknown", "rule": "unknown_command", "parts": []} with input as {
		"request": td.shell_request(["bash", "-c", "("]),
		"analysis": object.union(td.analysis(["bash", "-c", "("], []), {"unknown": [{"code": "parse_error", "detail": "("}]}),
	}
}

test_mcp_has_no_class if {
	not tool_risk.class with input as {"request": td.mcp_request("github", "create_issue")}
}
