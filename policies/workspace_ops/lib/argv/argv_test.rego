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

test_summary if {
	argv.summary(["git", "commit", "-m", "a message", "--amend", "--no-verify", "--quiet"]) == "git commit -m a message --amend --no-verify"
	long := concat("", [token | some _ in numbers.range(1, 300); token := "x"])
	count(argv.summary([long, "b"])) == 200
}
