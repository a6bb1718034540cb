# METADATA
# title: Argv patterns
# description: >-
#   Token patterns over argv, for tool grants (ToolGrantRecord.tool.argvPattern). A pattern is an
#   array of tokens; "*" matches any one token, every other token matches only itself.
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
# title: summary
# description: >-
#   A short, bounded rendering of argv for messages: its first six tokens joined by spaces, at
#   most 200 characters.
summary(args) := substring(concat(" ", array.slice(args, 0, 6)), 0, 200)
