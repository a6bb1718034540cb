# METADATA
# title: Job rules
# description: >-
#   Rules for agent_machine.execution.start (a LocalAgentExecution): a user owns the job; every step
#   has its command analysis (input.stepAnalysis, computed by the executor, one per step); no
#   destructive step runs without approval (or at all, per its entry's handling or
#   config.destructive.executionSteps) — classified by workspace_ops.lib.command, as tool calls are;
#   environments in config.approval.environments need approval; no step may ask for a timeout
#   above config.limits.maxStepTimeoutSeconds; and the steps fit the operation's budget.maxSteps.
# custom:
#   id: workspace_ops.rules.job
#   severity: error
# schemas:
#   - input: schema.operation_input
package workspace_ops.rules.job

import data.workspace_ops.lib.command
import data.workspace_ops.lib.principal
import data.workspace_ops.lib.reason

_config := data.workspace_ops.config

_execution := input.operation.artifact if {
	input.operation.workspaceOperation.operationType == "agent_machine.execution.start"
	input.operation.artifact.kind == "LocalAgentExecution"
}

_execution_id := object.get(_execution, "executionId", "(unnamed)")

_steps := object.get(_execution, "steps", [])

# METADATA
# title: Owner missing
# description: An execution must be owned by a user, a person accountable for it.
# custom:
#   code: owner_missing
#   message: "execution %s is owned by %s; it needs a user as its owner"
deny contains reason.make(rego.metadata.chain(), [_execution_id, owner]) if {
	is_object(_execution)
	not _execution.owner.type == "user"
	owner := principal.describe(object.get(_execution, "owner", {}))
}

# METADATA
# title: Step analysis invalid
# description: >-
#   Every step needs its command analysis in input.stepAnalysis (same index), describing its argv
#   (or, for a shell: true step, its script); without it the step cannot be classified.
# custom:
#   code: step_analysis_invalid
#   message: "step %s of execution %s has no command analysis describing it"
deny contains reason.make(rego.metadata.chain(), [step.name, _execution_id]) if {
	some i, step in _steps
	not _analysed(i, step)
}

# METADATA
# title: Destructive step
# description: >-
#   A step flagged destructive, or with a part that classifies as destructive, is denied when its
#   handling is "deny" (any value other than "approval"): the entry's handling for a classified
#   step, else config.destructive.executionSteps.
# custom:
#   code: destructive_step
#   message: "step %s of execution %s is destructive"
deny contains reason.make(rego.metadata.chain(), [name, _execution_id]) if {
	some name in _denied_steps
}

# METADATA
# title: Step timeout exceeds max
# description: No step may ask for more than config.limits.maxStepTimeoutSeconds.
# custom:
#   code: step_timeout_exceeds_max
#   message: "step %s asks for a %s s timeout; the maximum is %s s"
deny contains reason.make(rego.metadata.chain(), [step.name, asked, maximum]) if {
	limit := _config.limits.maxStepTimeoutSeconds
	some step in _steps
	step.timeoutSeconds > limit
	asked := format_int(step.timeoutSeconds, 10)
	maximum := format_int(limit, 10)
}

# METADATA
# title: Budget steps exceeded
# description: The execution may not have more steps than the operation's budget.maxSteps.
# custom:
#   code: budget_steps_exceeded
#   message: "execution %s has %s steps; budget.maxSteps is %s"
deny contains reason.make(rego.metadata.chain(), [_execution_id, format_int(count(_steps), 10), limit]) if {
	is_object(_execution)
	max_steps := input.operation.budget.maxSteps
	count(_steps) > max_steps
	limit := format_int(max_steps, 10)
}

# METADATA
# title: Destructive step needs approval
# description: >-
#   A step flagged destructive, or with a part that classifies as destructive, needs approval when its
#   handling is "approval" (and no other reason denies the step).
# custom:
#   code: destructive_step_needs_approval
#   message: "step %s of execution %s is destructive and needs approval"
approval contains reason.make(rego.metadata.chain(), [name, _execution_id]) if {
	some [name, "approval"] in _destructive_steps
	not name in _denied_steps
}

# METADATA
# title: Prod requires approval
# description: An execution in an environment listed in config.approval.environments needs approval.
# custom:
#   code: prod_requires_approval
#   message: "execution %s runs in %s, which needs approval"
approval contains reason.make(rego.metadata.chain(), [_execution_id, _execution.environment]) if {
	_execution.environment in _config.approval.environments
}

# [step name, handling] of every destructive step: flagged destructive (handled per
# config.destructive.executionSteps) or with a part classified destructive (handled per its entry's
# handling, else config.destructive.executionSteps).
_destructive_steps contains [step.name, _config.destructive.executionSteps] if {
	some step in _steps
	step.destructive == true
}

_destructive_steps contains [step.name, handling] if {
	some i, step in _steps
	_analysed(i, step)
	some part in input.stepAnalysis[i].parts
	findings := command.findings(part)
	some f in findings
	f.class == "destructive"
	handling := command.handling(findings, _config.destructive.executionSteps)
}

_analysed(i, step) if {
	not step.shell == true
	input.stepAnalysis[i].source == "argv"
	input.stepAnalysis[i].argv == step.argv
}

_analysed(i, step) if {
	step.shell == true
	input.stepAnalysis[i].source == "script"
	input.stepAnalysis[i].script == step.argv[0]
}

_denied_steps contains name if {
	some [name, handling] in _destructive_steps
	handling != "approval"
}
