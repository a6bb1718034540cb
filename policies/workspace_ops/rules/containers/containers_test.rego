# METADATA
# title: Tests of workspace_ops.rules.containers
# description: >-
#   Table-driven tests of workspace_ops.rules.containers.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.rules.containers_test
#   severity: info
package workspace_ops.rules.containers_test

import data.workspace_ops.rules.containers
import data.workspace_ops.testdata_test as td

_reason(code, message) := {"code": code, "message": message, "policy": "workspace_ops.rules.containers"}

_run(patch) := td.operation("agent_machine.container.run", object.union(td.container, patch))

_cases := {
	"pinned, unprivileged, no network, workspace mounts": {
		"input": {"operation": _run({})},
		"deny": set(),
	},
	"tag only": {
		"input": {"operation": _run({"image": "docker.io/library/node:20-bookworm"})},
		"deny": {_reason(
			"image_not_pinned",
			"container ctr-20261121-0101 uses image docker.io/library/node:20-bookworm, which is not pinned by a sha256 digest",
		)},
	},
	"privileged": {
		"input": {"operation": _run({"privileged": true})},
		"deny": {_reason("container_privileged", "container ctr-20261121-0101 asks for privileged mode")},
	},
	"host network": {
		"input": {"operation": _run({"network": "host"}), "profile": td.builder_profile},
		"deny": {_reason("container_host_network", "container ctr-20261121-0101 asks for the host network")},
	},
	"bridge network without a network sandbox": {
		"input": {"operation": _run({"network": "bridge"}), "profile": td.coder_profile},
		"deny": {_reason(
			"container_network_denied",
			"container ctr-20261121-0101 asks for the bridge network, but the sandbox has no network",
		)},
	},
	"bridge network under an allowlist": {
		"input": {"operation": _run({"network": "bridge"}), "profile": td.builder_profile},
		"deny": set(),
	},
	"mounts outside the workspace": {
		"input": {"operation": _run({"mounts": [
			{"source": "/var/run/docker.sock", "target": "/var/run/docker.sock", "readOnly": false},
			{"source": "src/../../secrets", "target": "/secrets", "readOnly": true},
			{"source": "~/.ssh", "target": "/root/.ssh", "readOnly": true},
			{"source": "", "target": "/empty", "readOnly": true},
			{"source": "src", "target": "/src", "readOnly": true},
		]})},
		"deny": {
			_reason("mount_outside_workspace", "container ctr-20261121-0101 mounts /var/run/docker.sock, which is outside the workspace"),
			_reason("mount_outside_workspace", "container ctr-20261121-0101 mounts src/../../secrets, which is outside the workspace"),
			_reason("mount_outside_workspace", "container ctr-20261121-0101 mounts ~/.ssh, which is outside the workspace"),
			_reason("mount_outside_workspace", "container ctr-20261121-0101 mounts , which is outside the workspace"),
		},
	},
	"not a container run": {
		"input": {"operation": td.operation("agent_machine.execution.start", td.container)},
		"deny": set(),
	},
}

failures[name] := {"expected": case.deny, "actual": actual} if {
	some name, case in _cases
	actual := containers.deny with input as object.union(case.input, {"now": td.now})
	actual != case.deny
}

test_cases if count(failures) == 0
