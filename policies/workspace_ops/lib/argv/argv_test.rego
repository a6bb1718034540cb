# METADATA
# title: Tests of workspace_ops.lib.argv
# description: >-
#   Table-driven tests of workspace_ops.lib.argv.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.lib.argv_test
#   severity: info
package workspace_ops.lib.argv_test

import data.workspace_ops.lib.argv

_patterns := [
	{"argv": ["git", "push"], "class": "network"},
	{"argv": ["git", "push", "--force"], "class": "destructive"},
	{"argv": ["git", "push", "*", "--force"], "class": "destructive"},
	{"argv": ["git", "*", "--dry-run"], "class": "read_only"},
	{"argv": ["git", "status"], "class": "read_only"},
	{"argv": ["make"], "class": "mutating"},
	{"argv": ["make"], "class": "read_only"},
]

test_prefix_match if {
	argv.prefix_match(["git", "*"], ["git", "push", "origin"])
	argv.prefix_match([], ["ls"])
	not argv.prefix_match(["git", "push"], ["git"])
	not argv.prefix_match(["git", "push"], ["git", "pull"])
}

test_exact_match if {
	argv.exact_match(["commit", "-m", "*"], ["commit", "-m", "msg"])
	not argv.exact_match(["commit", "-m", "*"], ["commit", "-m", "msg", "--amend"])
	not argv.exact_match(["commit", "-m", "*"], ["commit", "-m"])
}

test_normalize if {
	argv.normalize(["/usr/bin/git", "status"]) == ["git", "status"]
	argv.normalize(["git"]) == ["git"]
}

test_classify if {
	results := {args: class |
		some args in [
			["git", "status"],
			["git", "push", "origin"],
			["git", "push", "--force"],
			["git", "push", "origin", "--force"],
			["git", "push", "--dry-run"],
			["git", "fetch", "--dry-run"],
			["make", "build"],
			["/usr/local/bin/git", "status"],
			["ls"],
		]
		class := argv.classify(_patterns, args)
	}
	results == {
		["git", "status"]: "read_only",
		["git", "push", "origin"]: "network",
		["git", "push", "--force"]: "destructive",
		["git", "push", "origin", "--force"]: "destructive",
		["git", "push", "--dry-run"]: "read_only",
		["git", "fetch", "--dry-run"]: "read_only",
		["make", "build"]: "mutating",
		["/usr/local/bin/git", "status"]: "read_only",
		["ls"]: "unknown",
	}
}

test_summary if {
	argv.summary(["git", "commit", "-m", "a message", "--amend", "--no-verify", "--quiet"]) == "git commit -m a message --amend --no-verify"
	long := concat("", [token | some _ in numbers.range(1, 300); token := "x"])
	count(argv.summary([long, "b"])) == 200
}

test_best_match if {
	patterns := [
		{"argv": ["rm"], "class": "destructive", "handling": "deny"},
		{"argv": ["rm"], "class": "destructive", "handling": "approval"},
		{"argv": ["git", "status"], "class": "read_only"},
		{"argv": ["git", "status"], "class": "read_only", "note": "later"},
	]
	argv.best_match(patterns, ["rm", "x"]) == patterns[0]
	argv.best_match(patterns, ["git", "status"]) == patterns[3]
	not argv.best_match(patterns, ["ls"])
}
