// Module hooks that let a plain `node` child process import this package's TypeScript sources:
// `.js` specifiers fall back to the `.ts` file beside them (NodeNext style), and `.ts` files are
// transpiled with the repo's own `typescript` devDependency. Test workers only — nothing ships this.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (thrown) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../");
    if (thrown?.code !== "ERR_MODULE_NOT_FOUND" || !relative || !specifier.endsWith(".js")) throw thrown;
    return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(fileName, "utf8"), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  return { format: "module", source: outputText, shortCircuit: true };
}
