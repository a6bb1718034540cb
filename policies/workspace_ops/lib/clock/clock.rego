# METADATA
# title: Clock
# description: >-
#   The evaluation time and RFC 3339 parsing. Every time comparison in the library uses now_ns:
#   input.now when the caller gives it, else the host clock (time.now_ns). Timestamps are checked
#   against an RFC 3339 pattern before they reach the host builtin, so a malformed one is undefined
#   (and the rules that need it fail closed) instead of an evaluation error.
# custom:
#   id: workspace_ops.lib.clock
#   severity: info
package workspace_ops.lib.clock

# METADATA
# title: ns
# description: >-
#   Nanoseconds since the Unix epoch of an RFC 3339 timestamp with a time zone; undefined for
#   anything else.
ns(timestamp) := time.parse_rfc3339_ns(timestamp) if {
	is_string(timestamp)
	shape := strings.replace_n(_digits_as_zero, timestamp)
	substring(shape, 0, 19) == "0000-00-00T00:00:00"
	_fraction_and_zone(substring(shape, 19, -1))
}

# The pattern `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:[0-9]{2})$`,
# checked on the timestamp's shape, every digit written 0: the same strings pass. Not regex.match:
# the WebAssembly evaluator compiles a regular expression again in every evaluation, which was
# about 40% of a decision's time.
_digits_as_zero := {"1": "0", "2": "0", "3": "0", "4": "0", "5": "0", "6": "0", "7": "0", "8": "0", "9": "0"}

_zones := {"Z", "+00:00", "-00:00"}

_fraction_and_zone(tail) if tail in _zones

# One to nine digits after the point, then the zone.
_fraction_and_zone(tail) if {
	startswith(tail, ".0")
	zone := trim_left(substring(tail, 1, -1), "0")
	zone in _zones
	count(tail) - count(zone) <= 10
}

# METADATA
# title: before
# description: >-
#   True when t (nanoseconds) is strictly before timestamp; false, never undefined, when the
#   timestamp is unreadable, so `not before(t, timestamp)` fails closed. (Negate this helper, not
#   `t < ns(timestamp)`: OPA evaluates a call nested in a negated expression outside the
#   negation, so an undefined result would make the whole expression undefined.)
before(t, timestamp) if t < ns(timestamp)

# METADATA
# title: at_or_after
# description: True when t (nanoseconds) is at or after timestamp; false when it is unreadable.
at_or_after(t, timestamp) if ns(timestamp) <= t

# METADATA
# title: now_ns
# scope: document
# description: >-
#   The evaluation time in nanoseconds: input.now when present, else time.now_ns(). Undefined when
#   input.now is present but not an RFC 3339 timestamp (see invalid_now).
now_ns := ns(input.now) if input.now

now_ns := time.now_ns() if not input.now

# METADATA
# title: invalid_now
# description: True when input.now is present but is not an RFC 3339 timestamp.
invalid_now if {
	input.now
	not ns(input.now)
}
