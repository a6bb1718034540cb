# METADATA
# title: Reasons
# description: >-
#   Builds structured reasons from rule metadata, the way Regal's result.fail builds violations:
#   the rule's custom.code is the code, custom.message (a sprintf format) is the message, and the
#   package path of the rule is the policy.
# custom:
#   id: workspace_ops.lib.reason
#   severity: info
package workspace_ops.lib.reason

# METADATA
# title: make
# description: >-
#   A reason {code, message, policy} from rego.metadata.chain() of the calling rule; args fill
#   the %s verbs of custom.message and must be strings (format numbers with format_int first, so
#   the Go and WASM evaluators print the same text). A rule without custom.code and
#   custom.message still yields a reason, rule_metadata_missing, so a forgotten annotation can
#   never turn a deny into an allow.
make(chain, args) := reason if {
	custom := chain[0].annotations.custom
	reason := {
		"code": custom.code,
		"message": sprintf(custom.message, args),
		"policy": _policy(chain),
	}
} else := {
	"code": "rule_metadata_missing",
	"message": sprintf("rule %s has no custom.code and custom.message metadata", [concat(".", chain[0].path)]),
	"policy": _policy(chain),
}

# The package of the rule: its path without the rule name.
_policy(chain) := concat(".", array.slice(chain[0].path, 0, count(chain[0].path) - 1))
