# METADATA
# title: File access
# description: >-
#   Decides an agent runtime's own file tools (tool kind file: Claude Code's Read, Write, Edit,
#   Glob, Grep …). The executor adds what it knows about the machine (input.machine: the workspace
#   root, the home, the executor's state directories and the hidden paths — the list bubblewrap
#   hides) and every path as given and as resolved through symlinks (input.target.paths). Visibility
#   follows the sandbox's rules: the deepest rule about a path wins (the workspace, the hidden
#   paths, the profile's denyRead, allowRead and allowWrite; at one depth allowRead beats a deny, a
#   deny beats a write); the state directories are out of reach whatever a rule says. Reads inside
#   the workspace are allowed, reads of hidden paths denied, other reads need approval. Writes need
#   a writable place: the workspace under filesystem workspace-write, or a profile's allowWrite.
#   A shell command is held to the same hidden paths by what it names (input.target.paths for a
#   shell tool: its arguments and redirection targets, expanded and resolved by the executor): a
#   hidden or state path is denied; a directory holding one needs a person when nothing hides them
#   from the command (input.machine.isolation "none": a hook's call, the process backend).
# custom:
#   id: workspace_ops.rules.file_access
#   severity: error
# schemas:
#   - input: schema.tool_execution_input
package workspace_ops.rules.file_access

import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_tool := input.request.tool

_machine := input.machine

_root := _machine.workspaceRoot

_sandbox := object.get(input, ["profile", "sandbox"], _config.obligations.sandbox)

_targets := object.get(input, ["target", "paths"], [])

# The target describes exactly the request's paths (the executor computed it; a mismatch fails closed).
_described if {
	_tool.kind == "file"
	{t.path | some t in _targets} == {p | some p in _tool.paths}
}

_complete if {
	_described
	is_string(_machine.workspaceRoot)
	is_string(_machine.home)
	is_array(_machine.protectedPaths)
	is_array(_machine.hiddenPaths)
}

# Every target, with what it means: hidden or protected when the path as named or as resolved is;
# inside the workspace (or writable) when the resolved path is (the root is the real path).
_facts contains object.union(_seen(t), {"inside": _inside(t.real), "writable": _writable(t.real)}) if {
	_described
	is_object(_machine)
	some t in _targets
}

# A target with how it is named and whether the path, as named or as resolved, is protected or hidden.
_seen(t) := object.union(t, {
	"named": _named(t),
	"protected": true in {_protected(t.path), _protected(t.real)},
	"hidden": true in {_hidden(t.path), _hidden(t.real)},
})

# How a path is named in messages: as given, and where it leads when a symlink takes it elsewhere.
_named(t) := t.path if t.path == t.real

_named(t) := sprintf("%s (resolves to %s)", [t.path, t.real]) if t.path != t.real

_under(path, dir) if path == dir

_under(path, dir) if startswith(path, concat("", [trim_suffix(dir, "/"), "/"]))

_inside(path) if _under(path, _root)

else := false

_protected(path) if {
	some dir in _machine.protectedPaths
	_under(path, dir)
} else := false

# A SandboxPath of a profile rule, absolute: "~" is the home, a relative path lies in the workspace.
_expand("~") := _machine.home

_expand(p) := concat("", [_machine.home, substring(p, 1, -1)]) if startswith(p, "~/")

_expand(p) := p if startswith(p, "/")

_expand(p) := concat("/", [trim_suffix(_root, "/"), p]) if {
	not startswith(p, "/")
	not startswith(p, "~")
}

_profile_paths(field) := [_expand(p) | some p in object.get(_sandbox, field, [])]

# [path, rank, kind]: the rules that make a path visible or hide it; rank breaks ties at one depth.
_rules := [rule |
	some group in [
		[[_root, 1, "visible"]],
		[[p, 2, "hidden"] | some p in array.concat(_machine.hiddenPaths, _profile_paths("denyRead"))],
		[[p, 3, "visible"] | some p in _profile_paths("allowRead")],
		[[p, 1, "visible"] | some p in _profile_paths("allowWrite")],
	]
	some rule in group
]

# The deepest rule about the path (or an ancestor) hides it.
_hidden(path) if {
	matching := [[count(r[0]), r[1], r[2]] | some r in _rules; _under(path, r[0])]
	count(matching) > 0
	max(matching)[2] == "hidden"
} else := false

_writable(path) if {
	not _hidden(path)
	some dir in _profile_paths("allowWrite")
	_under(path, dir)
} else if {
	not _hidden(path)
	_under(path, _root)
	_sandbox.filesystem == "workspace-write"
} else := false

# The paths a shell command names, with what they mean (the executor computes them from the analysis).
_shell_facts contains _seen(t) if {
	_tool.kind == "shell"
	is_object(_machine)
	is_array(_machine.hiddenPaths)
	is_array(_machine.protectedPaths)
	some t in _targets
}

