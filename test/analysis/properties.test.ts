// Properties of analysis + policy over every command of the corpus and forms derived from it:
// a write redirection never lowers the class, wrapping in bash -lc never changes it, wrappers never
// lower it, and what cannot be parsed or known is never read-only.
import { beforeAll, describe, expect, it } from "vitest";
import { argvOf, type Classified, classifier, rank } from "./classify.js";
import { type Command, classified, readOnly } from "./corpus.js";

let classify: (command: Command) => Classified;
beforeAll(async () => {
  classify = await classifier();
}, 60_000);

const corpus: Command[] = [...readOnly, ...classified.map(([c]) => c)];
/** A word quoted for a POSIX shell, so the shell gives the program exactly this word. */
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
/** The script a command is: the string itself, or its argv quoted word by word. */
const scriptOf = (command: Command) => (typeof command === "string" ? command : command.map(quote).join(" "));
const hasUnknown = (c: Classified) =>
  c.analysis.unknown.length > 0 || c.analysis.parts.some((p) => (p.unknown?.length ?? 0) > 0);

describe("properties over the corpus", () => {
  it("a write redirection never lowers the class, and makes the call at least mutating", () => {
    const lowered = corpus.flatMap((command) => {
      const before = classify(command);
      const after = classify(`{ ${scriptOf(command)}\n} > out.txt`);
      const floor = Math.max(rank[before.class], rank.mutating);
      return rank[after.class] >= floor ? [] : [[command, before.class, after.class]];
    });
    expect(lowered).toEqual([]);
  });

  it("wrapping a command in bash -lc '…' (once or twice) never changes its class", () => {
    const changed = corpus.flatMap((command) => {
      const plain = classify(command).class;
      const once = classify(["bash", "-lc", scriptOf(command)]).class;
      const twice = classify(["bash", "-lc", `sh -c ${quote(scriptOf(command))}`]).class;
      return once === plain && twice === plain ? [] : [[command, plain, once, twice]];
    });
    expect(changed).toEqual([]);
  });

  it("wrappers never lower the class; sudo and doas never let a call through on their own", () => {
    const wrappers = [
      ["timeout", "5"],
      ["env"],
      ["env", "LANG=C"],
      ["nice", "-n", "5"],
      ["nohup"],
      ["stdbuf", "-oL"],
      ["command"],
      ["time", "-p"],
      ["ionice", "-c3"],
      ["xargs"],
      ["sudo"],
      ["doas", "-u", "root"],
      ["npx", "--yes"],
    ];
    const lowered: unknown[] = [];
    for (const command of corpus) {
      const before = classify(command);
      for (const wrapper of wrappers) {
        const after = classify([...wrapper, ...argvOf(command)]);
        if (rank[after.class] < rank[before.class])
          lowered.push([wrapper, command, before.class, after.class]);
        if ((wrapper[0] === "sudo" || wrapper[0] === "doas") && after.decision === "allow")
          lowered.push([wrapper, command, "allowed"]);
      }
    }
    expect(lowered).toEqual([]);
  });

  it("a script that does not parse is never read-only, nor is anything the analysis cannot know", () => {
    const breakers = [
      (s: string) => `${s} &&`,
      (s: string) => `${s} |`,
      (s: string) => `${s} "`,
      (s: string) => `( ${s}`,
      (s: string) => `${s} )`,
      (s: string) => `if ${s}`,
    ];
    const wrong: unknown[] = [];
    let unparsed = 0;
    for (const command of corpus) {
      for (const breakIt of breakers) {
        const got = classify(["bash", "-c", breakIt(scriptOf(command))]);
        const parseError = [
          ...got.analysis.unknown,
          ...got.analysis.parts.flatMap((p) => p.unknown ?? []),
        ].some((u) => u.code === "parse_error");
        if (parseError) unparsed++;
        if (parseError && rank[got.class] < rank.unknown) wrong.push([breakIt(scriptOf(command)), got.class]);
      }
      const got = classify(command);
      if (hasUnknown(got) && rank[got.class] < rank.unknown) wrong.push([command, got.class]);
    }
    expect(wrong).toEqual([]);
    // The breakers do break: most of the derived scripts are parse errors.
    expect(unparsed).toBeGreaterThan(corpus.length * 4);
  });
});
