# METADATA
# title: Tests of workspace_ops.lib.clock
# description: >-
#   Table-driven tests of workspace_ops.lib.clock.
#   Each case states its input and the whole expected result, on passing and failing paths.
# custom:
#   id: workspace_ops.lib.clock_test
#   severity: info
package workspace_ops.lib.clock_test

import data.workspace_ops.lib.clock

test_ns if {
	clock.ns("2026-11-21T12:10:00Z") == 1795263000000000000
	clock.ns("2026-11-21T13:10:00+01:00") == 1795263000000000000
	clock.ns("2026-11-21T12:10:00.5Z") == 1795263000500000000
	not clock.ns("2026-11-21 12:10:00Z")
	not clock.ns("2026-11-21T12:10:00")
	not clock.ns(1795263000)
}

test_ns_takes_exactly_the_rfc3339_pattern if {
	clock.ns("2026-11-21T12:10:00.123456789Z") == 1795263000123456789
	clock.ns("2026-11-21T12:10:00-00:30") == 1795264800000000000
	not clock.ns("2026-11-21T12:10:00.1234567891Z") # ten fraction digits
	not clock.ns("2026-11-21T12:10:00.Z")
	not clock.ns("2026-11-21t12:10:00Z")
	not clock.ns("2026-11-21T12:10:00z")
	not clock.ns("2026-11-21T12:10:00+0100")
	not clock.ns("02026-11-21T12:10:00Z")
	not clock.ns("2026-11-21T12:10:00Z ")
	not clock.ns("2026-11-21T12:10:0aZ")
	not clock.ns("２026-11-21T12:10:00Z") # a fullwidth digit is not [0-9]
	not clock.ns("")
}

test_now_from_input if {
	clock.now_ns == 1795263000000000000 with input as {"now": "2026-11-21T12:10:00Z"}
	not clock.invalid_now with input as {"now": "2026-11-21T12:10:00Z"}
}

test_now_from_the_clock if {
	clock.now_ns > 1795263000000000000 with input as {}
	not clock.invalid_now with input as {}
}

test_unreadable_now if {
	not clock.now_ns with input as {"now": "noon"}
	clock.invalid_now with input as {"now": "noon"}
}

test_before if {
	clock.before(1795263000000000000, "2026-11-21T12:10:00.000000001Z")
	not clock.before(1795263000000000000, "2026-11-21T12:10:00Z")
	not clock.before(1795263000000000000, "later")
}

test_at_or_after if {
	clock.at_or_after(1795263000000000000, "2026-11-21T12:10:00Z")
	not clock.at_or_after(1795263000000000000, "2026-11-21T12:10:01Z")
	not clock.at_or_after(1795263000000000000, "earlier")
}
