// Tools for repositories that author contracts: run-time compilation with the package's ajv options,
// and the examples check. The payload validators (the package's main entry) do not need them.
export {
  ajvOptions,
  annotationKeywords,
  type CompiledSchema,
  type CompileResult,
  compileSchemas,
} from "./compile.js";
export {
  checkExamples,
  type ExampleProblem,
  type ExampleResult,
  type ExamplesOptions,
  type ExamplesReport,
  readSchemaFiles,
} from "./examples.js";
