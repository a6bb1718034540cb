# METADATA
# title: Command classification
# description: >-
#   Classifies the parts of a CommandAnalysis (input.analysis, computed by the executor with
#   @workspace-ops/analysis) with the per-program data in data.workspace_ops.config.commands. Every
#   part gets findings — what its program entry, subcommand, flags, arguments and script say, and
#   what its wrappers, environment assignments, git global options, redirections and program path
#   add — and the class of its most dangerous finding. Entries are looked up by program name (an
#   object key), never by scanning a list of patterns.
# custom:
#   id: workspace_ops.lib.command
#   severity: info
package workspace_ops.lib.command

_config := data.workspace_ops.config.commands

# METADATA
# title: rank
# description: The danger rank of a class (read_only 0 … destructive 5), from config.commands.ranks.
rank(class) := _config.ranks[class]

# METADATA
# title: class_of
# description: The class of a rank (the inverse of rank).
class_of(n) := class if {
	some class, value in _config.ranks
	value == n
}

# METADATA
# title: findings
# description: >-
#   Every finding for one part: {class, source, entry, token, handling}. source is program, flag,
#   positional, argument, script, dynamic, wrapper, assignment, global_option, redirect, path or
#   analysis; entry is the data path that decided (for example
#   "programs.git.subcommands.diff.flags.--output"); token is the word that matched; handling is
#   the destructive handling the entry names ("" when it names none).
findings(part) := _program_findings(part) if {
	# Most parts are a program and its arguments, nothing around them.
	not part.wrappers
	not part.assignments
	not part.globalOptions
	not part.redirects
	not part.path
	not part.unknown
} else := union({
	_program_findings(part),
	_wrapper_findings(part),
	_assignment_findings(part),
	_global_option_findings(part),
	_redirect_findings(part),
	_path_findings(part),
	_analysis_findings(part),
})

# METADATA
# title: top
# description: >-
#   The deciding finding of a set: the most dangerous one; among equally dangerous ones the most
#   specific source (a flag, argument or script before the program entry, the program before what
#   surrounds it), then entry and token (compared as tuples, so both evaluators pick the same).
top(fs) := {"class": class_of(t[0]), "source": t[2], "entry": t[3], "token": t[4], "handling": t[5]} if {
	t := max({[rank(f.class), _specificity[f.source], f.source, f.entry, f.token, f.handling] | some f in fs})
}

_specificity := {
	"flag": 9, "positional": 9, "argument": 9, "script": 9, "dynamic": 8, "program": 7, "path": 6,
	"redirect": 5, "global_option": 4, "assignment": 3, "wrapper": 2, "analysis": 1,
}

# METADATA
# title: handling
# description: >-
#   How a destructive part is handled: "deny" when any destructive finding names deny, else
#   "approval" when one names approval, else the default given.
handling(fs, default_handling) := "deny" if {
	some f in fs
	f.class == "destructive"
	f.handling == "deny"
} else := "approval" if {
	some f in fs
	f.class == "destructive"
	f.handling == "approval"
} else := default_handling

# METADATA
# title: names
# description: >-
#   The program and the subcommands the part resolved to (["git", "remote", "show"]), for messages
#   and for the profile's allowedCodeExecution.
names(part) := _resolve(part).names

# METADATA
# title: privileged
# description: True when the part runs under a wrapper that raises privilege (sudo, doas).
privileged(part) if {
	some w in part.wrappers
	_config.wrappers[w.program].privilege == true
}

_finding(class, source, entry, token, handling) := {
	"class": class,
	"source": source,
	"entry": entry,
	"token": token,
	"handling": handling,
}

_args(argv) := array.slice(argv, 1, count(argv))

# ---- the program entry, its subcommands and its arguments -----------------------------------------

_program_findings(part) := {_finding("read_only", "program", "", "", "")} if not part.program

_program_findings(part) := {_finding("unknown", "program", "programs", part.program, "")} if {
	part.program
	not _config.programs[part.program]
}

_program_findings(part) := fs if {
	r := _resolve(part)
	fs := union({
		{_base(r)},
		_flag_findings(r),
		_positional_findings(r),
		_prefix_findings(r),
		_script_findings(r),
		_dynamic_findings(part, r),
	})
}

