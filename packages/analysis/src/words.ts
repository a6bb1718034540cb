// The value of one word of a parsed script. Quoting is the parser's: this only joins the pieces the
// syntax tree gives and removes the backslashes bash would remove. Anything whose value depends on
// the run (expansions, globs) is dynamic; anything that runs or evaluates something is unknown.
import type { Node } from "web-tree-sitter";
import { unknownOf, type Word } from "./types.js";

const staticWord = (value: string): Word => ({ value, dynamic: false, unknown: [] });

/** The word a syntax node in word position stands for. */
export function wordOf(node: Node): Word {
  const word: Building = { value: "", dynamic: false, unknown: [], shape: "" };
  addPiece(word, node, true);
  // Brace expansion needs an unquoted { and } around a , or .. ("{}" alone stays as it is).
  const { shape, ...done } = word;
  if (braceList.test(shape)) done.dynamic = true;
  return done;
}

/** A word being built; `shape` is its unquoted text, with quoted or escaped characters as "_". */
interface Building extends Word {
  shape: string;
}

const braceList = /\{[^{}]*(?:,|\.\.)[^{}]*\}/;

function addPiece(word: Building, node: Node, first: boolean) {
  switch (node.type) {
    case "word":
      return addUnquoted(word, node.text, first);
    case "number":
      word.value += node.text;
      word.shape += node.text;
      return;
    case "raw_string":
      word.value += node.text.slice(1, -1);
      word.shape += "_";
      return;
    case "string":
      for (const child of node.namedChildren) if (child) addQuoted(word, child);
      word.shape += "_";
      return;
    case "concatenation": {
      let isFirst = first;
      for (const child of node.children) {
        if (!child) continue;
        addPiece(word, child, isFirst);
        isFirst = false;
      }
      return;
    }
    case "simple_expansion":
    case "ansi_c_string":
    case "translated_string":
    case "brace_expression":
      return addDynamic(word, node.text);
    case "expansion":
      return addExpansion(word, node);
    default:
      return addUnknown(word, node);
  }
}

/** A piece inside double quotes: text (with bash's backslash rules there) or an expansion. */
function addQuoted(word: Word, node: Node) {
  switch (node.type) {
    case "string_content":
      word.value += node.text.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === "\n" ? "" : c));
      return;
    case "simple_expansion":
      return addDynamic(word, node.text);
    case "expansion":
      return addExpansion(word, node);
    default:
      return addUnknown(word, node);
  }
}

/** ${name} only; any operator, subscript or transformation may evaluate code (${x@P}, ${a[$(id)]}). */
function addExpansion(word: Word, node: Node): void {
  const named = node.namedChildren;
  const plain =
    named.length === 1 &&
    (named[0]?.type === "variable_name" || named[0]?.type === "special_variable_name") &&
    node.childCount === 3;
  if (plain) addDynamic(word, node.text);
  else {
    word.value += node.text;
    word.dynamic = true;
    word.unknown.push(unknownOf("expansion", node.text));
  }
}

function addDynamic(word: Word, text: string): void {
  word.value += text;
  word.dynamic = true;
}

const unknownCodes: Record<string, "command_substitution" | "process_substitution" | "arithmetic"> = {
  command_substitution: "command_substitution",
  process_substitution: "process_substitution",
  arithmetic_expansion: "arithmetic",
};

function addUnknown(word: Word, node: Node): void {
  word.value += node.text;
  word.dynamic = true;
  word.unknown.push(unknownOf(unknownCodes[node.type] ?? "unsupported_syntax", node.text));
}

/**
 * Unquoted text: a backslash quotes the next character (a backslash-newline disappears); an unquoted
 * * ? [ is a glob, a leading ~ tilde expansion.
 */
function addUnquoted(word: Building, text: string, first: boolean): void {
  let value = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\") {
      const next = text[i + 1];
      if (next !== undefined && next !== "\n") {
        value += next;
        word.shape += "_";
      }
      i++;
      continue;
    }
    if (c === "*" || c === "?" || c === "[" || (c === "~" && first && i === 0)) word.dynamic = true;
    value += c;
    word.shape += c;
  }
  word.value += value;
}

export { staticWord };
