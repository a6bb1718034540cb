# METADATA
# title: Runtime test behaviours
# description: A policy whose result the input chooses, so every runtime failure path can be reached.
package behaviours

# METADATA
# entrypoint: true
decision := input.want if not input.trap

decision := {"decision": "deny", "reasons": [], "obligations": {}} if input.trap

decision := {"decision": "allow", "reasons": [], "obligations": {}} if input.trap

# METADATA
# entrypoint: true
expired := {"decision": d, "reasons": [], "obligations": {}} if {
	d := "allow"
	time.parse_rfc3339_ns(input.now) < time.parse_rfc3339_ns(input.expiresAt)
}

expired := {"decision": "deny", "reasons": [{"code": "expired", "message": "expired", "policy": "behaviours"}], "obligations": {}} if {
	time.parse_rfc3339_ns(input.now) >= time.parse_rfc3339_ns(input.expiresAt)
}
