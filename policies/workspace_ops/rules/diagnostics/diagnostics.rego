# METADATA
# title: Diagnostics
# description: >-
#   Rules for agent_machine.diagnostics.export_redacted (an AgentMachineDiagnosticBundle): only
#   redacted bundles leave the machine. The bundle must say it is redacted and carry its redaction
#   report, and no entry may still match a secret pattern from config.secrets.patterns.
# custom:
#   id: workspace_ops.rules.diagnostics
#   severity: error
# schemas:
#   - input: schema.operation_input
package workspace_ops.rules.diagnostics

import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_bundle := input.operation.artifact if {
	input.operation.workspaceOperation.operationType == "agent_machine.diagnostics.export_redacted"
	input.operation.artifact.kind == "AgentMachineDiagnosticBundle"
}

_id := object.get(_bundle, "bundleId", "(unnamed)")

# METADATA
# title: Diagnostics not redacted
# description: The bundle must have redacted set to true and a redaction report.
# custom:
#   code: diagnostics_not_redacted
#   message: "bundle %s is not redacted: %s"
deny contains reason.make(rego.metadata.chain(), [_id, problem]) if some problem in _unredacted

# METADATA
# title: Secret in bundle
# description: >-
#   No entry's content may match a pattern of config.secrets.patterns. The message names the entry
#   and the pattern, never the match.
# custom:
#   code: secret_in_bundle
#   message: "entry %s of bundle %s still contains a secret (%s)"
deny contains reason.make(rego.metadata.chain(), [entry.path, _id, pattern.name]) if {
	some entry in _bundle.entries
	some pattern in _config.secrets.patterns
	regex.match(pattern.regex, entry.content)
}

_unredacted contains "redacted is not true" if {
	is_object(_bundle)
	not _bundle.redacted == true
}

_unredacted contains "it has no redaction report" if {
	is_object(_bundle)
	not _has_report
}

_has_report if is_object(_bundle.redaction)
