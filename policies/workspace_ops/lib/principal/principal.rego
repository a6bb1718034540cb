# METADATA
# title: Principals
# description: Helpers for Principal objects ({type, id}).
# custom:
#   id: workspace_ops.lib.principal
#   severity: info
package workspace_ops.lib.principal

# METADATA
# title: same
# description: True when two principals have the same type and id.
same(a, b) if {
	a.type == b.type
	a.id == b.id
}

# METADATA
# title: describe
# description: '"<type> <id>" of a principal, or "nobody" when it is not one.'
describe(p) := concat(" ", [p.type, p.id]) if {
	is_string(p.type)
	is_string(p.id)
} else := "nobody"
