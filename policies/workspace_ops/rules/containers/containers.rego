# METADATA
# title: Containers
# description: >-
#   Rules for agent_machine.container.run (a ContainerExecutionRecord): the image is pinned by
#   digest, the container is not privileged, does not share the host network, needs no network
#   when the sandbox has none, and mounts only paths inside the workspace.
# custom:
#   id: workspace_ops.rules.containers
#   severity: error
# schemas:
#   - input: schema.operation_input
package workspace_ops.rules.containers

import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_container := input.operation.artifact if {
	input.operation.workspaceOperation.operationType == "agent_machine.container.run"
	input.operation.artifact.kind == "ContainerExecutionRecord"
}

_id := object.get(_container, "containerExecutionId", "(unnamed)")

_network := object.get(input, ["profile", "sandbox", "network"], _config.obligations.sandbox.network)

# METADATA
# title: Image not pinned
# description: The image must be pinned by a sha256 digest (defense in depth; the contract requires it).
# custom:
#   code: image_not_pinned
#   message: "container %s uses image %s, which is not pinned by a sha256 digest"
deny contains reason.make(rego.metadata.chain(), [_id, image]) if {
	is_object(_container)
	image := object.get(_container, "image", "(none)")
	not regex.match(`@sha256:[0-9a-f]{64}$`, image)
}

# METADATA
# title: Container privileged
# description: No privileged containers.
# custom:
#   code: container_privileged
#   message: "container %s asks for privileged mode"
deny contains reason.make(rego.metadata.chain(), [_id]) if _container.privileged == true

# METADATA
# title: Container host network
# description: No container shares the host's network namespace.
# custom:
#   code: container_host_network
#   message: "container %s asks for the host network"
deny contains reason.make(rego.metadata.chain(), [_id]) if _container.network == "host"

# METADATA
# title: Container network denied
# description: >-
#   A container may use a bridge network only when the profile's sandbox (or the default) allows
#   network.
# custom:
#   code: container_network_denied
#   message: "container %s asks for the %s network, but the sandbox has no network"
deny contains reason.make(rego.metadata.chain(), [_id, _container.network]) if {
	_container.network == "bridge"
	_network == "none"
}

# METADATA
# title: Mount outside workspace
# description: >-
#   Every mount source must be a relative path inside the workspace: not absolute, no ".."
#   segment, not empty.
# custom:
#   code: mount_outside_workspace
#   message: "container %s mounts %s, which is outside the workspace"
deny contains reason.make(rego.metadata.chain(), [_id, source]) if {
	some mount in _container.mounts
	source := mount.source
	_outside(source)
}

_outside(path) if startswith(path, "/")

_outside(path) if ".." in split(path, "/")

_outside("")

_outside(path) if startswith(path, "~")