# What a command must not reach: the hidden paths still hidden (allowRead may reopen one) and the state.
_secret_paths contains p if {
	some p in array.concat(_machine.hiddenPaths, _profile_paths("denyRead"))
	_hidden(p)
}

_secret_paths contains p if some p in _machine.protectedPaths

# Nothing hides the hidden paths from the command: the runtime runs it, or the process backend does.
_unsandboxed if _machine.isolation == "none"

_unsandboxed if _sandbox.backend == "process"

# METADATA
# title: Target missing
# description: >-
#   A file tool needs input.machine and input.target (computed by the executor from the request);
#   without them, or when the target names other paths than the request, nothing is decided.
# custom:
#   code: file_target_missing
#   message: >-
#     %s of %s has no description of the machine or its paths (input.machine, input.target);
#     the executor computes them
deny contains reason.make(rego.metadata.chain(), [_tool.name, concat(", ", _tool.paths)]) if {
	_tool.kind == "file"
	not _complete
}

# METADATA
# title: State out of reach
# description: >-
#   No tool reads or writes the executor's state directories (its audit log, approvals and keys),
#   whatever a profile says.
# custom:
#   code: file_state_denied
#   message: "%s %s lies in the executor's state, which no tool may read or write"
deny contains reason.make(rego.metadata.chain(), [_tool.name, f.named]) if {
	some f in _facts
	f.protected
}

# METADATA
# title: Hidden path
# description: >-
#   A path that bubblewrap hides (a credential store of the default list, or a profile's denyRead
#   not reopened by allowRead) is neither read nor written.
# custom:
#   code: file_hidden
#   message: "%s %s is hidden from agents (a credential store or a profile's denyRead)"
deny contains reason.make(rego.metadata.chain(), [_tool.name, f.named]) if {
	some f in _facts
	not f.protected
	f.hidden
}

# METADATA
# title: Write outside the workspace
# description: A write outside the workspace (and outside the profile's allowWrite) is denied.
# custom:
#   code: file_write_outside_workspace
#   message: "%s would write %s, outside the workspace %s"
deny contains reason.make(rego.metadata.chain(), [_tool.name, f.named, _root]) if {
	_tool.access == "write"
	some f in _facts
	not f.protected
	not f.hidden
	not f.inside
	not f.writable
}

# METADATA
# title: Write under a read-only profile
# description: A write inside the workspace is denied under filesystem read-only (unless allowWrite covers it).
# custom:
#   code: file_write_read_only
#   message: "%s would write %s, but the profile's filesystem is read-only"
deny contains reason.make(rego.metadata.chain(), [_tool.name, f.named]) if {
	_tool.access == "write"
	some f in _facts
	not f.protected
	not f.hidden
	f.inside
	not f.writable
}

# METADATA
# title: Shell command names the state
# description: >-
#   A shell command that names a path in the executor's state directories or the approver keys (as
#   written or resolved through symlinks) is denied, whatever a profile says.
# custom:
#   code: shell_path_state
#   message: "the command names %s, which lies in the executor's state; no tool may read or write it"
deny contains reason.make(rego.metadata.chain(), [f.named]) if {
	some f in _shell_facts
	f.protected
}

# METADATA
# title: Shell command names a hidden path
# description: >-
#   A shell command that names a hidden path (a credential store of the default list, or a
#   profile's denyRead not reopened by allowRead) is denied: a hook's Bash call runs where nothing
#   hides it, and under bubblewrap it would find nothing there.
# custom:
#   code: shell_path_hidden
#   message: "the command names %s, which is hidden from agents (a credential store or a profile's denyRead)"
deny contains reason.make(rego.metadata.chain(), [f.named]) if {
	some f in _shell_facts
	not f.protected
	f.hidden
}

# METADATA
# title: Read outside the workspace
# description: A read outside the workspace of a path that is not hidden needs a person.
# custom:
#   code: file_read_outside_workspace
#   message: "%s would read %s, outside the workspace %s"
approval contains reason.make(rego.metadata.chain(), [_tool.name, f.named, _root]) if {
	_tool.access == "read"
	some f in _facts
	not f.protected
	not f.hidden
	not f.inside
}

# METADATA
# title: Shell command names a directory holding hidden paths
# description: >-
#   A shell command that names a directory holding hidden or state paths (the home, /, /etc …) needs
#   a person when nothing hides them from it: a recursive grep, tar or cp of it would read them.
# custom:
#   code: shell_path_holds_hidden
#   message: >-
#     the command names %s, which holds %s path(s) hidden from agents (%s), and it runs where
#     nothing hides them
approval contains reason.make(rego.metadata.chain(), [f.named, format_int(count(held), 10), examples]) if {
	_unsandboxed
	some f in _shell_facts
	not f.protected
	not f.hidden
	held := sort([p | some p in _secret_paths; p != f.real; _under(p, f.real)])
	count(held) > 0
	examples := concat(", ", array.slice(held, 0, 3))
}
