// In-process evaluation of a built bundle with the opa-wasm SDK, hardened against its known traps.
import { createHash, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { type Bundle, loadBundle } from "./bundle.js";
import { type Decision, decisionSchema } from "./decision.js";
import { describeThrown, type PolicyError, policyError } from "./errors.js";
import { hostBuiltins } from "./host-builtins.js";

// The SDK's ESM build has no loadPolicySync; its CommonJS build does. Synchronous instantiation from
// a compiled module lets evaluate() stay synchronous, also when it replaces a grown instance.
const sdk = createRequire(import.meta.url)("@open-policy-agent/opa-wasm") as {
  loadPolicySync: (
    wasm: WebAssembly.Module,
    memory: WebAssembly.MemoryDescriptor,
    builtins: object,
  ) => LoadedPolicy;
};

/** The parts of the SDK's LoadedPolicy the fast path uses; checked at load, else plain evaluate(). */
interface LoadedPolicy {
  minorVersion: number;
  mem: WebAssembly.Memory;
  wasmInstance: WebAssembly.Instance & { exports: { opa_eval?: (...args: number[]) => number } };
  dataAddr: number;
  dataHeapPtr: number;
  entrypoints: Record<string, number>;
  setData(data: object): void;
  evaluate(input: unknown, entrypoint: number): unknown;
}

export interface DecisionRecord {
  decisionId: string;
  entrypoint: string;
  bundleRevision: string;
  /** sha256 of the input JSON exactly as evaluated. */
  inputDigest: string;
  evaluatedAt: string;
  durationMs: number;
  result: { ok: true; decision: Decision } | { ok: false; error: PolicyError };
}

export type Evaluation =
  | { ok: true; decision: Decision; record: DecisionRecord }
  | { ok: false; error: PolicyError; record: DecisionRecord };

export interface RuntimeOptions {
  /** Milliseconds since the epoch, for time.now_ns; tests fix it. */
  now?: () => number;
  /** Inputs whose JSON is larger than this are refused (input_invalid). Default 4 MiB. */
  maxInputBytes?: number;
  /** WebAssembly memory never shrinks; past this size the instance is replaced. Default 64 MiB. */
  maxMemoryBytes?: number;
}

/** The bundle built into this package (dist/bundle). */
export const defaultBundleDir = fileURLToPath(new URL("./bundle/", import.meta.url));

const PAGE = 64 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class PolicyRuntime {
  readonly revision: string;
  readonly entrypoints: readonly string[];
  #module: WebAssembly.Module;
  #data: Record<string, unknown>;
  #builtins: object;
  #policy: LoadedPolicy;
  #fast: boolean;
  #maxInputBytes: number;
  #maxMemoryBytes: number;
  #replacements = 0;

  private constructor(bundle: Bundle, module: WebAssembly.Module, options: RuntimeOptions) {
    this.revision = bundle.manifest.revision;
    this.#module = module;
    this.#data = bundle.data;
    this.#builtins = hostBuiltins(options.now);
    this.#maxInputBytes = options.maxInputBytes ?? 4 * 1024 * 1024;
    this.#maxMemoryBytes = options.maxMemoryBytes ?? 64 * 1024 * 1024;
    this.#policy = this.#instantiate();
    this.entrypoints = Object.keys(this.#policy.entrypoints).sort();
    this.#fast =
      this.#policy.minorVersion >= 2 &&
      typeof this.#policy.wasmInstance?.exports?.opa_eval === "function" &&
      typeof this.#policy.dataAddr === "number" &&
      typeof this.#policy.dataHeapPtr === "number" &&
      this.#policy.mem instanceof WebAssembly.Memory;
  }

  /** Loads, verifies and instantiates a bundle directory. */
  static async load(
    dir: string = defaultBundleDir,
    options: RuntimeOptions = {},
  ): Promise<{ ok: true; runtime: PolicyRuntime } | { ok: false; error: PolicyError }> {
    const loaded = await loadBundle(dir);
    if (!loaded.ok) return loaded;
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(loaded.bundle.wasm);
    } catch (error) {
      return { ok: false, error: policyError("wasm_load_failed", `policy.wasm: ${describeThrown(error)}`) };
    }
    try {
      return { ok: true, runtime: new PolicyRuntime(loaded.bundle, module, options) };
    } catch (error) {
      return { ok: false, error: policyError("wasm_load_failed", describeThrown(error)) };
    }
  }

  /** How many times the instance was replaced because its memory grew past the limit. */
  get replacements(): number {
    return this.#replacements;
  }

  #instantiate(): LoadedPolicy {
    const policy = sdk.loadPolicySync(this.#module, { initial: 5 }, this.#builtins);
    policy.setData(this.#data);
    return policy;
  }

  /** Evaluates one entrypoint. Never throws, and never turns a failure into a decision. */
  evaluate(entrypoint: string, input: unknown): Evaluation {
    const started = performance.now();
    const evaluatedAt = new Date().toISOString();
    let json = "";
    const finish = (result: DecisionRecord["result"]): Evaluation => {
      const record: DecisionRecord = {
        decisionId: randomUUID(),
        entrypoint,
        bundleRevision: this.revision,
        inputDigest: `sha256:${createHash("sha256").update(json).digest("hex")}`,
        evaluatedAt,
        durationMs: performance.now() - started,
        result,
      };
      return result.ok
        ? { ok: true, decision: result.decision, record }
        : { ok: false, error: result.error, record };
    };

    const id = Object.hasOwn(this.#policy.entrypoints, entrypoint)
      ? this.#policy.entrypoints[entrypoint]
      : undefined;
    if (id === undefined) {
      return finish({
        ok: false,
        error: policyError(
          "entrypoint_missing",
          `bundle ${this.revision} has no entrypoint ${JSON.stringify(entrypoint)}; it has ${this.entrypoints.join(", ")}`,
        ),
      });
    }
    // The SDK reads a falsy input (false, 0, "", null) as "no input" at all; our entrypoints take objects.
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return finish({ ok: false, error: policyError("input_invalid", "input must be a JSON object") });
    }
    try {
      json = JSON.stringify(input);
    } catch (error) {
      return finish({
        ok: false,
        error: policyError("input_invalid", `input is not JSON: ${describeThrown(error)}`),
      });
    }
    if (json.length > this.#maxInputBytes) {
      return finish({
        ok: false,
        error: policyError(
          "input_invalid",
          `input is ${json.length} characters of JSON; the limit is ${this.#maxInputBytes}`,
        ),
      });
    }

    let resultSet: unknown;
    try {
      resultSet = this.#fast ? this.#evaluateFast(id, json) : this.#policy.evaluate(JSON.parse(json), id);
    } catch (error) {
      this.#policy = this.#instantiate(); // a trap can leave the instance mid-evaluation
      this.#replacements++;
      return finish({
        ok: false,
        error: policyError("evaluation_trap", `${entrypoint}: ${describeThrown(error)}`),
      });
    } finally {
      if (this.#policy.mem.buffer.byteLength > this.#maxMemoryBytes) {
        this.#policy = this.#instantiate();
        this.#replacements++;
      }
    }

    const first = Array.isArray(resultSet) ? (resultSet[0] as { result?: unknown } | undefined) : undefined;
    if (!first || !("result" in first)) {
      return finish({
        ok: false,
        error: policyError("result_undefined", `${entrypoint} is undefined for this input`),
      });
    }
    const parsed = decisionSchema.safeParse(first.result);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const pointer = issue ? `/${issue.path.join("/")}` : "";
      return finish({
        ok: false,
        error: policyError(
          "decision_malformed",
          `${entrypoint} returned no decision document: ${pointer || "/"} ${issue?.message}`,
          pointer,
        ),
      });
    }
    return finish({ ok: true, decision: parsed.data });
  }

  /**
   * The ABI 1.2 opa_eval call, as the SDK makes it, minus its per-call costs: the input is encoded
   * straight into WebAssembly memory (no intermediate buffer, one shared TextEncoder), and the
   * result's end is found with indexOf instead of a byte-by-byte loop.
   */
  #evaluateFast(entrypointId: number, json: string): unknown {
    const policy = this.#policy;
    const at = policy.dataHeapPtr;
    const worstCase = json.length * 3;
    const missing = at + worstCase - policy.mem.buffer.byteLength;
    if (missing > 0) policy.mem.grow(Math.ceil(missing / PAGE));
    const { written } = encoder.encodeInto(json, new Uint8Array(policy.mem.buffer, at, worstCase));
    const opaEval = policy.wasmInstance.exports.opa_eval as (...args: number[]) => number;
    const out = opaEval(0, entrypointId, policy.dataAddr, at, written, at + written, 0);
    const memory = new Uint8Array(policy.mem.buffer);
    const end = memory.indexOf(0, out);
    return JSON.parse(decoder.decode(memory.subarray(out, end)));
  }
}
