// Walks a tree-sitter-bash syntax tree into simple commands and the operators between them, in source
// order. Only the syntax listed here is followed; anything else becomes an unknown part, so a construct
// the analysis does not understand can never pass as read-only.
import type { Node } from "web-tree-sitter";
import { type AnalysisUnknown, type CommandRedirect, type Operator, unknownOf, type Word } from "./types.js";
import { staticWord, wordOf } from "./words.js";

export interface RawAssignment {
  name: string;
  word: Word;
}

/** A simple command as written: program and arguments, leading assignments, redirections. */
export interface RawCommand {
  words: Word[];
  assignments: RawAssignment[];
  redirects: CommandRedirect[];
  unknown: AnalysisUnknown[];
}

export type Item = { command: RawCommand } | { operator: Operator };

export interface Walk {
  items: Item[];
  /** What is unknown about the script but belongs to no command (a for loop's word list). */
  unknown: AnalysisUnknown[];
  /** Redirections to add to the statement with this node id (see redirected_statement). */
  attach: Map<number, CommandRedirect[]>;
}

const operators = new Set<string>(["&&", "||", ";", "|", "|&", "&"]);

/** Node types that hold statements (and operators between them) and nothing else of interest. */
const sequences = new Set([
  "program",
  "list",
  "pipeline",
  "subshell",
  "compound_statement",
  "do_group",
  "negated_command",
  "if_statement",
  "elif_clause",
  "else_clause",
  "while_statement",
]);

const redirectTypes = new Set(["file_redirect", "heredoc_redirect", "herestring_redirect"]);

/** Node types inside a word or here-document that run or evaluate something. */
const evaluating = ["command_substitution", "process_substitution", "arithmetic_expansion", "expansion"];
const evaluatingCodes: Record<string, AnalysisUnknown["code"]> = {
  command_substitution: "command_substitution",
  process_substitution: "process_substitution",
  arithmetic_expansion: "arithmetic",
  expansion: "expansion",
};

export function walkTree(root: Node, maxDepth: number): Walk {
  const walk: Walk = { items: [], unknown: [], attach: new Map() };
  statement(root, [], walk, 0, maxDepth);
  return walk;
}

function statement(node: Node, inheritedIn: CommandRedirect[], walk: Walk, depth: number, maxDepth: number) {
  const attached = walk.attach.get(node.id);
  const inherited = attached ? [...inheritedIn, ...attached] : inheritedIn;
  if (depth > maxDepth) {
    walk.unknown.push(unknownOf("too_deep", `syntax nested deeper than ${maxDepth}`));
    return;
  }
  const next = (child: Node, redirects = inherited) => statement(child, redirects, walk, depth + 1, maxDepth);
  const push = (command: RawCommand) => walk.items.push({ command });
  const opaque = (code: AnalysisUnknown["code"]) =>
    push({ words: [], assignments: [], redirects: inherited, unknown: [unknownOf(code, node.text)] });

  if (sequences.has(node.type)) {
    let statementBefore = false;
    let operatorSince = false;
    for (const child of node.children) {
      if (!child) continue;
      if (!child.isNamed) {
        if (operators.has(child.type)) {
          walk.items.push({ operator: child.type as Operator });
          operatorSince = true;
        }
        continue;
      }
      if (child.type === "comment") continue;
      if (statementBefore && !operatorSince) walk.items.push({ operator: "\n" });
      next(child);
      statementBefore = true;
      operatorSince = false;
    }
    return;
  }
  switch (node.type) {
    case "command":
      return simpleCommand(node, inherited, walk, next, [], []);
    case "redirected_statement": {
      const body = node.childForFieldName("body");
      const redirects = [...inherited];
      const extra: Word[] = [];
      const trailing: Node[] = [];
      const unknown: AnalysisUnknown[] = [];
      for (const child of node.namedChildren)
        if (child && child.id !== body?.id) redirect(child, redirects, extra, trailing, unknown);
      if (!body) push({ words: [], assignments: [], redirects, unknown });
      else if (body.type === "command") simpleCommand(body, redirects, walk, next, extra, unknown);
      else if (body.type === "list" || body.type === "pipeline") {
        // tree-sitter-bash hangs `a && b > f` on the whole list; bash redirects only the last command.
        if (extra.length) unknown.push(unknownOf("unsupported_syntax", node.text));
        walk.unknown.push(...unknown);
        const own = redirects.slice(inherited.length);
        const last = lastStatement(body);
        walk.attach.set(last.id, [...(walk.attach.get(last.id) ?? []), ...own]);
        next(body);
      } else {
        // Words after a redirection target belong to the command; on a compound statement bash refuses them.
        if (extra.length) unknown.push(unknownOf("unsupported_syntax", node.text));
        walk.unknown.push(...unknown);
        next(body, redirects);
      }
      for (const t of trailing) next(t);
      return;
    }
    case "variable_assignment":
    case "variable_assignments": {
      const assignments: RawAssignment[] = [];
      const unknown: AnalysisUnknown[] = [];
      for (const a of node.type === "variable_assignment" ? [node] : node.namedChildren)
        if (a?.type === "variable_assignment") assignment(a, assignments, unknown);
      return push({ words: [], assignments, redirects: inherited, unknown });
    }
    case "declaration_command":
    case "unset_command":
      return declaration(node, inherited, walk);
    case "test_command": {
      const keyword = node.child(0)?.type ?? "[[";
      return push({
        words: [staticWord(keyword)],
        assignments: [],
        redirects: inherited,
        unknown: evaluated(node),
      });
    }
    case "for_statement": {
      for (const value of node.childrenForFieldName("value"))
        if (value) walk.unknown.push(...wordOf(value).unknown);
      const body = node.childForFieldName("body");
      if (body) next(body);
      return;
    }
    case "comment":
      return;
    case "function_definition":
      return opaque("function_definition");
    default:
      return opaque("unsupported_syntax");
  }
}

