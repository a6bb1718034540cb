import { describe, expect, it } from "vitest";
import { toGithub } from "./github.js";
import { escapeXml, toJUnit } from "./junit.js";
import { exitCodeOf, type Report, statusOf } from "./model.js";

const report = (status: "passed" | "failed" | "error"): Report => ({
  command: "wsops test",
  version: "0.0.0",
  checks: [
    {
      id: "c",
      title: "a <check> & more",
      status,
      summary: "s",
      durationMs: 1500,
      cases: [
        {
          name: 'case "one"',
          file: "dir/a,b.json",
          findings: [
            {
              ruleId: "r",
              level: "error",
              message: "50% done\nnext: line",
              file: "dir/a,b.json",
              line: 3,
              column: 7,
            },
            { ruleId: "r", level: "error", message: "accepted", ignored: { reason: "why" } },
            { ruleId: "n", level: "note", message: "fyi" },
          ],
        },
      ],
    },
  ],
});

describe("reports", () => {
  it("escape XML text and attributes, and replace characters XML cannot carry", () => {
    expect(escapeXml(`<a b="c" d='e'>&\u0001`)).toBe("&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;\ufffd");
    const xml = toJUnit(report("failed"));
    expect(xml).toContain(
      '<testsuite name="a &lt;check&gt; &amp; more" tests="1" failures="1" errors="0" skipped="0" time="1.500">',
    );
    expect(xml).toContain(
      '<failure message="50% done\nnext: line" type="r">dir/a,b.json:3:7: 50% done\nnext: line [r]</failure>',
    );
  });

  it("print GitHub annotations with escaped properties and data, and no ignored finding", () => {
    expect(toGithub(report("failed"))).toBe(
      "::error file=dir/a%2Cb.json,line=3,col=7,title=wsops r::50%25 done%0Anext: line\n::notice title=wsops n::fyi\n",
    );
  });

  it("count only errors that are not ignored, and give 2 for a check that could not run", () => {
    expect(statusOf(report("failed").checks[0]?.cases ?? [])).toBe("failed");
    expect(
      statusOf([
        { name: "x", findings: [{ ruleId: "r", level: "error", message: "m", ignored: { reason: "y" } }] },
      ]),
    ).toBe("passed");
    expect([exitCodeOf(report("passed")), exitCodeOf(report("failed")), exitCodeOf(report("error"))]).toEqual(
      [0, 1, 2],
    );
  });
});
