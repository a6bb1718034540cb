import { describe, expect, it } from "vitest";
import { IllegalTransitionError } from "./errors.js";
import { assertTransition, type State, terminalStates, transitions } from "./state-machine.js";

const states = Object.keys(transitions) as State[];
const pairs = states.flatMap((from) => states.map((to) => [from, to] as const));

describe("the transition table", () => {
  it.each(pairs.filter(([from, to]) => transitions[from].includes(to)))("allows %s → %s", (from, to) => {
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(pairs.filter(([from, to]) => !transitions[from].includes(to)))(
    "raises on the illegal %s → %s",
    (from, to) => {
      expect(() => assertTransition(from, to)).toThrow(new IllegalTransitionError(from, to));
    },
  );

  it("lets nothing leave a terminal state", () => {
    for (const state of terminalStates) expect(transitions[state]).toEqual([]);
  });
});