# {entry, path, args, names, token}: the deepest entry the program's subcommands lead to (two levels).
_resolve(part) := _level(_level(start)) if {
	entry := _config.programs[part.program]
	start := {
		"entry": entry,
		"path": concat(".", ["programs", part.program]),
		"args": _args(part.argv),
		"names": [part.program],
		"token": "",
	}
}

_level(r) := next if {
	r.entry.subcommands
	positions := _positions(r.entry, r.args)
	count(positions) > 0
	i := positions[0]
	name := r.args[i]
	next := _sub(r, name, array.slice(r.args, i + 1, count(r.args)))
} else := r

_sub(r, name, rest) := {
	"entry": r.entry.subcommands[name],
	"path": concat(".", [r.path, "subcommands", name]),
	"args": rest,
	"names": array.concat(r.names, [name]),
	"token": name,
} if {
	r.entry.subcommands[name]
} else := {
	"entry": {"class": object.get(r.entry, "otherSubcommands", "unknown")},
	"path": concat(".", [r.path, "otherSubcommands"]),
	"args": rest,
	"names": array.concat(r.names, [name]),
	"token": name,
}

# Positions of the positional arguments: not an option, not the value of a value-taking option.
_positions(entry, args) := [i |
	some i, arg in args
	not startswith(arg, "-")
	not _option_value(entry, args, i)
]

_option_value(entry, args, i) if {
	i > 0
	object.get(entry, ["valueOptions", args[i - 1]], false) == true
}

# The base finding: the entry's exact form (the whole argument string) if it names one, else its class.
_base(r) := _finding(class, "program", concat(".", [r.path, "exact"]), joined, "") if {
	joined := concat(" ", r.args)
	class := r.entry.exact[joined]
} else := _finding(r.entry.class, "program", r.path, r.token, object.get(r.entry, "handling", ""))

_flag_findings(r) := {_finding(rule.class, "flag", entry, arg, object.get(rule, "handling", "")) |
	some arg in r.args
	some name in _flag_names(r.entry, arg)
	rule := r.entry.flags[name]
	entry := concat(".", [r.path, "flags", name])
}

# The flags of entry that arg spells: itself, --name of --name=value, a unique-prefix abbreviation
# of a long option (--out for --output, as getopt_long accepts), or one letter of a -abc cluster.
_flag_names(entry, arg) := {name |
	entry.flags
	startswith(arg, "-")
	some name in _spellings(entry, arg)
	entry.flags[name]
}

_spellings(entry, arg) := union({{arg, split(arg, "=")[0]}, _abbreviations(entry, arg), _cluster(arg)})

_abbreviations(entry, arg) := {name |
	some name, _ in entry.flags
	startswith(name, long)
} if {
	startswith(arg, "--")
	long := split(arg, "=")[0]
	count(long) >= 3
	not entry.flags[long] # an exact name is never an abbreviation (getopt_long)
} else := set()

_cluster(arg) := {concat("", ["-", substring(arg, i, 1)]) | some i in numbers.range(1, count(arg) - 1)} if {
	not startswith(arg, "--")
	count(arg) > 2
} else := set()

_positional_findings(r) := {_finding(rule.class, "positional", concat(".", [r.path, "positionals"]), r.args[i], "") |
	rule := r.entry.positionals
	positions := _positions(r.entry, r.args)
	count(positions) >= rule.min
	i := positions[0]
}

_prefix_findings(r) := {_finding(rule.class, "argument", entry, arg, object.get(rule, "handling", "")) |
	some prefix, rule in r.entry.argPrefixes
	entry := concat(".", [r.path, "argPrefixes", prefix])
	some i in _positions(r.entry, r.args)
	arg := r.args[i]
	startswith(arg, prefix)
}

# A script argument (sed, awk): the values of its script options, else its first positional.
_script_findings(r) := {_finding(spec.class, "script", concat(".", [r.path, "script"]), text, "") |
	spec := r.entry.script
	some text in _scripts(r, spec)
	not _script_safe(spec, text)
}

_scripts(r, spec) := texts if {
	texts := {text | some text in _option_scripts(r.args, spec)}
	count(texts) > 0
} else := {r.args[positions[0]] |
	positions := _positions(r.entry, r.args)
	count(positions) > 0
}

