# METADATA
# title: Verdict
# description: >-
#   Combines reason sets into the one decision document every entrypoint returns:
#   {decision, reasons, obligations}. Deny beats approval_required beats allow; the reasons are
#   those of the winning level, sorted by code, message and policy so that the Go and WASM
#   evaluators print identical JSON.
# custom:
#   id: workspace_ops.lib.verdict
#   severity: info
package workspace_ops.lib.verdict

# METADATA
# title: document
# description: The decision document for a set of deny reasons, approval reasons and obligations.
document(denials, approvals, obligations) := {
	"decision": "deny",
	"reasons": sorted(denials),
	"obligations": obligations,
} if {
	count(denials) > 0
} else := {
	"decision": "approval_required",
	"reasons": sorted(approvals),
	"obligations": obligations,
} if {
	count(approvals) > 0
} else := {
	"decision": "allow",
	"reasons": [],
	"obligations": obligations,
}

# METADATA
# title: sorted
# description: >-
#   A set of reasons as an array sorted by (code, message, policy): explicit tuples, so the order
#   never depends on how an evaluator compares objects.
sorted(reasons) := [{"code": t[0], "message": t[1], "policy": t[2]} |
	some t in sort({[r.code, r.message, r.policy] | some r in reasons})
]
