# METADATA
# title: Tests of workspace_ops.rules.file_access
# description: >-
#   Table-driven tests of workspace_ops.rules.file_access.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.file_access_test
#   severity: info
package workspace_ops.rules.file_access_test

import data.workspace_ops.rules.file_access
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.file_access"}

_read_only := object.union(td.coder_profile, {"sandbox": {"filesystem": "read-only"}})

_with_paths(rules) := object.union(td.coder_profile, {"sandbox": rules})

# A file input whose one path resolves (through a symlink) to real.
_linked(name, access, path, real) := object.union(td.file_input(name, access, [path]), {"target": {"paths": [{"path": path, "real": real}]}})

_cases := {
	"a read inside the workspace is allowed": {
		"input": td.file_input("Read", "read", ["/home/dev/demo/src/index.ts"]),
		"deny": set(),
		"approval": set(),
	},
	"a grep of the workspace root is allowed": {
		"input": td.file_input("Grep", "read", ["/home/dev/demo"]),
		"deny": set(),
		"approval": set(),
	},
	"an edit inside the workspace is allowed under workspace-write": {
		"input": object.union(td.file_input("Edit", "write", ["/home/dev/demo/src/index.ts"]), {"profile": td.coder_profile}),
		"deny": set(),
		"approval": set(),
	},
	"a write inside the workspace is allowed without a profile (the default sandbox)": {
		"input": td.file_input("Write", "write", ["/home/dev/demo/notes.md"]),
		"deny": set(),
		"approval": set(),
	},
	"a read outside the workspace asks": {
		"input": td.file_input("Read", "read", ["/etc/hosts"]),
		"deny": set(),
		"approval": {_reason("file_read_outside_workspace", "Read would read /etc/hosts, outside the workspace /home/dev/demo")},
	},
	"a folder next to the workspace with the same prefix is outside": {
		"input": td.file_input("Read", "read", ["/home/dev/demo-old/a.txt"]),
		"deny": set(),
		"approval": {_reason("file_read_outside_workspace", "Read would read /home/dev/demo-old/a.txt, outside the workspace /home/dev/demo")},
	},
	"a credential store is hidden": {
		"input": td.file_input("Read", "read", ["/home/dev/.ssh/id_ed25519"]),
		"deny": {_reason("file_hidden", "Read /home/dev/.ssh/id_ed25519 is hidden from agents (a credential store or a profile's denyRead)")},
		"approval": set(),
	},
	"a system secret is hidden": {
		"input": td.file_input("Grep", "read", ["/etc/shadow"]),
		"deny": {_reason("file_hidden", "Grep /etc/shadow is hidden from agents (a credential store or a profile's denyRead)")},
		"approval": set(),
	},
	"a symlink inside the workspace to a credential store is hidden": {
		"input": _linked("Read", "read", "/home/dev/demo/key", "/home/dev/.ssh/id_ed25519"),
		"deny": {_reason("file_hidden", "Read /home/dev/demo/key (resolves to /home/dev/.ssh/id_ed25519) is hidden from agents (a credential store or a profile's denyRead)")},
		"approval": set(),
	},
	"a symlink inside the workspace to a file outside asks": {
		"input": _linked("Read", "read", "/home/dev/demo/hosts", "/etc/hosts"),
		"deny": set(),
		"approval": {_reason("file_read_outside_workspace", "Read would read /home/dev/demo/hosts (resolves to /etc/hosts), outside the workspace /home/dev/demo")},
	},
	"the state directory is out of reach for a read": {
		"input": td.file_input("Read", "read", ["/home/dev/.local/state/wsops/demo-0123456789ab/state.db"]),
		"deny": {_reason("file_state_denied", "Read /home/dev/.local/state/wsops/demo-0123456789ab/state.db lies in the executor's state, which no tool may read or write")},
		"approval": set(),
	},
	"a write into the state directory is denied": {
		"input": td.file_input("Write", "write", ["/home/dev/.local/state/wsops/other-0000/state.db"]),
		"deny": {_reason("file_state_denied", "Write /home/dev/.local/state/wsops/other-0000/state.db lies in the executor's state, which no tool may read or write")},
		"approval": set(),
	},
	"the state directory stays out of reach inside the workspace and under allowRead": {
		"input": object.union(
			td.file_input("Read", "read", ["/home/dev/demo/.wsops/state.db"]),
			{
				"machine": object.union(td.machine, {"protectedPaths": ["/home/dev/demo/.wsops"]}),
				"profile": _with_paths({"allowRead": [".wsops"]}),
			},
		),
		"deny": {_reason("file_state_denied", "Read /home/dev/demo/.wsops/state.db lies in the executor's state, which no tool may read or write")},
		"approval": set(),
	},
	"an approver key is out of reach": {
		"input": td.file_input("Read", "read", ["/home/dev/.config/wsops/keys/alice.key"]),
		"deny": {_reason("file_state_denied", "Read /home/dev/.config/wsops/keys/alice.key lies in the executor's state, which no tool may read or write")},
		"approval": set(),
	},
	"a write outside the workspace is denied": {
		"input": td.file_input("Write", "write", ["/home/dev/.bashrc"]),
		"deny": {_reason("file_write_outside_workspace", "Write would write /home/dev/.bashrc, outside the workspace /home/dev/demo")},
		"approval": set(),
	},
	"a write through a symlink that leads out is denied": {
		"input": _linked("Edit", "write", "/home/dev/demo/rc", "/home/dev/.bashrc"),
		"deny": {_reason("file_write_outside_workspace", "Edit would write /home/dev/demo/rc (resolves to /home/dev/.bashrc), outside the workspace /home/dev/demo")},
		"approval": set(),
	},
	"a write into a hidden path is denied": {
		"input": td.file_input("Write", "write", ["/home/dev/.ssh/authorized_keys"]),
		"deny": {_reason("file_hidden", "Write /home/dev/.ssh/authorized_keys is hidden from agents (a credential store or a profile's denyRead)")},
		"approval": set(),
	},
	"a write under a read-only profile is denied": {
		"input": object.union(td.file_input("MultiEdit", "write", ["/home/dev/demo/src/a.ts"]), {"profile": _read_only}),
		"deny": {_reason("file_write_read_only", "MultiEdit would write /home/dev/demo/src/a.ts, but the profile's filesystem is read-only")},
		"approval": set(),
	},
	"a read under a read-only profile is allowed": {
		"input": object.union(td.file_input("Read", "read", ["/home/dev/demo/src/a.ts"]), {"profile": _read_only}),
		"deny": set(),
		"approval": set(),
	},
	"allowWrite opens a place outside the workspace": {
		"input": object.union(td.file_input("Write", "write", ["/home/dev/.cache/npm/x"]), {"profile": _with_paths({"allowWrite": ["~/.cache/npm"]})}),
		"deny": set(),
		"approval": set(),
	},
	"allowWrite opens a folder of a read-only workspace": {
		"input": object.union(
			td.file_input("Write", "write", ["/home/dev/demo/dist/a.js"]),
			{"profile": object.union(_read_only, {"sandbox": {"allowWrite": ["dist"]}})},
		),
		"deny": set(),
		"approval": set(),
	},
	"a profile's denyRead hides a workspace file": {
		"input": object.union(td.file_input("Read", "read", ["/home/dev/demo/.env"]), {"profile": _with_paths({"denyRead": [".env"]})}),
		"deny": {_reason("file_hidden", "Read /home/dev/demo/.env is hidden from agents (a credential store or a profile's denyRead)")},
		"approval": set(),
	},
	"allowRead reopens a credential store, which is then read outside the workspace": {
		"input": object.union(td.file_input("Read", "read", ["/home/dev/.aws/config"]), {"profile": _with_paths({"allowRead": ["~/.aws/config"]})}),
		"deny": set(),
		"approval": {_reason("file_read_outside_workspace", "Read would read /home/dev/.aws/config, outside the workspace /home/dev/demo")},
	},
	"a deeper denyRead wins over an allowRead of its folder": {
		"input": object.union(
			td.file_input("Read", "read", ["/home/dev/.aws/credentials"]),
			{"profile": _with_paths({"allowRead": ["~/.aws"], "denyRead": ["~/.aws/credentials"]})},
		),
		"deny": {_reason("file_hidden", "Read /home/dev/.aws/credentials is hidden from agents (a credential store or a profile's denyRead)")},
		"approval": set(),
	},
	"each path of a call is decided": {
		"input": td.file_input("Read", "read", ["/home/dev/demo/a", "/home/dev/.ssh/config", "/opt/b"]),
		"deny": {_reason("file_hidden", "Read /home/dev/.ssh/config is hidden from agents (a credential store or a profile's denyRead)")},
		"approval": {_reason("file_read_outside_workspace", "Read would read /opt/b, outside the workspace /home/dev/demo")},
	},
	"a target that names other paths is denied": {
		"input": object.union(td.file_input("Read", "read", ["/home/dev/demo/a"]), {"target": {"paths": [{"path": "/home/dev/demo/b", "real": "/home/dev/demo/b"}]}}),
		"deny": {_reason("file_target_missing", "Read of /home/dev/demo/a has no description of the machine or its paths (input.machine, input.target); the executor computes them")},
		"approval": set(),
	},
	"no machine is denied": {
		"input": object.remove(td.file_input("Read", "read", ["/home/dev/demo/a"]), ["machine"]),
		"deny": {_reason("file_target_missing", "Read of /home/dev/demo/a has no description of the machine or its paths (input.machine, input.target); the executor computes them")},
		"approval": set(),
	},
	"a shell call without the paths it names is judged by the other rules": {
		"input": object.union(td.shell_input(["cat", "/home/dev/.ssh/id_ed25519"]), {"machine": td.machine}),
		"deny": set(),
		"approval": set(),
	},
	"a shell command that names a credential store is denied, sandboxed or not": {
		"input": _shell(["cat", "/home/dev/.ssh/id_ed25519"], "bubblewrap", [["/home/dev/.ssh/id_ed25519", "/home/dev/.ssh/id_ed25519"]]),
		"deny": {_reason("shell_path_hidden", "the command names /home/dev/.ssh/id_ed25519, which is hidden from agents (a credential store or a profile's denyRead)")},
		"approval": set(),
	},
	"a shell command through a symlink into a credential store is denied": {
		"input": _shell(["cat", "k/config"], "none", [["/home/dev/demo/k/config", "/home/dev/.aws/config"]]),
		"deny": {_reason("shell_path_hidden", "the command names /home/dev/demo/k/config (resolves to /home/dev/.aws/config), which is hidden from agents (a credential store or a profile's denyRead)")},
		"approval": set(),
	},
	"a shell command that names the executor's state is denied": {
		"input": _shell(["sqlite3", "x"], "none", [["/home/dev/.local/state/wsops/demo-0123456789ab/state.db", "/home/dev/.local/state/wsops/demo-0123456789ab/state.db"]]),
		"deny": {_reason("shell_path_state", "the command names /home/dev/.local/state/wsops/demo-0123456789ab/state.db, which lies in the executor's state; no tool may read or write it")},
		"approval": set(),
	},
	"a shell command that names the home asks when nothing hides the credential stores": {
		"input": _shell(["grep", "-r", "key", "/home/dev"], "none", [["/home/dev", "/home/dev"]]),
		"deny": set(),
		"approval": {_reason("shell_path_holds_hidden", "the command names /home/dev, which holds 6 path(s) hidden from agents (/home/dev/.aws, /home/dev/.config/gh, /home/dev/.config/wsops/keys), and it runs where nothing hides them")},
	},
	"the same under a profile that runs on the process backend": {
		"input": object.union(_shell(["grep", "-r", "key", "/home/dev"], "bubblewrap", [["/home/dev", "/home/dev"]]), {"profile": _with_paths({"backend": "process"})}),
		"deny": set(),
		"approval": {_reason("shell_path_holds_hidden", "the command names /home/dev, which holds 6 path(s) hidden from agents (/home/dev/.aws, /home/dev/.config/gh, /home/dev/.config/wsops/keys), and it runs where nothing hides them")},
	},
	"the same under bubblewrap is allowed: it hides them": {
		"input": _shell(["grep", "-r", "key", "/home/dev"], "bubblewrap", [["/home/dev", "/home/dev"]]),
		"deny": set(),
		"approval": set(),
	},
	"a shell command inside the workspace and elsewhere is allowed": {
		"input": _shell(["cp", "a", "/tmp/b"], "none", [["/home/dev/demo/a", "/home/dev/demo/a"], ["/tmp/b", "/tmp/b"], ["/etc/hosts", "/etc/hosts"]]),
		"deny": set(),
		"approval": set(),
	},
	"a credential store a profile reopens with allowRead is neither hidden nor held": {
		"input": object.union(_shell(["ls", "/home/dev/.aws"], "none", [["/home/dev/.aws", "/home/dev/.aws"]]), {"profile": _with_paths({"allowRead": ["~/.aws"]})}),
		"deny": set(),
		"approval": set(),
	},
}

# A shell input whose command names paths ([path, real] pairs), run with the given isolation.
_shell(argv, isolation, pairs) := object.union(td.shell_input(argv), {
	"machine": object.union(td.machine, {"isolation": isolation}),
	"target": {"paths": [{"path": pair[0], "real": pair[1]} | some pair in pairs]},
})

# Cases whose actual result differs from the expected one; see them with
# opa eval ... 'data.workspace_ops.rules.file_access_test.failures'.
failures[name] := {"expected": expected, "actual": actual} if {
	some name, case in _cases
	actual := {"deny": file_access.deny, "approval": file_access.approval} with input as object.union(case.input, {"now": td.now})
	expected := {"deny": case.deny, "approval": case.approval}
	actual != expected
}

test_cases if count(failures) == 0