/** The statement a redirection after a list or pipeline belongs to: its last command. */
function lastStatement(node: Node): Node {
  if (node.type !== "list" && node.type !== "pipeline") return node;
  const children = node.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment");
  const last = children[children.length - 1];
  return last ? lastStatement(last) : node;
}

function simpleCommand(
  node: Node,
  redirectsIn: CommandRedirect[],
  walk: Walk,
  next: (child: Node) => void,
  extraWords: Word[],
  unknownIn: AnalysisUnknown[],
) {
  const words: Word[] = [];
  const assignments: RawAssignment[] = [];
  const redirects = [...redirectsIn];
  const unknown = [...unknownIn];
  const trailing: Node[] = [];
  const extra: Word[] = [];
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === "variable_assignment") assignment(child, assignments, unknown);
    else if (child.type === "command_name") words.push(wordOf(child.firstNamedChild ?? child));
    else if (redirectTypes.has(child.type)) redirect(child, redirects, extra, trailing, unknown);
    else if (child.type !== "comment") words.push(wordOf(child));
  }
  words.push(...extra, ...extraWords);
  for (const w of words) unknown.push(...w.unknown);
  walk.items.push({ command: { words, assignments, redirects, unknown } });
  for (const t of trailing) next(t);
}

function declaration(node: Node, redirects: CommandRedirect[], walk: Walk) {
  const words: Word[] = [staticWord(node.child(0)?.text ?? node.type)];
  const assignments: RawAssignment[] = [];
  const unknown: AnalysisUnknown[] = [];
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === "variable_assignment") {
      const before = assignments.length;
      assignment(child, assignments, unknown);
      const value = assignments[before]?.word;
      words.push({ value: child.text, dynamic: value?.dynamic ?? true, unknown: [] });
    } else if (child.type === "variable_name") words.push(staticWord(child.text));
    else {
      const w = wordOf(child);
      unknown.push(...w.unknown);
      words.push(w);
    }
  }
  walk.items.push({ command: { words, assignments, redirects, unknown } });
}

function assignment(node: Node, out: RawAssignment[], unknown: AnalysisUnknown[]) {
  const name = node.childForFieldName("name");
  const value = node.childForFieldName("value");
  if (name?.type !== "variable_name") {
    // a[i]=x evaluates i arithmetically
    unknown.push(unknownOf("arithmetic", node.text));
    return;
  }
  let word: Word;
  if (!value) word = staticWord("");
  else if (value.type === "array") word = { value: value.text, dynamic: true, unknown: evaluated(value) };
  else word = wordOf(value);
  unknown.push(...word.unknown);
  out.push({ name: name.text, word });
}

/** Every node under `node` that runs or evaluates something, as unknowns. */
function evaluated(node: Node): AnalysisUnknown[] {
  return node
    .descendantsOfType(evaluating)
    .flatMap((n) =>
      n && !(n.type === "expansion" && isPlainExpansion(n))
        ? [unknownOf(evaluatingCodes[n.type] ?? "unsupported_syntax", n.text)]
        : [],
    );
}

const isPlainExpansion = (n: Node) => wordOf(n).unknown.length === 0;

function redirect(
  node: Node,
  out: CommandRedirect[],
  extra: Word[],
  trailing: Node[],
  unknown: AnalysisUnknown[],
) {
  const descriptor = node.childForFieldName("descriptor");
  const fd = descriptor ? Number.parseInt(descriptor.text, 10) : undefined;
  const withFd = (r: CommandRedirect): CommandRedirect =>
    fd === undefined || Number.isNaN(fd) ? r : { ...r, fd };
  if (node.type === "heredoc_redirect") {
    let op = "<<";
    for (const child of node.children) {
      if (!child) continue;
      if (!child.isNamed && child.type.startsWith("<<")) op = child.type;
      else if (child.type === "heredoc_body") unknown.push(...evaluated(child));
      else if (child.isNamed && !child.type.startsWith("heredoc_") && child.type !== "file_descriptor")
        trailing.push(child);
    }
    out.push(withFd({ op, kind: "heredoc" }));
    return;
  }
  if (node.type === "herestring_redirect") {
    const value = node.namedChildren.find((c) => c && c.type !== "file_descriptor");
    if (value) unknown.push(...wordOf(value).unknown);
    out.push(withFd({ op: "<<<", kind: "herestring" }));
    return;
  }
  const op = node.children.find((c) => c && !c.isNamed)?.type ?? ">";
  const [first, ...rest] = node.childrenForFieldName("destination");
  for (const r of rest) if (r) extra.push(wordOf(r));
  if (op === ">&-" || op === "<&-") {
    out.push(withFd({ op, kind: "close" }));
    return;
  }
  const target = first ? wordOf(first) : staticWord("");
  unknown.push(...target.unknown);
  let kind: CommandRedirect["kind"];
  if (op === ">&" || op === "<&") {
    if (!target.dynamic && /^\d+$/.test(target.value)) kind = "duplicate";
    else if (!target.dynamic && target.value === "-") kind = "close";
    else kind = op === ">&" ? "write" : "read";
  } else if (op === "<") kind = "read";
  else if (op === ">>" || op === "&>>") kind = "append";
  else kind = "write";
  out.push(withFd({ op, kind, target: target.value, ...(target.dynamic ? { dynamic: true } : {}) }));
}
