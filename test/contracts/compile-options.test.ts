// @workspace-ops/contracts/authoring compiles a repository's own schemas at run time; it must use the
// very ajv options the generated validators are built with, or a consumer's verdicts would drift.
import { ajvOptions, annotationKeywords, compileSchemas } from "@workspace-ops/contracts/authoring";
import { describe, expect, it } from "vitest";

// tools/ is plain JavaScript; loaded by URL so the type checker does not look for its declarations.
const codegen = (await import(new URL("../../tools/codegen/ajv.mjs", import.meta.url).href)) as {
  ajvOptions: object;
  annotationKeywords: string[];
};

describe("run-time compilation", () => {
  it("uses the options and annotation keywords of tools/codegen/ajv.mjs", () => {
    expect(ajvOptions).toEqual(codegen.ajvOptions);
    expect([...annotationKeywords]).toEqual(codegen.annotationKeywords);
  });

  it("explains errors the way the package does, and refuses a schema ajv strict mode rejects", () => {
    const compiled = compileSchemas([
      {
        $id: "https://example.test/a.json",
        title: "A",
        type: "object",
        required: ["n"],
        properties: { n: { type: "integer" } },
      },
    ]);
    expect(compiled.ok && compiled.schemas[0]?.validate({})).toEqual({
      ok: false,
      errors: [
        {
          pointer: "",
          keyword: "required",
          message: 'payload is missing required property "n"',
          schemaPath: "#/required",
        },
      ],
    });
    expect(compileSchemas([{ $id: "https://example.test/b.json", typo: 1 }])).toEqual({
      ok: false,
      error: { code: "schema_invalid", message: 'strict mode: unknown keyword: "typo"', pointer: "" },
    });
  });
});
