# METADATA
# title: Argv patterns
# description: >-
#   Token patterns over argv, shared by risk classification and tool grants. A pattern is an array
#   of tokens; "*" matches any one token, every other token matches only itself.
# custom:
#   id: workspace_ops.lib.argv
#   severity: info
package workspace_ops.lib.argv

# METADATA
# title: prefix_match
# description: >-
#   True when pattern matches the first count(pattern) tokens of args, position by position
#   (extra trailing args are allowed).
prefix_match(pattern, args) if {
	count(pattern) <= count(args)
	every i, token in pattern {
		_token_match(token, args[i])
	}
}

# METADATA
# title: exact_match
# description: True when pattern matches args position by position and both have the same length.
exact_match(pattern, args) if {
	count(pattern) == count(args)
	prefix_match(pattern, args)
}

_token_match("*", _)

_token_match(token, arg) if token == arg

# METADATA
# title: normalize
# description: >-
#   argv with its program reduced to its base name ("/usr/bin/rm" → "rm"), so a path cannot dodge
#   classification.
normalize(args) := array.concat([_base_name(args[0])], array.slice(args, 1, count(args)))

_base_name(program) := parts[count(parts) - 1] if parts := split(program, "/")

# METADATA
# title: best_match
# description: >-
#   The pattern of a list of {argv, class, handling?} patterns that classifies argv; undefined when
#   none matches. Patterns match as token prefixes of the normalized argv; the most specific match
#   wins: the longest pattern, then the one with the most literal (non-"*") tokens, then the more
#   dangerous class (destructive > network > mutating > read_only), then handling "deny" over
#   any other, then the later pattern in the list.
best_match(patterns, args) := patterns[max(keys)[4]] if {
	command := normalize(args)
	keys := {_specificity(i, p) | some i, p in patterns; prefix_match(p.argv, command)}
	count(keys) > 0
}

# METADATA
# title: classify
# description: >-
#   The risk class of argv (read_only, mutating, network or destructive) from its best_match, or
#   unknown when no pattern matches.
classify(patterns, args) := pattern.class if {
	pattern := best_match(patterns, args)
} else := "unknown"

_specificity(i, p) := [
	count(p.argv),
	count([token | some token in p.argv; token != "*"]),
	{"read_only": 0, "mutating": 1, "network": 2, "destructive": 3}[p.class],
	count([true | p.handling == "deny"]),
	i,
]

# METADATA
# title: summary
# description: >-
#   A short, bounded rendering of argv for messages: its first six tokens joined by spaces, at
#   most 200 characters.
summary(args) := substring(concat(" ", array.slice(args, 0, 6)), 0, 200)