_option_scripts(args, spec) := [text |
	some i, arg in args
	some option in spec.options
	text := _option_value_of(args, i, arg, option)
]

_option_value_of(args, i, arg, option) := args[i + 1] if arg == option

_option_value_of(_, _, arg, option) := substring(arg, count(option) + 1, -1) if {
	startswith(option, "--")
	startswith(arg, concat("", [option, "="]))
}

_option_value_of(_, _, arg, option) := substring(arg, 2, -1) if {
	not startswith(option, "--")
	startswith(arg, option)
	count(arg) > 2
}

_script_safe(spec, text) if regex.match(spec.safe, text)

_script_safe(spec, text) if {
	spec.unsafe
	not regex.match(spec.unsafe, text)
}

# Words not known statically (expansions, globs, xargs input) may spell any flag or argument: a
# program whose arguments matter cannot be classified with them.
_dynamic_findings(part, r) := {_finding("unknown", "dynamic", r.path, _dynamic_token(part), "")} if {
	_has_dynamic(part)
	_argument_sensitive(part, r)
} else := set()

_has_dynamic(part) if count(object.get(part, "dynamicArgs", [])) > 0

_has_dynamic(part) if part.dynamicTail == true

_dynamic_token(part) := part.argv[part.dynamicArgs[0]] if count(object.get(part, "dynamicArgs", [])) > 0

_dynamic_token(part) := "arguments added at run time" if {
	count(object.get(part, "dynamicArgs", [])) == 0
	part.dynamicTail == true
}

_argument_sensitive(part, _) if _config.programs[part.program].subcommands

_argument_sensitive(_, r) if {
	some key in ["flags", "positionals", "argPrefixes", "script", "exact", "subcommands"]
	r.entry[key]
}

# ---- what surrounds the program -------------------------------------------------------------------

_wrapper_findings(part) := {f |
	some w in part.wrappers
	some f in _wrapper_entry_findings(w)
}

_wrapper_entry_findings(w) := {_finding(entry.class, "wrapper", path, w.program, "")} | {
_finding(rule.class, "wrapper", concat(".", [path, "flags", name]), arg, "") |
	some arg in _args(w.argv)
	some name in _flag_names(entry, arg)
	rule := entry.flags[name]
} if {
	entry := _config.wrappers[w.program]
	path := concat(".", ["wrappers", w.program])
}

_wrapper_entry_findings(w) := {_finding("unknown", "wrapper", "wrappers", w.program, "")} if {
	not _config.wrappers[w.program]
}

_assignment_findings(part) := {_finding("unknown", "assignment", "environment", a.name, "") |
	some a in part.assignments
	not _harmless_assignment(a)
}

_harmless_assignment(a) if _config.environment.harmless[a.name]

_harmless_assignment(a) if regex.match(_config.environment.harmlessPattern, a.name)

_harmless_assignment(a) if a.value in _config.environment.harmlessValues[a.name]

_global_option_findings(part) := {_finding(rule.class, "global_option", entry, option, "") |
	some option in part.globalOptions
	name := split(option, "=")[0]
	rule := _config.programs[part.program].globalOptions[name]
	entry := concat(".", ["programs", part.program, "globalOptions", name])
}

_redirect_findings(part) := {f |
	some r in part.redirects
	some f in _redirect_finding(r)
}

_redirect_finding(r) := {_finding("unknown", "redirect", "redirects", r.op, "")} if {
	r.kind in {"read", "write", "append"}
	r.dynamic == true
} else := {_finding("network", "redirect", "redirects.networkPrefixes", r.target, "")} if {
	r.kind in {"read", "write", "append"}
	some prefix in _config.redirects.networkPrefixes
	startswith(r.target, prefix)
} else := {_finding("mutating", "redirect", "redirects", concat("", [r.op, r.target]), "")} if {
	r.kind in {"write", "append"}
	not _config.redirects.harmless[r.target]
} else := set()

_path_findings(part) := {_finding("code_execution", "path", "systemPaths", part.path, "")} if {
	part.path
	not _config.systemPaths[_dir(part.path)]
} else := set()

_dir(path) := concat("/", array.slice(parts, 0, count(parts) - 1)) if parts := split(path, "/")

_analysis_findings(part) := {_finding("unknown", "analysis", u.code, u.detail, "") | some u in part.unknown}
