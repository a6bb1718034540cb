# METADATA
# title: Tests of workspace_ops.lib.command
# description: >-
#   Table-driven tests of workspace_ops.lib.command: the deciding finding of one part, whole.
# custom:
#   id: workspace_ops.lib.command_test
#   severity: info
package workspace_ops.lib.command_test

import data.workspace_ops.lib.command

_part(args, extra) := object.union({"index": 0, "program": args[0], "argv": args}, extra)

_f(class, source, entry, token) := {"class": class, "source": source, "entry": entry, "token": token, "handling": ""}

_cases := {
	"a value option's value is no positional": {
		"part": _part(["git", "branch", "--contains", "abc123"], {}),
		"top": _f("read_only", "program", "programs.git.subcommands.branch", "branch"),
	},
	"a positional makes git branch create a branch": {
		"part": _part(["git", "branch", "feature"], {}),
		"top": _f("mutating", "positional", "programs.git.subcommands.branch.positionals", "feature"),
	},
	"a sed script given as --expression=": {
		"part": _part(["sed", "--expression=1e id", "f"], {}),
		"top": _f("code_execution", "script", "programs.sed.script", "1e id"),
	},
	"a sed script attached to -e": {
		"part": _part(["sed", "-es/a/b/w out", "f"], {}),
		"top": _f("code_execution", "script", "programs.sed.script", "s/a/b/w out"),
	},
	"a sed script given with -e is checked, not the file": {
		"part": _part(["sed", "-n", "-e", "2p", "notes.txt"], {}),
		"top": _f("read_only", "program", "programs.sed", ""),
	},
	"an awk program without system, pipes or redirections": {
		"part": _part(["awk", "-F", ":", "{print $1}", "/etc/passwd"], {}),
		"top": _f("read_only", "program", "programs.awk", ""),
	},
	"an awk program that pipes into a command": {
		"part": _part(["awk", "{print | \"sh\"}"], {}),
		"top": _f("code_execution", "script", "programs.awk.script", "{print | \"sh\"}"),
	},
	"xargs input matters to a program with subcommands": {
		"part": _part(["git", "add"], {"dynamicTail": true}),
		"top": _f("unknown", "dynamic", "programs.git.subcommands.add", "arguments added at run time"),
	},
	"a wrapper's own flag writes": {
		"part": _part(["ls"], {"wrappers": [{"program": "time", "argv": ["time", "-o", "t.txt"]}]}),
		"top": _f("mutating", "wrapper", "wrappers.time.flags.-o", "-o"),
	},
	"a long option spelled --name=value": {
		"part": _part(["sort", "--output=sorted.txt", "in.txt"], {}),
		"top": _f("mutating", "flag", "programs.sort.flags.--output", "--output=sorted.txt"),
	},
	"a cluster of short options": {
		"part": _part(["git", "branch", "-vD", "old"], {}),
		"top": {"class": "destructive", "source": "flag", "entry": "programs.git.subcommands.branch.flags.-D", "token": "-vD", "handling": ""},
	},
	"a destructive entry's handling": {
		"part": _part(["git", "push", "--force", "origin"], {}),
		"top": {"class": "destructive", "source": "flag", "entry": "programs.git.subcommands.push.flags.--force", "token": "--force", "handling": "deny"},
	},
	"an append to a file is a write": {
		"part": _part(["echo", "x"], {"redirects": [{"op": ">>", "kind": "append", "target": "log.txt"}]}),
		"top": _f("mutating", "redirect", "redirects", ">>log.txt"),
	},
	"reading a file is nothing": {
		"part": _part(["wc", "-l"], {"redirects": [{"op": "<", "kind": "read", "target": "in.txt"}, {"op": "<<<", "kind": "herestring"}]}),
		"top": _f("read_only", "program", "programs.wc", ""),
	},
	"a bare assignment": {
		"part": {"index": 0, "argv": [], "assignments": [{"name": "count", "value": "3"}]},
		"top": _f("read_only", "program", "", ""),
	},
}

failures[name] := {"expected": case.top, "actual": actual} if {
	some name, case in _cases
	actual := command.top(command.findings(case.part))
	actual != case.top
}

test_cases if count(failures) == 0

test_handling if {
	command.handling({_f("destructive", "program", "programs.rm", "")}, "deny") == "deny"
	command.handling({object.union(_f("destructive", "program", "programs.rm", ""), {"handling": "approval"})}, "deny") == "approval"
	command.handling({_f("read_only", "program", "programs.ls", "")}, "approval") == "approval"
}

test_names if {
	command.names(_part(["git", "remote", "show", "origin"], {})) == ["git", "remote", "show"]
	command.names(_part(["ls", "-la"], {})) == ["ls"]
}

test_privileged if {
	command.privileged(_part(["ls"], {"wrappers": [{"program": "env", "argv": ["env"]}, {"program": "sudo", "argv": ["sudo"]}]}))
	not command.privileged(_part(["ls"], {"wrappers": [{"program": "env", "argv": ["env"]}]}))
	not command.privileged(_part(["ls"], {}))
}
